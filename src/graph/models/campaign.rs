//! Serde mirrors for issue 15's reads: the registration report row, phone and passkey
//! methods, the passkey (FIDO2) method configuration with its passkey profiles, authentication
//! strengths and Conditional Access policies. Only the fields the campaign uses; unknown
//! fields and values are tolerated.

use serde::Deserialize;

/// One row of `/reports/authenticationMethods/userRegistrationDetails`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistrationDetails {
    /// The user's object id.
    pub id: String,
    /// Sign-in name.
    pub user_principal_name: String,
    /// Display name.
    pub user_display_name: String,
    /// `member` or `guest` (Graph writes them in lower case).
    pub user_type: String,
    /// Holds an admin role.
    pub is_admin: bool,
    /// Has a strong method the policy allows.
    pub is_mfa_capable: bool,
    /// Has a passwordless method (passkey, Windows Hello, passwordless Authenticator).
    pub is_passwordless_capable: bool,
    /// `mobilePhone`, `alternateMobilePhone`, `officePhone`, `passKeyDeviceBound`, …
    pub methods_registered: Vec<String>,
    /// When the report's row was last computed (it may lag the directory).
    pub last_updated_date_time: Option<String>,
}

/// One entry of `/authentication/phoneMethods`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct PhoneMethod {
    /// The method id (fixed per phone type).
    pub id: String,
    /// The number.
    pub phone_number: Option<String>,
    /// `mobile`, `alternateMobile` or `office`.
    pub phone_type: Option<String>,
    /// `ready`, `notAllowedByPolicy`, … (SMS sign-in, not SMS as a second factor).
    pub sms_sign_in_state: Option<String>,
}

/// One entry of `/authentication/fido2Methods`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Fido2Method {
    /// The method id.
    pub id: String,
    /// The name the user gave it.
    pub display_name: Option<String>,
    /// When it was registered.
    pub created_date_time: Option<String>,
    /// The authenticator's AAGUID (its make and model).
    pub aa_guid: Option<String>,
    /// The manufacturer's model name.
    pub model: Option<String>,
    /// `deviceBound` or `synced` (absent on older keys: device-bound).
    pub passkey_type: Option<String>,
    /// `attested` or `notAttested`.
    pub attestation_level: Option<String>,
}

/// `keyRestrictions` of a passkey profile or of the configuration.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyRestrictions {
    /// Whether the list applies.
    pub is_enforced: bool,
    /// `allow` or `block`.
    pub enforcement_type: String,
    /// The AAGUIDs allowed or blocked.
    pub aa_guids: Vec<String>,
}

/// A passkey profile of the `fido2` configuration.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct PasskeyProfile {
    /// Its id (a GUID).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Graph's flags string: `deviceBound`, `synced` or `deviceBound,synced`.
    pub passkey_types: String,
    /// `disabled` or `registrationOnly`.
    pub attestation_enforcement: String,
    /// AAGUID allow or block list.
    pub key_restrictions: KeyRestrictions,
}

/// An include target of the `fido2` configuration.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct PasskeyTarget {
    /// `all_users` or a group id.
    pub id: String,
    /// The profiles that apply to it.
    pub allowed_passkey_profiles: Vec<String>,
}

/// An exclude target (a group id).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct ExcludedGroup {
    /// The group id.
    pub id: String,
}

/// `/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Fido2Configuration {
    /// `enabled` or `disabled`.
    pub state: String,
    /// Users may register passkeys themselves.
    pub is_self_service_registration_allowed: Option<bool>,
    /// Who may use passkeys, with their profiles.
    pub include_targets: Vec<PasskeyTarget>,
    /// Who may not.
    pub exclude_targets: Vec<ExcludedGroup>,
    /// The baseline profile's id.
    pub default_passkey_profile: Option<String>,
    /// Every profile.
    pub passkey_profiles: Vec<PasskeyProfile>,
    /// The tenant-wide attestation switch of a tenant without passkey profiles.
    pub is_attestation_enforced: Option<bool>,
    /// The tenant-wide AAGUID list of a tenant without passkey profiles.
    pub key_restrictions: Option<KeyRestrictions>,
}

/// An authentication strength (built-in or custom).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationStrength {
    /// Its id.
    pub id: String,
    /// Its name.
    pub display_name: String,
    /// Method combinations it accepts (`temporaryAccessPassOneTime`, `fido2`, `password,sms`, …).
    pub allowed_combinations: Vec<String>,
}

/// `conditions.applications` of a Conditional Access policy.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct CaApplications {
    /// User actions, such as `urn:user:registersecurityinfo`.
    pub include_user_actions: Vec<String>,
}

/// `conditions.users` of a Conditional Access policy.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct CaUsers {
    /// `All`, `GuestsOrExternalUsers`, `None` or user ids.
    pub include_users: Vec<String>,
    /// User ids.
    pub exclude_users: Vec<String>,
    /// Group ids.
    pub include_groups: Vec<String>,
    /// Group ids.
    pub exclude_groups: Vec<String>,
    /// Directory role template ids.
    pub include_roles: Vec<String>,
    /// Directory role template ids.
    pub exclude_roles: Vec<String>,
}

/// `conditions` of a Conditional Access policy.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct CaConditions {
    /// Applications and user actions.
    pub applications: Option<CaApplications>,
    /// Users, groups and roles.
    pub users: Option<CaUsers>,
}

/// `grantControls` of a Conditional Access policy.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct CaGrantControls {
    /// `AND` or `OR`.
    pub operator: Option<String>,
    /// `mfa`, `block`, `compliantDevice`, …
    pub built_in_controls: Vec<String>,
    /// The required authentication strength, if any.
    pub authentication_strength: Option<AuthenticationStrength>,
}

/// A Conditional Access policy (`/identity/conditionalAccess/policies`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessPolicy {
    /// Its id.
    pub id: String,
    /// Its name.
    pub display_name: String,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    pub state: String,
    /// What it applies to.
    pub conditions: Option<CaConditions>,
    /// What it requires.
    pub grant_controls: Option<CaGrantControls>,
}
