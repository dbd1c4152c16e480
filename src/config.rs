//! Run-time configuration: `config.json` beside `index.html`, overridden field by field by the Settings screen.
//!
//! Parsing never panics and never stops at the first problem: every field that is missing,
//! of the wrong type or invalid is reported as a sentence an admin can act on.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cloud::{cloud_of, Cloud, CloudId, CLOUDS};

/// The name of [`crate::permission::TAP_WRITE`], asked for when an admin first creates or deletes a pass.
pub const WRITE_PERMISSION: &str = crate::permission::TAP_WRITE.name;

/// The name of [`crate::permission::GROUP_MEMBERS_READ`], asked for when an admin picks a group.
pub const GROUP_PERMISSION: &str = crate::permission::GROUP_MEMBERS_READ.name;

/// The name of [`crate::permission::MAIL_SEND`], asked for when an admin first sends a hand-over.
pub const MAIL_PERMISSION: &str = crate::permission::MAIL_SEND.name;

/// The name of [`crate::permission::POLICY_WRITE`], asked for on the Policy screen.
pub const POLICY_WRITE_PERMISSION: &str = crate::permission::POLICY_WRITE.name;

pub use crate::permission::serves as permission_serves;

/// OpenID Connect scopes always requested besides the Graph permissions.
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access"];

/// Scopes that are never qualified with the Graph host.
const BARE_SCOPES: &[&str] = &["openid", "profile", "offline_access", "email"];

/// Graph host used when `graphBaseUrl` is absent.
pub const DEFAULT_GRAPH_BASE_URL: &str = crate::cloud::GLOBAL.graph;

/// The configuration as written, every field optional: what `config.json` and the Settings
/// screen hold. Merged with [`RawConfig::overlay`], then checked by [`RawConfig::validate`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph_base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph_timeout_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clipboard_clear_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_show_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handout_url: Option<String>,
    /// National cloud preset (`global`, `usgov`, `dod`, `china`): the default Graph host.
    /// Never among the Settings overrides, so never written back.
    #[serde(skip)]
    pub cloud: Option<CloudId>,
    /// Hand-over message templates by language and audience, laid over the built-in ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handover_templates: Option<Templates>,
    /// The tracker's first wait between checks (doubled while nothing changes, up to 5 min).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track_interval_seconds: Option<u32>,
    /// The organisation's name as printed on handouts (default: each user's sign-in domain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
}

/// A checked configuration: every URL absolute and without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Application (client) ID of the app registration.
    pub client_id: String,
    /// OpenID issuer / authority, e.g. `https://login.microsoftonline.com/{tenant}/v2.0`.
    pub authority: String,
    /// Graph root without version, e.g. `https://graph.microsoft.com`.
    pub graph_base_url: String,
    /// Redirect URI registered under the SPA platform; `None` means "this page's own URL".
    pub redirect_uri: Option<String>,
    /// Full scope strings requested at sign-in (OIDC scopes included).
    pub scopes: Vec<String>,
    /// How long one Graph request may take before it counts as lost.
    pub graph_timeout_seconds: u32,
    /// After a copy, how long before the page overwrites the clipboard.
    pub clipboard_clear_seconds: u32,
    /// How long a new pass stays on screen at most.
    pub pass_show_seconds: u32,
    /// Where a handout's QR code sends the user (with `login_hint`): where they register methods.
    pub handout_url: String,
    /// Hand-over message templates as configured (`handoverTemplates`, their shape checked here,
    /// their content by `crate::handover::problems`); `crate::handover::merged` lays them over
    /// the built-in ones.
    pub handover_templates: Templates,
    /// The tracker's first wait between checks, in seconds.
    pub track_interval_seconds: u32,
    /// The organisation printed on handouts; `None`: each user's sign-in domain.
    pub organization_name: Option<String>,
}

/// One hand-over message template as `handoverTemplates` writes it: `{placeholder}`s are
/// filled in by `crate::handover::render`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

/// Templates by language code (`en`, `de`, …), then by audience key (`user`, `manager`).
pub type Templates = BTreeMap<String, BTreeMap<String, Template>>;

/// Where users register their methods with the pass, unless configured otherwise or the cloud
/// has its own address ([`Cloud::security_info`]).
pub const DEFAULT_HANDOUT_URL: &str = match crate::cloud::GLOBAL.security_info {
    Some(url) => url,
    None => "",
};

/// Graph request timeout when the configuration names none: Graph's own 60 s, plus a margin.
pub const DEFAULT_GRAPH_TIMEOUT_SECONDS: u32 = 65;

/// After a copy, how long before the page overwrites the clipboard, unless configured.
pub const DEFAULT_CLIPBOARD_CLEAR_SECONDS: u32 = 60;

/// How long a new pass stays on screen at most, unless configured.
pub const DEFAULT_PASS_SHOW_SECONDS: u32 = 15 * 60;

/// The tracker's first wait between checks, unless configured (doubled while nothing changes).
pub const DEFAULT_TRACK_INTERVAL_SECONDS: u32 = 30;

/// The largest value of each time field, in seconds.
const MAX_GRAPH_TIMEOUT_SECONDS: u64 = 300;
const MAX_CLIPBOARD_CLEAR_SECONDS: u64 = 600;
const MAX_PASS_SHOW_SECONDS: u64 = 3600;
const MAX_TRACK_INTERVAL_SECONDS: u64 = 3600;

/// A field of `config.json`, as a problem names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    ClientId,
    Authority,
    GraphBaseUrl,
    RedirectUri,
    Scopes,
    GraphTimeoutSeconds,
    ClipboardClearSeconds,
    PassShowSeconds,
    HandoutUrl,
    Cloud,
    HandoverTemplates,
    TrackIntervalSeconds,
    OrganizationName,
}

impl Field {
    /// The field's name in `config.json`.
    pub fn name(self) -> &'static str {
        match self {
            Field::ClientId => "clientId",
            Field::Authority => "authority",
            Field::GraphBaseUrl => "graphBaseUrl",
            Field::RedirectUri => "redirectUri",
            Field::Scopes => "scopes",
            Field::GraphTimeoutSeconds => "graphTimeoutSeconds",
            Field::ClipboardClearSeconds => "clipboardClearSeconds",
            Field::PassShowSeconds => "passShowSeconds",
            Field::HandoutUrl => "handoutUrl",
            Field::Cloud => "cloud",
            Field::HandoverTemplates => "handoverTemplates",
            Field::TrackIntervalSeconds => "trackIntervalSeconds",
            Field::OrganizationName => "organizationName",
        }
    }

    /// What the Settings form calls the field (its name in `config.json` for the others).
    pub fn label(self) -> &'static str {
        match self {
            Field::ClientId => "Application (client) ID",
            Field::Authority => "Authority",
            Field::GraphBaseUrl => "Graph URL",
            Field::RedirectUri => "Redirect URI",
            other => other.name(),
        }
    }
}

/// How a problem concerns its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Concern {
    /// The configuration as a whole: not found, not JSON, not an object.
    File,
    /// The field is absent (another source, the Settings or `config.json`, may still give it).
    Missing(Field),
    /// The field's value cannot be used.
    Invalid(Field),
}

/// One reason the configuration cannot be used: a sentence an admin can act on, keyed by the
/// field it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What the problem is about.
    pub concern: Concern,
    /// What the setup screen says.
    pub sentence: String,
}

impl Problem {
    fn file(sentence: impl Into<String>) -> Problem {
        Problem {
            concern: Concern::File,
            sentence: sentence.into(),
        }
    }

    fn missing(field: Field, sentence: impl Into<String>) -> Problem {
        Problem {
            concern: Concern::Missing(field),
            sentence: sentence.into(),
        }
    }

    fn invalid(field: Field, sentence: impl Into<String>) -> Problem {
        Problem {
            concern: Concern::Invalid(field),
            sentence: sentence.into(),
        }
    }

    /// The field it concerns, `None` for the file as a whole.
    pub fn field(&self) -> Option<Field> {
        match self.concern {
            Concern::File => None,
            Concern::Missing(f) | Concern::Invalid(f) => Some(f),
        }
    }

    /// The same problem said of the Settings saved in this browser.
    fn of_settings(self) -> Problem {
        Problem {
            sentence: format!("{FROM_SETTINGS}: {}", self.sentence),
            ..self
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence)
    }
}

impl Config {
    /// Returns the full scope string of the Graph permission `name` (e.g. `UserAuthenticationMethod.ReadWrite.All`).
    pub fn graph_scope(&self, name: &str) -> String {
        format!("{}/{name}", self.graph_base_url)
    }
}

/// The fields the Settings form edits, the only ones read back from localStorage: anything
/// else there (a clipboard time, templates, a handout address) is ignored, so a script or a
/// shared workstation cannot quietly switch off a protection (issue 12, point 5).
pub const SETTINGS_FIELDS: [Field; 4] = [
    Field::ClientId,
    Field::Authority,
    Field::GraphBaseUrl,
    Field::RedirectUri,
];

/// The Settings overrides as kept in localStorage: only [`SETTINGS_FIELDS`], read with the same
/// checks as `config.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// The fields the form edits, as saved.
    pub raw: RawConfig,
    /// The names of the other fields found there, ignored.
    pub ignored: Vec<String>,
    /// Why saved values cannot be used, each a sentence starting "Settings in this browser".
    pub problems: Vec<Problem>,
}

impl Overrides {
    /// True when anything at all is saved (the page then says so on every screen).
    pub fn active(&self) -> bool {
        self.raw != RawConfig::default() || !self.ignored.is_empty() || !self.problems.is_empty()
    }

    /// The [`SETTINGS_FIELDS`] this browser overrides, in the form's order.
    pub fn fields(&self) -> Vec<Field> {
        let r = &self.raw;
        [
            r.client_id.is_some(),
            r.authority.is_some(),
            r.graph_base_url.is_some(),
            r.redirect_uri.is_some(),
        ]
        .into_iter()
        .zip(SETTINGS_FIELDS)
        .filter_map(|(set, field)| set.then_some(field))
        .collect()
    }

    /// What the banner shown on every screen says while anything is saved: which fields the
    /// Settings change, what was ignored, and that config.json is one click away.
    pub fn banner(&self) -> Option<String> {
        if !self.active() {
            return None;
        }
        let fields = self.fields();
        let changed = if fields.is_empty() {
            "Settings saved in this browser are in use.".to_owned()
        } else {
            let names: Vec<&str> = fields.iter().map(|f| f.label()).collect();
            format!(
                "Settings saved in this browser override config.json: {}.",
                names.join(", ")
            )
        };
        let ignored = if self.ignored.is_empty() {
            String::new()
        } else {
            format!(
                " Ignored (only config.json may set them): {}.",
                self.ignored.join(", ")
            )
        };
        Some(format!(
            "{changed}{ignored} If you did not save them yourself, go back to config.json."
        ))
    }
}

const FROM_SETTINGS: &str = "Settings in this browser";

/// What the admin typed in the Settings form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsForm {
    pub client_id: String,
    pub authority: String,
    pub graph_base_url: String,
    pub redirect_uri: String,
}

/// Said when the browser does not keep the Settings (storage disabled or full).
pub const SETTINGS_NOT_SAVED: &str =
    "This browser refused to save the settings (storage disabled?).";

impl SettingsForm {
    /// The form filled with what is saved (an empty field: config.json's value is used).
    pub fn from_raw(raw: &RawConfig) -> SettingsForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        SettingsForm {
            client_id: text(&raw.client_id),
            authority: text(&raw.authority),
            graph_base_url: text(&raw.graph_base_url),
            redirect_uri: text(&raw.redirect_uri),
        }
    }

    /// The overrides the form makes: each field trimmed, an empty one left out.
    pub fn overrides(&self) -> RawConfig {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        RawConfig {
            client_id: opt(&self.client_id),
            authority: opt(&self.authority),
            graph_base_url: opt(&self.graph_base_url),
            redirect_uri: opt(&self.redirect_uri),
            ..RawConfig::default()
        }
    }

    /// Checks what can be checked on its own (the URLs; missing fields may come from
    /// config.json) and returns the JSON to keep in localStorage, or every problem.
    pub fn to_save(&self) -> Result<String, Vec<Problem>> {
        let overrides = self.overrides();
        let probe = RawConfig {
            client_id: Some("x".into()),
            authority: overrides
                .authority
                .clone()
                .or(Some("https://x.invalid".into())),
            ..overrides.clone()
        };
        probe.validate()?;
        serde_json::to_string(&overrides).map_err(|_| vec![Problem::file(SETTINGS_NOT_SAVED)])
    }

    /// The form after the admin picked `cloud`: its Graph host, and the authority moved to its
    /// sign-in host keeping the tenant typed so far.
    pub fn with_cloud(&self, cloud: &Cloud) -> SettingsForm {
        let tenant = url::Url::parse(&self.authority)
            .ok()
            .and_then(|u| {
                u.path_segments()
                    .and_then(|mut p| p.next().map(str::to_owned))
            })
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "<tenant ID>".into());
        SettingsForm {
            authority: cloud.authority(&tenant),
            graph_base_url: cloud.graph.to_owned(),
            ..self.clone()
        }
    }
}

/// Reads the Settings overrides kept in localStorage (`None`: nothing saved).
pub fn read_overrides(text: Option<&str>) -> Overrides {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Overrides::default();
    };
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
        return Overrides {
            problems: vec![Problem::file(format!("{FROM_SETTINGS} cannot be read: use \"Use config.json only\" and enter them again."))],
            ..Overrides::default()
        };
    };
    let (kept, ignored): (Map<String, Value>, Map<String, Value>) = map
        .into_iter()
        .partition(|(k, _)| SETTINGS_FIELDS.iter().any(|f| f.name() == k));
    let mut problems = Vec::new();
    let raw = fields_of(&kept, &mut problems);
    let mut ignored: Vec<String> = ignored.into_iter().map(|(k, _)| k).collect();
    ignored.sort();
    Overrides {
        raw,
        ignored,
        problems: problems.into_iter().map(Problem::of_settings).collect(),
    }
}

/// Returns why the overrides' `authority` and `graphBaseUrl` may not be used: each must be on a
/// national cloud preset's host, or on the host `config.json` (`file`) names for that field.
fn override_host_problems(file: &RawConfig, overrides: &RawConfig) -> Vec<Problem> {
    fn origin(url: &str) -> Option<String> {
        url::Url::parse(url)
            .ok()
            .map(|u| u.origin().ascii_serialization())
    }
    let mut out = Vec::new();
    let fields = [
        (
            Field::Authority,
            &overrides.authority,
            &file.authority,
            CLOUDS.iter().map(|c| c.login).collect::<Vec<_>>(),
        ),
        (
            Field::GraphBaseUrl,
            &overrides.graph_base_url,
            &file.graph_base_url,
            CLOUDS.iter().map(|c| c.graph).collect(),
        ),
    ];
    for (field, wanted, named, presets) in fields {
        let Some(host) = wanted.as_deref().and_then(origin) else {
            continue; // missing, or not a URL: `validate` says so
        };
        let mut allowed: Vec<String> = presets.iter().filter_map(|p| origin(p)).collect();
        allowed.extend(named.as_deref().and_then(origin));
        allowed.dedup();
        if !allowed.contains(&host) {
            out.push(Problem::invalid(field, format!(
                "{FROM_SETTINGS}: \"{name}\" may only name {}, not {host}. Another host must be named in config.json; use \"Use config.json only\" if you did not save this yourself.",
                allowed.join(", "),
                name = field.name(),
            )));
        }
    }
    out
}

/// Reads the configuration file `text` (or `Err(problem)` when it could not be had), lays the
/// Settings `overrides` over it and checks the result; `template_problems` judges the content
/// of `handoverTemplates` (`crate::handover::problems`: placeholders are hand-over's to know).
///
/// On failure returns what could be read (to prefill the setup form) and every problem, each
/// field named once: a field of the wrong type is not also reported as missing. When the
/// overrides make a usable configuration, the file's own problems do not matter; overrides
/// that cannot be used (wrong type, a host outside the presets and config.json) always do.
pub fn load(
    text: Result<&str, String>,
    overrides: &Overrides,
    template_problems: &dyn Fn(&Templates) -> Vec<String>,
) -> Result<Config, (Box<RawConfig>, Vec<Problem>)> {
    let (file, mut problems) = match text {
        Ok(text) => parse_partial(text),
        Err(problem) => (RawConfig::default(), vec![Problem::file(problem)]),
    };
    let refused: Vec<Problem> = overrides
        .problems
        .iter()
        .cloned()
        .chain(override_host_problems(&file, &overrides.raw))
        .collect();
    let raw = file.overlay(&overrides.raw);
    if !refused.is_empty() {
        problems.extend(refused);
        return Err((Box::new(raw), problems));
    }
    let templates: Vec<Problem> = raw
        .handover_templates
        .as_ref()
        .map(template_problems)
        .unwrap_or_default()
        .into_iter()
        .map(|p| Problem::invalid(Field::HandoverTemplates, p))
        .collect();
    match raw.validate() {
        // Settings that complete a missing or broken file win: they are the admin's explicit choice.
        Ok(config) if templates.is_empty() => Ok(config),
        Ok(_) => Err((Box::new(raw), templates)),
        Err(more) => {
            for p in more.into_iter().chain(templates) {
                let named = |field| problems.iter().any(|q| q.field() == Some(field));
                if !matches!(p.concern, Concern::Missing(field) if named(field)) {
                    problems.push(p);
                }
            }
            Err((Box::new(raw), problems))
        }
    }
}

/// Returns the fields of `text` read as a configuration file, or every problem found.
///
/// An empty text is reported as such, so the setup screen can say so.
pub fn parse_raw(text: &str) -> Result<RawConfig, Vec<Problem>> {
    match parse_partial(text) {
        (raw, problems) if problems.is_empty() => Ok(raw),
        (_, problems) => Err(problems),
    }
}

/// Returns the readable fields of `text` and the problems with the others.
fn parse_partial(text: &str) -> (RawConfig, Vec<Problem>) {
    match parse_fields(text) {
        Ok(pair) => pair,
        Err(problems) => (RawConfig::default(), problems),
    }
}

fn parse_fields(text: &str) -> Result<(RawConfig, Vec<Problem>), Vec<Problem>> {
    if text.trim().is_empty() {
        return Err(vec![Problem::file("config.json is empty.")]);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        vec![Problem::file(format!(
            "config.json is not valid JSON (line {}, column {}): {}.",
            e.line(),
            e.column(),
            json_error_kind(&e)
        ))]
    })?;
    let Value::Object(map) = value else {
        return Err(vec![Problem::file("config.json must be a JSON object such as {\"clientId\": \"…\", \"authority\": \"…\"}.")]);
    };
    let mut problems = Vec::new();
    let raw = fields_of(&map, &mut problems);
    Ok((raw, problems))
}

/// Reads every known field of `map` with its checks (types, ranges, cloud names), recording
/// the problems.
fn fields_of(map: &Map<String, Value>, problems: &mut Vec<Problem>) -> RawConfig {
    RawConfig {
        client_id: string_field(map, Field::ClientId, problems),
        authority: string_field(map, Field::Authority, problems),
        graph_base_url: string_field(map, Field::GraphBaseUrl, problems),
        redirect_uri: string_field(map, Field::RedirectUri, problems),
        scopes: scopes_field(map, problems),
        cloud: string_field(map, Field::Cloud, problems).and_then(|c| {
            let cloud = CloudId::from_name(&c);
            if cloud.is_none() {
                let names: Vec<&str> = CloudId::ALL.iter().map(|c| c.name()).collect();
                problems.push(Problem::invalid(
                    Field::Cloud,
                    format!(
                        "\"cloud\" must be one of {}, not \"{c}\".",
                        names.join(", ")
                    ),
                ));
            }
            cloud
        }),
        graph_timeout_seconds: seconds_field(
            map,
            Field::GraphTimeoutSeconds,
            MAX_GRAPH_TIMEOUT_SECONDS,
            problems,
        ),
        clipboard_clear_seconds: seconds_field(
            map,
            Field::ClipboardClearSeconds,
            MAX_CLIPBOARD_CLEAR_SECONDS,
            problems,
        ),
        pass_show_seconds: seconds_field(
            map,
            Field::PassShowSeconds,
            MAX_PASS_SHOW_SECONDS,
            problems,
        ),
        track_interval_seconds: seconds_field(
            map,
            Field::TrackIntervalSeconds,
            MAX_TRACK_INTERVAL_SECONDS,
            problems,
        ),
        handout_url: string_field(map, Field::HandoutUrl, problems),
        handover_templates: match map.get(Field::HandoverTemplates.name()) {
            None | Some(Value::Null) => None,
            Some(v) => match serde_json::from_value(v.clone()) {
                Ok(t) => Some(t),
                Err(_) => {
                    problems.push(Problem::invalid(Field::HandoverTemplates, "\"handoverTemplates\" must look like {\"en\": {\"user\": {\"subject\": \"…\", \"body\": \"…\"}, \"manager\": {…}}}."));
                    None
                }
            },
        },
        organization_name: string_field(map, Field::OrganizationName, problems),
    }
}

/// Reads a whole number of seconds from 1 to `max`.
fn seconds_field(
    map: &Map<String, Value>,
    field: Field,
    max: u64,
    problems: &mut Vec<Problem>,
) -> Option<u32> {
    let key = field.name();
    match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| (1..=max).contains(&v)) => {
            n.as_u64().map(|v| v as u32)
        }
        Some(_) => {
            problems.push(Problem::invalid(
                field,
                format!("\"{key}\" must be a whole number of seconds from 1 to {max}."),
            ));
            None
        }
    }
}

fn json_error_kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "the file ends too early (is it truncated?)",
        serde_json::error::Category::Syntax => "a syntax error",
        serde_json::error::Category::Data => "a value of the wrong type",
        serde_json::error::Category::Io => "it could not be read",
    }
}

fn string_field(
    map: &Map<String, Value>,
    field: Field,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let key = field.name();
    match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(other) => {
            problems.push(Problem::invalid(
                field,
                format!(
                    "\"{key}\" must be a text value in quotes, not {}.",
                    kind_of(other)
                ),
            ));
            None
        }
    }
}

fn scopes_field(map: &Map<String, Value>, problems: &mut Vec<Problem>) -> Option<Vec<String>> {
    match map.get(Field::Scopes.name()) {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut scopes = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) if !s.trim().is_empty() => scopes.push(s.trim().to_owned()),
                    other => {
                        problems.push(Problem::invalid(
                            Field::Scopes,
                            format!(
                                "\"scopes\" must list permission names as text, found {}.",
                                kind_of(other)
                            ),
                        ));
                        return None;
                    }
                }
            }
            Some(scopes)
        }
        Some(other) => {
            problems.push(Problem::invalid(
                Field::Scopes,
                format!(
                    "\"scopes\" must be a list such as [\"User.Read.All\"], not {}.",
                    kind_of(other)
                ),
            ));
            None
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl RawConfig {
    /// Returns `self` with every field that `top` sets replaced by `top`'s value.
    pub fn overlay(mut self, top: &RawConfig) -> RawConfig {
        fn pick<T: Clone>(base: &mut Option<T>, top: &Option<T>) {
            if top.is_some() {
                base.clone_from(top);
            }
        }
        pick(&mut self.client_id, &top.client_id);
        pick(&mut self.authority, &top.authority);
        pick(&mut self.graph_base_url, &top.graph_base_url);
        pick(&mut self.redirect_uri, &top.redirect_uri);
        pick(&mut self.scopes, &top.scopes);
        pick(&mut self.graph_timeout_seconds, &top.graph_timeout_seconds);
        pick(
            &mut self.clipboard_clear_seconds,
            &top.clipboard_clear_seconds,
        );
        pick(&mut self.pass_show_seconds, &top.pass_show_seconds);
        pick(&mut self.handout_url, &top.handout_url);
        pick(&mut self.cloud, &top.cloud);
        pick(&mut self.handover_templates, &top.handover_templates);
        pick(
            &mut self.track_interval_seconds,
            &top.track_interval_seconds,
        );
        pick(&mut self.organization_name, &top.organization_name);
        self
    }

    /// The cloud this configuration is for: the named preset, else the one the authority or
    /// the Graph host belongs to.
    pub fn cloud(&self) -> Option<&'static Cloud> {
        self.cloud.map(CloudId::cloud).or_else(|| {
            [self.authority.as_deref(), self.graph_base_url.as_deref()]
                .into_iter()
                .flatten()
                .find_map(cloud_of)
        })
    }

    /// The cloud the setup screen starts on: [`RawConfig::cloud`] (the Graph host tried before
    /// the authority, which two US clouds share), else the global one.
    pub fn setup_cloud(&self) -> CloudId {
        self.cloud
            .or_else(|| {
                [self.graph_base_url.as_deref(), self.authority.as_deref()]
                    .into_iter()
                    .flatten()
                    .find_map(cloud_of)
                    .map(|c| c.id)
            })
            .unwrap_or(CloudId::Global)
    }

    /// Checks every field and returns the usable configuration, or every problem found. The
    /// shape of `handoverTemplates` is checked on reading; their content by [`load`].
    pub fn validate(&self) -> Result<Config, Vec<Problem>> {
        let mut problems = Vec::new();
        let client_id = match &self.client_id {
            Some(id) => id.clone(),
            None => {
                problems.push(Problem::missing(Field::ClientId, "\"clientId\" is missing: copy the Application (client) ID from the app registration's Overview page."));
                String::new()
            }
        };
        let authority = match &self.authority {
            Some(a) => check_url(Field::Authority, a, &mut problems).inspect(|a| {
                if let Some(segment) = first_path_segment(a) {
                    if ["common", "organizations", "consumers"].contains(&segment.to_ascii_lowercase().as_str()) {
                        problems.push(Problem::invalid(Field::Authority, format!("\"authority\" uses \"/{segment}\": use your tenant ID or verified domain instead, e.g. https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0 (the sign-in answer's issuer never matches \"{segment}\").")));
                    }
                }
            }),
            None => {
                problems.push(Problem::missing(Field::Authority, "\"authority\" is missing: for Entra ID it is https://login.microsoftonline.com/<tenant ID>/v2.0."));
                None
            }
        };
        // A sign-in host whose discovery names its issuer on another host fails the issuer
        // check at every sign-in: say which host to use instead.
        if let Some((cloud, alias)) = self.authority.as_deref().and_then(|a| {
            let cloud = cloud_of(a)?;
            let alias = cloud.login_aliases.iter().find(|h| a.starts_with(*h))?;
            Some((cloud, alias))
        }) {
            problems.push(Problem::invalid(Field::Authority, format!(
                "\"authority\" uses {alias}, but that host's discovery document names its issuer on {login}, so sign-in would always fail the issuer check: use {login}/<tenant ID>/v2.0.",
                login = cloud.login
            )));
        }
        let handout_url = match (&self.handout_url, self.cloud()) {
            (Some(url), _) => url.clone(),
            (None, Some(c)) => match c.security_info {
                Some(url) => url.to_owned(),
                None => {
                    problems.push(Problem::missing(Field::HandoutUrl, format!(
                        "\"handoutUrl\" is missing: Microsoft documents no address where users of the {} cloud register their sign-in methods, so name it (for example your tenant's My Sign-Ins security-info page).",
                        c.name
                    )));
                    String::new()
                }
            },
            // Any other OpenID provider: the global address, as before (handouts are Entra's).
            (None, None) => DEFAULT_HANDOUT_URL.to_owned(),
        };
        let graph_base_url = check_url(
            Field::GraphBaseUrl,
            self.graph_base_url.as_deref().unwrap_or_else(|| {
                self.cloud
                    .map_or(DEFAULT_GRAPH_BASE_URL, |c| c.cloud().graph)
            }),
            &mut problems,
        );
        // The redirect URI must match the registration to the letter, so it is kept as written.
        let redirect_uri = self
            .redirect_uri
            .as_deref()
            .and_then(|r| check_url(Field::RedirectUri, r, &mut problems).map(|_| r.to_owned()));
        if let Some(redirect) = &self.redirect_uri {
            if redirect.contains('#') {
                problems.push(Problem::invalid(
                    Field::RedirectUri,
                    "\"redirectUri\" must not contain '#'.",
                ));
            }
        }
        let organization_name = self.organization_name.as_deref().map(str::trim);
        if let Some(name) = organization_name {
            if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
                problems.push(Problem::invalid(Field::OrganizationName, "\"organizationName\" must be 1 to 120 characters on one line, e.g. \"Contoso Ltd\" (it is printed on every handout)."));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let graph_base_url = graph_base_url.unwrap_or_default();
        let scopes = full_scopes(&graph_base_url, self.scopes.as_deref());
        Ok(Config {
            client_id,
            authority: authority.unwrap_or_default(),
            graph_base_url,
            redirect_uri,
            scopes,
            graph_timeout_seconds: self
                .graph_timeout_seconds
                .unwrap_or(DEFAULT_GRAPH_TIMEOUT_SECONDS),
            clipboard_clear_seconds: self
                .clipboard_clear_seconds
                .unwrap_or(DEFAULT_CLIPBOARD_CLEAR_SECONDS),
            pass_show_seconds: self.pass_show_seconds.unwrap_or(DEFAULT_PASS_SHOW_SECONDS),
            handout_url,
            track_interval_seconds: self
                .track_interval_seconds
                .unwrap_or(DEFAULT_TRACK_INTERVAL_SECONDS),
            handover_templates: self.handover_templates.clone().unwrap_or_default(),
            organization_name: organization_name.map(str::to_owned),
        })
    }
}

/// Returns the scopes to request: the OIDC scopes, then each Graph permission qualified with
/// the Graph host (a scope already holding `://` or a bare OIDC scope is kept as written).
pub fn full_scopes(graph_base_url: &str, permissions: Option<&[String]>) -> Vec<String> {
    let mut scopes: Vec<String> = OIDC_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    let defaults: Vec<String> = crate::permission::AT_SIGN_IN
        .iter()
        .map(|p| p.name.to_owned())
        .collect();
    for p in permissions.unwrap_or(&defaults) {
        let full = if p.contains("://") || BARE_SCOPES.contains(&p.as_str()) {
            p.clone()
        } else {
            format!("{graph_base_url}/{p}")
        };
        if !scopes.contains(&full) {
            scopes.push(full);
        }
    }
    scopes
}

/// Returns the URL without a trailing slash, or records why it is unusable.
fn check_url(field: Field, value: &str, problems: &mut Vec<Problem>) -> Option<String> {
    let name = field.name();
    let parsed = match url::Url::parse(value) {
        Ok(u) => u,
        Err(_) => {
            problems.push(Problem::invalid(
                field,
                format!("\"{name}\" is not a full URL (it must start with https://): \"{value}\"."),
            ));
            return None;
        }
    };
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            problems.push(Problem::invalid(field, format!("\"{name}\" must use https:// (plain http is only accepted for localhost): \"{value}\".")));
            return None;
        }
    }
    if parsed.query().is_some() {
        problems.push(Problem::invalid(
            field,
            format!("\"{name}\" must not contain a query string (\"?…\")."),
        ));
        return None;
    }
    Some(value.trim_end_matches('/').to_owned())
}

fn first_path_segment(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .path_segments()?
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`super::load`] with hand-over's own judge of template content, as the page loads.
    fn load(
        text: Result<&str, String>,
        overrides: &Overrides,
    ) -> Result<Config, (Box<RawConfig>, Vec<Problem>)> {
        super::load(text, overrides, &crate::handover::problems)
    }

    const GOOD: &str = r#"{"clientId":"a4b8c3d2-1e5f-4a6b-9c7d-8e9f0a1b2c3d","authority":"https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/","graphBaseUrl":"https://graph.microsoft.com"}"#;

    #[test]
    fn good_config_is_normalised() {
        let c = parse_raw(GOOD).unwrap().validate().unwrap();
        assert_eq!(
            c.authority,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
        );
        assert_eq!(c.graph_base_url, "https://graph.microsoft.com");
        assert_eq!(c.redirect_uri, None);
        assert_eq!(
            c.scopes,
            vec![
                "openid",
                "profile",
                "offline_access",
                "https://graph.microsoft.com/User.Read.All",
                "https://graph.microsoft.com/UserAuthenticationMethod.Read.All",
                "https://graph.microsoft.com/Policy.Read.AuthenticationMethod",
            ]
        );
    }

    #[test]
    fn timeout_is_bounded() {
        let c = parse_raw(GOOD).unwrap().validate().unwrap();
        assert_eq!(c.graph_timeout_seconds, DEFAULT_GRAPH_TIMEOUT_SECONDS);
        let err = parse_raw(r#"{"graphTimeoutSeconds": 0}"#).unwrap_err();
        assert!(err[0].sentence.contains("1 to 300"));
        let raw = parse_raw(
            r#"{"clientId":"x","authority":"https://i.example/t","graphTimeoutSeconds":5}"#,
        )
        .unwrap();
        assert_eq!(raw.validate().unwrap().graph_timeout_seconds, 5);
        assert_eq!(
            raw.validate().unwrap().graph_scope("X.Y"),
            "https://graph.microsoft.com/X.Y"
        );
    }

    #[test]
    fn handover_templates_are_merged_and_checked() {
        let c = load(Ok(r#"{"clientId":"x","authority":"https://id.example.org/a","handoverTemplates":{"fr":{"user":{"subject":"Votre pass","body":"{pass}"}}}}"#), &Overrides::default())
            .unwrap();
        let merged = crate::handover::merged(&c.handover_templates);
        assert!(["de", "en", "fr"].iter().all(|l| merged.contains_key(*l)));
        let err = parse_raw(r#"{"handoverTemplates":["nope"]}"#).unwrap_err();
        assert!(
            err[0]
                .sentence
                .contains("\"handoverTemplates\" must look like"),
            "{err:?}"
        );
        let (_, err) = load(Ok(r#"{"clientId":"x","authority":"https://id.example.org/a","handoverTemplates":{"en":{"user":{"subject":"s","body":"{secret}"}}}}"#), &Overrides::default())
            .unwrap_err();
        assert_eq!(err[0].field(), Some(Field::HandoverTemplates));
        assert!(
            err[0].sentence.contains("{secret} is not a placeholder"),
            "{err:?}"
        );
    }

    #[test]
    fn a_cloud_preset_chooses_the_graph_host() {
        let c = parse_raw(r#"{"clientId":"x","authority":"https://login.microsoftonline.us/t/v2.0","cloud":"dod"}"#)
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(c.graph_base_url, "https://dod-graph.microsoft.us");
        assert_eq!(c.scopes[3], "https://dod-graph.microsoft.us/User.Read.All");
        assert!(parse_raw(r#"{"cloud":"mars"}"#).unwrap_err()[0]
            .sentence
            .contains("global, usgov, dod, china"));
    }

    #[test]
    fn the_handout_address_follows_the_cloud() {
        let valid = |json: &str| parse_raw(json).unwrap().validate();
        let usgov = valid(r#"{"clientId":"x","authority":"https://login.microsoftonline.us/t/v2.0","cloud":"usgov"}"#).unwrap();
        assert_eq!(
            usgov.handout_url,
            "https://mysignins.microsoft.us/security-info"
        );
        // Recognised from the authority alone.
        let dod = valid(r#"{"clientId":"x","authority":"https://login.microsoftonline.us/t/v2.0","graphBaseUrl":"https://dod-graph.microsoft.us"}"#).unwrap();
        assert_eq!(
            dod.handout_url,
            "https://mysignins.microsoft.us/security-info"
        );
        let global = valid(GOOD).unwrap();
        assert_eq!(global.handout_url, DEFAULT_HANDOUT_URL);
        let other =
            valid(r#"{"clientId":"x","authority":"https://id.example.org/realms/a"}"#).unwrap();
        assert_eq!(other.handout_url, DEFAULT_HANDOUT_URL);
        // China: nothing documented, so it must be named; a named one always wins.
        let err = valid(
            r#"{"clientId":"x","authority":"https://login.partner.microsoftonline.cn/t/v2.0"}"#,
        )
        .unwrap_err();
        assert!(
            err[0].sentence.contains("\"handoutUrl\" is missing")
                && err[0].sentence.contains("China"),
            "{err:?}"
        );
        let china = valid(r#"{"clientId":"x","authority":"https://login.partner.microsoftonline.cn/t/v2.0","handoutUrl":"https://signin.example.cn/info"}"#).unwrap();
        assert_eq!(china.handout_url, "https://signin.example.cn/info");
    }

    #[test]
    fn the_older_china_sign_in_host_is_refused_with_the_issuer_host() {
        let err = parse_raw(r#"{"clientId":"x","authority":"https://login.chinacloudapi.cn/t/v2.0","cloud":"china","handoutUrl":"https://signin.example.cn/"}"#)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(err.len(), 1, "{err:?}");
        assert!(
            err[0]
                .sentence
                .contains("https://login.partner.microsoftonline.cn/<tenant ID>/v2.0"),
            "{err:?}"
        );
    }

    #[test]
    fn graph_defaults_to_global_cloud() {
        let c = parse_raw(r#"{"clientId":"x","authority":"https://id.example.org/realms/a"}"#)
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(c.graph_base_url, DEFAULT_GRAPH_BASE_URL);
    }

    #[test]
    fn truncated_json_says_so() {
        let err = parse_raw(r#"{"clientId": "abc", "auth"#).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].sentence.contains("truncated"), "{err:?}");
        assert!(err[0].sentence.contains("line 1"), "{err:?}");
    }

    #[test]
    fn wrong_types_are_each_named() {
        let err = parse_raw(r#"{"clientId": 42, "authority": ["x"], "scopes": "User.Read.All"}"#)
            .unwrap_err();
        assert_eq!(err.len(), 3, "{err:?}");
        assert!(err[0].sentence.contains("\"clientId\"") && err[0].sentence.contains("a number"));
        assert!(err[1].sentence.contains("\"authority\"") && err[1].sentence.contains("a list"));
        assert!(err[2].sentence.contains("\"scopes\""));
    }

    #[test]
    fn not_an_object_or_empty() {
        assert!(parse_raw("[1,2]").unwrap_err()[0]
            .sentence
            .contains("JSON object"));
        assert!(parse_raw("  ").unwrap_err()[0].sentence.contains("empty"));
    }

    #[test]
    fn missing_fields_explain_where_to_find_them() {
        let err = parse_raw("{}").unwrap().validate().unwrap_err();
        assert_eq!(err.len(), 2);
        assert!(err[0].sentence.contains("Application (client) ID"));
        assert!(err[1].sentence.contains("login.microsoftonline.com"));
    }

    #[test]
    fn insecure_and_multi_tenant_authorities_are_refused() {
        let err = parse_raw(r#"{"clientId":"x","authority":"http://login.example.com/t/v2.0"}"#)
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(err[0].sentence.contains("https"));
        let err = parse_raw(
            r#"{"clientId":"x","authority":"https://login.microsoftonline.com/common/v2.0"}"#,
        )
        .unwrap()
        .validate()
        .unwrap_err();
        assert!(err[0].sentence.contains("tenant ID"), "{err:?}");
        assert!(parse_raw(r#"{"clientId":"x","authority":"not a url"}"#)
            .unwrap()
            .validate()
            .is_err());
    }

    #[test]
    fn loopback_http_is_allowed_for_local_emulators() {
        let c = parse_raw(r#"{"clientId":"x","authority":"http://127.0.0.1:8400/t/v2.0","graphBaseUrl":"http://127.0.0.1:8401/"}"#)
            .unwrap()
            .validate()
            .unwrap();
        assert_eq!(c.scopes[3], "http://127.0.0.1:8401/User.Read.All");
    }

    #[test]
    fn load_names_each_field_once_and_keeps_readable_fields() {
        let (raw, problems) = load(
            Ok(r#"{"clientId": 42, "authority": "http://login.example.com/t/v2.0"}"#),
            &Overrides::default(),
        )
        .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0]
            .sentence
            .contains("\"clientId\" must be a text value"));
        assert!(problems[1].sentence.contains("must use https://"));
        assert_eq!(
            raw.authority.as_deref(),
            Some("http://login.example.com/t/v2.0")
        );
    }

    #[test]
    fn load_lets_settings_complete_a_missing_file() {
        let overrides = read_overrides(Some(GOOD));
        assert!(load(Err("config.json was not found.".into()), &overrides).is_ok());
        let (_, problems) = load(
            Err("config.json was not found.".into()),
            &Overrides::default(),
        )
        .unwrap_err();
        assert_eq!(problems[0].sentence, "config.json was not found.");
        let partial = Overrides {
            raw: RawConfig {
                authority: None,
                ..overrides.raw.clone()
            },
            ..Overrides::default()
        };
        let c = load(
            Ok(r#"{"authority":"https://login.microsoftonline.com/t/v2.0"}"#),
            &partial,
        )
        .unwrap();
        assert_eq!(c.client_id, "a4b8c3d2-1e5f-4a6b-9c7d-8e9f0a1b2c3d");
    }

    #[test]
    fn settings_keep_only_the_fields_the_form_edits() {
        let o = read_overrides(Some(
            r#"{"clientId":"other","clipboardClearSeconds":600000,"handoutUrl":"https://phish.example/","passShowSeconds":0,"handoverTemplates":{"en":{"user":{"subject":"s","body":"b"}}}}"#,
        ));
        assert_eq!(
            o.raw,
            RawConfig {
                client_id: Some("other".into()),
                ..RawConfig::default()
            }
        );
        assert_eq!(o.fields(), [Field::ClientId]);
        assert_eq!(
            o.ignored,
            [
                "clipboardClearSeconds",
                "handoutUrl",
                "handoverTemplates",
                "passShowSeconds"
            ]
        );
        assert!(o.problems.is_empty() && o.active(), "{o:?}");
        let c = load(Ok(GOOD), &o).unwrap();
        assert_eq!(c.client_id, "other");
        assert_eq!(c.clipboard_clear_seconds, 60);
        assert_eq!(c.pass_show_seconds, 15 * 60);
        assert_eq!(c.handout_url, DEFAULT_HANDOUT_URL);
        assert_eq!(
            crate::handover::merged(&c.handover_templates),
            crate::handover::builtin()
        );
        assert!(!read_overrides(None).active() && !read_overrides(Some(" ")).active());
    }

    #[test]
    fn settings_go_through_the_checks_of_config_json() {
        // Wrong types and URLs that config.json would be refused for are refused here too.
        let o = read_overrides(Some(
            r#"{"clientId":7,"redirectUri":"http://app.example/"}"#,
        ));
        assert_eq!(o.problems.len(), 1, "{o:?}");
        assert!(o.problems[0]
            .sentence
            .starts_with("Settings in this browser: \"clientId\" must be a text value"));
        let (_, p) = load(Ok(GOOD), &o).unwrap_err();
        assert!(p.iter().any(|p| p.sentence.contains("clientId")), "{p:?}");
        let o = read_overrides(Some(r#"{"redirectUri":"http://app.example/"}"#));
        let (_, p) = load(Ok(GOOD), &o).unwrap_err();
        assert!(
            p.iter()
                .any(|p| p.sentence.contains("\"redirectUri\" must use https://")),
            "{p:?}"
        );
        let garbage = read_overrides(Some("[1]"));
        assert!(garbage.active() && garbage.problems[0].sentence.contains("cannot be read"));
        assert!(load(Ok(GOOD), &garbage).is_err());
    }

    #[test]
    fn settings_keep_sign_in_and_graph_on_known_hosts() {
        let with = |json: &str| read_overrides(Some(json));
        // Another tenant or another national cloud is fine.
        let c = load(
            Ok(GOOD),
            &with(r#"{"authority":"https://login.microsoftonline.us/t2/v2.0","graphBaseUrl":"https://dod-graph.microsoft.us"}"#),
        )
        .unwrap();
        assert_eq!(c.graph_base_url, "https://dod-graph.microsoft.us");
        // A host of the attacker's, or one that only starts like a preset, is refused.
        for (json, field) in [
            (
                r#"{"authority":"https://login.evil.example/t/v2.0"}"#,
                "authority",
            ),
            (
                r#"{"authority":"https://login.microsoftonline.com.evil.example/t/v2.0"}"#,
                "authority",
            ),
            (
                r#"{"graphBaseUrl":"https://graph.evil.example"}"#,
                "graphBaseUrl",
            ),
            (
                r#"{"graphBaseUrl":"https://graph.microsoft.com:8443"}"#,
                "graphBaseUrl",
            ),
        ] {
            let (_, p) = load(Ok(GOOD), &with(json)).unwrap_err();
            assert_eq!(p.len(), 1, "{json}: {p:?}");
            assert!(
                p[0].sentence.starts_with(&format!(
                    "Settings in this browser: \"{field}\" may only name https://"
                )),
                "{p:?}"
            );
        }
        // Hosts config.json names itself (a local emulator, another provider) stay allowed.
        let file = r#"{"clientId":"x","authority":"http://127.0.0.1:8400/t/v2.0","graphBaseUrl":"http://127.0.0.1:8401"}"#;
        assert!(load(Ok(file), &with(r#"{"authority":"http://127.0.0.1:8400/other/v2.0","graphBaseUrl":"http://127.0.0.1:8401/"}"#)).is_ok());
        let (_, p) = load(
            Ok(file),
            &with(r#"{"graphBaseUrl":"http://127.0.0.1:9999"}"#),
        )
        .unwrap_err();
        assert!(p[0].sentence.contains("http://127.0.0.1:8401"), "{p:?}");
        // Without config.json only the presets remain.
        assert!(load(
            Err("config.json was not found.".into()),
            &with(r#"{"clientId":"x","authority":"http://127.0.0.1:8400/t/v2.0"}"#)
        )
        .is_err());
    }

    #[test]
    fn a_subject_with_the_pass_is_a_config_error() {
        let (_, err) = load(Ok(r#"{"clientId":"x","authority":"https://id.example.org/a","handoverTemplates":{"de":{"manager":{"subject":"Pass {pass}","body":"{pass}"}}}}"#), &Overrides::default())
            .unwrap_err();
        assert_eq!(err.len(), 1, "{err:?}");
        assert!(
            err[0]
                .sentence
                .contains("de.manager: {pass} may appear only in the body"),
            "{err:?}"
        );
    }

    #[test]
    fn overlay_replaces_only_set_fields() {
        let base = parse_raw(GOOD).unwrap();
        let top = RawConfig {
            client_id: Some("other".into()),
            ..Default::default()
        };
        let merged = base.clone().overlay(&top);
        assert_eq!(merged.client_id.as_deref(), Some("other"));
        assert_eq!(merged.authority, base.authority);
    }

    #[test]
    fn custom_scopes_are_qualified_once() {
        let s = full_scopes(
            "https://graph.microsoft.us",
            Some(&[
                "User.Read.All".into(),
                "https://graph.microsoft.us/User.Read.All".into(),
                "email".into(),
            ]),
        );
        assert_eq!(
            s,
            vec![
                "openid",
                "profile",
                "offline_access",
                "https://graph.microsoft.us/User.Read.All",
                "email"
            ]
        );
    }

    /// The Settings form's check, moved out of the setup screen: URLs are checked on their
    /// own, missing fields may still come from config.json, and what is saved is trimmed.
    #[test]
    fn the_settings_form_saves_only_checked_trimmed_fields() {
        let form = SettingsForm {
            client_id: "  abc  ".into(),
            authority: String::new(),
            graph_base_url: "https://graph.microsoft.us/".into(),
            redirect_uri: " ".into(),
        };
        let json = form.to_save().unwrap();
        assert_eq!(
            json,
            r#"{"clientId":"abc","graphBaseUrl":"https://graph.microsoft.us/"}"#
        );
        assert_eq!(read_overrides(Some(&json)).raw, form.overrides());
        // An empty form is fine (config.json alone); a bad URL is said, keyed by its field.
        assert_eq!(SettingsForm::default().to_save().unwrap(), "{}");
        let bad = SettingsForm {
            authority: "http://login.example.com/t/v2.0".into(),
            redirect_uri: "https://app.example/#x".into(),
            ..SettingsForm::default()
        };
        let problems = bad.to_save().unwrap_err();
        let fields: Vec<_> = problems.iter().map(Problem::field).collect();
        assert_eq!(
            fields,
            [Some(Field::Authority), Some(Field::RedirectUri)],
            "{problems:?}"
        );
        assert!(problems[0]
            .sentence
            .contains("\"authority\" must use https://"));
        assert_eq!(
            problems[1].sentence,
            "\"redirectUri\" must not contain '#'."
        );
        // What is saved reads back as the same form.
        let raw = read_overrides(Some(&form.to_save().unwrap())).raw;
        assert_eq!(
            SettingsForm::from_raw(&raw),
            SettingsForm {
                client_id: "abc".into(),
                graph_base_url: "https://graph.microsoft.us/".into(),
                ..SettingsForm::default()
            }
        );
    }

    #[test]
    fn picking_a_cloud_moves_the_authority_and_keeps_the_tenant() {
        let form = SettingsForm {
            client_id: "abc".into(),
            authority: "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0".into(),
            ..SettingsForm::default()
        };
        let dod = form.with_cloud(CloudId::Dod.cloud());
        assert_eq!(
            dod.authority,
            "https://login.microsoftonline.us/contoso.onmicrosoft.com/v2.0"
        );
        assert_eq!(dod.graph_base_url, "https://dod-graph.microsoft.us");
        assert_eq!(dod.client_id, "abc");
        let blank = SettingsForm::default().with_cloud(CloudId::China.cloud());
        assert_eq!(
            blank.authority,
            "https://login.partner.microsoftonline.cn/<tenant ID>/v2.0"
        );
    }

    #[test]
    fn the_setup_screen_starts_on_the_configured_cloud() {
        let raw = |json: &str| parse_raw(json).unwrap();
        assert_eq!(raw("{}").setup_cloud(), CloudId::Global);
        assert_eq!(raw(r#"{"cloud":"china"}"#).setup_cloud(), CloudId::China);
        // The Graph host decides between the two US clouds, which share a sign-in host.
        assert_eq!(
            raw(r#"{"authority":"https://login.microsoftonline.us/t/v2.0","graphBaseUrl":"https://dod-graph.microsoft.us"}"#).setup_cloud(),
            CloudId::Dod
        );
        assert_eq!(
            raw(r#"{"authority":"https://login.microsoftonline.us/t/v2.0"}"#).setup_cloud(),
            CloudId::UsGov
        );
        assert_eq!(
            raw(r#"{"authority":"https://id.example.org/realms/a"}"#).setup_cloud(),
            CloudId::Global
        );
    }

    #[test]
    fn the_banner_names_the_overridden_fields_and_what_was_ignored() {
        assert_eq!(read_overrides(None).banner(), None);
        let o = read_overrides(Some(
            r#"{"redirectUri":"https://app.example/","clientId":"x","handoutUrl":"https://phish.example/"}"#,
        ));
        assert_eq!(o.fields(), [Field::ClientId, Field::RedirectUri]);
        assert_eq!(
            o.banner().unwrap(),
            "Settings saved in this browser override config.json: Application (client) ID, Redirect URI. Ignored (only config.json may set them): handoutUrl. If you did not save them yourself, go back to config.json."
        );
        assert_eq!(
            read_overrides(Some("[1]")).banner().unwrap(),
            "Settings saved in this browser are in use. If you did not save them yourself, go back to config.json."
        );
    }

    /// Every problem names the field it concerns, so `load` can tell a field the file got
    /// wrong from one the Settings are missing without reading the sentence.
    #[test]
    fn problems_are_keyed_by_the_field_they_concern() {
        let err = parse_raw(
            r#"{"clientId":1,"cloud":"mars","passShowSeconds":0,"scopes":"x","handoverTemplates":[]}"#,
        )
        .unwrap_err();
        let fields: Vec<_> = err.iter().map(Problem::field).collect();
        assert_eq!(
            fields,
            [
                Some(Field::ClientId),
                Some(Field::Scopes),
                Some(Field::Cloud),
                Some(Field::PassShowSeconds),
                Some(Field::HandoverTemplates),
            ],
            "{err:?}"
        );
        for p in &err {
            let name = p.field().map(Field::name).unwrap_or_default();
            assert!(p.sentence.starts_with(&format!("\"{name}\"")), "{p:?}");
        }
        assert_eq!(parse_raw("[]").unwrap_err()[0].concern, Concern::File);
        let missing = parse_raw("{}").unwrap().validate().unwrap_err();
        assert_eq!(
            missing.iter().map(|p| p.concern).collect::<Vec<_>>(),
            [
                Concern::Missing(Field::ClientId),
                Concern::Missing(Field::Authority)
            ]
        );
        // Each field's name is the one serde writes for it.
        let all = RawConfig {
            client_id: Some("x".into()),
            authority: Some("x".into()),
            graph_base_url: Some("x".into()),
            redirect_uri: Some("x".into()),
            ..RawConfig::default()
        };
        let json = serde_json::to_value(&all).unwrap();
        for f in SETTINGS_FIELDS {
            assert!(json.get(f.name()).is_some(), "{f:?}");
        }
    }
}
