//! The TAP policy editor's logic: a draft from the tenant's policy, every check of reference §3
//! before anything is sent (ranges, min ≤ default ≤ max), the difference in words, the PATCH
//! body with the changed fields only, and advice on safe values. No views: `ui::policy` shows
//! them.

use serde_json::{json, Map, Value};

use crate::graph::batch::BatchItemResponse;
use crate::graph::models::{Group, PolicyState, PolicyTarget, TapPolicy};
use crate::graph::GraphError;

/// Lifetime bounds of every lifetime field, in minutes (reference §3).
pub const LIFETIME_MINUTES: (u32, u32) = (
    crate::tap::GRAPH_MIN_LIFETIME,
    crate::tap::GRAPH_MAX_LIFETIME,
);
/// Pass length bounds, in characters (reference §3).
pub const LENGTH: (u32, u32) = (8, 48);
/// The id Graph uses for "all users" in `includeTargets`.
pub const ALL_USERS: &str = "all_users";
/// A lifetime above this (8 hours) draws advice.
const LONG_LIFETIME_MINUTES: u32 = crate::holders::LONG_LIFETIME_MINUTES;

/// A group in the draft: its id, and its name once known (`all_users` has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    pub name: Option<String>,
}

impl Target {
    /// The group's name, or its id until the name is read.
    pub fn label(&self) -> String {
        if self.id == ALL_USERS {
            return "All users".into();
        }
        self.name.clone().unwrap_or_else(|| self.id.clone())
    }
}

/// The editor's fields, as the admin sets them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub enabled: bool,
    pub default_lifetime: u32,
    pub minimum_lifetime: u32,
    pub maximum_lifetime: u32,
    pub default_length: u32,
    pub one_time: bool,
    pub include: Vec<Target>,
    pub exclude: Vec<Target>,
}

impl Draft {
    /// The draft of the tenant's policy as it stands (Graph's defaults for absent fields).
    pub fn from_policy(p: &TapPolicy) -> Draft {
        let target = |t: &PolicyTarget| Target {
            id: t.id.clone(),
            name: None,
        };
        Draft {
            enabled: p.state == PolicyState::Enabled,
            default_lifetime: p.default_lifetime_in_minutes.unwrap_or(60),
            minimum_lifetime: p.minimum_lifetime_in_minutes.unwrap_or(60),
            maximum_lifetime: p.maximum_lifetime_in_minutes.unwrap_or(480),
            default_length: p.default_length.unwrap_or(8),
            one_time: p.is_usable_once.unwrap_or(false),
            include: p.include_targets.iter().map(target).collect(),
            exclude: p.exclude_targets.iter().map(target).collect(),
        }
    }

    /// Every reason the draft cannot be sent, as sentences naming the field; empty when valid.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (lo, hi) = LIFETIME_MINUTES;
        for (label, v) in [
            ("The minimum lifetime", self.minimum_lifetime),
            ("The default lifetime", self.default_lifetime),
            ("The maximum lifetime", self.maximum_lifetime),
        ] {
            if !(lo..=hi).contains(&v) {
                out.push(format!(
                    "{label} must be from {lo} minutes to {hi} minutes (30 days); it is {v}."
                ));
            }
        }
        if self.minimum_lifetime > self.maximum_lifetime {
            out.push("The minimum lifetime must not be longer than the maximum lifetime.".into());
        } else if self.default_lifetime < self.minimum_lifetime
            || self.default_lifetime > self.maximum_lifetime
        {
            out.push(
                "The default lifetime must lie between the minimum and the maximum lifetime."
                    .into(),
            );
        }
        if !(LENGTH.0..=LENGTH.1).contains(&self.default_length) {
            out.push(format!(
                "The pass length must be from {} to {} characters; it is {}.",
                LENGTH.0, LENGTH.1, self.default_length
            ));
        }
        if self.include.is_empty() {
            out.push(
                "Include at least one group, or all users: otherwise nobody can get a pass.".into(),
            );
        }
        for t in &self.exclude {
            if t.id == ALL_USERS {
                out.push("\"All users\" cannot be excluded: switch the policy off instead.".into());
            } else if self.include.iter().any(|i| i.id == t.id) {
                out.push(format!(
                    "{} is both included and excluded: remove it from one list.",
                    t.label()
                ));
            }
        }
        out
    }

    /// Short advice on safer values; empty when the draft follows it.
    pub fn advice(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.one_time {
            out.push("Make passes one-time: a pass that can be used again stays useful to whoever sees it, for its whole lifetime.".into());
        }
        if self.maximum_lifetime > LONG_LIFETIME_MINUTES {
            out.push(format!(
                "Keep the maximum lifetime at 8 hours or less ({} now): a long-lived pass is a standing way into the account.",
                minutes_words(self.maximum_lifetime)
            ));
        }
        if self.default_lifetime > 60 {
            out.push(
                "A default lifetime of one hour is enough to register a passkey or Authenticator."
                    .into(),
            );
        }
        if self.include.iter().any(|t| t.id == ALL_USERS) && self.exclude.is_empty() {
            out.push("With all users included, consider excluding a group of emergency (break-glass) and highly privileged accounts.".into());
        }
        out
    }
}

/// One changed field, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// Returns what `draft` changes in `before`, field by field, in words.
pub fn diff(before: &Draft, draft: &Draft) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |field, b: String, a: String| {
        if b != a {
            out.push(Change {
                field,
                before: b,
                after: a,
            });
        }
    };
    let on_off = |v: bool| if v { "on" } else { "off" }.to_owned();
    push(
        "State",
        state_words(before.enabled),
        state_words(draft.enabled),
    );
    push(
        "Default lifetime",
        minutes_words(before.default_lifetime),
        minutes_words(draft.default_lifetime),
    );
    push(
        "Minimum lifetime",
        minutes_words(before.minimum_lifetime),
        minutes_words(draft.minimum_lifetime),
    );
    push(
        "Maximum lifetime",
        minutes_words(before.maximum_lifetime),
        minutes_words(draft.maximum_lifetime),
    );
    push(
        "Pass length",
        format!("{} characters", before.default_length),
        format!("{} characters", draft.default_length),
    );
    push(
        "One-time only",
        on_off(before.one_time),
        on_off(draft.one_time),
    );
    push(
        "Included",
        targets_words(&before.include),
        targets_words(&draft.include),
    );
    push(
        "Excluded",
        targets_words(&before.exclude),
        targets_words(&draft.exclude),
    );
    out
}

fn state_words(enabled: bool) -> String {
    if enabled { "Enabled" } else { "Disabled" }.into()
}

fn targets_words(targets: &[Target]) -> String {
    if targets.is_empty() {
        return "nobody".into();
    }
    let mut labels: Vec<String> = targets.iter().map(Target::label).collect();
    labels.sort();
    labels.join(", ")
}

fn ids(targets: &[Target]) -> Vec<&str> {
    let mut v: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    v.sort_unstable();
    v
}

/// Returns "90 minutes", "8 hours", "1 day 2 hours".
pub fn minutes_words(m: u32) -> String {
    crate::tap::duration_words(m)
}

/// The PATCH body for `draft` over `before`: `@odata.type` and the changed fields only
/// (reference §3); `None` when nothing changed. Target lists are sent whole, keeping each
/// kept target's `isRegistrationRequired`.
pub fn patch_body(before: &TapPolicy, draft: &Draft) -> Option<Value> {
    let was = Draft::from_policy(before);
    let mut m = Map::new();
    if was.enabled != draft.enabled {
        m.insert(
            "state".into(),
            json!(if draft.enabled { "enabled" } else { "disabled" }),
        );
    }
    for (key, b, a) in [
        (
            "defaultLifetimeInMinutes",
            was.default_lifetime,
            draft.default_lifetime,
        ),
        (
            "minimumLifetimeInMinutes",
            was.minimum_lifetime,
            draft.minimum_lifetime,
        ),
        (
            "maximumLifetimeInMinutes",
            was.maximum_lifetime,
            draft.maximum_lifetime,
        ),
        ("defaultLength", was.default_length, draft.default_length),
    ] {
        if b != a {
            m.insert(key.into(), json!(a));
        }
    }
    if was.one_time != draft.one_time {
        m.insert("isUsableOnce".into(), json!(draft.one_time));
    }
    if ids(&was.include) != ids(&draft.include) {
        let list: Vec<Value> = draft
            .include
            .iter()
            .map(|t| {
                let required = before
                    .include_targets
                    .iter()
                    .find(|k| k.id == t.id)
                    .and_then(|k| k.is_registration_required)
                    .unwrap_or(false);
                json!({"targetType": "group", "id": t.id, "isRegistrationRequired": required})
            })
            .collect();
        m.insert("includeTargets".into(), Value::Array(list));
    }
    if ids(&was.exclude) != ids(&draft.exclude) {
        let list: Vec<Value> = draft
            .exclude
            .iter()
            .map(|t| json!({"targetType": "group", "id": t.id}))
            .collect();
        m.insert("excludeTargets".into(), Value::Array(list));
    }
    if m.is_empty() {
        return None;
    }
    m.insert(
        "@odata.type".into(),
        json!("#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"),
    );
    Some(Value::Object(m))
}

/// Which list of the draft a group goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Include,
    Exclude,
}

impl Draft {
    /// The list on `side`.
    pub fn targets(&self, side: Side) -> &[Target] {
        match side {
            Side::Include => &self.include,
            Side::Exclude => &self.exclude,
        }
    }

    fn targets_mut(&mut self, side: Side) -> &mut Vec<Target> {
        match side {
            Side::Include => &mut self.include,
            Side::Exclude => &mut self.exclude,
        }
    }

    /// Adds `group` to the list on `side`, unless that list names it already.
    pub fn add(&mut self, side: Side, group: &Group) {
        let list = self.targets_mut(side);
        if list.iter().all(|t| t.id != group.id) {
            list.push(Target {
                id: group.id.clone(),
                name: group.display_name.clone(),
            });
        }
    }

    /// Removes the group `id` from the list on `side`.
    pub fn remove(&mut self, side: Side, id: &str) {
        self.targets_mut(side).retain(|t| t.id != id);
    }

    /// The ids of the groups the draft names (both lists; not "all users"): those whose names
    /// are read.
    pub fn group_ids(&self) -> Vec<String> {
        self.include
            .iter()
            .chain(&self.exclude)
            .map(|t| t.id.clone())
            .filter(|id| id != ALL_USERS)
            .collect()
    }

    /// Puts the names of `groups` on the targets with their ids; others keep theirs.
    pub fn name_groups(&mut self, groups: &[Group]) {
        for t in self.include.iter_mut().chain(self.exclude.iter_mut()) {
            if let Some(g) = groups.iter().find(|g| g.id == t.id) {
                t.name = g.display_name.clone();
            }
        }
    }
}

/// The groups among answers to group reads: those that arrived (200) with a group in them.
pub fn groups_read(
    answers: impl IntoIterator<Item = Result<BatchItemResponse, GraphError>>,
) -> Vec<Group> {
    answers
        .into_iter()
        .filter_map(|a| a.ok().filter(|r| r.status == 200)?.body)
        .filter_map(|b| serde_json::from_value(b).ok())
        .collect()
}

/// Reads a whole number typed in a field; `None` (a problem) when it is not one.
pub fn number(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// The problems of the number fields as typed, `(label, text)`: one per field that does not
/// hold a whole number (the draft keeps numbers only, so it cannot see these).
pub fn typed_problems(fields: &[(&str, &str)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(_, text)| number(text).is_none())
        .map(|(label, _)| format!("The {label} must be a whole number."))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> TapPolicy {
        serde_json::from_str(r#"{"state":"enabled","defaultLifetimeInMinutes":60,"defaultLength":8,
            "minimumLifetimeInMinutes":60,"maximumLifetimeInMinutes":480,"isUsableOnce":false,
            "includeTargets":[{"targetType":"group","id":"all_users","isRegistrationRequired":true}],
            "excludeTargets":[]}"#)
        .unwrap()
    }

    #[test]
    fn an_unchanged_draft_sends_nothing() {
        let p = policy();
        assert_eq!(patch_body(&p, &Draft::from_policy(&p)), None);
        assert!(diff(&Draft::from_policy(&p), &Draft::from_policy(&p)).is_empty());
    }

    #[test]
    fn only_changed_fields_are_sent_and_targets_keep_their_flags() {
        let p = policy();
        let mut d = Draft::from_policy(&p);
        d.one_time = true;
        d.maximum_lifetime = 240;
        d.exclude.push(Target {
            id: "g-1".into(),
            name: Some("Break glass".into()),
        });
        let body = patch_body(&p, &d).unwrap();
        assert_eq!(
            body,
            json!({"@odata.type":"#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
                   "isUsableOnce":true,"maximumLifetimeInMinutes":240,
                   "excludeTargets":[{"targetType":"group","id":"g-1"}]})
        );
        d.include = vec![
            Target {
                id: ALL_USERS.into(),
                name: None,
            },
            Target {
                id: "g-2".into(),
                name: None,
            },
        ];
        let body = patch_body(&p, &d).unwrap();
        assert_eq!(
            body["includeTargets"][0]["isRegistrationRequired"],
            json!(true)
        );
        assert_eq!(
            body["includeTargets"][1]["isRegistrationRequired"],
            json!(false)
        );
        let words = diff(&Draft::from_policy(&p), &d);
        let fields: Vec<_> = words.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            ["Maximum lifetime", "One-time only", "Included", "Excluded"]
        );
        assert_eq!(words[0].before, "8 hours");
        assert_eq!(words[3].after, "Break glass");
    }

    #[test]
    fn ranges_and_order_are_checked_before_sending() {
        let p = policy();
        let mut d = Draft::from_policy(&p);
        assert!(d.problems().is_empty());
        d.minimum_lifetime = 5;
        d.default_lifetime = 500;
        d.default_length = 60;
        let problems = d.problems();
        assert!(
            problems[0].contains("minimum lifetime must be from 10 minutes"),
            "{problems:?}"
        );
        assert!(problems
            .iter()
            .any(|s| s.contains("between the minimum and the maximum")));
        assert!(problems
            .iter()
            .any(|s| s.contains("from 8 to 48 characters")));
        let mut d = Draft::from_policy(&p);
        d.minimum_lifetime = 600;
        assert!(d
            .problems()
            .iter()
            .any(|s| s.contains("not be longer than the maximum")));
        let mut d = Draft::from_policy(&p);
        d.include.clear();
        d.exclude.push(Target {
            id: ALL_USERS.into(),
            name: None,
        });
        assert_eq!(d.problems().len(), 2);
    }

    #[test]
    fn advice_favours_one_time_and_short_lifetimes() {
        let p = policy();
        let mut d = Draft::from_policy(&p);
        assert_eq!(d.advice().len(), 2, "{:?}", d.advice()); // multi-use; all users, nobody excluded
        d.one_time = true;
        d.maximum_lifetime = 1440;
        let advice = d.advice();
        assert!(
            advice
                .iter()
                .any(|a| a.contains("8 hours or less (1 day now)")),
            "{advice:?}"
        );
        d.maximum_lifetime = 480;
        d.exclude.push(Target {
            id: "g".into(),
            name: None,
        });
        assert!(d.advice().is_empty());
    }

    fn group(id: &str, name: &str) -> Group {
        Group {
            id: id.into(),
            display_name: Some(name.into()),
        }
    }

    #[test]
    fn groups_are_added_once_removed_and_named_by_id() {
        let mut d = Draft::from_policy(&policy());
        let before = d.include.len();
        d.add(Side::Include, &group("g1", "Sales"));
        d.add(Side::Include, &group("g1", "Sales again"));
        d.add(Side::Exclude, &group("g2", "Interns"));
        assert_eq!(d.include.len(), before + 1);
        assert_eq!(d.targets(Side::Exclude)[0].label(), "Interns");
        let mut unnamed = d.clone();
        for t in unnamed.include.iter_mut().chain(unnamed.exclude.iter_mut()) {
            t.name = None;
        }
        assert!(unnamed.group_ids().iter().all(|id| id != ALL_USERS));
        assert!(unnamed.group_ids().contains(&"g2".to_owned()));
        unnamed.name_groups(&[group("g2", "Interns")]);
        assert_eq!(unnamed.exclude[0].label(), "Interns");
        assert_eq!(
            unnamed.include.last().map(Target::label).as_deref(),
            Some("g1")
        );
        d.remove(Side::Exclude, "g2");
        assert!(d.exclude.is_empty());
        d.remove(Side::Include, "g1");
        assert_eq!(d.include.len(), before);
    }

    #[test]
    fn group_answers_and_typed_numbers_are_read_strictly() {
        let ok = |status: u16, body: Value| -> Result<BatchItemResponse, GraphError> {
            Ok(serde_json::from_value(json!({"id": "x", "status": status, "body": body})).unwrap())
        };
        let groups = groups_read([
            ok(200, json!({"id": "g1", "displayName": "Sales"})),
            ok(
                404,
                json!({"id": "g2", "error": {"code": "Request_ResourceNotFound"}}),
            ),
            Err(GraphError::network("offline")),
        ]);
        assert_eq!(groups, vec![group("g1", "Sales")]);
        assert_eq!(
            (number(" 60 "), number("6o"), number("-1")),
            (Some(60), None, None)
        );
        assert_eq!(
            typed_problems(&[("default lifetime", "60"), ("pass length", "x")]),
            ["The pass length must be a whole number."]
        );
    }
}
