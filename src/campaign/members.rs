//! The campaign's list of members: one row per user of the registration report, joined with
//! the directory's department, kept to the admin's administrative units where the admin is
//! scoped; filtered by class and department, searched, sorted, exported as a formula-safe CSV;
//! the summary's bar chart and the days left in words.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::classify::{classify, Class, Counts, DaysLeft};
use crate::export::text_cell;
use crate::graph::models::{RegistrationDetails, User};

/// One user of the report, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The object id.
    pub id: String,
    /// The sign-in name.
    pub upn: String,
    /// The display name.
    pub name: String,
    /// The department the directory holds, if any.
    pub department: Option<String>,
    /// The class of the user.
    pub class: Class,
}

/// Classifies `rows`, with each user's department from `users` (matched by object id). With
/// `offered` (the members of the admin's units), only those users are kept.
pub fn members(
    rows: &[RegistrationDetails],
    users: &[User],
    offered: Option<&HashSet<String>>,
) -> Vec<Member> {
    let departments: HashMap<&str, &str> = users
        .iter()
        .filter_map(|u| u.department.as_deref().map(|d| (u.id.as_str(), d)))
        .collect();
    rows.iter()
        .filter(|r| offered.is_none_or(|ids| ids.contains(&r.id)))
        .map(|r| Member {
            id: r.id.clone(),
            upn: r.user_principal_name.clone(),
            name: if r.user_display_name.is_empty() {
                r.user_principal_name.clone()
            } else {
                r.user_display_name.clone()
            },
            department: departments.get(r.id.as_str()).map(|d| (*d).to_owned()),
            class: classify(r, None),
        })
        .collect()
}

/// The counts per class of `members`.
pub fn counts(members: &[Member]) -> Counts {
    Counts::of(members.iter().map(|m| m.class))
}

/// The departments of `members`, sorted, once each.
pub fn departments(members: &[Member]) -> Vec<String> {
    members
        .iter()
        .filter_map(|m| m.department.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// What the list is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Display name, A to Z.
    #[default]
    Name,
    /// Department, then name.
    Department,
    /// Class (in the summary's order), then name.
    Class,
}

impl Sort {
    /// The sort chosen by a `<select>` value.
    pub fn from_key(key: &str) -> Sort {
        match key {
            "department" => Sort::Department,
            "class" => Sort::Class,
            _ => Sort::Name,
        }
    }
}

/// Which members the list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// `Some`: one class only. The "phone only" choice is both phone classes.
    pub class: Option<ClassChoice>,
    /// `Some`: one department only.
    pub department: Option<String>,
    /// Words found in the name or sign-in name (any case).
    pub text: String,
    /// The order.
    pub sort: Sort,
    /// `Some`: only these users (object ids, lower case): the members of a group or of an
    /// administrative unit the admin picked.
    pub within: Option<std::collections::HashSet<String>>,
}

/// A class filter: one class, or both phone-only classes together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassChoice {
    /// SMS-capable and voice-only together.
    PhoneOnly,
    /// One class.
    One(Class),
}

impl ClassChoice {
    /// Every choice a filter offers, with its `<select>` value.
    pub fn all() -> Vec<(String, ClassChoice)> {
        let mut all = vec![("phone-only".to_owned(), ClassChoice::PhoneOnly)];
        all.extend(
            Class::ALL
                .iter()
                .map(|c| (class_key(*c).to_owned(), ClassChoice::One(*c))),
        );
        all
    }

    /// The choice of a `<select>` value; `None` for "every class".
    pub fn from_key(key: &str) -> Option<ClassChoice> {
        ClassChoice::all()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, c)| c)
    }

    /// The choice in words.
    pub fn label(self) -> &'static str {
        match self {
            ClassChoice::PhoneOnly => "Phone only (SMS or voice)",
            ClassChoice::One(c) => c.label(),
        }
    }

    fn admits(self, class: Class) -> bool {
        match self {
            ClassChoice::PhoneOnly => class.is_phone_only(),
            ClassChoice::One(c) => c == class,
        }
    }
}

/// A stable key per class (element ids, `<select>` values).
pub fn class_key(class: Class) -> &'static str {
    match class {
        Class::PhoneOnlySms => "phone-sms",
        Class::PhoneOnlyVoice => "phone-voice",
        Class::PhoneAndWeaker => "phone-and-weaker",
        Class::Passwordless => "passwordless",
        Class::OtherMethods => "other",
        Class::Nothing => "nothing",
        Class::Guest => "guest",
    }
}

/// The members `query` admits, in its order.
pub fn shown<'a>(members: &'a [Member], query: &Query) -> Vec<&'a Member> {
    let text = query.text.trim().to_lowercase();
    let mut out: Vec<&Member> = members
        .iter()
        .filter(|m| query.class.is_none_or(|c| c.admits(m.class)))
        .filter(|m| {
            query
                .department
                .as_deref()
                .is_none_or(|d| m.department.as_deref() == Some(d))
        })
        .filter(|m| {
            query
                .within
                .as_ref()
                .is_none_or(|ids| ids.contains(&m.id.to_lowercase()))
        })
        .filter(|m| {
            text.is_empty()
                || m.name.to_lowercase().contains(&text)
                || m.upn.to_lowercase().contains(&text)
        })
        .collect();
    let rank = |c: Class| Class::ALL.iter().position(|x| *x == c);
    let name = |m: &Member| m.name.to_lowercase();
    match query.sort {
        Sort::Name => out.sort_by_key(|m| name(m)),
        Sort::Department => {
            out.sort_by_key(|m| (m.department.is_none(), m.department.clone(), name(m)))
        }
        Sort::Class => out.sort_by_key(|m| (rank(m.class), name(m))),
    }
    out
}

/// The list as a CSV file a spreadsheet opens as text (every cell formula-safe).
pub fn csv(members: &[&Member]) -> String {
    let mut out = String::from("Name,User principal name,Department,Class,Object ID\r\n");
    for m in members {
        let cells = [
            text_cell(&m.name),
            text_cell(&m.upn),
            text_cell(m.department.as_deref().unwrap_or("")),
            text_cell(m.class.label()),
            text_cell(&m.id),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The sign-in names of the first `size` members shown: a wave for the Many users screen,
/// one per line.
pub fn wave_input(shown: &[&Member], size: usize) -> String {
    shown
        .iter()
        .take(size)
        .map(|m| m.upn.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Said when a wave would be empty: the list as filtered holds no user outside a wave.
pub const NO_WAVE: &str =
    "No wave handed over: every user the list shows is already in a wave, or none is shown. Change the filters to pick others.";

/// One bar of the summary chart: its class, count and length in percent of the longest.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The class.
    pub class: Class,
    /// How many.
    pub count: usize,
    /// 0..=100, relative to the largest class (0 for an empty tenant).
    pub percent: f64,
}

/// The chart's bars, in the summary's order.
pub fn bars(counts: &Counts) -> Vec<Bar> {
    let max = counts.rows().iter().map(|(_, n)| *n).max().unwrap_or(0);
    counts
        .rows()
        .into_iter()
        .map(|(class, count)| Bar {
            class,
            count,
            percent: if max == 0 {
                0.0
            } else {
                count as f64 * 100.0 / max as f64
            },
        })
        .collect()
}

/// The chart in words, for screen readers: every class and its count.
pub fn chart_words(counts: &Counts) -> String {
    let parts: Vec<String> = counts
        .rows()
        .into_iter()
        .map(|(c, n)| format!("{}: {n}", c.label()))
        .collect();
    format!("{} users. {}.", counts.total(), parts.join("; "))
}

/// The days left until SMS and voice stop, in plain words.
pub fn days_words(left: DaysLeft) -> String {
    match left {
        DaysLeft::Days(1) => "1 day left until SMS and voice stop on 1 February 2027.".into(),
        DaysLeft::Days(d) => format!("{d} days left until SMS and voice stop on 1 February 2027."),
        DaysLeft::Today => "SMS and voice stop today, 1 February 2027.".into(),
        DaysLeft::Passed(1) => "SMS and voice stopped yesterday, on 1 February 2027.".into(),
        DaysLeft::Passed(d) => format!("SMS and voice stopped {d} days ago, on 1 February 2027."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, name: &str, user_type: &str, methods: &[&str]) -> RegistrationDetails {
        RegistrationDetails {
            id: id.into(),
            user_principal_name: format!("{id}@contoso.com"),
            user_display_name: name.into(),
            user_type: user_type.into(),
            methods_registered: methods.iter().map(|m| m.to_string()).collect(),
            ..Default::default()
        }
    }

    fn user(id: &str, department: &str) -> User {
        User {
            id: id.into(),
            department: Some(department.into()),
            ..Default::default()
        }
    }

    fn sample() -> Vec<Member> {
        let rows = vec![
            row("a", "Adele", "member", &["mobilePhone"]),
            row("b", "Bianca", "member", &["officePhone"]),
            row("c", "Chris", "member", &["mobilePhone", "email"]),
            row("d", "=cmd|' /C calc'!A0", "member", &[]),
            row("e", "Emma", "guest", &["mobilePhone"]),
            row("f", "Fay", "member", &["alternateMobilePhone"]),
        ];
        let users = vec![
            user("a", "Finance"),
            user("b", "Sales"),
            user("f", "Finance"),
            user("c", "Finance"),
        ];
        members(&rows, &users, None)
    }

    #[test]
    fn members_carry_their_class_and_department_and_units_narrow_them() {
        let all = sample();
        assert_eq!(all.len(), 6);
        assert_eq!(all[1].class, Class::PhoneOnlyVoice);
        assert_eq!(all[5].class, Class::PhoneOnlyVoice);
        assert_eq!(all[0].department.as_deref(), Some("Finance"));
        assert_eq!(all[3].department, None);
        let c = counts(&all);
        assert_eq!(c.phone_only(), 3);
        assert_eq!(c.get(Class::Guest), 1);
        assert_eq!(departments(&all), ["Finance", "Sales"]);
        let units: HashSet<String> = ["a".to_string(), "e".to_string()].into();
        let mine = members(
            &[row("a", "A", "member", &[]), row("b", "B", "member", &[])],
            &[],
            Some(&units),
        );
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].id, "a");
    }

    #[test]
    fn a_group_or_unit_pick_keeps_only_its_members_whatever_the_case_of_their_ids() {
        let all = sample();
        let ids = |q: &Query| {
            shown(&all, q)
                .iter()
                .map(|m| m.id.clone())
                .collect::<Vec<_>>()
        };
        let mut q = Query::default();
        let every = ids(&q);
        assert!(every.len() > 2);
        q.within = Some(
            [every[0].to_uppercase(), every[2].clone()]
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
        );
        assert_eq!(ids(&q), vec![every[0].clone(), every[2].clone()]);
        q.within = Some(Default::default());
        assert!(ids(&q).is_empty(), "an empty group shows nobody");
    }

    #[test]
    fn the_list_filters_by_class_department_and_text_and_sorts() {
        let all = sample();
        let q = |class, department: Option<&str>, text: &str, sort| Query {
            class,
            department: department.map(str::to_owned),
            text: text.into(),
            sort,
            within: None,
        };
        let ids = |v: Vec<&Member>| v.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(shown(
                &all,
                &q(
                    Some(ClassChoice::PhoneOnly),
                    Some("Finance"),
                    "",
                    Sort::Name
                )
            )),
            ["a", "f"],
            "voice-only counts as phone only"
        );
        assert_eq!(
            ids(shown(
                &all,
                &q(
                    Some(ClassChoice::One(Class::PhoneOnlyVoice)),
                    None,
                    "",
                    Sort::Name
                )
            )),
            ["b", "f"]
        );
        assert_eq!(ids(shown(&all, &q(None, None, "CHRIS", Sort::Name))), ["c"]);
        assert_eq!(
            ids(shown(&all, &q(None, None, "b@contoso", Sort::Name))),
            ["b"]
        );
        assert_eq!(
            ids(shown(&all, &q(None, None, "", Sort::Department))),
            ["a", "c", "f", "b", "d", "e"]
        );
        assert_eq!(
            ids(shown(&all, &q(None, None, "", Sort::Class)))[..3],
            ["a", "b", "f"]
        );
        assert_eq!(
            ClassChoice::from_key("phone-voice"),
            Some(ClassChoice::One(Class::PhoneOnlyVoice))
        );
        assert_eq!(ClassChoice::from_key(""), None);
        let wave = shown(&all, &q(Some(ClassChoice::PhoneOnly), None, "", Sort::Name));
        assert_eq!(wave_input(&wave, 2), "a@contoso.com\nb@contoso.com");
    }

    #[test]
    fn the_export_is_formula_safe() {
        let all = sample();
        let text = csv(&all.iter().collect::<Vec<_>>());
        let line = text.lines().find(|l| l.contains("calc")).expect("row");
        assert!(line.starts_with("'=cmd"), "{line}");
        assert!(text.starts_with("Name,User principal name,Department,Class,Object ID"));
        assert!(text.contains("Adele,a@contoso.com,Finance,Phone only (SMS and voice),a"));
    }

    #[test]
    fn the_chart_scales_to_the_largest_class_and_says_it_in_words() {
        let c = counts(&sample());
        let b = bars(&c);
        assert_eq!(b.len(), Class::ALL.len());
        let voice = b
            .iter()
            .find(|b| b.class == Class::PhoneOnlyVoice)
            .expect("bar");
        assert_eq!(voice.count, 2);
        assert!((voice.percent - 100.0).abs() < 1e-9);
        let sms = b
            .iter()
            .find(|b| b.class == Class::PhoneOnlySms)
            .expect("bar");
        assert!((sms.percent - 50.0).abs() < 1e-9);
        assert!(bars(&Counts::default()).iter().all(|b| b.percent == 0.0));
        let words = chart_words(&c);
        assert!(words.starts_with("6 users."), "{words}");
        assert!(
            words.contains("Phone only (voice calls only): 2"),
            "{words}"
        );
    }

    #[test]
    fn days_left_in_words() {
        assert_eq!(
            days_words(DaysLeft::Days(58)),
            "58 days left until SMS and voice stop on 1 February 2027."
        );
        assert_eq!(
            days_words(DaysLeft::Days(1)),
            "1 day left until SMS and voice stop on 1 February 2027."
        );
        assert_eq!(
            days_words(DaysLeft::Today),
            "SMS and voice stop today, 1 February 2027."
        );
        assert!(days_words(DaysLeft::Passed(3)).contains("3 days ago"));
    }
}
