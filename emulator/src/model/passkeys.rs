//! Issue 15's data: phone, passkey (FIDO2), Windows Hello and Authenticator methods as Graph
//! JSON, the `userRegistrationDetails` row derived from a user's methods (so the report is
//! consistent ground truth), and the policies that decide whether a passkey may be registered
//! (the `fido2` method configuration with passkey profiles, authentication strengths,
//! Conditional Access policies).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::User;
use crate::clock;

/// Graph's fixed phone method ids (Learn, "phoneAuthenticationMethod resource type": one
/// number per type, the id names the type).
pub const MOBILE_PHONE_ID: &str = "3179e48a-750b-4051-897c-87b9720928f7";
/// The `alternateMobile` phone's id.
pub const ALTERNATE_MOBILE_PHONE_ID: &str = "b6332ec1-7057-4abe-9331-3d72feddfe41";
/// The `office` phone's id.
pub const OFFICE_PHONE_ID: &str = "e37fc753-ff3b-4958-9484-eaa9425c82bc";

/// `@odata.type` of a phone method.
pub const PHONE_TYPE: &str = "#microsoft.graph.phoneAuthenticationMethod";
/// `@odata.type` of a passkey (FIDO2) method.
pub const FIDO2_TYPE: &str = "#microsoft.graph.fido2AuthenticationMethod";
/// `@odata.type` of a Windows Hello for Business method.
pub const HELLO_TYPE: &str = "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod";
/// `@odata.type` of a Microsoft Authenticator method.
pub const AUTHENTICATOR_TYPE: &str = "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod";

/// AAGUIDs of well-known authenticators (the FIDO Alliance metadata service names them).
pub mod aaguids {
    /// YubiKey 5 Series with NFC (device-bound, attested).
    pub const YUBIKEY_5_NFC: &str = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
    /// Microsoft Authenticator for iOS (a device-bound passkey in Authenticator).
    pub const AUTHENTICATOR_IOS: &str = "90a3ccdf-635c-4729-a248-9b709135078f";
    /// Microsoft Authenticator for Android.
    pub const AUTHENTICATOR_ANDROID: &str = "de1e552d-db1d-4423-a619-566b625cdc84";
    /// Both Authenticator AAGUIDs: the report names their passkeys
    /// `passKeyDeviceBoundAuthenticator`.
    pub const AUTHENTICATOR: &[&str] = &[AUTHENTICATOR_IOS, AUTHENTICATOR_ANDROID];
    /// iCloud Keychain (synced).
    pub const ICLOUD_KEYCHAIN: &str = "fbfc3007-154e-4ecc-8c0b-6e020557d7bd";
    /// Google Password Manager (synced).
    pub const GOOGLE_PASSWORD_MANAGER: &str = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4";
}

/// A phone's `phoneType` (Learn: `mobile` takes SMS and voice; `alternateMobile` and
/// `office` take voice calls only).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PhoneType {
    /// SMS and voice.
    Mobile,
    /// Voice only (a user needs a mobile number before adding one).
    AlternateMobile,
    /// Voice only.
    Office,
}

impl PhoneType {
    /// The Graph string.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneType::Mobile => "mobile",
            PhoneType::AlternateMobile => "alternateMobile",
            PhoneType::Office => "office",
        }
    }

    /// The method's fixed id.
    pub fn method_id(self) -> &'static str {
        match self {
            PhoneType::Mobile => MOBILE_PHONE_ID,
            PhoneType::AlternateMobile => ALTERNATE_MOBILE_PHONE_ID,
            PhoneType::Office => OFFICE_PHONE_ID,
        }
    }

    /// Its `methodsRegistered` value in `userRegistrationDetails`.
    pub fn registered_as(self) -> &'static str {
        match self {
            PhoneType::Mobile => "mobilePhone",
            PhoneType::AlternateMobile => "alternateMobilePhone",
            PhoneType::Office => "officePhone",
        }
    }

    /// Parses a Graph `phoneType` (case-insensitive).
    pub fn parse(s: &str) -> Option<PhoneType> {
        [
            PhoneType::Mobile,
            PhoneType::AlternateMobile,
            PhoneType::Office,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// What a user registers to stop depending on a phone (control API and seeding).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PasskeyKind {
    /// A security key: `fido2AuthenticationMethod`, `passkeyType: deviceBound`, attested.
    DeviceBound,
    /// A synced passkey (iCloud Keychain by default): `passkeyType: synced`, not attested.
    Synced,
    /// A passkey in Microsoft Authenticator: `fido2AuthenticationMethod`, device-bound, with
    /// Authenticator's AAGUID.
    Authenticator,
    /// Windows Hello for Business.
    WindowsHello,
}

/// A phone method as Graph lists it.
pub fn phone_json(phone_type: PhoneType, number: &str, sms_sign_in: bool) -> Value {
    json!({
        "@odata.type": PHONE_TYPE,
        "id": phone_type.method_id(),
        "phoneNumber": number,
        "phoneType": phone_type.as_str(),
        "smsSignInState": if sms_sign_in { "ready" } else { "notAllowedByPolicy" },
    })
}

/// A method of `kind` registered at `when`, with `id`; `aa_guid` and `model` override the
/// kind's usual authenticator (passkeys only).
pub fn passkey_json(
    kind: PasskeyKind,
    id: &str,
    when: OffsetDateTime,
    aa_guid: Option<&str>,
    model: Option<&str>,
) -> Value {
    let created = clock::seconds_z(when);
    let fido = |passkey_type: &str, guid: &str, name: &str, attested: bool| {
        let guid = aa_guid.unwrap_or(guid);
        let model = model.unwrap_or(name);
        json!({
            "@odata.type": FIDO2_TYPE,
            "id": id,
            "displayName": model,
            "createdDateTime": created,
            "aaGuid": guid,
            "model": model,
            "attestationCertificates": if attested { json!(["6bd9a8d8e6e1aac7a7e7b1c4f8e6b3a2c9d4e5f6"]) } else { json!([]) },
            "attestationLevel": if attested { "attested" } else { "notAttested" },
            "passkeyType": passkey_type,
        })
    };
    match kind {
        PasskeyKind::DeviceBound => fido(
            "deviceBound",
            aaguids::YUBIKEY_5_NFC,
            "YubiKey 5 Series with NFC",
            true,
        ),
        PasskeyKind::Synced => fido("synced", aaguids::ICLOUD_KEYCHAIN, "iCloud Keychain", false),
        PasskeyKind::Authenticator => fido(
            "deviceBound",
            aaguids::AUTHENTICATOR_IOS,
            "Microsoft Authenticator for iOS",
            true,
        ),
        PasskeyKind::WindowsHello => json!({
            "@odata.type": HELLO_TYPE,
            "id": id,
            "displayName": model.unwrap_or("DESKTOP-HELLO"),
            "createdDateTime": created,
            "keyStrength": "normal",
        }),
    }
}

/// A Microsoft Authenticator (push) method.
pub fn authenticator_json(id: &str, when: OffsetDateTime) -> Value {
    json!({
        "@odata.type": AUTHENTICATOR_TYPE,
        "id": id,
        "displayName": "iPhone",
        "deviceTag": "SoftwareTokenActivated",
        "phoneAppVersion": "6.8.7",
        "createdDateTime": clock::seconds_z(when),
    })
}

fn odata_type(m: &Value) -> &str {
    m.get("@odata.type").and_then(Value::as_str).unwrap_or("")
}

/// The `methodsRegistered` values of a user's methods (Graph `userRegistrationDetails`), in
/// a fixed order, without duplicates. FIDO2: `passKeySynced` for synced passkeys,
/// `passKeyDeviceBoundAuthenticator` for a passkey with an Authenticator AAGUID,
/// `passKeyDeviceBound` otherwise, a method without `passkeyType` (keys registered before
/// Graph had the property) included [choice].
pub fn methods_registered(user: &User, has_pass: bool) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut push = |s: &'static str| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for m in &user.methods {
        let t = odata_type(m);
        if t.eq_ignore_ascii_case(PHONE_TYPE) {
            if let Some(p) = m
                .get("phoneType")
                .and_then(Value::as_str)
                .and_then(PhoneType::parse)
            {
                push(p.registered_as());
            }
        } else if t.eq_ignore_ascii_case(FIDO2_TYPE) {
            let aa_guid = m.get("aaGuid").and_then(Value::as_str).unwrap_or("");
            match m.get("passkeyType").and_then(Value::as_str) {
                Some(k) if k.eq_ignore_ascii_case("synced") => push("passKeySynced"),
                _ if aaguids::AUTHENTICATOR
                    .iter()
                    .any(|g| g.eq_ignore_ascii_case(aa_guid)) =>
                {
                    push("passKeyDeviceBoundAuthenticator")
                }
                _ => push("passKeyDeviceBound"),
            }
        } else if t.eq_ignore_ascii_case(HELLO_TYPE) {
            push("windowsHelloForBusiness");
        } else if t.eq_ignore_ascii_case(AUTHENTICATOR_TYPE) {
            push("microsoftAuthenticatorPush");
        } else if t.eq_ignore_ascii_case("#microsoft.graph.softwareOathAuthenticationMethod") {
            push("softwareOneTimePasscode");
        } else if t.eq_ignore_ascii_case("#microsoft.graph.hardwareOathAuthenticationMethod") {
            push("hardwareOneTimePasscode");
        } else if t.eq_ignore_ascii_case("#microsoft.graph.emailAuthenticationMethod") {
            push("email");
        }
    }
    if has_pass {
        push("temporaryAccessPass");
    }
    out
}

/// Methods that count for multifactor authentication (every `methodsRegistered` value but
/// email and the pass).
fn is_mfa_method(m: &str) -> bool {
    !matches!(m, "email" | "temporaryAccessPass")
}

/// Methods that make a user passwordless-capable (Learn, userRegistrationDetails
/// `isPasswordlessCapable`: FIDO2, Windows Hello for Business, passwordless Authenticator).
fn is_passwordless_method(m: &str) -> bool {
    matches!(
        m,
        "passKeyDeviceBound"
            | "passKeyDeviceBoundAuthenticator"
            | "passKeySynced"
            | "windowsHelloForBusiness"
            | "microsoftAuthenticatorPasswordless"
    )
}

/// The `userRegistrationDetails` row of `user` (Graph JSON), computed now from its methods.
pub fn registration_details(user: &User, has_pass: bool, updated: OffsetDateTime) -> Value {
    let methods = methods_registered(user, has_pass);
    let mfa = methods.iter().any(|m| is_mfa_method(m));
    let passwordless = methods.iter().any(|m| is_passwordless_method(m));
    let sspr = methods.iter().any(|m| *m != "temporaryAccessPass");
    let preferred = methods
        .iter()
        .find(|m| is_passwordless_method(m))
        .or_else(|| methods.iter().find(|m| is_mfa_method(m)));
    json!({
        "id": user.id,
        "userPrincipalName": user.user_principal_name,
        "userDisplayName": user.display_name,
        "userType": if user.is_guest() { "guest" } else { "member" },
        "isAdmin": user.is_admin(),
        "isSsprRegistered": sspr,
        "isSsprEnabled": false,
        "isSsprCapable": false,
        "isMfaRegistered": mfa,
        "isMfaCapable": mfa,
        "isPasswordlessCapable": passwordless,
        "isSystemPreferredAuthenticationMethodEnabled": true,
        "systemPreferredAuthenticationMethods": preferred.map(|m| vec![*m]).unwrap_or_default(),
        "userPreferredMethodForSecondaryAuthentication": "",
        "lastUpdatedDateTime": clock::seven_digits_z(updated),
        "methodsRegistered": methods,
    })
}

/// The policies that decide whether a passkey may be registered, as Graph JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyPolicies {
    /// `/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2`
    /// (`fido2AuthenticationMethodConfiguration`, with `passkeyProfiles`).
    pub fido2: Value,
    /// `/policies/authenticationStrengthPolicies` (built-in ones first).
    pub strengths: Vec<Value>,
    /// `/identity/conditionalAccess/policies`.
    pub conditional_access: Vec<Value>,
    /// A frozen registration report (test support for "the report may lag"): while set, the
    /// report serves these rows instead of computing them from the users' methods now. Graph's
    /// report is computed in the background, so a fresh registration may take a while to show;
    /// Learn gives no figure, so the emulator is current unless a test freezes it.
    #[serde(default)]
    pub report_snapshot: Option<Vec<Value>>,
}

/// The default passkey profile's id (Learn's update example).
pub const DEFAULT_PASSKEY_PROFILE: &str = "00000000-0000-0000-0000-000000000001";
/// Built-in authentication strength "Multifactor authentication".
pub const STRENGTH_MFA: &str = "00000000-0000-0000-0000-000000000002";
/// Built-in authentication strength "Passwordless MFA".
pub const STRENGTH_PASSWORDLESS: &str = "00000000-0000-0000-0000-000000000003";
/// Built-in authentication strength "Phishing-resistant MFA".
pub const STRENGTH_PHISHING_RESISTANT: &str = "00000000-0000-0000-0000-000000000004";
/// The user action "Register security information" in Conditional Access.
pub const REGISTER_SECURITY_INFO: &str = "urn:user:registersecurityinfo";
/// The demo tenant's Conditional Access policy on registering security information.
pub const CA_REGISTRATION_POLICY_ID: &str = "6b1f0c52-2a4e-4d3c-9a7e-15c0b2d4e901";

fn strength(id: &str, name: &str, description: &str, combos: &[&str]) -> Value {
    json!({
        "id": id,
        "createdDateTime": "2021-12-01T00:00:00Z",
        "modifiedDateTime": "2021-12-01T00:00:00Z",
        "displayName": name,
        "description": description,
        "policyType": "builtIn",
        "requirementsSatisfied": "mfa",
        "allowedCombinations": combos,
    })
}

/// The three built-in authentication strengths (Learn, "Built-in authentication strengths").
pub fn built_in_strengths() -> Vec<Value> {
    vec![
        strength(
            STRENGTH_MFA,
            "Multifactor authentication",
            "Combinations of methods that satisfy strong authentication, such as a password + SMS",
            &[
                "windowsHelloForBusiness",
                "fido2",
                "x509CertificateMultiFactor",
                "deviceBasedPush",
                "temporaryAccessPassOneTime",
                "temporaryAccessPassMultiUse",
                "password,microsoftAuthenticatorPush",
                "password,softwareOath",
                "password,hardwareOath",
                "password,sms",
                "password,voice",
                "federatedMultiFactor",
                "microsoftAuthenticatorPush,federatedSingleFactor",
                "softwareOath,federatedSingleFactor",
                "hardwareOath,federatedSingleFactor",
                "sms,federatedSingleFactor",
                "voice,federatedSingleFactor",
            ],
        ),
        strength(
            STRENGTH_PASSWORDLESS,
            "Passwordless MFA",
            "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
            &[
                "windowsHelloForBusiness",
                "fido2",
                "x509CertificateMultiFactor",
                "deviceBasedPush",
            ],
        ),
        strength(
            STRENGTH_PHISHING_RESISTANT,
            "Phishing-resistant MFA",
            "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
            &["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
        ),
    ]
}

/// A passkey profile (`passkeyProfile`): `passkey_types` is Graph's flags string
/// (`deviceBound,synced`); `aa_guids` with `enforcement` `allow` or `block`.
pub fn passkey_profile(
    id: &str,
    name: &str,
    passkey_types: &str,
    attestation: &str,
    enforcement: Option<(&str, &[&str])>,
) -> Value {
    let (enforced, kind, guids) = match enforcement {
        Some((kind, guids)) => (true, kind, guids.to_vec()),
        None => (false, "allow", vec![]),
    };
    json!({
        "id": id,
        "name": name,
        "passkeyTypes": passkey_types,
        "attestationEnforcement": attestation,
        "keyRestrictions": {"isEnforced": enforced, "enforcementType": kind, "aaGuids": guids},
    })
}

/// A `fido2AuthenticationMethodConfiguration` enabled for all users with one profile.
pub fn fido2_configuration(profile: Value) -> Value {
    let profile_id = profile
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_PASSKEY_PROFILE)
        .to_string();
    json!({
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
        "id": "Fido2",
        "state": "enabled",
        "isSelfServiceRegistrationAllowed": true,
        "isAttestationEnforced": false,
        "keyRestrictions": {"isEnforced": false, "enforcementType": "block", "aaGuids": []},
        "defaultPasskeyProfile": profile_id,
        "includeTargets": [{
            "targetType": "group",
            "id": "all_users",
            "isRegistrationRequired": false,
            "allowedPasskeyProfiles": [profile_id],
        }],
        "excludeTargets": [],
        "passkeyProfiles": [profile],
    })
}

/// A Conditional Access policy on the user action "register security information" for all
/// users, requiring the authentication strength `strength_id` (`None`: plain MFA grant).
pub fn registration_ca_policy(
    id: &str,
    name: &str,
    state: &str,
    strength_id: Option<&str>,
) -> Value {
    let strength = strength_id.and_then(|s| {
        built_in_strengths()
            .into_iter()
            .find(|v| v.get("id").and_then(Value::as_str) == Some(s))
    });
    let built_in: Vec<&str> = if strength.is_some() {
        vec![]
    } else {
        vec!["mfa"]
    };
    json!({
        "id": id,
        "templateId": null,
        "displayName": name,
        "createdDateTime": "2025-01-10T09:00:00Z",
        "modifiedDateTime": null,
        "state": state,
        "sessionControls": null,
        "conditions": {
            "userRiskLevels": [],
            "signInRiskLevels": [],
            "clientAppTypes": ["all"],
            "platforms": null,
            "locations": null,
            "applications": {
                "includeApplications": [],
                "excludeApplications": [],
                "includeUserActions": [REGISTER_SECURITY_INFO],
                "includeAuthenticationContextClassReferences": [],
            },
            "users": {
                "includeUsers": ["All"],
                "excludeUsers": [],
                "includeGroups": [],
                "excludeGroups": [],
                "includeRoles": [],
                "excludeRoles": [],
            },
        },
        "grantControls": {
            "operator": "OR",
            "builtInControls": built_in,
            "customAuthenticationFactors": [],
            "termsOfUse": [],
            "authenticationStrength": strength,
        },
    })
}

impl Default for PasskeyPolicies {
    /// The demo tenant: passkeys enabled for everyone with the default profile (device-bound
    /// and synced, no attestation, no key restrictions), the built-in strengths, and one
    /// Conditional Access policy asking for the "Multifactor authentication" strength (which
    /// accepts a Temporary Access Pass) to register security information.
    fn default() -> Self {
        PasskeyPolicies {
            fido2: fido2_configuration(passkey_profile(
                DEFAULT_PASSKEY_PROFILE,
                "Default passkey profile",
                "deviceBound,synced",
                "disabled",
                None,
            )),
            strengths: built_in_strengths(),
            conditional_access: vec![registration_ca_policy(
                CA_REGISTRATION_POLICY_ID,
                "Require MFA to register security information",
                "enabled",
                Some(STRENGTH_MFA),
            )],
            report_snapshot: None,
        }
    }
}
