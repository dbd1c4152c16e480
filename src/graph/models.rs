//! Serde mirrors of the Graph JSON this page reads and writes; nothing else.
//!
//! Absent fields are `Option`s, unknown enum values and unknown `@odata.type`s are kept as
//! `Unknown` instead of failing, and extra fields are ignored.

use serde::{Deserialize, Serialize};

/// A Graph collection page.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// A directory user (the properties this page selects).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// `Member` or `Guest`.
    #[serde(default)]
    pub user_type: Option<String>,
    /// e.g. `de-DE`: the language of hand-over messages.
    #[serde(default)]
    pub preferred_language: Option<String>,
    /// State of a B2B invitation (`PendingAcceptance`, `Accepted`): set only for accounts
    /// invited from another organisation, so it tells an external guest from an internal one.
    #[serde(default)]
    pub external_user_state: Option<String>,
}

impl User {
    /// The properties requested with `$select`.
    pub const SELECT: &'static str =
        "id,displayName,userPrincipalName,mail,jobTitle,department,accountEnabled,userType,preferredLanguage,externalUserState";

    /// Returns the best name to show.
    pub fn name(&self) -> &str {
        self.display_name
            .as_deref()
            .or(self.user_principal_name.as_deref())
            .unwrap_or(&self.id)
    }

    /// Returns true if and only if Graph says this is a guest account (internal or external).
    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
    }

    /// Returns true if and only if this is an external guest: a guest whose account lives in
    /// another organisation (a B2B invitation state, or the `#EXT#` UPN invitations give).
    /// Graph refuses these a pass; internal guests (`userType` Guest, an account of this
    /// tenant) may get one.
    pub fn is_external_guest(&self) -> bool {
        let invited = self
            .external_user_state
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
        let ext_upn = self
            .user_principal_name
            .as_deref()
            .is_some_and(|u| u.to_ascii_uppercase().contains("#EXT#"));
        self.is_guest() && (invited || ext_upn)
    }
}

/// Why a pass is or is not usable (`methodUsabilityReason`).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum UsabilityReason {
    EnabledByPolicy,
    DisabledByPolicy,
    Expired,
    NotYetValid,
    OneTimeUsed,
    #[serde(other)]
    Unknown,
}

/// `#microsoft.graph.temporaryAccessPassAuthenticationMethod`.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TemporaryAccessPass {
    pub id: String,
    /// The secret: present only in the create response; zeroed when dropped, hidden from `Debug`.
    #[serde(default)]
    pub temporary_access_pass: Option<crate::secret::Secret>,
    #[serde(default)]
    pub created_date_time: Option<String>,
    #[serde(default)]
    pub start_date_time: Option<String>,
    #[serde(default)]
    pub lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    pub is_usable_once: Option<bool>,
    #[serde(default)]
    pub is_usable: Option<bool>,
    #[serde(default)]
    pub method_usability_reason: Option<UsabilityReason>,
}

impl std::fmt::Debug for TemporaryAccessPass {
    // The pass value never reaches a log, even through a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemporaryAccessPass")
            .field("id", &self.id)
            .field(
                "temporary_access_pass",
                &self.temporary_access_pass.as_ref().map(|_| "<hidden>"),
            )
            .field("start_date_time", &self.start_date_time)
            .field("lifetime_in_minutes", &self.lifetime_in_minutes)
            .field("method_usability_reason", &self.method_usability_reason)
            .finish()
    }
}

/// Body of the create request; every field optional (Graph applies the policy defaults).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NewPass {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_in_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_usable_once: Option<bool>,
}

/// `enabled` or `disabled`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PolicyState {
    Enabled,
    Disabled,
    #[serde(other)]
    Unknown,
}

/// A group the policy includes or excludes (`all_users` for everyone).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTarget {
    #[serde(default)]
    pub target_type: Option<String>,
    pub id: String,
    #[serde(default)]
    pub is_registration_required: Option<bool>,
}

/// `#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TapPolicy {
    pub state: PolicyState,
    #[serde(default)]
    pub default_lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    pub default_length: Option<u32>,
    #[serde(default)]
    pub minimum_lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    pub maximum_lifetime_in_minutes: Option<u32>,
    #[serde(default)]
    pub is_usable_once: Option<bool>,
    #[serde(default)]
    pub include_targets: Vec<PolicyTarget>,
    #[serde(default)]
    pub exclude_targets: Vec<PolicyTarget>,
}

/// `#microsoft.graph.directoryRole`: an activated admin role a user holds.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryRole {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role_template_id: Option<String>,
}

/// Kinds of authentication method, told apart by `@odata.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodKind {
    Password,
    Phone,
    Email,
    Fido2,
    MicrosoftAuthenticator,
    SoftwareOath,
    HardwareOath,
    WindowsHelloForBusiness,
    PlatformCredential,
    TemporaryAccessPass,
    QrCodePin,
    External,
    Unknown,
}

/// One entry of `/authentication/methods` (Learn "List methods": each entry carries its derived
/// type's properties, so a passkey's `passkeyType`, `aaGuid` and `model` and a phone's
/// `phoneType` come with the one list).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuthMethod {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub created_date_time: Option<String>,
    /// A passkey's authenticator (FIDO2 only).
    #[serde(default)]
    pub aa_guid: Option<String>,
    /// A passkey's model as its maker names it (FIDO2 only).
    #[serde(default)]
    pub model: Option<String>,
    /// `deviceBound` or `synced` (FIDO2 only; absent on keys registered before Graph had it).
    #[serde(default)]
    pub passkey_type: Option<String>,
    /// `mobile`, `alternateMobile` or `office` (phone only).
    #[serde(default)]
    pub phone_type: Option<String>,
}

impl AuthMethod {
    /// Returns the kind named by `@odata.type`, [`MethodKind::Unknown`] for types this page does not know.
    pub fn kind(&self) -> MethodKind {
        let name = self.odata_type.trim_start_matches("#microsoft.graph.");
        match name {
            "passwordAuthenticationMethod" => MethodKind::Password,
            "phoneAuthenticationMethod" => MethodKind::Phone,
            "emailAuthenticationMethod" => MethodKind::Email,
            "fido2AuthenticationMethod" => MethodKind::Fido2,
            "microsoftAuthenticatorAuthenticationMethod" => MethodKind::MicrosoftAuthenticator,
            "softwareOathAuthenticationMethod" => MethodKind::SoftwareOath,
            "hardwareOathAuthenticationMethod" => MethodKind::HardwareOath,
            "windowsHelloForBusinessAuthenticationMethod" => MethodKind::WindowsHelloForBusiness,
            "platformCredentialAuthenticationMethod" => MethodKind::PlatformCredential,
            "temporaryAccessPassAuthenticationMethod" => MethodKind::TemporaryAccessPass,
            "qrCodePinAuthenticationMethod" => MethodKind::QrCodePin,
            "externalAuthenticationMethod" => MethodKind::External,
            _ => MethodKind::Unknown,
        }
    }
}

/// A directory group (the properties this page selects).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

impl Group {
    /// The properties requested with `$select`.
    pub const SELECT: &'static str = "id,displayName";
}

/// Issue 15's mirrors (registration report, phone and passkey methods, passkey policies).
mod campaign;
pub use campaign::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_response_decodes_and_debug_hides_the_secret() {
        let json = r##"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users('x')/authentication/temporaryAccessPassMethods/$entity","id":"6f1f8f3e","isUsable":true,"methodUsabilityReason":"EnabledByPolicy","temporaryAccessPass":"+Xy3!kQ9","createdDateTime":"2022-06-05T20:02:51.1426714Z","startDateTime":"2022-06-05T20:02:51Z","lifetimeInMinutes":60,"isUsableOnce":false}"##;
        let p: TemporaryAccessPass = serde_json::from_str(json).unwrap();
        assert_eq!(
            p.temporary_access_pass.as_ref().map(|s| s.expose()),
            Some("+Xy3!kQ9")
        );
        assert_eq!(
            p.method_usability_reason,
            Some(UsabilityReason::EnabledByPolicy)
        );
        assert!(!format!("{p:?}").contains("Xy3"));
    }

    #[test]
    fn list_with_null_pass_and_unknown_reason() {
        let json = r#"{"value":[{"id":"a","temporaryAccessPass":null,"methodUsabilityReason":"SomethingNew","extra":{"x":1}}]}"#;
        let page: Page<TemporaryAccessPass> = serde_json::from_str(json).unwrap();
        assert_eq!(page.value[0].temporary_access_pass, None);
        assert_eq!(
            page.value[0].method_usability_reason,
            Some(UsabilityReason::Unknown)
        );
        assert_eq!(page.next_link, None);
    }

    #[test]
    fn policy_decodes() {
        let json = r##"{"@odata.type":"#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration","id":"TemporaryAccessPass","state":"enabled","defaultLifetimeInMinutes":60,"defaultLength":8,"minimumLifetimeInMinutes":60,"maximumLifetimeInMinutes":480,"isUsableOnce":false,"includeTargets":[{"targetType":"group","id":"all_users","isRegistrationRequired":false}],"excludeTargets":[]}"##;
        let p: TapPolicy = serde_json::from_str(json).unwrap();
        assert_eq!(p.state, PolicyState::Enabled);
        assert_eq!(p.maximum_lifetime_in_minutes, Some(480));
        assert_eq!(p.include_targets[0].id, "all_users");
        let p: TapPolicy = serde_json::from_str(r#"{"state":"paused"}"#).unwrap();
        assert_eq!(p.state, PolicyState::Unknown);
    }

    #[test]
    fn users_and_methods_decode_with_unknown_types() {
        let json = r##"{"@odata.context":"x","value":[{"id":"1","displayName":"Adele Vance","userPrincipalName":"adele@contoso.com","userType":"Guest","newProp":true}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=x"}"##;
        let page: Page<User> = serde_json::from_str(json).unwrap();
        assert!(page.value[0].is_guest());
        assert_eq!(page.value[0].name(), "Adele Vance");
        assert!(page.next_link.is_some());
        let m: Page<AuthMethod> = serde_json::from_str(
            r##"{"value":[{"@odata.type":"#microsoft.graph.fido2AuthenticationMethod","id":"f"},{"@odata.type":"#microsoft.graph.quantumAuthenticationMethod","id":"q"},{"id":"none"}]}"##,
        )
        .unwrap();
        let kinds: Vec<_> = m.value.iter().map(AuthMethod::kind).collect();
        assert_eq!(
            kinds,
            vec![MethodKind::Fido2, MethodKind::Unknown, MethodKind::Unknown]
        );
    }

    #[test]
    fn new_pass_sends_only_set_fields() {
        let body = serde_json::to_string(&NewPass {
            lifetime_in_minutes: Some(120),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(body, r#"{"lifetimeInMinutes":120}"#);
    }
}
