//! The tenant's directory audit log: Graph `directoryAudit` records and the actions that write
//! them. Every pass created (a replacement too) or deleted through Graph, direct or inside
//! `$batch`, appends one record "Admin registered / deleted security info" (a user deleting
//! their own pass through `/me`: "User deleted security info"); a method a user
//! registers themselves ([`crate::Emulator::register_method`]) appends "User registered security
//! info". Reading a pass, using one to sign in and the Rust/control API's own changes
//! ([`crate::Emulator::seed_pass`], roles, policy) write none [choice]: Entra logs sign-ins in
//! the sign-in log, not here, and the control API stands for things outside the tenant.
//!
//! The struct serialises to exactly the Graph JSON (camelCase, `activityDateTime` with seven
//! fractional digits and `Z`, `initiatedBy.app` `null`, `targetResources[].type` `User`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::User;

/// `loggedByService` of every record the emulator writes.
pub const SERVICE: &str = "Authentication Methods";
/// `category` of every record the emulator writes.
pub const CATEGORY: &str = "UserManagement";
/// `activityDisplayName` of a pass an admin created.
pub const ADMIN_REGISTERED: &str = "Admin registered security info";
/// `activityDisplayName` of a pass an admin deleted.
pub const ADMIN_DELETED: &str = "Admin deleted security info";
/// `activityDisplayName` of a pass a user deleted for themselves (`/me`).
pub const USER_DELETED: &str = "User deleted security info";
/// `activityDisplayName` of a method a user registered for themselves.
pub const USER_REGISTERED: &str = "User registered security info";

/// One Graph `directoryAudit` record.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// Record id (UUID).
    pub id: String,
    /// Always [`CATEGORY`].
    pub category: String,
    /// A fresh UUID per record (the emulator has no cross-service operations to correlate).
    pub correlation_id: String,
    /// Always `success`: refused requests write no record [choice].
    pub result: String,
    /// E.g. "Admin registered temporary access pass method for user".
    pub result_reason: String,
    /// [`ADMIN_REGISTERED`], [`ADMIN_DELETED`], [`USER_DELETED`] or [`USER_REGISTERED`].
    pub activity_display_name: String,
    /// The emulator clock when it happened; Graph JSON `2021-04-01T17:02:01.1234567Z`.
    #[serde(with = "graph_instant")]
    pub activity_date_time: OffsetDateTime,
    /// Always [`SERVICE`].
    pub logged_by_service: String,
    /// `Add` or `Delete`.
    pub operation_type: String,
    /// Who did it.
    pub initiated_by: AuditInitiator,
    /// Whom it concerned (one user).
    pub target_resources: Vec<AuditTarget>,
    /// Always empty.
    pub additional_details: Vec<AuditDetail>,
}

/// Graph `auditActivityInitiator`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AuditInitiator {
    /// The signed-in user who acted.
    pub user: Option<AuditUser>,
    /// Always `null`: the emulator has no app-only calls.
    pub app: Option<serde_json::Value>,
}

/// Graph `userIdentity` (the properties the emulator fills).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AuditUser {
    /// Object id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// Sign-in name.
    pub user_principal_name: String,
}

/// Graph `targetResource` (the properties the emulator fills).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AuditTarget {
    /// Object id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// Sign-in name.
    pub user_principal_name: String,
    /// Always `User`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Graph `keyValue`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AuditDetail {
    /// Name.
    pub key: String,
    /// Value.
    pub value: String,
}

/// What happened, for [`AuditRecord::new`].
#[derive(Clone, Debug, PartialEq)]
pub enum Activity {
    /// An admin created (or replaced) a user's pass.
    PassRegistered,
    /// An admin deleted a user's pass.
    PassDeleted,
    /// A user deleted their own pass (`DELETE /me/...`).
    UserDeletedPass,
    /// A user registered a method of the given kind ([`method_kind`]) for themselves.
    UserRegistered(String),
}

impl AuditRecord {
    /// A successful record of `activity` by `actor` on `target` at `at`.
    pub fn new(activity: Activity, actor: &User, target: &User, at: OffsetDateTime) -> Self {
        let (display, reason, op) = match activity {
            Activity::PassRegistered => (
                ADMIN_REGISTERED,
                "Admin registered temporary access pass method for user".to_string(),
                "Add",
            ),
            Activity::PassDeleted => (
                ADMIN_DELETED,
                "Admin deleted temporary access pass method for user".to_string(),
                "Delete",
            ),
            Activity::UserDeletedPass => (
                USER_DELETED,
                "User deleted temporary access pass method".to_string(),
                "Delete",
            ),
            Activity::UserRegistered(kind) => (
                USER_REGISTERED,
                format!("User registered {kind} method"),
                "Add",
            ),
        };
        AuditRecord {
            id: uuid::Uuid::new_v4().to_string(),
            category: CATEGORY.into(),
            correlation_id: uuid::Uuid::new_v4().to_string(),
            result: "success".into(),
            result_reason: reason,
            activity_display_name: display.into(),
            activity_date_time: at,
            logged_by_service: SERVICE.into(),
            operation_type: op.into(),
            initiated_by: AuditInitiator {
                user: Some(AuditUser {
                    id: actor.id.clone(),
                    display_name: actor.display_name.clone(),
                    user_principal_name: actor.user_principal_name.clone(),
                }),
                app: None,
            },
            target_resources: vec![AuditTarget {
                id: target.id.clone(),
                display_name: target.display_name.clone(),
                user_principal_name: target.user_principal_name.clone(),
                kind: "User".into(),
            }],
            additional_details: vec![],
        }
    }
}

/// The short kind of a method type for "User registered {kind} method":
/// `#microsoft.graph.fido2AuthenticationMethod` → `fido2`; a type without the usual prefix and
/// suffix is used as given (without a leading `#`).
pub fn method_kind(odata_type: &str) -> String {
    let t = odata_type.trim_start_matches('#');
    let t = t.strip_prefix("microsoft.graph.").unwrap_or(t);
    let t = t.strip_suffix("AuthenticationMethod").unwrap_or(t);
    t.to_string()
}

/// `activityDateTime` as Graph prints it (seven fractional digits, `Z`); parses any RFC 3339.
mod graph_instant {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::clock::seven_digits_z(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = String::deserialize(d)?;
        crate::clock::parse_date_time(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 date-time: {s}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn records_serialise_to_the_graph_shape() {
        let t = seed::demo_tenant(true);
        let adele = t
            .find_user("adele.vance@contoso.onmicrosoft.com")
            .expect("a");
        let pradeep = t
            .find_user("pradeep.gupta@contoso.onmicrosoft.com")
            .expect("p");
        let at = time::macros::datetime!(2021-04-01 17:02:01.123456789 UTC);
        let r = AuditRecord::new(Activity::PassRegistered, adele, pradeep, at);
        let v = serde_json::to_value(&r).expect("json");
        assert_eq!(v["activityDateTime"], "2021-04-01T17:02:01.1234567Z");
        assert_eq!(
            v["initiatedBy"]["user"]["userPrincipalName"],
            adele.user_principal_name
        );
        assert!(v["initiatedBy"]["app"].is_null());
        assert_eq!(v["targetResources"][0]["type"], "User");
        assert_eq!(v["additionalDetails"], serde_json::json!([]));
        assert_eq!(v["operationType"], "Add");
        let back: AuditRecord = serde_json::from_value(v).expect("round trip");
        assert_eq!(back.activity_date_time.nanosecond(), 123_456_700);
        assert_eq!(
            method_kind("#microsoft.graph.fido2AuthenticationMethod"),
            "fido2"
        );
        assert_eq!(method_kind("#contoso.custom"), "contoso.custom");
    }
}
