//! Issue 15's Graph reads as request descriptors: the registration report (paged through
//! [`crate::graph::paging::all_pages`]), a user's phone and passkey methods, the phone delete,
//! and the policies that decide whether a passkey may be registered.

use super::super::models::{
    AuthenticationStrength, ConditionalAccessPolicy, Fido2Configuration, Fido2Method, Page,
    PhoneMethod, RegistrationDetails,
};
use super::super::Request;
use super::{encode_segment, values};

/// Path of the registration report (Learn "List userRegistrationDetails"): delegated
/// `AuditLog.Read.All`, a reports-reading role and Entra ID P1/P2.
pub const REGISTRATION_REPORT_PATH: &str = "/reports/authenticationMethods/userRegistrationDetails";
/// Path of the passkey (FIDO2) method configuration with its passkey profiles.
pub const FIDO2_CONFIGURATION_PATH: &str =
    "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2";
/// Path of the authentication strengths (built-in and custom).
pub const AUTHENTICATION_STRENGTHS_PATH: &str = "/policies/authenticationStrengthPolicies";
/// Path of the Conditional Access policies.
pub const CONDITIONAL_ACCESS_PATH: &str = "/identity/conditionalAccess/policies";

/// The `$filter` of report rows holding `method` in `methodsRegistered` (e.g.
/// `temporaryAccessPass` to find pass-holder candidates, `mobilePhone`). Quotes in `method`
/// are doubled, as OData string literals want.
pub fn registered_filter(method: &str) -> String {
    format!(
        "methodsRegistered/any(x:x eq '{}')",
        method.replace('\'', "''")
    )
}

/// The first page of the registration report, all rows or those matching `filter` (an OData
/// `$filter` such as [`registered_filter`]); the paging helper follows `@odata.nextLink`. No
/// `$top`: Learn documents none for this report, so Graph's page size applies.
pub fn registration_report(filter: Option<&str>) -> Request<Page<RegistrationDetails>> {
    let path = match filter.map(str::trim).filter(|f| !f.is_empty()) {
        None => REGISTRATION_REPORT_PATH.to_string(),
        Some(f) => format!("{REGISTRATION_REPORT_PATH}?$filter={}", encode_segment(f)),
    };
    Request::get(path)
}

/// Returns the relative path of a user's phone methods.
pub fn phone_methods_path(user_key: &str) -> String {
    format!(
        "/users/{}/authentication/phoneMethods",
        encode_segment(user_key)
    )
}

/// Returns the relative path of a user's passkey (FIDO2) methods.
pub fn fido2_methods_path(user_key: &str) -> String {
    format!(
        "/users/{}/authentication/fido2Methods",
        encode_segment(user_key)
    )
}

/// Lists a user's phone methods (one per type).
pub fn phone_methods(user_key: &str) -> Request<Vec<PhoneMethod>> {
    Request::<Page<PhoneMethod>>::get(phone_methods_path(user_key))
        .map_decode(values::<PhoneMethod>)
}

/// Lists a user's passkeys (`passkeyType`, AAGUID, model).
pub fn fido2_methods(user_key: &str) -> Request<Vec<Fido2Method>> {
    Request::<Page<Fido2Method>>::get(fido2_methods_path(user_key))
        .map_decode(values::<Fido2Method>)
}

/// Deletes one phone method of a user (`UserAuthenticationMethod.ReadWrite.All` and a role
/// over the target; 204). Sent again after a lost answer: a second delete answers 404, which
/// the caller reads as "already gone".
pub fn delete_phone_method(user_key: &str, method_id: &str) -> Request<()> {
    Request::delete(format!(
        "{}/{}",
        phone_methods_path(user_key),
        encode_segment(method_id)
    ))
}

/// Reads the passkey (FIDO2) method configuration (`Policy.Read.AuthenticationMethod`).
pub fn fido2_configuration() -> Request<Fido2Configuration> {
    Request::get(FIDO2_CONFIGURATION_PATH)
}

/// Lists the authentication strengths (`Policy.Read.AuthenticationMethod`).
pub fn authentication_strengths() -> Request<Vec<AuthenticationStrength>> {
    Request::<Page<AuthenticationStrength>>::get(AUTHENTICATION_STRENGTHS_PATH)
        .map_decode(values::<AuthenticationStrength>)
}

/// The first page of the Conditional Access policies (`Policy.Read.All`).
pub fn conditional_access_policies() -> Request<Page<ConditionalAccessPolicy>> {
    Request::get(CONDITIONAL_ACCESS_PATH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::paging::all_pages;
    use crate::graph::request::Method;
    use futures::executor::block_on;
    use std::cell::RefCell;

    #[test]
    fn the_report_is_read_page_by_page_with_its_filter() {
        let first = registration_report(Some(&registered_filter("temporaryAccessPass")));
        assert_eq!(
            first.path,
            "/reports/authenticationMethods/userRegistrationDetails?$filter=methodsRegistered%2Fany%28x%3Ax%20eq%20%27temporaryAccessPass%27%29"
        );
        assert!(!first.eventual);
        assert_eq!(
            registration_report(Some("  ")).path,
            REGISTRATION_REPORT_PATH
        );
        assert_eq!(
            registered_filter("o'brien"),
            "methodsRegistered/any(x:x eq 'o''brien')"
        );
        let page1 = r#"{"value":[{"id":"1","userPrincipalName":"a@x","userType":"member","isAdmin":false,"isPasswordlessCapable":false,"methodsRegistered":["mobilePhone"],"newField":1}],"@odata.nextLink":"https://graph/v1.0/reports/authenticationMethods/userRegistrationDetails?$skiptoken=2"}"#;
        let page2 = r#"{"value":[{"id":"2","userType":"guest","methodsRegistered":[]}]}"#;
        let sent = RefCell::new(vec![]);
        let rows = block_on(all_pages(
            registration_report(None),
            |req| {
                sent.borrow_mut().push(req.path.clone());
                let text = if req.path == REGISTRATION_REPORT_PATH {
                    page1
                } else {
                    page2
                };
                std::future::ready(Ok(req.read(text).expect("decode")))
            },
            |_| true,
        ))
        .expect("rows");
        assert_eq!(sent.borrow().len(), 2);
        assert_eq!(rows[0].methods_registered, ["mobilePhone"]);
        assert_eq!(rows[1].user_type, "guest");
    }

    #[test]
    fn methods_and_policies_decode_what_the_campaign_reads() {
        let upn = "jordan.miller_fabrikam.com#EXT#@contoso.onmicrosoft.com";
        assert_eq!(
            phone_methods(upn).path,
            "/users/jordan.miller_fabrikam.com%23EXT%23%40contoso.onmicrosoft.com/authentication/phoneMethods"
        );
        let del = delete_phone_method("u1", "3179e48a-750b-4051-897c-87b9720928f7");
        assert_eq!(del.method, Method::Delete);
        assert_eq!(
            del.path,
            "/users/u1/authentication/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7"
        );
        let phones = phone_methods("u1")
            .read(r#"{"value":[{"id":"p","phoneNumber":"+1 1","phoneType":"office","smsSignInState":"notSupported"}]}"#)
            .expect("phones");
        assert_eq!(phones[0].phone_type.as_deref(), Some("office"));
        let keys = fido2_methods("u1")
            .read(r#"{"value":[{"id":"f","aaGuid":"g","model":"YubiKey","passkeyType":"synced"},{"id":"old"}]}"#)
            .expect("keys");
        assert_eq!(keys[0].passkey_type.as_deref(), Some("synced"));
        assert_eq!(keys[1].passkey_type, None);
        let config = fido2_configuration()
            .read(r#"{"state":"enabled","passkeyProfiles":[{"id":"p1","name":"Keys","passkeyTypes":"deviceBound","attestationEnforcement":"registrationOnly","keyRestrictions":{"isEnforced":true,"enforcementType":"allow","aaGuids":["g"]}}],"includeTargets":[{"targetType":"group","id":"all_users","allowedPasskeyProfiles":["p1"]}]}"#)
            .expect("config");
        assert_eq!(config.passkey_profiles[0].key_restrictions.aa_guids, ["g"]);
        assert_eq!(config.include_targets[0].allowed_passkey_profiles, ["p1"]);
        let strengths = authentication_strengths()
            .read(r#"{"value":[{"id":"s","displayName":"MFA","allowedCombinations":["temporaryAccessPassOneTime"]}]}"#)
            .expect("strengths");
        assert_eq!(
            strengths[0].allowed_combinations,
            ["temporaryAccessPassOneTime"]
        );
        let ca = conditional_access_policies()
            .read(r#"{"value":[{"id":"c","displayName":"Reg","state":"enabled","conditions":{"applications":{"includeUserActions":["urn:user:registersecurityinfo"]},"users":{"includeUsers":["All"]}},"grantControls":{"operator":"OR","builtInControls":[],"authenticationStrength":{"id":"s","allowedCombinations":["fido2"]}}}]}"#)
            .expect("ca");
        let p = &ca.value[0];
        assert_eq!(
            p.conditions
                .as_ref()
                .and_then(|c| c.applications.as_ref())
                .map(|a| a.include_user_actions.clone()),
            Some(vec!["urn:user:registersecurityinfo".to_string()])
        );
    }
}
