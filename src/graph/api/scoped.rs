//! Issue 16's Graph calls as request descriptors, with the serde mirrors of their answers: the
//! signed-in admin's active and eligible role instances (PIM), the unit-scoped role fallback
//! (`/me/scopedRoleMemberOf`, role assignments), administrative units and their members, and
//! the QR code + PIN method with its `qrCodePin` policy. The QR content and the PIN are
//! [`Secret`]s: Graph returns them once, in the answer that created them.

use serde::{Deserialize, Serialize};

use super::super::models::{Page, PolicyState, PolicyTarget, User};
use super::super::request::Method;
use super::super::Request;
use super::{encode, values};
use crate::secret::Secret;

/// Path of the signed-in admin's active role instances (PIM; tenant-wide and unit-scoped).
pub const MY_ACTIVE_ROLES_PATH: &str =
    "/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')";
/// Path of the signed-in admin's eligible role instances (PIM; activated before they count).
pub const MY_ELIGIBLE_ROLES_PATH: &str =
    "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')";
/// Path of the fallback where PIM is unavailable: the admin's unit-scoped roles.
pub const MY_SCOPED_ROLES_PATH: &str = "/me/scopedRoleMemberOf";
/// Path of the `qrCodePin` authentication method policy.
pub const QR_POLICY_PATH: &str =
    "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/qrCodePin";
/// Properties read of an administrative unit.
const UNIT_SELECT: &str = "id,displayName,isMemberManagementRestricted";

/// A role assignment or eligibility instance (`unifiedRoleAssignmentScheduleInstance`,
/// `unifiedRoleEligibilityScheduleInstance`, `unifiedRoleAssignment`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RoleInstance {
    /// The role (template id for built-in roles).
    pub role_definition_id: String,
    /// `/` (tenant), `/administrativeUnits/{id}` or another object's scope.
    #[serde(default)]
    pub directory_scope_id: Option<String>,
}

/// A `scopedRoleMembership`: a role scoped to an administrative unit. `role_id` is the
/// activated directory role's object id, not its template id.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScopedRoleMembership {
    /// The directory role object's id.
    pub role_id: String,
    /// The unit.
    pub administrative_unit_id: String,
}

/// An administrative unit (the properties this page reads).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AdministrativeUnit {
    /// Object id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Restricted management: only administrators scoped to it change its members.
    #[serde(default)]
    pub is_member_management_restricted: Option<bool>,
}

/// What a QR code's image carries; `raw_content` (with the private key) only in the answer
/// that created the code.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct QrImage {
    /// The QR content, base64.
    #[serde(default)]
    pub raw_content: Option<Secret>,
}

/// A standard or temporary QR code.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct QrCode {
    /// Its id.
    #[serde(default)]
    pub id: Option<String>,
    /// When it becomes usable (RFC 3339).
    #[serde(default)]
    pub start_date_time: Option<String>,
    /// When it expires (RFC 3339).
    #[serde(default)]
    pub expire_date_time: Option<String>,
    /// The image, `null` on every read after creation.
    #[serde(default)]
    pub image: Option<QrImage>,
}

/// A QR method's PIN; `code` only when created or reset.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct QrPin {
    /// The digits.
    #[serde(default)]
    pub code: Option<Secret>,
    /// The user changes it at the first sign-in.
    #[serde(default)]
    pub force_change_pin_next_sign_in: Option<bool>,
}

/// `#microsoft.graph.qrCodePinAuthenticationMethod`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct QrCodePinMethod {
    /// Method id.
    #[serde(default)]
    pub id: Option<String>,
    /// The badge code.
    #[serde(default, rename = "standardQRCode")]
    pub standard_qr_code: Option<QrCode>,
    /// The forgotten-badge code.
    #[serde(default, rename = "temporaryQRCode")]
    pub temporary_qr_code: Option<QrCode>,
    /// The PIN.
    #[serde(default)]
    pub pin: Option<QrPin>,
}

/// `#microsoft.graph.qrCodePinAuthenticationMethodConfiguration`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct QrPolicy {
    /// Enabled or disabled.
    pub state: PolicyState,
    /// Standard QR code lifetime in days.
    #[serde(default, rename = "standardQRCodeLifetimeInDays")]
    pub standard_qr_code_lifetime_in_days: Option<u32>,
    /// PIN length.
    #[serde(default)]
    pub pin_length: Option<u32>,
    /// Who may have the method.
    #[serde(default)]
    pub include_targets: Vec<PolicyTarget>,
    /// Who may not.
    #[serde(default)]
    pub exclude_targets: Vec<PolicyTarget>,
}

/// The dates of a QR code to create (RFC 3339).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NewQrCode {
    /// When it becomes usable.
    pub start_date_time: String,
    /// When it expires.
    pub expire_date_time: String,
}

/// The body of `PUT .../qrCodePinMethod`: the standard code's dates; no PIN, so Graph
/// generates one of the policy's length (the page never chooses a PIN).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NewBadge {
    /// `@odata.type`.
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    /// The standard code.
    #[serde(rename = "standardQRCode")]
    pub standard_qr_code: NewQrCode,
}

impl NewBadge {
    /// A badge valid from `start` to `expire` (RFC 3339).
    pub fn new(start: String, expire: String) -> NewBadge {
        NewBadge {
            odata_type: "#microsoft.graph.qrCodePinAuthenticationMethod",
            standard_qr_code: NewQrCode {
                start_date_time: start,
                expire_date_time: expire,
            },
        }
    }
}

/// The signed-in admin's active role instances (tenant-wide and unit-scoped).
pub fn my_active_roles() -> Request<Vec<RoleInstance>> {
    Request::<Page<RoleInstance>>::get(MY_ACTIVE_ROLES_PATH).map_decode(values::<RoleInstance>)
}

/// The signed-in admin's eligible role instances (to say "activate your role in PIM first").
pub fn my_eligible_roles() -> Request<Vec<RoleInstance>> {
    Request::<Page<RoleInstance>>::get(MY_ELIGIBLE_ROLES_PATH).map_decode(values::<RoleInstance>)
}

/// The signed-in admin's unit-scoped roles, where the PIM calls are unavailable (needs
/// `Directory.Read.All` and names no role template: [`role_assignments_of`] is the lighter
/// fallback).
pub fn my_scoped_roles() -> Request<Vec<ScopedRoleMembership>> {
    Request::<Page<ScopedRoleMembership>>::get(MY_SCOPED_ROLES_PATH)
        .map_decode(values::<ScopedRoleMembership>)
}

/// Returns the path of a principal's active role assignments (the other fallback).
pub fn role_assignments_path(principal_id: &str) -> String {
    format!(
        "/roleManagement/directory/roleAssignments?$filter={}",
        encode(&format!(
            "principalId eq '{}'",
            principal_id.replace('\'', "''")
        ))
    )
}

/// A principal's active role assignments, tenant-wide and unit-scoped.
pub fn role_assignments_of(principal_id: &str) -> Request<Vec<RoleInstance>> {
    Request::<Page<RoleInstance>>::get(role_assignments_path(principal_id))
        .map_decode(values::<RoleInstance>)
}

/// Reads one administrative unit.
pub fn get_unit(unit_id: &str) -> Request<AdministrativeUnit> {
    Request::get(format!(
        "/directory/administrativeUnits/{}?$select={UNIT_SELECT}",
        encode(unit_id)
    ))
}

/// The tenant's administrative units by name (`AdministrativeUnit.Read.All`), 999 a page.
pub fn list_units() -> Request<Page<AdministrativeUnit>> {
    Request::get(format!(
        "/directory/administrativeUnits?$select={UNIT_SELECT}&$top=999"
    ))
}

/// Returns the path listing a unit's users, 999 per page (an advanced query: `$count=true`
/// here, `ConsistencyLevel: eventual` on every page).
pub fn unit_members_path(unit_id: &str) -> String {
    format!(
        "/directory/administrativeUnits/{}/members/microsoft.graph.user?$select={}&$top=999&$count=true",
        encode(unit_id),
        User::SELECT
    )
}

/// The first page of a unit's users (follow `next_link` with the same request).
pub fn unit_members(unit_id: &str) -> Request<Page<User>> {
    Request::get(unit_members_path(unit_id)).eventual()
}

/// Returns the path searching a unit's users by display name (`$search`, an advanced query;
/// Graph reference "List members" of an administrativeUnit), at most `top`.
pub fn search_unit_members_path(unit_id: &str, text: &str, top: u32) -> String {
    let clean: String = text.chars().filter(|c| *c != '"' && *c != '\\').collect();
    format!(
        "/directory/administrativeUnits/{}/members/microsoft.graph.user?$search={}&$select={}&$top={top}&$count=true",
        encode(unit_id),
        encode(&format!("\"displayName:{}\"", clean.trim())),
        User::SELECT
    )
}

/// Searches one unit's users by display name (the scoped admin's search).
pub fn search_unit_members(unit_id: &str, text: &str, top: u32) -> Request<Vec<User>> {
    Request::<Page<User>>::get(search_unit_members_path(unit_id, text, top))
        .eventual()
        .map_decode(values::<User>)
}

/// Returns the path listing the units a user is in (an advanced query).
pub fn units_of_path(user_key: &str) -> String {
    format!(
        "/users/{}/memberOf/microsoft.graph.administrativeUnit?$select={UNIT_SELECT}&$count=true",
        encode(user_key)
    )
}

/// The units a user is in, with their restricted-management flag (a single check before any
/// write).
pub fn units_of(user_key: &str) -> Request<Vec<AdministrativeUnit>> {
    Request::<Page<AdministrativeUnit>>::get(units_of_path(user_key))
        .eventual()
        .map_decode(values::<AdministrativeUnit>)
}

/// Returns the path of a user's QR code + PIN method.
pub fn badge_path(user_key: &str) -> String {
    format!("/users/{}/authentication/qrCodePinMethod", encode(user_key))
}

/// Reads a user's QR code + PIN method (never its content or PIN).
pub fn get_badge(user_key: &str) -> Request<QrCodePinMethod> {
    Request::get(badge_path(user_key))
}

/// Creates a user's QR code + PIN method: the answer is the only time the QR content and the
/// PIN are seen, so it is never sent again after a lost answer (only after a 429).
pub fn create_badge(user_key: &str, body: &NewBadge) -> Request<QrCodePinMethod> {
    Request::create_with(Method::Put, badge_path(user_key), body)
}

/// Deletes a user's QR code + PIN method (both codes and the PIN).
pub fn delete_badge(user_key: &str) -> Request<()> {
    Request::delete(badge_path(user_key))
}

/// Creates a temporary QR code (1 to 12 hours) for a forgotten badge; content returned once.
pub fn create_temporary_qr(user_key: &str, body: &NewQrCode) -> Request<QrCode> {
    Request::create_with(
        Method::Patch,
        format!("{}/temporaryQRCode", badge_path(user_key)),
        body,
    )
}

/// Deletes the temporary QR code.
pub fn delete_temporary_qr(user_key: &str) -> Request<()> {
    Request::delete(format!("{}/temporaryQRCode", badge_path(user_key)))
}

/// Resets the PIN: Graph generates a new temporary one, returned once.
pub fn reset_pin(user_key: &str) -> Request<QrPin> {
    Request::create_with(
        Method::Patch,
        format!("{}/pin", badge_path(user_key)),
        &serde_json::json!({}),
    )
}

/// Reads the tenant's `qrCodePin` policy.
pub fn get_qr_policy() -> Request<QrPolicy> {
    Request::get(QR_POLICY_PATH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_kinds_of_the_scope_and_badge_calls() {
        assert_eq!(
            role_assignments_path("a'b"),
            "/roleManagement/directory/roleAssignments?$filter=principalId%20eq%20%27a%27%27b%27"
        );
        let m = unit_members("au 1");
        assert!(m.eventual);
        assert!(m.path.starts_with(
            "/directory/administrativeUnits/au%201/members/microsoft.graph.user?$select="
        ));
        assert!(m.path.ends_with("&$top=999&$count=true"));
        let s = search_unit_members("au-1", "Mir\"iam ", 10);
        assert!(s.eventual);
        assert!(
            s.path.starts_with("/directory/administrativeUnits/au-1/members/microsoft.graph.user?$search=%22displayName%3AMiriam%22&$select="),
            "{}",
            s.path
        );
        assert!(s.path.ends_with("&$top=10&$count=true"));
        let u = units_of("zoe@contoso.com");
        assert!(
            u.eventual
                && u.path
                    .contains("memberOf/microsoft.graph.administrativeUnit")
        );
        let put = create_badge(
            "x@y",
            &NewBadge::new("2026-01-01T00:00:00Z".into(), "2026-12-01T00:00:00Z".into()),
        );
        assert_eq!(put.method, Method::Put);
        assert_eq!(
            put.kind,
            crate::graph::retry::Kind::Create,
            "never re-sent blindly"
        );
        assert_eq!(put.path, "/users/x%40y/authentication/qrCodePinMethod");
        let body: serde_json::Value =
            serde_json::from_str(put.body.as_deref().expect("body")).expect("json");
        assert_eq!(
            body["standardQRCode"]["expireDateTime"],
            "2026-12-01T00:00:00Z"
        );
        assert!(body.get("pin").is_none(), "Graph generates the PIN");
        let temp = create_temporary_qr(
            "x",
            &NewQrCode {
                start_date_time: "a".into(),
                expire_date_time: "b".into(),
            },
        );
        assert_eq!(
            (temp.method, temp.kind),
            (Method::Patch, crate::graph::retry::Kind::Create)
        );
        assert_eq!(reset_pin("x").kind, crate::graph::retry::Kind::Create);
    }

    #[test]
    fn badge_answers_keep_content_and_pin_as_secrets() {
        let text = r#"{"id":"m","standardQRCode":{"id":"q","startDateTime":"2026-01-01T00:00:00Z",
            "expireDateTime":"2026-12-01T00:00:00Z","image":{"binaryValue":"AA==","rawContent":"c2VjcmV0"}},
            "temporaryQRCode":null,"pin":{"code":"09599786","forceChangePinNextSignIn":true}}"#;
        let m: QrCodePinMethod = get_badge("x").read(text).expect("decodes");
        let raw = m
            .standard_qr_code
            .as_ref()
            .and_then(|c| c.image.as_ref())
            .and_then(|i| i.raw_content.as_ref())
            .expect("content");
        assert_eq!(raw.expose(), "c2VjcmV0");
        assert_eq!(
            m.pin
                .as_ref()
                .and_then(|p| p.code.as_ref())
                .map(Secret::expose),
            Some("09599786")
        );
        let shown = format!("{m:?}");
        assert!(
            !shown.contains("09599786") && !shown.contains("c2VjcmV0"),
            "{shown}"
        );
        let read_back: QrCodePinMethod = get_badge("x")
            .read(r#"{"standardQRCode":{"image":null},"pin":{"code":null}}"#)
            .expect("decodes");
        assert!(read_back.standard_qr_code.and_then(|c| c.image).is_none());
        let roles = my_active_roles()
            .read(r#"{"value":[{"roleDefinitionId":"r","directoryScopeId":"/administrativeUnits/a"}]}"#)
            .expect("decodes");
        assert_eq!(
            roles[0].directory_scope_id.as_deref(),
            Some("/administrativeUnits/a")
        );
        let p = get_qr_policy()
            .read(r#"{"state":"enabled","standardQRCodeLifetimeInDays":365,"pinLength":8,"includeTargets":[{"targetType":"group","id":"all_users"}]}"#)
            .expect("decodes");
        assert_eq!(
            (p.standard_qr_code_lifetime_in_days, p.pin_length),
            (Some(365), Some(8))
        );
    }
}
