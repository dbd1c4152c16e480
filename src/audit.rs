//! The audit trail's logic: each directory audit record (the query is `graph::api::audit_page`)
//! read as "who did what to whom, when" for passes. No views: `ui::audit` lists them.

use serde::Deserialize;

use crate::graph::time;

/// The audit log's service name for authentication-method activities.
pub const SERVICE: &str = crate::graph::api::AUDIT_SERVICE;
/// The permission reading the directory audit log; asked for only on the Audit screen.
pub const PERMISSION: &str = crate::permission::AUDIT_LOG_READ.name;
/// Every permission the directory audit list needs: Learn (List directoryAudits) documents
/// "AuditLog.Read.All and Directory.Read.All" as least privileged; both are asked for together.
pub const PERMISSIONS: &[&str] = &[PERMISSION, crate::permission::DIRECTORY_READ.name];

/// One `directoryAudit` record (the properties this page reads).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub activity_display_name: String,
    #[serde(default)]
    pub activity_date_time: String,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub result_reason: Option<String>,
    #[serde(default)]
    pub initiated_by: Option<Initiator>,
    #[serde(default)]
    pub target_resources: Vec<Resource>,
}

/// `initiatedBy`: a user or an app.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Initiator {
    #[serde(default)]
    pub user: Option<Resource>,
    #[serde(default)]
    pub app: Option<App>,
}

/// An app that acted (`initiatedBy.app`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct App {
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A user named in a record.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
}

impl Resource {
    fn words(&self) -> String {
        match (&self.display_name, &self.user_principal_name) {
            (Some(n), Some(u)) => format!("{n} ({u})"),
            (Some(n), None) => n.clone(),
            (None, Some(u)) => u.clone(),
            (None, None) => self.id.clone().unwrap_or_else(|| "(unknown)".into()),
        }
    }
}

/// What happened to a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PassAction {
    Created,
    Deleted,
}

/// One pass event, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct PassEvent {
    pub at_ms: f64,
    pub action: PassAction,
    /// Who acted: a user "Name (upn)" or an app's name.
    pub actor: String,
    /// Whose pass.
    pub target: String,
    /// False when the record says the action failed.
    pub succeeded: bool,
}

/// Reads `record` as a pass creation or deletion; `None` for other activities (other methods,
/// policy changes).
pub fn pass_event(record: &Record) -> Option<PassEvent> {
    let reason = record
        .result_reason
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let activity = record.activity_display_name.to_ascii_lowercase();
    if !reason.contains("temporary access pass") {
        return None;
    }
    let action = if activity.contains("deleted") || reason.contains("deleted") {
        PassAction::Deleted
    } else if activity.contains("registered") || reason.contains("registered") {
        PassAction::Created
    } else {
        return None;
    };
    let actor = record
        .initiated_by
        .as_ref()
        .and_then(|i| {
            i.user
                .as_ref()
                .map(Resource::words)
                .or_else(|| i.app.as_ref().and_then(|a| a.display_name.clone()))
        })
        .unwrap_or_else(|| "(unknown)".into());
    let target = record
        .target_resources
        .first()
        .map(Resource::words)
        .unwrap_or_else(|| "(unknown)".into());
    Some(PassEvent {
        at_ms: time::parse_ms(&record.activity_date_time)?,
        action,
        actor,
        target,
        succeeded: record
            .result
            .as_deref()
            .is_none_or(|r| r.eq_ignore_ascii_case("success")),
    })
}

/// The empty state: nothing in the period, and where to look next.
pub const EMPTY: &str = "No pass was created or deleted in this period. Pick a longer period above, or create a pass on One user: it appears here within a few minutes.";

/// What the live region says once the log is read: how many entries are shown.
pub fn loaded_words(shown: usize) -> String {
    format!(
        "{} shown.",
        crate::messages::count(shown, "entry", "entries")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(activity: &str, reason: &str) -> Record {
        serde_json::from_value(serde_json::json!({
            "id": "a", "activityDisplayName": activity, "activityDateTime": "2026-11-27T08:00:00.1234567Z",
            "result": "success", "resultReason": reason,
            "initiatedBy": {"user": {"id": "u", "displayName": "Adele Vance", "userPrincipalName": "adele@contoso.com"}, "app": null},
            "targetResources": [{"id": "t", "displayName": "Pradeep Gupta", "userPrincipalName": "pradeep@contoso.com", "type": "User"}]
        }))
        .unwrap()
    }

    #[test]
    fn pass_creations_and_deletions_are_read_in_words() {
        let c = pass_event(&record(
            "Admin registered security info",
            "Admin registered temporary access pass method for user",
        ))
        .unwrap();
        assert_eq!(c.action, PassAction::Created);
        assert_eq!(c.actor, "Adele Vance (adele@contoso.com)");
        assert_eq!(c.target, "Pradeep Gupta (pradeep@contoso.com)");
        assert!(c.succeeded);
        assert_eq!(c.at_ms, time::parse_ms("2026-11-27T08:00:00.123Z").unwrap());
        let d = pass_event(&record(
            "Admin deleted security info",
            "Admin deleted temporary access pass method for user",
        ))
        .unwrap();
        assert_eq!(d.action, PassAction::Deleted);
        assert_eq!(
            pass_event(&record(
                "User registered security info",
                "User registered fido2 method"
            )),
            None
        );
    }
}

// The Audit screen's decisions (`ui::audit` shows them), kept together at the end of the file.

/// The period read when the screen opens, in days.
pub const DEFAULT_DAYS: u32 = 7;
const DAY_MS: f64 = 24.0 * 3600.0 * 1000.0;

/// The period picked, in days; [`DEFAULT_DAYS`] for a value that is not a number.
pub fn days_from(value: &str) -> u32 {
    value.parse().unwrap_or(DEFAULT_DAYS)
}

/// The start of a period of `days` ending at `now_ms`.
pub fn since_ms(now_ms: f64, days: u32) -> f64 {
    now_ms - f64::from(days) * DAY_MS
}

impl PassEvent {
    /// What happened, in words.
    pub fn words(&self) -> &'static str {
        match (self.action, self.succeeded) {
            (PassAction::Created, true) => "Pass created",
            (PassAction::Deleted, true) => "Pass deleted",
            (PassAction::Created, false) => "Pass creation failed",
            (PassAction::Deleted, false) => "Pass deletion failed",
        }
    }
}

/// The events whose admin or user contains `filter` (trimmed, any case); all when it is empty.
pub fn shown(events: &[PassEvent], filter: &str) -> Vec<PassEvent> {
    let needle = filter.trim().to_lowercase();
    events
        .iter()
        .filter(|e| {
            needle.is_empty()
                || e.actor.to_lowercase().contains(&needle)
                || e.target.to_lowercase().contains(&needle)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod screen_tests {
    use super::*;

    fn event(action: PassAction, succeeded: bool, actor: &str, target: &str) -> PassEvent {
        PassEvent {
            at_ms: 0.0,
            action,
            actor: actor.into(),
            target: target.into(),
            succeeded,
        }
    }

    #[test]
    fn the_screen_words_events_and_filters_on_either_person() {
        let list = vec![
            event(PassAction::Created, true, "Adele Vance", "Megan Bowen"),
            event(PassAction::Deleted, false, "Helpdesk app", "Alex Wilber"),
        ];
        let words: Vec<_> = list.iter().map(PassEvent::words).collect();
        assert_eq!(words, ["Pass created", "Pass deletion failed"]);
        assert_eq!(
            event(PassAction::Created, false, "", "").words(),
            "Pass creation failed"
        );
        assert_eq!(
            event(PassAction::Deleted, true, "", "").words(),
            "Pass deleted"
        );
        assert_eq!(shown(&list, "  ").len(), 2);
        assert_eq!(shown(&list, " MEGAN ")[0].target, "Megan Bowen");
        assert_eq!(shown(&list, "helpdesk")[0].actor, "Helpdesk app");
        assert!(shown(&list, "nobody").is_empty());
        assert_eq!((days_from("30"), days_from("x")), (30, DEFAULT_DAYS));
        assert_eq!(since_ms(3.0 * DAY_MS, 1), 2.0 * DAY_MS);
    }

    #[test]
    fn the_live_region_counts_entries_and_the_empty_state_names_the_next_step() {
        assert_eq!(loaded_words(1), "1 entry shown.");
        assert_eq!(loaded_words(0), "0 entries shown.");
        assert_eq!(loaded_words(12), "12 entries shown.");
        assert!(EMPTY.contains("Pick a longer period"));
    }
}
