//! Messy bulk input (a CSV export or a pasted list of UPNs) to [`Row`]s, with every bad line
//! reported by number and reason, and nothing ever panicking.
//!
//! What a CSV may look like: an optional UTF-8 BOM; `,`, `;` or tab as the delimiter (sniffed
//! from the first line, quotes honoured); CRLF or LF; quoted fields holding delimiters, quotes
//! and newlines; blank lines and lines of only delimiters (skipped silently); stray spaces
//! (trimmed); an optional header row whose names are matched case-insensitively, ignoring
//! spaces, `_` and `-` (see [`column_for`]). Without a header, column 1 is the UPN and the
//! other columns are ignored.
//!
//! Rules for one line: the UPN must look like `name@domain` or an object id; a start needs
//! both a date and a time (a date alone would make us guess the hour); a time or a time zone
//! without a date is a problem; the lifetime is whole minutes in Graph's 10..=43200 (the
//! tenant policy's narrower range is checked by the plan, which knows it); one-time is yes/no.
//! A line with several problems gives one [`RowProblem`] whose reasons are joined by spaces
//! (every problem of the line, not just the first). A UPN longer than a UPN can be
//! ([`MAX_UPN_CHARS`]) or another cell longer than [`MAX_CELL_CHARS`] is refused here, quoted
//! shortened, and never sent to Graph.
//! Duplicates are looked for among the good lines only: a later good line naming the same UPN
//! (case-insensitively) as an earlier good line goes to [`Parsed::duplicates`]. Across sources
//! (pasted, CSV, group) see [`super::merge`].

mod layout;
mod values;

use std::collections::HashMap;

use self::layout::{sniff_delimiter, LineIndex};

/// A start as the admin wrote it, in their local time; the browser turns it into UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalStart {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, 24-hour.
    pub time: String,
    /// IANA name as written (e.g. `Europe/Berlin`); not validated here: the browser does it.
    pub time_zone: Option<String>,
}

/// Longest UPN Entra ID accepts: 113 characters in all (64 before the `@`, 48 after), as
/// Microsoft's "Invalid user name" support article (SupportArticles-docs,
/// username-contains-special-character) lists. A longer "UPN" names nobody and is refused here.
pub const MAX_UPN_CHARS: usize = 113;

/// Longest value accepted in the other columns read (dates, times, zones, lifetimes, yes/no):
/// the longest IANA zone name has 32 characters.
pub const MAX_CELL_CHARS: usize = 64;

/// How many characters of a refused value a sentence quotes.
pub const QUOTE_CHARS: usize = 40;

/// Where an input line came from; the order is the order sources are read and reported in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// The pasted list.
    #[default]
    Pasted,
    /// The CSV file.
    Csv,
    /// The picked group's members (one "line" per member).
    Group,
}

impl Source {
    /// "line 4" when only one source was read (`several` false), else "CSV line 4",
    /// "pasted line 4" or "group member 4".
    pub fn place(self, line: usize, several: bool) -> String {
        match (several, self) {
            (false, Source::Group) => format!("member {line}"),
            (false, _) => format!("line {line}"),
            (true, Source::Pasted) => format!("pasted line {line}"),
            (true, Source::Csv) => format!("CSV line {line}"),
            (true, Source::Group) => format!("group member {line}"),
        }
    }
}

/// Returns `text` when it has at most `max` characters, else its first `max` characters and "…".
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// One good input line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Which input the line is in.
    pub source: Source,
    /// 1-based line of the input where the record starts.
    pub line: usize,
    /// UPN or object id, trimmed, case kept as typed.
    pub upn: String,
    pub start: Option<LocalStart>,
    pub lifetime_minutes: Option<u32>,
    pub one_time: Option<bool>,
}

/// A line that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// Which input the line is in.
    pub source: Source,
    /// 1-based line of the input where the record starts.
    pub line: usize,
    /// One or more sentences an admin can act on.
    pub reason: String,
}

impl RowProblem {
    /// "Line 4: …" (or "CSV line 4: …" when `several` sources were read), as listed.
    pub fn text(&self, several: bool) -> String {
        let place = self.source.place(self.line, several);
        let mut chars = place.chars();
        let first = chars
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default();
        format!("{first}{}: {}", chars.as_str(), self.reason)
    }
}

/// The outcome of reading an input: good rows, bad lines, and repeated users.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub problems: Vec<RowProblem>,
    /// Later good lines repeating an earlier good line's UPN (case-insensitive):
    /// "Same user as line 4; only line 4 is used."
    pub duplicates: Vec<RowProblem>,
    /// More than one source was read: places name their source ("CSV line 4").
    pub several: bool,
}

/// What a CSV column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Upn,
    Start,
    Time,
    TimeZone,
    Lifetime,
    OneTime,
}

/// Returns the column a header name stands for, matching case-insensitively and ignoring
/// spaces, `_` and `-`; `None` for names this page does not use.
pub fn column_for(name: &str) -> Option<Column> {
    let key: String = name
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "upn" | "userprincipalname" | "user" | "email" | "mail" | "login" => Column::Upn,
        "start" | "startdatetime" | "startdate" | "date" | "validfrom" => Column::Start,
        "starttime" | "time" => Column::Time,
        "timezone" | "tz" | "zone" => Column::TimeZone,
        "lifetime" | "lifetimeinminutes" | "minutes" | "duration" => Column::Lifetime,
        "onetime" | "isusableonce" | "once" | "singleuse" => Column::OneTime,
        _ => return None,
    })
}

/// Reads a CSV export (see the module docs for what is accepted); time zones are not checked.
pub fn parse_csv(text: &str) -> Parsed {
    take_duplicates(read_csv(text, &|_| true), false)
}

/// [`parse_csv`], and a time zone for which `known_zone` is false is a problem of its line
/// (named beside the line's other problems).
pub fn parse_csv_checked(text: &str, known_zone: &dyn Fn(&str) -> bool) -> Parsed {
    take_duplicates(read_csv(text, known_zone), false)
}

/// The good rows and problems of a CSV text, duplicates not looked for yet.
pub(crate) fn read_csv(text: &str, known_zone: &dyn Fn(&str) -> bool) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parsed = Parsed::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let lines = LineIndex::new(text);
    let mut records: Vec<(usize, Vec<String>)> = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.line_of(record.position());
                let cells: Vec<String> = record.iter().map(unquote).collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    records.push((line, cells));
                }
            }
            Err(e) => {
                // The input is a &str, so this is rare (the reader is lenient); report and go on.
                let line = lines.line_of(e.position());
                parsed.problems.push(RowProblem {
                    source: Source::Csv,
                    line,
                    reason: format!("This line could not be read as CSV ({e})."),
                });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    let mut records = records.into_iter().peekable();
    let columns = match records.peek() {
        Some((line, first)) if is_header(first) => {
            let line = *line;
            let columns = header_columns(first);
            records.next();
            if !columns.contains_key(&Column::Upn) {
                parsed.problems.push(RowProblem {
                    source: Source::Csv,
                    line,
                    reason: "The header names no column of users: call it \"upn\" (or userPrincipalName, email, mail, user, login).".into(),
                });
                return parsed;
            }
            columns
        }
        _ => HashMap::from([(Column::Upn, (0, "UPN".to_owned()))]),
    };
    for (line, cells) in records {
        match row(line, &cells, &columns, known_zone) {
            Ok(r) => parsed.rows.push(r),
            Err(reason) => parsed.problems.push(RowProblem {
                source: Source::Csv,
                line,
                reason,
            }),
        }
    }
    parsed
}

/// Reads pasted UPNs separated by newlines, commas, semicolons or whitespace; `Name <upn>`
/// (as mail programs copy addresses) gives the UPN inside the angle brackets. Blank entries are
/// skipped, and each entry's line is the line it is on. A first entry that is a column name
/// (`upn`, `email`, …) is taken as a header and skipped.
pub fn parse_list(text: &str) -> Parsed {
    take_duplicates(read_list(text, Source::Pasted), false)
}

/// The good rows and problems of a pasted list (or a group's UPNs, one per line), duplicates
/// not looked for yet.
pub(crate) fn read_list(text: &str, source: Source) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parsed = Parsed::default();
    let mut first = true;
    for (i, line) in text.lines().enumerate() {
        for entry in line.split([',', ';']) {
            let entry = entry.trim();
            let tokens: Vec<&str> = match (entry.find('<'), entry.rfind('>')) {
                (Some(a), Some(b)) if a < b && entry[a..b].contains('@') => vec![&entry[a + 1..b]],
                _ => entry.split_whitespace().collect(),
            };
            for token in tokens {
                let upn = token.trim().trim_matches(['"', '\'', '<', '>']).trim();
                let upn = upn.strip_prefix("mailto:").unwrap_or(upn);
                if upn.is_empty() {
                    continue;
                }
                let was_first = std::mem::replace(&mut first, false);
                if was_first && column_for(upn) == Some(Column::Upn) {
                    continue;
                }
                let line = i + 1;
                if let Some(reason) = too_long_for_a_upn(upn) {
                    parsed.problems.push(RowProblem {
                        source,
                        line,
                        reason,
                    });
                } else if crate::graph::api::is_direct_key(upn) {
                    parsed.rows.push(Row {
                        source,
                        line,
                        upn: upn.to_owned(),
                        start: None,
                        lifetime_minutes: None,
                        one_time: None,
                    });
                } else {
                    parsed.problems.push(RowProblem {
                        source,
                        line,
                        reason: not_a_user(upn),
                    });
                }
            }
        }
    }
    parsed
}

/// A trimmed cell, without the quotes of a field quoted after a stray space (`a, "b"`), which
/// the CSV reader keeps as text.
fn unquote(cell: &str) -> String {
    let t = cell.trim();
    match t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\"").trim().to_owned(),
        None => t.to_owned(),
    }
}

fn is_header(cells: &[String]) -> bool {
    let first_is_user = cells
        .first()
        .is_some_and(|c| crate::graph::api::is_direct_key(c));
    !first_is_user && cells.iter().any(|c| column_for(c).is_some())
}

/// Column → (index, name as written); the first column of each kind wins.
fn header_columns(cells: &[String]) -> HashMap<Column, (usize, String)> {
    let mut out = HashMap::new();
    for (i, cell) in cells.iter().enumerate() {
        if let Some(col) = column_for(cell) {
            out.entry(col).or_insert_with(|| (i, cell.clone()));
        }
    }
    out
}

fn not_a_user(text: &str) -> String {
    format!(
        "\"{}\" is not a UPN (name@domain) or an object ID.",
        shorten(text, QUOTE_CHARS)
    )
}

/// The sentence for a "UPN" longer than [`MAX_UPN_CHARS`], quoting its start only.
fn too_long_for_a_upn(text: &str) -> Option<String> {
    let n = text.chars().count();
    (n > MAX_UPN_CHARS).then(|| {
        format!(
            "\"{}\" is {n} characters long, but a UPN has at most {MAX_UPN_CHARS}: check that this column holds user names.",
            shorten(text, QUOTE_CHARS)
        )
    })
}

fn row(
    line: usize,
    cells: &[String],
    columns: &HashMap<Column, (usize, String)>,
    known_zone: &dyn Fn(&str) -> bool,
) -> Result<Row, String> {
    let mut reasons = Vec::new();
    // A value longer than any the column can hold is named once (shortened) and not read.
    let mut too_long = Vec::new();
    let cell = |col: Column| -> Option<(&str, &str)> {
        let (i, name) = columns.get(&col)?;
        let v = cells.get(*i).map_or("", String::as_str);
        let limit = if col == Column::Upn {
            usize::MAX
        } else {
            MAX_CELL_CHARS
        };
        (!v.is_empty() && v.chars().count() <= limit).then_some((v, name.as_str()))
    };
    for (col, (i, name)) in columns {
        let v = cells.get(*i).map_or("", String::as_str);
        let n = v.chars().count();
        if *col != Column::Upn && n > MAX_CELL_CHARS {
            too_long.push((
                *i,
                format!(
                    "\"{name}\" is \"{}\" ({n} characters): far longer than such a value can be.",
                    shorten(v, QUOTE_CHARS)
                ),
            ));
        }
    }
    too_long.sort();
    let name_of = |col: Column, fallback: &'static str| -> String {
        columns
            .get(&col)
            .map_or_else(|| fallback.to_owned(), |(_, n)| n.clone())
    };
    let upn = cell(Column::Upn).map_or("", |(v, _)| v);
    if upn.is_empty() {
        reasons.push("No UPN on this line.".to_owned());
    } else if let Some(reason) = too_long_for_a_upn(upn) {
        reasons.push(reason);
    } else if !crate::graph::api::is_direct_key(upn) {
        reasons.push(not_a_user(upn));
    }
    reasons.extend(too_long.into_iter().map(|(_, r)| r));
    let mut date = None;
    let mut time = None;
    if let Some((v, name)) = cell(Column::Start) {
        match values::start(v, name) {
            Ok((d, t)) => {
                date = Some(d);
                time = t;
            }
            Err(e) => reasons.push(e),
        }
    }
    let mut time_bad = false;
    if let Some((v, name)) = cell(Column::Time) {
        match values::time_cell(v, name) {
            Ok(t) => match &time {
                Some(earlier) if *earlier != t => reasons.push(format!(
                    "\"{}\" says {earlier} but \"{name}\" says {t}: give the time once.",
                    name_of(Column::Start, "start")
                )),
                _ => time = Some(t),
            },
            Err(e) => {
                time_bad = true;
                reasons.push(e);
            }
        }
    }
    let zone = cell(Column::TimeZone).map(|(v, _)| v.to_owned());
    if let Some(z) = zone.as_deref().filter(|z| !known_zone(z)) {
        reasons.push(format!(
            "\"{z}\" is not a time zone this browser knows: use an IANA name such as Europe/Berlin."
        ));
    }
    let start_failed = cell(Column::Start).is_some() && date.is_none();
    if date.is_none() && !start_failed {
        let start_name = name_of(Column::Start, "start");
        if time.is_some() || time_bad {
            reasons.push(format!(
                "A start time needs a date: fill in \"{start_name}\" as YYYY-MM-DD."
            ));
        } else if zone.is_some() {
            reasons.push(format!(
                "A time zone needs a start: fill in \"{start_name}\" with a date and a time."
            ));
        }
    }
    if date.is_some() && time.is_none() && !time_bad {
        reasons.push(format!(
            "\"{}\" has a date but no time: give a start time (HH:MM, 24-hour), in \"{}\" or after the date.",
            name_of(Column::Start, "start"),
            name_of(Column::Time, "startTime")
        ));
    }
    let lifetime_minutes = match cell(Column::Lifetime) {
        Some((v, name)) => values::lifetime(v, name).map_err(|e| reasons.push(e)).ok(),
        None => None,
    };
    let one_time = match cell(Column::OneTime) {
        Some((v, name)) => values::one_time(v, name)
            .map_err(|e| reasons.push(e))
            .ok()
            .flatten(),
        None => None,
    };
    if !reasons.is_empty() {
        return Err(reasons.join(" "));
    }
    let start = match (date, time) {
        (Some(date), Some(time)) => Some(LocalStart {
            date,
            time,
            time_zone: zone,
        }),
        _ => None,
    };
    Ok(Row {
        source: Source::Csv,
        line,
        upn: upn.to_owned(),
        start,
        lifetime_minutes,
        one_time,
    })
}

/// Moves every good row naming the same UPN (case-insensitively) as an earlier row to
/// `duplicates`, pointing at the first; `several` names the sources in the sentence.
pub(crate) fn take_duplicates(mut parsed: Parsed, several: bool) -> Parsed {
    let mut first: HashMap<String, (Source, usize)> = HashMap::new();
    let mut kept = Vec::with_capacity(parsed.rows.len());
    for r in std::mem::take(&mut parsed.rows) {
        let key = r.upn.to_lowercase();
        match first.get(&key) {
            Some(&(source, line)) => parsed.duplicates.push(same_user(&r, source, line, several)),
            None => {
                first.insert(key, (r.source, r.line));
                kept.push(r);
            }
        }
    }
    parsed.rows = kept;
    parsed.several = several;
    parsed
}

/// "Same user as line 4; only line 4 is used." for `later`.
pub(crate) fn same_user(later: &Row, source: Source, line: usize, several: bool) -> RowProblem {
    let first = source.place(line, several);
    RowProblem {
        source: later.source,
        line: later.line,
        reason: format!("Same user as {first}; only {first} is used."),
    }
}

#[cfg(test)]
mod tests;
