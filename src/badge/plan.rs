//! The badge dry run (issue 16 point 3): what is read for each pasted line (the user, their
//! admin roles, their membership of the `qrCodePin` policy's groups, their administrative units
//! for an admin scoped to units, and their QR code + PIN method), and the verdict on each line
//! before anything is written. Pure: the view sends the reads and passes the answers in.

use crate::bulk::input::Row;
use crate::bulk::lookup::{DryRunItem, LookupPart};
use crate::bulk::plan::Lookup;
use crate::graph::api::{self, QrCodePinMethod, QrPolicy};
use crate::graph::batch::{self, item_error, Answers, BatchItem};
use crate::graph::models::User;
use crate::graph::GraphError;
use crate::messages::{self, Operation};
use crate::scope::{Known, Target};

use super::badge_refusal;

/// What the read of a user's QR code + PIN method found.
#[derive(Clone, Debug, PartialEq)]
pub enum BadgeRead {
    /// No method (Graph answered 404).
    None,
    /// A method (its dates; never its secrets: Graph returns those only to the create).
    Some(QrCodePinMethod),
    /// The read failed: the line is blocked, never taken for "no badge".
    Failed(GraphError),
}

/// The policy's groups whose membership decides who may have a badge: the excluded ones, and
/// the included ones unless the policy includes everyone. Sorted, each once.
pub fn groups_to_check(policy: Option<&QrPolicy>) -> Vec<String> {
    let Some(p) = policy else { return vec![] };
    let all_users = p.include_targets.iter().any(|t| t.id == "all_users");
    let mut ids: Vec<String> = p.exclude_targets.iter().map(|t| t.id.clone()).collect();
    if !all_users {
        ids.extend(p.include_targets.iter().map(|t| t.id.clone()));
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The directory reads for `rows`: per row the user (`"{row}u"`), their roles (`"{row}r"`),
/// their membership of `groups` when any (`"{row}g"`) and their units when the admin is
/// `scoped` to units (`"{row}a"`). Reads only: sent through the fan-out.
pub fn lookup_items(rows: &[Row], groups: &[String], scoped: bool) -> Vec<DryRunItem> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let key = row.upn.trim();
        let mut push = |part, item: BatchItem| out.push(DryRunItem { item, row: i, part });
        push(LookupPart::User, batch::get_user_item(format!("{i}u"), key));
        push(LookupPart::Roles, batch::roles_item(format!("{i}r"), key));
        if !groups.is_empty() {
            push(
                LookupPart::Groups,
                batch::check_groups_item(format!("{i}g"), key, groups),
            );
        }
        if scoped {
            push(
                LookupPart::Units,
                api::units_of(key).batch_item(format!("{i}a")),
            );
        }
    }
    out
}

/// The read of each row's QR method (`"{row}b"`).
pub fn badge_items(rows: &[Row]) -> Vec<BatchItem> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| api::get_badge(row.upn.trim()).batch_item(format!("{i}b")))
        .collect()
}

/// The read of `user_id`'s method, as item `id` (the run's check of a lost answer).
pub fn badge_item(id: impl Into<batch::ItemId>, user_id: &str) -> BatchItem {
    api::get_badge(user_id).batch_item(id)
}

/// What one badge read's answer means: 200 a method, 404 none, anything else (a refusal, a
/// throttled item the fan-out gave up on, no answer at all) a failed read.
pub fn read_answer(answer: Option<&Result<batch::BatchItemResponse, GraphError>>) -> BadgeRead {
    match answer {
        Some(Ok(r)) if r.status == 200 => r
            .body
            .clone()
            .and_then(|b| serde_json::from_value::<QrCodePinMethod>(b).ok())
            .map_or_else(
                || BadgeRead::Failed(GraphError::network("an unreadable answer")),
                BadgeRead::Some,
            ),
        Some(Ok(r)) if r.status == 404 => BadgeRead::None,
        Some(Ok(r)) => BadgeRead::Failed(item_error(r)),
        Some(Err(e)) => BadgeRead::Failed(e.clone()),
        None => BadgeRead::Failed(GraphError::network("no answer")),
    }
}

/// Each row's badge read from the answers to [`badge_items`].
pub fn badge_reads(n: usize, answers: &Answers) -> Vec<BadgeRead> {
    (0..n)
        .map(|i| read_answer(answers.get(&batch::ItemId::from(format!("{i}b")))))
        .collect()
}

/// Everything a verdict depends on besides the line's reads.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// `None`: the policy could not be read (Graph still enforces it on create).
    pub policy: Option<&'a QrPolicy>,
    /// The admin's scope as the page knows it.
    pub scope: &'a Known,
    /// The signed-in admin's object id.
    pub admin_object_id: &'a str,
    /// Now, in ms since the epoch (an expired badge no longer counts).
    pub now_ms: f64,
}

/// The verdict on a line: `Ok` when a badge may be created, else the sentence saying why not
/// and what to do. First reason wins: out of the admin's reach; the lookup failed; no such
/// user; a guest; the admin's own account; an admin account; the policy is off or does not
/// target the user; the user's method could not be read; a usable badge exists.
pub fn verdict(lookup: &Lookup, badge: &BadgeRead, ctx: &Context<'_>) -> Result<(), String> {
    if let Some(user) = &lookup.user {
        let target = Target {
            name: user.name(),
            units: lookup.units.as_deref(),
            roles: Some(&lookup.roles),
        };
        if let Some(reason) = ctx.scope.refusal(&target) {
            return Err(reason);
        }
    }
    if let Some(e) = &lookup.lookup_error {
        return Err(messages::graph(e, Operation::ReadUser));
    }
    let Some(user) = &lookup.user else {
        return Err("No user with this UPN or object ID.".into());
    };
    let name = user.name();
    if user.is_external_guest() {
        return Err(format!(
            "{name} is a guest from another organisation: a QR code badge signs in members of this tenant only."
        ));
    }
    if !ctx.admin_object_id.is_empty() && user.id.eq_ignore_ascii_case(ctx.admin_object_id) {
        return Err("This is your own account: ask another administrator for your badge.".into());
    }
    if !lookup.roles.is_empty() {
        return Err(format!(
            "{name} holds the admin role {}. A QR code and PIN is a single sign-in factor meant for frontline workers: this page does not give one to an admin account.",
            lookup.roles.labels().join(", ")
        ));
    }
    if let Some(p) = ctx.policy {
        if p.state != crate::graph::models::PolicyState::Enabled {
            return Err(messages::BADGE_POLICY_OFF.into());
        }
        if !lookup.coverage_unknown
            && super::policy_targets(Some(p), &lookup.member_of) == Some(false)
        {
            return Err(format!(
                "{name} is not among the users the QR code + PIN policy targets, so Graph will refuse the badge. Add them to an included group, or ask an Authentication Policy Administrator to change the policy."
            ));
        }
    }
    match badge {
        BadgeRead::Failed(e) => Err(format!(
            "Whether {name} already has a badge could not be read: {}",
            messages::graph(e, Operation::ReadUser)
        )),
        BadgeRead::Some(m) => badge_refusal(name, Some(m), ctx.now_ms).map_or(Ok(()), Err),
        BadgeRead::None => Ok(()),
    }
}

/// One line of the dry run: who, and whether a badge may be created.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// 1-based line of the pasted list.
    pub line: usize,
    /// What was pasted (UPN or object id).
    pub key: String,
    /// The user, when found.
    pub user: Option<User>,
    /// `Ok` ready, else why not.
    pub verdict: Result<(), String>,
}

impl Line {
    /// The name shown: the user's, else what was pasted.
    pub fn name(&self) -> String {
        self.user
            .as_ref()
            .map_or_else(|| self.key.clone(), |u| u.name().to_owned())
    }

    /// The sign-in name shown: the user's UPN, else what was pasted.
    pub fn upn(&self) -> String {
        self.user
            .as_ref()
            .and_then(|u| u.user_principal_name.clone())
            .unwrap_or_else(|| self.key.clone())
    }
}

/// The lines of a dry run, in the pasted order; a later line naming a user already listed
/// (a UPN and the same user's object id) is blocked as a repeat, so nobody gets two creates.
pub fn lines(
    rows: &[Row],
    lookups: Vec<Lookup>,
    badges: &[BadgeRead],
    ctx: &Context<'_>,
) -> Vec<Line> {
    let mut seen: Vec<String> = Vec::new();
    rows.iter()
        .zip(lookups)
        .zip(badges)
        .map(|((row, lookup), badge)| {
            let mut verdict = verdict(&lookup, badge, ctx);
            if let Some(u) = &lookup.user {
                let id = u.id.to_ascii_lowercase();
                if seen.contains(&id) {
                    verdict = Err(format!("{} is already listed above.", u.name()));
                } else {
                    seen.push(id);
                }
            }
            Line {
                line: row.line,
                key: row.upn.clone(),
                user: lookup.user,
                verdict,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
