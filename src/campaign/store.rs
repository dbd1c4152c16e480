//! The campaign the browser remembers: which users and waves it holds (object ids and times
//! only, never a pass nor a pass's id), as the JSON kept in localStorage and exported to a file
//! a colleague or another day imports; the next wave's slice (users not yet in a wave); each
//! user's stage.
//!
//! The file's shape is closed (`deny_unknown_fields`): a file carrying anything else (a pass,
//! a token) is refused with a sentence, and the campaign on screen stays as it was.

use serde::{Deserialize, Serialize};

use super::classify::Class;
use super::members::Member;

/// The `format` every campaign file carries.
pub const FORMAT: &str = "tapdesk-campaign";
/// The file version this page writes and reads.
pub const VERSION: u32 = 1;

/// The campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Campaign {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// When it began (epoch ms).
    pub started: f64,
    /// Its waves, oldest first.
    pub waves: Vec<Wave>,
    /// The users of its waves a pass was issued to from a browser, and when (never the pass).
    #[serde(default)]
    pub issued: Vec<Issued>,
}

/// A user of the campaign a pass was issued to, and when (epoch ms): the pass itself, its id
/// and its value never.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Issued {
    /// The user's object id.
    pub user_id: String,
    /// When the tracker began following them (the pass was issued).
    pub at: f64,
}

/// One wave: the users handed to Many users together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Wave {
    /// 1, 2, … in the campaign.
    pub number: u32,
    /// When it was picked (epoch ms).
    pub created: f64,
    /// When its passes start (epoch ms), if a start was chosen.
    #[serde(default)]
    pub starts: Option<f64>,
    /// The users' object ids.
    pub user_ids: Vec<String>,
}

impl Campaign {
    /// A campaign with no wave yet, begun at `now_ms`.
    pub fn new(now_ms: f64) -> Campaign {
        Campaign {
            format: FORMAT.into(),
            version: VERSION,
            started: now_ms,
            waves: Vec::new(),
            issued: Vec::new(),
        }
    }

    /// True if and only if `id` is in a wave already.
    pub fn holds(&self, id: &str) -> bool {
        self.waves
            .iter()
            .any(|w| w.user_ids.iter().any(|u| u.eq_ignore_ascii_case(id)))
    }

    /// Every user of every wave, once each.
    pub fn users(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.waves
            .iter()
            .flat_map(|w| &w.user_ids)
            .filter(|u| seen.insert(u.to_ascii_lowercase()))
            .map(String::as_str)
            .collect()
    }

    /// Adds a wave of `user_ids` (those not yet in a wave); `None` when none is new.
    pub fn add_wave(
        &mut self,
        user_ids: &[String],
        now_ms: f64,
        starts: Option<f64>,
    ) -> Option<&Wave> {
        let fresh: Vec<String> = user_ids
            .iter()
            .filter(|id| !self.holds(id))
            .cloned()
            .collect();
        if fresh.is_empty() {
            return None;
        }
        let number = self.waves.iter().map(|w| w.number).max().unwrap_or(0) + 1;
        self.waves.push(Wave {
            number,
            created: now_ms,
            starts,
            user_ids: fresh,
        });
        self.waves.last()
    }

    /// Notes the campaign's users among `tracked` (object id, since when) as issued; true if
    /// anything changed (the first time of each user is kept).
    pub fn note_issued(&mut self, tracked: &[(String, f64)]) -> bool {
        let mut changed = false;
        for (id, at) in tracked {
            if self.holds(id)
                && !self
                    .issued
                    .iter()
                    .any(|i| i.user_id.eq_ignore_ascii_case(id))
            {
                self.issued.push(Issued {
                    user_id: id.clone(),
                    at: *at,
                });
                changed = true;
            }
        }
        changed
    }

    /// The JSON kept in localStorage and written to the exported file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Adds `other`'s waves (an imported file) to this campaign: each user stays in the wave
    /// that first held them, waves are numbered on from here, nothing here is lost.
    pub fn merge(&mut self, other: Campaign) {
        self.started = self.started.min(other.started);
        for w in other.waves {
            let _ = self.add_wave(&w.user_ids, w.created, w.starts);
        }
        let issued: Vec<(String, f64)> = other
            .issued
            .into_iter()
            .map(|i| (i.user_id, i.at))
            .collect();
        let _ = self.note_issued(&issued);
    }
}

/// True if and only if `id` has the shape of a directory object id (a GUID).
fn is_object_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Reads a campaign file (or the kept JSON); every refusal is a sentence saying what to do.
pub fn read(text: &str) -> Result<Campaign, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| {
        "This file is not a tapdesk campaign: it is not JSON. Choose the file tapdesk exported (tapdesk-campaign-….json); your campaign here is unchanged.".to_string()
    })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err("This file is not a tapdesk campaign (it does not say \"format\": \"tapdesk-campaign\"). Choose the file tapdesk exported; your campaign here is unchanged.".into());
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) if v > u64::from(VERSION) => {
            return Err(format!("This campaign file was written by a newer tapdesk (version {v}). Open it with the newer page; your campaign here is unchanged."));
        }
        _ => return Err("This campaign file names no version this page reads. Export it again from tapdesk; your campaign here is unchanged.".into()),
    }
    let c: Campaign = serde_json::from_value(value).map_err(|e| {
        format!("This campaign file holds something a campaign never holds ({e}): campaign files carry object ids and times only, never a pass. It was not imported; your campaign here is unchanged.")
    })?;
    if let Some(bad) = c
        .waves
        .iter()
        .flat_map(|w| &w.user_ids)
        .chain(c.issued.iter().map(|i| &i.user_id))
        .find(|id| !is_object_id(id))
    {
        return Err(format!("This campaign file names \"{}\" where a user's object id belongs. It was not imported; your campaign here is unchanged.", bad.chars().take(40).collect::<String>()));
    }
    Ok(c)
}

/// Where one user of the campaign is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// In a wave; no pass issued from this browser yet.
    Planned,
    /// A pass was issued (the tracker follows the user).
    PassIssued,
    /// The report says the user can now sign in without a password.
    Passwordless,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 3] = [Stage::Planned, Stage::PassIssued, Stage::Passwordless];

    /// The stage in words.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Planned => "In a wave, no pass yet",
            Stage::PassIssued => "Pass issued",
            Stage::Passwordless => "Passwordless now",
        }
    }
}

/// How many of the campaign's users are at each stage: passwordless per the report's
/// `entries`, else issued when the campaign noted it or the tracker follows them (`tracked`),
/// else planned.
pub fn stages(c: &Campaign, entries: &[Member], tracked: &[String]) -> Vec<(Stage, usize)> {
    let passwordless: std::collections::HashSet<String> = entries
        .iter()
        .filter(|e| e.class == Class::Passwordless)
        .map(|e| e.id.to_ascii_lowercase())
        .collect();
    let tracked: std::collections::HashSet<String> = tracked
        .iter()
        .map(|t| t.to_ascii_lowercase())
        .chain(c.issued.iter().map(|i| i.user_id.to_ascii_lowercase()))
        .collect();
    let mut counts = [0usize; 3];
    for id in c.users() {
        let id = id.to_ascii_lowercase();
        let stage = if passwordless.contains(&id) {
            Stage::Passwordless
        } else if tracked.contains(&id) {
            Stage::PassIssued
        } else {
            Stage::Planned
        };
        counts[stage as usize] += 1;
    }
    Stage::ALL.into_iter().zip(counts).collect()
}

/// The first `size` shown users not yet in a wave: the next wave's slice.
pub fn slice<'a>(shown: &[&'a Member], c: &Campaign, size: usize) -> Vec<&'a Member> {
    let held: std::collections::HashSet<String> =
        c.users().iter().map(|u| u.to_ascii_lowercase()).collect();
    shown
        .iter()
        .filter(|e| !held.contains(&e.id.to_ascii_lowercase()))
        .take(size)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> String {
        format!("00000000-0000-0000-0000-{n:012}")
    }

    fn entry(n: u32, class: Class) -> Member {
        Member {
            id: id(n),
            upn: format!("u{n}@x"),
            name: format!("U{n}"),
            department: Some("Finance".into()),
            class,
        }
    }

    #[test]
    fn waves_hold_each_user_once_and_round_trip_through_the_file() {
        let mut c = Campaign::new(1000.0);
        let w = c.add_wave(&[id(1), id(2)], 2000.0, Some(3000.0)).cloned();
        assert_eq!(w.map(|w| w.number), Some(1));
        assert!(
            c.add_wave(&[id(2)], 2500.0, None).is_none(),
            "already in wave 1"
        );
        assert_eq!(
            c.add_wave(&[id(2), id(3)], 2600.0, None)
                .map(|w| w.user_ids.clone()),
            Some(vec![id(3)])
        );
        let json = c.to_json();
        assert_eq!(read(&json), Ok(c.clone()));
        assert!(json.contains("\"userIds\""));
        let mut other = Campaign::new(500.0);
        other.add_wave(&[id(3), id(4)], 100.0, None);
        c.merge(other);
        assert_eq!(c.started, 500.0);
        assert_eq!(c.users().len(), 4);
        assert_eq!(
            c.waves.last().map(|w| (w.number, w.user_ids.clone())),
            Some((3, vec![id(4)]))
        );
    }

    #[test]
    fn broken_or_foreign_files_are_refused_in_words() {
        let refusal = |t: &str| read(t).err().unwrap_or_default();
        assert!(refusal("not json").contains("not JSON"));
        assert!(refusal(r#"{"format":"other","version":1}"#).contains("not a tapdesk campaign"));
        assert!(
            refusal(r#"{"format":"tapdesk-campaign","version":7,"started":0,"waves":[]}"#)
                .contains("newer tapdesk")
        );
        let with_pass = format!(
            r#"{{"format":"tapdesk-campaign","version":1,"started":0,"waves":[{{"number":1,"created":0,"userIds":["{}"],"passId":"{}"}}]}}"#,
            id(1),
            id(9)
        );
        assert!(
            refusal(&with_pass).contains("never a pass"),
            "{}",
            refusal(&with_pass)
        );
        let pass_as_user = r#"{"format":"tapdesk-campaign","version":1,"started":0,"waves":[{"number":1,"created":0,"userIds":["Xy3!kQ9pAb"]}]}"#;
        assert!(refusal(pass_as_user).contains("where a user's object id belongs"));
        assert!(
            read(r#"{"format":"tapdesk-campaign","version":1,"started":0,"waves":[]}"#).is_ok()
        );
    }

    #[test]
    fn stages_and_slices() {
        let entries = vec![
            entry(1, Class::PhoneOnlySms),
            entry(2, Class::Passwordless),
            entry(3, Class::PhoneOnlyVoice),
            entry(4, Class::PhoneOnlySms),
        ];
        let mut c = Campaign::new(0.0);
        c.add_wave(&[id(1), id(2), id(3)], 0.0, None);
        let s = stages(&c, &entries, &[id(1), id(2)]);
        assert_eq!(
            s,
            vec![
                (Stage::Planned, 1),
                (Stage::PassIssued, 1),
                (Stage::Passwordless, 1)
            ]
        );
        // Issued in another browser: the file says so, the tracker here does not know.
        assert!(
            c.note_issued(&[(id(3), 5.0), (id(4), 6.0)]),
            "id 4 is in no wave"
        );
        assert!(!c.note_issued(&[(id(3), 9.0)]));
        assert_eq!(
            c.issued,
            vec![Issued {
                user_id: id(3),
                at: 5.0
            }]
        );
        let mut fresh = Campaign::new(0.0);
        fresh.merge(read(&c.to_json()).expect("read"));
        assert_eq!(
            stages(&fresh, &entries, &[]),
            vec![
                (Stage::Planned, 1),
                (Stage::PassIssued, 1),
                (Stage::Passwordless, 1)
            ]
        );
        let shown: Vec<&Member> = entries.iter().collect();
        let next = slice(&shown, &c, 50);
        assert_eq!(
            next.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
            [id(4)]
        );
    }
}
