//! The dry run's lookups as `$batch` items: per row, the user (by UPN or object id), their
//! pass, their admin roles and their membership of the policy's groups, all in one round
//! (Graph accepts the UPN in `/users/{upn}/...`, so no item waits for another); and how each
//! answer fills the row's [`Lookup`].
//!
//! Every item is a read, so the batches go through `graph::api::batch_reads`.

use super::input::Row;
use super::plan::Lookup;
use crate::graph::api::AdministrativeUnit;
use crate::graph::batch::{self, BatchItem, BatchItemResponse};
use crate::graph::models::{DirectoryRole, Page, TemporaryAccessPass, User};
use crate::tap::TargetRoles;

/// What one lookup item asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupPart {
    /// The user (404: no such user).
    User,
    /// The user's pass list.
    Passes,
    /// The admin roles the user holds.
    Roles,
    /// Which of the policy's groups the user is in.
    Groups,
    /// The administrative units the user is in (an admin scoped to units, issue 16).
    Units,
}

/// One item of the dry run, with the row it is for.
#[derive(Clone, Debug, PartialEq)]
pub struct DryRunItem {
    /// The request; its id is unique among all items of the dry run.
    pub item: BatchItem,
    /// Index of the row in the `rows` given to [`dry_run_items`].
    pub row: usize,
    pub part: LookupPart,
}

/// Returns the lookup items for `rows`, row by row: the user, their passes and their roles
/// always (an Authentication Administrator cannot act on most admins, and every admin is warned
/// before a pass for a privileged account), their membership when `groups` (from
/// `tap::groups_to_check`) is not empty. Item ids are `"{row}u"`, `"{row}p"`, `"{row}r"`,
/// `"{row}g"`. Send them [`batch::MAX_PER_BATCH`] at a time.
pub fn dry_run_items(rows: &[Row], groups: &[String]) -> Vec<DryRunItem> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let key = row.upn.trim();
        let mut push = |suffix: &str, part, make: &dyn Fn(&str) -> BatchItem| {
            out.push(DryRunItem {
                item: make(&format!("{i}{suffix}")),
                row: i,
                part,
            });
        };
        push("u", LookupPart::User, &|id| batch::get_user_item(id, key));
        push("p", LookupPart::Passes, &|id| {
            batch::list_passes_item(id, key)
        });
        push("r", LookupPart::Roles, &|id| batch::roles_item(id, key));
        if !groups.is_empty() {
            push("g", LookupPart::Groups, &|id| {
                batch::check_groups_item(id, key, groups)
            });
        }
    }
    out
}

/// Returns one more item per row for an admin scoped to units: the user's administrative units
/// (`"{row}a"`), so a row out of the admin's reach is blocked with the reason before any write.
pub fn unit_items(rows: &[Row]) -> Vec<DryRunItem> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| DryRunItem {
            item: crate::graph::api::units_of(row.upn.trim()).batch_item(format!("{i}a")),
            row: i,
            part: LookupPart::Units,
        })
        .collect()
}

/// Fills `lookup` from the answer to its `part`.
///
/// 200 fills the part (roles by name, the default user role left out). 404 means "no such
/// user": the user stays `None` and nothing is recorded as an error. Any other answer,
/// including a 429 or 5xx (send that part again if you can; a later 200 does not clear the
/// error), and a 200 that cannot be read, sets `lookup_error` unless one is already set: an
/// unfinished lookup must block the row, never pass for "no pass" or "no roles".
pub fn apply(lookup: &mut Lookup, part: LookupPart, resp: &BatchItemResponse) {
    // `checkMemberGroups` needs a group permission besides User.Read.All (issue 11 point 3):
    // a 403 there leaves coverage unknown (a warning), it does not fail the lookup.
    if part == LookupPart::Groups && resp.status == 403 {
        lookup.coverage_unknown = true;
        return;
    }
    // The units only narrow what the page offers: unread, Graph decides (never an error).
    if part == LookupPart::Units {
        if resp.status == 200 {
            lookup.units = resp
                .body
                .clone()
                .and_then(|b| serde_json::from_value::<Page<AdministrativeUnit>>(b).ok())
                .map(|p| p.value);
        }
        return;
    }
    if resp.status == 404 {
        if part == LookupPart::User {
            lookup.user = None;
        }
        return;
    }
    let body = resp.body.clone().unwrap_or_default();
    let read = if resp.status == 200 {
        match part {
            LookupPart::User => serde_json::from_value::<User>(body)
                .map(|u| lookup.user = Some(u))
                .is_ok(),
            LookupPart::Passes => serde_json::from_value::<Page<TemporaryAccessPass>>(body)
                .map(|p| lookup.existing = p.value.into_iter().next())
                .is_ok(),
            LookupPart::Roles => serde_json::from_value::<Page<DirectoryRole>>(body)
                .map(|p| lookup.roles = TargetRoles::from_graph(p.value))
                .is_ok(),
            LookupPart::Groups => serde_json::from_value::<Page<String>>(body)
                .map(|p| lookup.member_of = p.value)
                .is_ok(),
            // Handled above.
            LookupPart::Units => true,
        }
    } else {
        false
    };
    if !read && lookup.lookup_error.is_none() {
        let mut e = batch::item_error(resp);
        if resp.status == 200 {
            e.code = "unreadableResponse".into();
            e.message = "The answer could not be read.".into();
        }
        lookup.lookup_error = Some(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::DEFAULT_USER_ROLE;
    use serde_json::json;

    fn row(upn: &str) -> Row {
        Row {
            source: crate::bulk::input::Source::Csv,
            line: 1,
            upn: upn.into(),
            start: None,
            lifetime_minutes: None,
            one_time: None,
        }
    }

    fn ok(body: serde_json::Value) -> BatchItemResponse {
        BatchItemResponse {
            id: Default::default(),
            status: 200,
            headers: Default::default(),
            body: Some(body),
        }
    }

    #[test]
    fn items_per_row_with_unique_ids() {
        let rows = [
            row("adele@contoso.com"),
            row(" 6e7b768e-07e2-4810-8459-485f84f8f204 "),
        ];
        let items = dry_run_items(&rows, &["g-1".into()]);
        let ids: Vec<&str> = items.iter().map(|i| i.item.id.as_str()).collect();
        assert_eq!(ids, ["0u", "0p", "0r", "0g", "1u", "1p", "1r", "1g"]);
        assert_eq!(items[5].row, 1);
        assert_eq!(items[5].part, LookupPart::Passes);
        assert_eq!(
            items[5].item.url,
            "/users/6e7b768e-07e2-4810-8459-485f84f8f204/authentication/temporaryAccessPassMethods"
        );
        assert_eq!(items[3].item.body, Some(json!({"groupIds":["g-1"]})));
        let few = dry_run_items(&rows, &[]);
        assert_eq!(
            few.iter().map(|i| i.part).collect::<Vec<_>>(),
            [
                LookupPart::User,
                LookupPart::Passes,
                LookupPart::Roles,
                LookupPart::User,
                LookupPart::Passes,
                LookupPart::Roles
            ],
            "the roles are read whatever the admin's own roles"
        );
    }

    #[test]
    fn answers_fill_the_lookup() {
        let mut l = Lookup::default();
        apply(
            &mut l,
            LookupPart::User,
            &ok(json!({"id":"u1","displayName":"Adele Vance","userType":"Member"})),
        );
        apply(
            &mut l,
            LookupPart::Passes,
            &ok(json!({"value":[{"id":"old","temporaryAccessPass":null}]})),
        );
        apply(
            &mut l,
            LookupPart::Roles,
            &ok(json!({"value":[
            {"id":"d1","displayName":"Directory Readers","roleTemplateId":"88d8e3e3-8f55-4a1e-953a-9b9898b8876b"},
            {"id":"d2","displayName":"Ignored","roleTemplateId":"fe930be7-5e62-47db-91af-98c3a49a38b1"},
            {"id":"d3","roleTemplateId":DEFAULT_USER_ROLE}]})),
        );
        apply(&mut l, LookupPart::Groups, &ok(json!({"value":["g-1"]})));
        assert_eq!(l.user.as_ref().map(|u| u.id.as_str()), Some("u1"));
        assert_eq!(l.existing.as_ref().map(|p| p.id.as_str()), Some("old"));
        assert_eq!(
            l.roles.labels(),
            ["Directory Readers", "User Administrator"]
        );
        assert_eq!(l.member_of, ["g-1"]);
        assert_eq!(l.lookup_error, None);
    }

    /// Issue 11 point 3: `checkMemberGroups` refused (no GroupMember.Read.All) leaves coverage
    /// unknown; it is not a failed lookup that would block the row.
    #[test]
    fn a_refused_membership_check_is_unknown_coverage_not_an_error() {
        let refused = BatchItemResponse {
            status: 403,
            ..ok(
                json!({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}),
            )
        };
        let mut l = Lookup::default();
        apply(&mut l, LookupPart::User, &ok(json!({"id":"u1"})));
        apply(&mut l, LookupPart::Groups, &refused);
        assert!(l.coverage_unknown);
        assert_eq!(l.lookup_error, None);
        let mut l = Lookup::default();
        apply(&mut l, LookupPart::Roles, &refused);
        assert!(
            !l.coverage_unknown && l.lookup_error.is_some(),
            "roles: still an error"
        );
    }

    #[test]
    fn not_found_is_not_an_error_but_everything_else_is() {
        let missing = BatchItemResponse {
            status: 404,
            ..ok(json!({"error":{"code":"Request_ResourceNotFound","message":"x"}}))
        };
        let mut l = Lookup::default();
        apply(&mut l, LookupPart::User, &missing);
        apply(&mut l, LookupPart::Passes, &missing);
        assert!(l.user.is_none() && l.lookup_error.is_none());

        let mut l = Lookup::default();
        apply(&mut l, LookupPart::User, &ok(json!({"id":"u1"})));
        let throttled = BatchItemResponse {
            status: 429,
            headers: [("Retry-After".to_owned(), "3".to_owned())].into(),
            ..ok(json!({"error":{"code":"TooManyRequests","message":"slow down"}}))
        };
        apply(&mut l, LookupPart::Passes, &throttled);
        apply(
            &mut l,
            LookupPart::Roles,
            &BatchItemResponse {
                status: 403,
                ..ok(json!({}))
            },
        );
        let e = l.lookup_error.clone().expect("error kept");
        assert_eq!(
            (e.status, e.retry_after),
            (429, Some(3)),
            "the first error is kept"
        );

        let mut l = Lookup::default();
        apply(&mut l, LookupPart::Passes, &ok(json!("not a page")));
        assert_eq!(
            l.lookup_error.map(|e| e.code),
            Some("unreadableResponse".to_owned())
        );
    }
}
