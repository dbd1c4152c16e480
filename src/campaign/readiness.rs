//! Will the passkey be accepted? What stops a user who signs in with a Temporary Access Pass
//! from registering a passkey: the passkey (FIDO2) method configuration and its targets, the
//! passkey profiles (passkey types, attestation, AAGUID lists), and Conditional Access on the
//! user action "register security information" (the check Microsoft's Zero Trust Assessment
//! makes). Pure rules: the reads are made by the view, the findings are words with the setting
//! to change.
//!
//! The rules, from Learn:
//! - "How to enable passkeys (FIDO2) in Microsoft Entra ID": the method must be enabled and
//!   target the user; "Allow self-service set up: No" stops registration in Security info; a
//!   member of an excluded group is blocked "entirely", whatever includes them; a user scoped
//!   by several profiles may register a passkey that "fully satisfies the requirements of at
//!   least one"; "Synced passkeys do not support attestation", so a profile that enforces
//!   attestation refuses them; key restrictions allow or block AAGUIDs at registration and
//!   sign-in.
//! - "How to enable synced passkeys": synced passkeys need a passkey profile that names them.
//! - "How to enable passkey (FIDO2) profiles", known issues: guests cannot register passkeys.
//! - Conditional Access "user actions": `urn:user:registersecurityinfo` applies when a user
//!   registers security information; a Temporary Access Pass satisfies the `mfa` grant, and an
//!   authentication strength accepts it only when its `allowedCombinations` hold
//!   `temporaryAccessPassOneTime` (one-time passes) or `temporaryAccessPassMultiUse`.

use crate::graph::models::{
    AuthenticationStrength, ConditionalAccessPolicy, Fido2Configuration, KeyRestrictions,
    PasskeyProfile,
};

/// The user action "register security information" in Conditional Access.
pub const REGISTER_SECURITY_INFO: &str = "urn:user:registersecurityinfo";

/// AAGUIDs of the passkey providers the checks name (the FIDO Alliance metadata names them).
pub mod aaguids {
    /// Microsoft Authenticator for iOS.
    pub const AUTHENTICATOR_IOS: &str = "90a3ccdf-635c-4729-a248-9b709135078f";
    /// Microsoft Authenticator for Android.
    pub const AUTHENTICATOR_ANDROID: &str = "de1e552d-db1d-4423-a619-566b625cdc84";
    /// iCloud Keychain.
    pub const ICLOUD_KEYCHAIN: &str = "fbfc3007-154e-4ecc-8c0b-6e020557d7bd";
    /// Google Password Manager.
    pub const GOOGLE_PASSWORD_MANAGER: &str = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4";
}

/// Where a passkey is kept: what a profile accepts or refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A security key (device-bound, attested).
    SecurityKey,
    /// A passkey in Microsoft Authenticator (device-bound, attested).
    Authenticator,
    /// A synced passkey (iCloud Keychain, Google Password Manager; never attested).
    Synced,
}

impl Kind {
    /// Every kind, in the order findings name them.
    pub const ALL: [Kind; 3] = [Kind::Synced, Kind::Authenticator, Kind::SecurityKey];

    /// The kind in words.
    pub fn words(self) -> &'static str {
        match self {
            Kind::SecurityKey => "security keys",
            Kind::Authenticator => "passkeys in Microsoft Authenticator",
            Kind::Synced => "synced passkeys (iCloud Keychain, Google Password Manager)",
        }
    }

    fn is_synced(self) -> bool {
        self == Kind::Synced
    }

    /// The AAGUIDs that identify this kind; empty for security keys (one per model).
    fn aaguids(self) -> &'static [&'static str] {
        match self {
            Kind::SecurityKey => &[],
            Kind::Authenticator => &[aaguids::AUTHENTICATOR_IOS, aaguids::AUTHENTICATOR_ANDROID],
            Kind::Synced => &[aaguids::ICLOUD_KEYCHAIN, aaguids::GOOGLE_PASSWORD_MANAGER],
        }
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The users it names cannot register a passkey with a pass.
    Blocks,
    /// Some users, or some kinds of passkey, are refused; or a change would block.
    Warns,
    /// Worth knowing; nothing refused.
    Notes,
}

impl Severity {
    /// The word before the finding.
    pub fn words(self) -> &'static str {
        match self {
            Severity::Blocks => "Blocks",
            Severity::Warns => "Warning",
            Severity::Notes => "Note",
        }
    }
}

/// What a finding is about (for tests and for the page's `data-` attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// The passkey (FIDO2) method is disabled.
    MethodDisabled,
    /// "Allow self-service set up" is off.
    SelfServiceOff,
    /// The method targets nobody, or not this user.
    NotTargeted,
    /// The method targets groups, not all users.
    TargetsGroups,
    /// The user is in an excluded group, or groups are excluded.
    Excluded,
    /// A kind of passkey is refused by every profile that applies.
    KindRefused,
    /// No kind of passkey is accepted.
    NoKindAccepted,
    /// Guests cannot register passkeys.
    Guest,
    /// A Conditional Access policy blocks registering security information.
    CaBlocks,
    /// A Conditional Access policy asks for a strength a pass does not satisfy.
    CaStrengthWithoutPass,
    /// A strength accepts only multi-use passes and the policy makes every pass one-time.
    CaMultiUseOnly,
    /// A strength accepts only one-time passes: issue one-time passes.
    CaOneTimeOnly,
    /// A policy also asks for a device or other control with AND.
    CaOtherControls,
    /// A report-only policy would block once turned on.
    CaReportOnly,
    /// Nothing in Conditional Access protects registering security information.
    CaNone,
    /// A part could not be read.
    Unread,
}

/// One finding: what stops registration (or may), and the setting to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    /// What is wrong, in words.
    pub text: String,
    /// The setting to change, where it is.
    pub fix: String,
}

impl Finding {
    fn new(severity: Severity, code: Code, text: String, fix: &str) -> Finding {
        Finding {
            severity,
            code,
            text,
            fix: fix.to_owned(),
        }
    }
}

/// What was read; `None` for a part that was not read (no permission, or Graph refused).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policies {
    /// `GET .../authenticationMethodConfigurations/fido2` (`Policy.Read.AuthenticationMethod`).
    pub fido2: Option<Fido2Configuration>,
    /// `GET /policies/authenticationStrengthPolicies`, to resolve a policy's strength by id.
    pub strengths: Option<Vec<AuthenticationStrength>>,
    /// `GET /identity/conditionalAccess/policies` (`Policy.Read.All`).
    pub conditional_access: Option<Vec<ConditionalAccessPolicy>>,
    /// The pass policy's `isUsableOnce`: every pass is one-time when true.
    pub passes_one_time_only: Option<bool>,
}

/// One user the check is about. Memberships unknown (`None`) make group- and role-scoped
/// settings "may apply".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member<'a> {
    /// Object id.
    pub id: &'a str,
    /// A guest (`userType` Guest).
    pub is_guest: bool,
    /// The ids of every group the user is a member of (transitively), when read.
    pub groups: Option<&'a [String]>,
    /// The role template ids the user holds, when read.
    pub roles: Option<&'a [String]>,
}

/// Who the check is about: the tenant (anyone, as the Policy screen shows it) or one user
/// (a wave's dry run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who<'a> {
    Everyone,
    User(Member<'a>),
}

/// Whether a set of ids applies to the user: yes, no, or unknown (memberships not read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Applies {
    Yes,
    No,
    Maybe,
}

fn in_list(list: Option<&[String]>, ids: &[String]) -> Applies {
    if ids.is_empty() {
        return Applies::No;
    }
    match list {
        None => Applies::Maybe,
        Some(l)
            if ids
                .iter()
                .any(|i| l.iter().any(|g| g.eq_ignore_ascii_case(i))) =>
        {
            Applies::Yes
        }
        Some(_) => Applies::No,
    }
}

fn any_of(parts: &[Applies]) -> Applies {
    if parts.contains(&Applies::Yes) {
        Applies::Yes
    } else if parts.contains(&Applies::Maybe) {
        Applies::Maybe
    } else {
        Applies::No
    }
}

fn has(list: &[String], s: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(s))
}

/// Checks whether a passkey will be accepted for `who`, from what was read. Findings come
/// worst first; an empty list means nothing stops registration.
pub fn check(policies: &Policies, who: Who<'_>) -> Vec<Finding> {
    let mut out = vec![];
    if let Who::User(m) = who {
        if m.is_guest {
            out.push(Finding::new(
                Severity::Blocks,
                Code::Guest,
                "Guests cannot register passkeys in this tenant (Microsoft does not support passkey registration for guest users).".into(),
                "Nothing to change here: a guest uses the sign-in methods of their home organisation.",
            ));
        }
    }
    match &policies.fido2 {
        None => out.push(unread("the passkey (FIDO2) method settings")),
        Some(c) => method(c, who, &mut out),
    }
    match &policies.conditional_access {
        None => out.push(unread("the Conditional Access policies")),
        Some(list) => conditional_access(list, policies, who, &mut out),
    }
    out.sort_by_key(|f| f.severity);
    out
}

/// The group ids the settings name (the passkey method's include and exclude targets, the
/// users conditions of the Conditional Access policies on registering security information),
/// without `all_users` and without duplicates: a wave's dry run asks Graph which of these
/// each user is in (`checkMemberGroups`, 20 users a `$batch`) and passes the answer as
/// [`Member::groups`]; a user's other groups do not change the verdict.
pub fn groups_named(policies: &Policies) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut push = |id: &str| {
        if !id.eq_ignore_ascii_case("all_users") && !has(&out, id) {
            out.push(id.to_owned());
        }
    };
    if let Some(c) = &policies.fido2 {
        c.include_targets.iter().for_each(|t| push(&t.id));
        c.exclude_targets.iter().for_each(|t| push(&t.id));
    }
    for p in policies.conditional_access.iter().flatten() {
        let registration = p
            .conditions
            .as_ref()
            .and_then(|c| c.applications.as_ref())
            .is_some_and(|a| has(&a.include_user_actions, REGISTER_SECURITY_INFO));
        if let (true, Some(u)) = (
            registration,
            p.conditions.as_ref().and_then(|c| c.users.as_ref()),
        ) {
            u.include_groups
                .iter()
                .chain(&u.exclude_groups)
                .for_each(|g| push(g));
        }
    }
    out
}

/// True when a finding blocks.
pub fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Blocks)
}

/// The one-line verdict above the findings.
pub fn verdict(findings: &[Finding]) -> &'static str {
    if blocks(findings) {
        "A passkey cannot be registered with a Temporary Access Pass until the settings below are changed."
    } else if findings.iter().any(|f| f.code == Code::Unread) {
        "Nothing read so far blocks registering a passkey with a pass, but part of the settings could not be read."
    } else if findings.iter().any(|f| f.severity == Severity::Warns) {
        "A passkey can be registered with a Temporary Access Pass, with the limits below."
    } else {
        "Nothing blocks registering a passkey with a Temporary Access Pass."
    }
}

fn unread(what: &str) -> Finding {
    Finding::new(
        Severity::Warns,
        Code::Unread,
        format!("Not checked: {what} could not be read."),
        "Grant the permission asked for above, or sign in with a role that may read it.",
    )
}

const METHOD_FIX: &str =
    "Entra admin center › Entra ID › Authentication methods › Policies › Passkey (FIDO2)";

fn method(c: &Fido2Configuration, who: Who<'_>, out: &mut Vec<Finding>) {
    if !c.state.eq_ignore_ascii_case("enabled") {
        out.push(Finding::new(
            Severity::Blocks,
            Code::MethodDisabled,
            "Passkeys (FIDO2) are turned off in the Authentication methods policy: nobody can register one.".into(),
            &format!("{METHOD_FIX} › Enable and target: turn it on and target all users or the campaign's groups."),
        ));
        return;
    }
    if c.is_self_service_registration_allowed == Some(false) {
        out.push(Finding::new(
            Severity::Blocks,
            Code::SelfServiceOff,
            "\"Allow self-service set up\" is off: users cannot add a passkey in Security info, even with a pass.".into(),
            &format!("{METHOD_FIX} › Configure › Allow self-service set up: Yes."),
        ));
    }
    let excluded: Vec<String> = c.exclude_targets.iter().map(|t| t.id.clone()).collect();
    // The include targets that apply to `who`, with how sure we are.
    let targets: Vec<(Applies, &crate::graph::models::PasskeyTarget)> = c
        .include_targets
        .iter()
        .map(|t| {
            let applies = if t.id.eq_ignore_ascii_case("all_users") {
                Applies::Yes
            } else {
                match who {
                    Who::Everyone => Applies::Maybe,
                    Who::User(m) => in_list(m.groups, std::slice::from_ref(&t.id)),
                }
            };
            (applies, t)
        })
        .filter(|(a, _)| *a != Applies::No)
        .collect();
    match who {
        Who::Everyone => {
            if c.include_targets.is_empty() {
                out.push(Finding::new(
                    Severity::Blocks,
                    Code::NotTargeted,
                    "Passkeys (FIDO2) are on but target nobody.".into(),
                    &format!("{METHOD_FIX} › Enable and target › Add target: all users or the campaign's groups."),
                ));
                return;
            }
            if !c
                .include_targets
                .iter()
                .any(|t| t.id.eq_ignore_ascii_case("all_users"))
            {
                out.push(Finding::new(
                    Severity::Warns,
                    Code::TargetsGroups,
                    format!(
                        "Passkeys (FIDO2) target {} only: users outside them cannot register one.",
                        groups_words(c.include_targets.len())
                    ),
                    &format!("{METHOD_FIX} › Enable and target: add the campaign's users (or all users)."),
                ));
            }
            if !excluded.is_empty() {
                out.push(Finding::new(
                    Severity::Warns,
                    Code::Excluded,
                    format!(
                        "{} excluded from passkeys: their members cannot register one, whatever else includes them.",
                        capitalised(&groups_words(excluded.len()))
                    ),
                    &format!("{METHOD_FIX} › Enable and target › Exclude: remove the campaign's users from the excluded groups."),
                ));
            }
        }
        Who::User(m) => {
            match in_list(m.groups, &excluded) {
                Applies::Yes => {
                    out.push(Finding::new(
                        Severity::Blocks,
                        Code::Excluded,
                        "This user is in a group excluded from passkeys (FIDO2): exclusion wins over every include.".into(),
                        &format!("{METHOD_FIX} › Enable and target › Exclude: take the user out of the excluded group."),
                    ));
                    return;
                }
                Applies::Maybe => out.push(Finding::new(
                    Severity::Warns,
                    Code::Excluded,
                    "Groups are excluded from passkeys (FIDO2); this user's groups were not read, so a membership may block them.".into(),
                    &format!("{METHOD_FIX} › Enable and target › Exclude."),
                )),
                Applies::No => {}
            }
            if targets.is_empty() {
                out.push(Finding::new(
                    Severity::Blocks,
                    Code::NotTargeted,
                    "Passkeys (FIDO2) do not target this user: none of their groups is included.".into(),
                    &format!("{METHOD_FIX} › Enable and target: add a group the user is in, or all users."),
                ));
                return;
            }
            if targets.iter().all(|(a, _)| *a == Applies::Maybe) {
                out.push(Finding::new(
                    Severity::Warns,
                    Code::NotTargeted,
                    "Passkeys (FIDO2) target groups only, and this user's groups were not read."
                        .into(),
                    &format!("{METHOD_FIX} › Enable and target."),
                ));
            }
        }
    }
    profiles(c, &targets, out);
}

fn groups_words(n: usize) -> String {
    if n == 1 {
        "one group".into()
    } else {
        format!("{n} groups")
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What one profile (or the tenant-wide settings of a tenant without profiles) does to a kind:
/// `None` accepted, `Some(reason)` refused.
fn refusal(kind: Kind, types: &str, attested: bool, keys: &KeyRestrictions) -> Option<String> {
    let wanted = if kind.is_synced() {
        "synced"
    } else {
        "deviceBound"
    };
    if !types
        .split(',')
        .any(|t| t.trim().eq_ignore_ascii_case(wanted))
    {
        return Some(if kind.is_synced() {
            "its passkey types leave out synced".into()
        } else {
            "its passkey types leave out device-bound".into()
        });
    }
    if attested && kind.is_synced() {
        return Some("it enforces attestation, which synced passkeys never provide".into());
    }
    if keys.is_enforced {
        let listed = |g: &&str| keys.aa_guids.iter().any(|a| a.eq_ignore_ascii_case(g));
        let block = keys.enforcement_type.eq_ignore_ascii_case("block");
        match kind {
            // Models cannot be told from here: an allow list allows some keys, a block list
            // blocks some.
            Kind::SecurityKey => {
                if !block && keys.aa_guids.is_empty() {
                    return Some("its AAGUID allow list is empty".into());
                }
            }
            _ => {
                let ids = kind.aaguids();
                if block && ids.iter().any(listed) {
                    return Some("its AAGUID block list names them".into());
                }
                if !block && !ids.iter().any(listed) {
                    return Some("its AAGUID allow list leaves them out".into());
                }
            }
        }
    }
    None
}

/// A profile's name and, per kind, why it refuses it (`None`: accepted).
type Judged = (String, Vec<(Kind, Option<String>)>);

/// The profiles that apply through `targets` (each target's `allowedPasskeyProfiles`, or the
/// default profile when it names none); a tenant without profiles is judged on its tenant-wide
/// settings, and without profiles synced passkeys cannot be turned on.
fn profiles(
    c: &Fido2Configuration,
    targets: &[(Applies, &crate::graph::models::PasskeyTarget)],
    out: &mut Vec<Finding>,
) {
    let fix = format!("{METHOD_FIX} › Configure › the passkey profile");
    // (name, refusal per kind)
    let judged: Vec<Judged> = if c.passkey_profiles.is_empty() {
        let keys = c.key_restrictions.clone().unwrap_or_default();
        let attested = c.is_attestation_enforced.unwrap_or(false);
        vec![(
            "the tenant-wide passkey settings".into(),
            Kind::ALL
                .iter()
                .map(|k| {
                    let r = if k.is_synced() {
                        Some("synced passkeys need a passkey profile that names them".into())
                    } else {
                        refusal(*k, "deviceBound", attested, &keys)
                    };
                    (*k, r)
                })
                .collect(),
        )]
    } else {
        let mut ids: Vec<&str> = vec![];
        for (_, t) in targets {
            if t.allowed_passkey_profiles.is_empty() {
                if let Some(d) = c.default_passkey_profile.as_deref() {
                    ids.push(d);
                }
            }
            for p in &t.allowed_passkey_profiles {
                ids.push(p);
            }
        }
        let applying: Vec<&PasskeyProfile> = c
            .passkey_profiles
            .iter()
            .filter(|p| ids.iter().any(|i| i.eq_ignore_ascii_case(&p.id)))
            .collect();
        applying
            .iter()
            .map(|p| {
                let attested = p
                    .attestation_enforcement
                    .eq_ignore_ascii_case("registrationOnly");
                let name = if p.name.is_empty() {
                    p.id.clone()
                } else {
                    p.name.clone()
                };
                (
                    format!("\"{name}\""),
                    Kind::ALL
                        .iter()
                        .map(|k| {
                            (
                                *k,
                                refusal(*k, &p.passkey_types, attested, &p.key_restrictions),
                            )
                        })
                        .collect(),
                )
            })
            .collect()
    };
    if judged.is_empty() {
        out.push(Finding::new(
            Severity::Blocks,
            Code::NoKindAccepted,
            "No passkey profile applies to the targeted users: no passkey can be registered."
                .into(),
            &format!("{METHOD_FIX} › Enable and target: give each target a passkey profile."),
        ));
        return;
    }
    let refused: Vec<(Kind, Vec<String>)> = Kind::ALL
        .iter()
        .filter_map(|k| {
            // A kind is accepted when at least one applying profile accepts it.
            let reasons: Option<Vec<String>> = judged
                .iter()
                .map(|(name, kinds)| {
                    kinds
                        .iter()
                        .find(|(kk, _)| kk == k)
                        .and_then(|(_, r)| r.clone())
                        .map(|r| format!("{name}: {r}"))
                })
                .collect();
            reasons.map(|r| (*k, r))
        })
        .collect();
    if refused.len() == Kind::ALL.len() {
        out.push(Finding::new(
            Severity::Blocks,
            Code::NoKindAccepted,
            format!(
                "No kind of passkey is accepted: {}.",
                refused
                    .iter()
                    .flat_map(|(_, r)| r.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            &format!("{fix}: allow at least one passkey type, without an AAGUID list that leaves it out."),
        ));
        return;
    }
    for (kind, reasons) in refused {
        let change = match kind {
            Kind::Synced => "Passkey types: add Synced, with Enforce attestation: No (synced passkeys are never attested).",
            Kind::Authenticator => "Passkey types: Device-bound, and let the AAGUID list allow Microsoft Authenticator (90a3ccdf-…, de1e552d-…).",
            Kind::SecurityKey => "Passkey types: Device-bound, with an AAGUID allow list naming the keys you hand out.",
        };
        let who = match kind {
            Kind::Synced => " Users without a security key or Microsoft Authenticator cannot save a passkey in their phone's or browser's password manager.",
            _ => "",
        };
        out.push(Finding::new(
            Severity::Warns,
            Code::KindRefused,
            format!(
                "{} are refused: {}.{who}",
                capitalised(kind.words()),
                reasons.join("; ")
            ),
            &format!("{fix} › {change}"),
        ));
    }
}

const CA_FIX: &str = "Entra admin center › Entra ID › Conditional Access › Policies";

/// Whether policy `p` applies to `who` by its users condition (`All`, ids, groups, roles,
/// `GuestsOrExternalUsers`), exclusions first.
fn ca_applies(p: &ConditionalAccessPolicy, who: Who<'_>) -> Applies {
    let Some(u) = p.conditions.as_ref().and_then(|c| c.users.as_ref()) else {
        return Applies::No;
    };
    if has(&u.include_users, "None") && u.include_groups.is_empty() && u.include_roles.is_empty() {
        return Applies::No;
    }
    match who {
        Who::Everyone => {
            let any = !u.include_users.is_empty()
                || !u.include_groups.is_empty()
                || !u.include_roles.is_empty();
            if has(&u.include_users, "All") {
                Applies::Yes
            } else if any {
                Applies::Maybe
            } else {
                Applies::No
            }
        }
        Who::User(m) => {
            let excluded = any_of(&[
                if has(&u.exclude_users, m.id) {
                    Applies::Yes
                } else {
                    Applies::No
                },
                in_list(m.groups, &u.exclude_groups),
                in_list(m.roles, &u.exclude_roles),
            ]);
            if excluded == Applies::Yes {
                return Applies::No;
            }
            let included = any_of(&[
                if has(&u.include_users, "All")
                    || has(&u.include_users, m.id)
                    || (m.is_guest && has(&u.include_users, "GuestsOrExternalUsers"))
                {
                    Applies::Yes
                } else {
                    Applies::No
                },
                in_list(m.groups, &u.include_groups),
                in_list(m.roles, &u.include_roles),
            ]);
            match (included, excluded) {
                (Applies::No, _) => Applies::No,
                (Applies::Yes, Applies::No) => Applies::Yes,
                _ => Applies::Maybe,
            }
        }
    }
}

/// The strength's combinations: those embedded in the policy, or the strength of that id.
fn combinations(
    s: &AuthenticationStrength,
    strengths: Option<&[AuthenticationStrength]>,
) -> Vec<String> {
    if !s.allowed_combinations.is_empty() {
        return s.allowed_combinations.clone();
    }
    strengths
        .and_then(|all| all.iter().find(|x| x.id.eq_ignore_ascii_case(&s.id)))
        .map(|x| x.allowed_combinations.clone())
        .unwrap_or_default()
}

fn conditional_access(
    list: &[ConditionalAccessPolicy],
    policies: &Policies,
    who: Who<'_>,
    out: &mut Vec<Finding>,
) {
    let mut any = false;
    for p in list {
        let registration = p
            .conditions
            .as_ref()
            .and_then(|c| c.applications.as_ref())
            .is_some_and(|a| has(&a.include_user_actions, REGISTER_SECURITY_INFO));
        if !registration || p.state.eq_ignore_ascii_case("disabled") {
            continue;
        }
        let applies = ca_applies(p, who);
        if applies == Applies::No {
            continue;
        }
        let report_only = !p.state.eq_ignore_ascii_case("enabled");
        if !report_only {
            any = true;
        }
        let name = if p.display_name.is_empty() {
            p.id.clone()
        } else {
            p.display_name.clone()
        };
        let scope = match (who, applies) {
            (Who::Everyone, Applies::Yes) => "every user it targets",
            (Who::Everyone, _) => "the users and groups it targets",
            (Who::User(_), Applies::Yes) => "this user",
            (Who::User(_), _) => "this user if they are in its groups or roles (not read)",
        };
        let severe = |s: Severity| {
            if report_only || (matches!(who, Who::User(_)) && applies == Applies::Maybe) {
                Severity::Warns
            } else {
                s
            }
        };
        let fix = format!("{CA_FIX} › \"{name}\" › Grant");
        let mut found: Vec<Finding> = vec![];
        let Some(g) = p.grant_controls.as_ref() else {
            continue;
        };
        if has(&g.built_in_controls, "block") {
            found.push(Finding::new(
                severe(Severity::Blocks),
                Code::CaBlocks,
                format!("Conditional Access policy \"{name}\" blocks registering security information for {scope} (unless its other conditions, such as locations, leave them out)."),
                &format!("{fix}: replace Block access with an authentication strength that includes Temporary Access Pass, or exclude the campaign's users."),
            ));
        }
        if let Some(s) = &g.authentication_strength {
            let combos = combinations(s, policies.strengths.as_deref());
            let one_time = has(&combos, "temporaryAccessPassOneTime");
            let multi = has(&combos, "temporaryAccessPassMultiUse");
            let strength = if s.display_name.is_empty() {
                "its authentication strength".to_owned()
            } else {
                format!("the authentication strength \"{}\"", s.display_name)
            };
            if !one_time && !multi {
                found.push(Finding::new(
                    severe(Severity::Blocks),
                    Code::CaStrengthWithoutPass,
                    format!("Conditional Access policy \"{name}\" asks {scope} for {strength} to register security information, and a Temporary Access Pass does not satisfy it: a user whose only way in is a pass cannot reach the passkey registration."),
                    &format!("{fix} › Require authentication strength: pick one that allows Temporary Access Pass (one-time), such as \"Multifactor authentication\", or add Temporary Access Pass to the custom strength (Authentication methods › Authentication strengths)."),
                ));
            } else if !one_time && policies.passes_one_time_only == Some(true) {
                found.push(Finding::new(
                    severe(Severity::Blocks),
                    Code::CaMultiUseOnly,
                    format!("Conditional Access policy \"{name}\" accepts only multi-use passes through {strength}, but the pass policy makes every pass one-time."),
                    "Authentication methods › Authentication strengths: add Temporary Access Pass (one-time) to the strength; or allow multi-use passes in the Temporary Access Pass policy.",
                ));
            } else if !one_time {
                found.push(Finding::new(
                    severe(Severity::Warns),
                    Code::CaMultiUseOnly,
                    format!("Conditional Access policy \"{name}\" accepts only multi-use passes through {strength}: a one-time pass does not let {scope} register."),
                    "Issue multi-use passes to these users, or add Temporary Access Pass (one-time) to the strength (Authentication methods › Authentication strengths).",
                ));
            } else if !multi && policies.passes_one_time_only != Some(true) {
                found.push(Finding::new(
                    Severity::Notes,
                    Code::CaOneTimeOnly,
                    format!("Conditional Access policy \"{name}\" accepts only one-time passes through {strength}: issue one-time passes to the campaign's users."),
                    "Nothing to change if the passes are one-time.",
                ));
            }
        }
        let operator_and = g
            .operator
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case("AND"));
        let others: Vec<&str> = g
            .built_in_controls
            .iter()
            .map(String::as_str)
            .filter(|c| !c.eq_ignore_ascii_case("mfa") && !c.eq_ignore_ascii_case("block"))
            .collect();
        if operator_and && !others.is_empty() {
            found.push(Finding::new(
                Severity::Warns,
                Code::CaOtherControls,
                format!("Conditional Access policy \"{name}\" also requires {} to register security information: a user on a new or personal device may be stopped even with a pass.", others.join(" and ")),
                &format!("{fix}: require one of the selected controls, or exclude the campaign's users during the campaign."),
            ));
        }
        for mut f in found {
            if report_only && f.severity == Severity::Warns && f.code != Code::CaOtherControls {
                f.code = Code::CaReportOnly;
                f.text = format!("Report-only now; once turned on: {}", f.text);
            }
            out.push(f);
        }
    }
    if !any && matches!(who, Who::Everyone) {
        out.push(Finding::new(
            Severity::Notes,
            Code::CaNone,
            "No Conditional Access policy protects registering security information: anyone who learns a password can register their own methods.".into(),
            &format!("{CA_FIX} › New policy › Target resources › User actions › Register security information, with an authentication strength that includes Temporary Access Pass."),
        ));
    }
}

/// One user of a wave as the dry run found them (owned, so a view can keep it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaveUser {
    /// Object id.
    pub id: String,
    /// A guest.
    pub is_guest: bool,
    /// The role template ids the user holds.
    pub roles: Vec<String>,
}

impl WaveUser {
    /// The user as [`check`] takes them (group memberships not read: "may apply").
    pub fn member(&self) -> Member<'_> {
        Member {
            id: &self.id,
            is_guest: self.is_guest,
            groups: None,
            roles: Some(&self.roles),
        }
    }
}

/// A wave's findings before its passes are created: [`check`] for each member, each distinct
/// finding once with how many members it concerns, most severe first (then most members).
pub fn wave(policies: &Policies, members: &[Member<'_>]) -> Vec<(Finding, usize)> {
    let mut out: Vec<(Finding, usize)> = Vec::new();
    for m in members {
        for f in check(policies, Who::User(*m)) {
            match out.iter_mut().find(|(seen, _)| *seen == f) {
                Some((_, n)) => *n += 1,
                None => out.push((f, 1)),
            }
        }
    }
    out.sort_by(|(a, n), (b, k)| a.severity.cmp(&b.severity).then(k.cmp(n)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_wave_counts_each_finding_once_with_its_members_most_severe_first() {
        let policies = Policies {
            fido2: Some(fido2(
                json!([profile("p0", "deviceBound,synced", "disabled", None)]),
                all_users(&["p0"]),
            )),
            ..Policies::default()
        };
        let member = |id, is_guest| Member {
            id,
            is_guest,
            groups: None,
            roles: Some(&[]),
        };
        let found = wave(
            &policies,
            &[member("a", false), member("g", true), member("b", false)],
        );
        let guest = found
            .iter()
            .find(|(f, _)| f.code == Code::Guest)
            .expect("guest finding");
        assert_eq!(guest.1, 1);
        assert_eq!(found[0].0.severity, Severity::Blocks);
        for (f, n) in &found {
            let alone = check(&policies, Who::User(member("a", false)));
            if f.code != Code::Guest {
                assert!(alone.contains(f), "{f:?}");
                assert_eq!(*n, 3, "{f:?} concerns every member");
            }
        }
        assert!(found.windows(2).all(|w| w[0].0.severity <= w[1].0.severity));
        assert!(wave(&policies, &[]).is_empty());
    }

    fn fido2(profiles: serde_json::Value, targets: serde_json::Value) -> Fido2Configuration {
        serde_json::from_value(json!({
            "state": "enabled",
            "isSelfServiceRegistrationAllowed": true,
            "defaultPasskeyProfile": "p0",
            "includeTargets": targets,
            "excludeTargets": [],
            "passkeyProfiles": profiles,
        }))
        .expect("fido2")
    }

    fn profile(
        id: &str,
        types: &str,
        attestation: &str,
        keys: Option<(&str, &[&str])>,
    ) -> serde_json::Value {
        let (on, kind, ids) = match keys {
            Some((k, ids)) => (true, k, ids.to_vec()),
            None => (false, "allow", vec![]),
        };
        json!({"id": id, "name": id, "passkeyTypes": types, "attestationEnforcement": attestation,
            "keyRestrictions": {"isEnforced": on, "enforcementType": kind, "aaGuids": ids}})
    }

    fn all_users(profiles: &[&str]) -> serde_json::Value {
        json!([{"targetType": "group", "id": "all_users", "allowedPasskeyProfiles": profiles}])
    }

    fn ca(
        state: &str,
        users: serde_json::Value,
        grant: serde_json::Value,
    ) -> ConditionalAccessPolicy {
        serde_json::from_value(json!({
            "id": "c1", "displayName": "Secure registration", "state": state,
            "conditions": {"applications": {"includeUserActions": [REGISTER_SECURITY_INFO]}, "users": users},
            "grantControls": grant,
        }))
        .expect("ca")
    }

    fn everyone() -> serde_json::Value {
        json!({"includeUsers": ["All"]})
    }

    fn strength(combos: &[&str]) -> serde_json::Value {
        json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "s1", "displayName": "Custom", "allowedCombinations": combos}})
    }

    fn clean() -> Policies {
        Policies {
            fido2: Some(fido2(
                json!([profile("p0", "deviceBound,synced", "disabled", None)]),
                all_users(&["p0"]),
            )),
            strengths: Some(vec![]),
            conditional_access: Some(vec![ca(
                "enabled",
                everyone(),
                strength(&["fido2", "temporaryAccessPassOneTime"]),
            )]),
            passes_one_time_only: Some(true),
        }
    }

    fn codes(f: &[Finding]) -> Vec<Code> {
        f.iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_clean_tenant_has_no_finding() {
        let f = check(&clean(), Who::Everyone);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(
            verdict(&f),
            "Nothing blocks registering a passkey with a Temporary Access Pass."
        );
    }

    #[test]
    fn a_strength_without_a_pass_on_register_security_info_blocks() {
        let mut p = clean();
        p.conditional_access = Some(vec![ca(
            "enabled",
            everyone(),
            strength(&[
                "fido2",
                "windowsHelloForBusiness",
                "x509CertificateMultiFactor",
            ]),
        )]);
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::CaStrengthWithoutPass]);
        assert_eq!(f[0].severity, Severity::Blocks);
        assert!(
            f[0].text.contains("\"Secure registration\""),
            "{}",
            f[0].text
        );
        assert!(f[0].fix.contains("Require authentication strength"));
        assert!(blocks(&f));
        // Report-only: a warning that says what turning it on does.
        p.conditional_access = Some(vec![ca(
            "enabledForReportingButNotEnforced",
            everyone(),
            strength(&["fido2"]),
        )]);
        let f = check(&p, Who::Everyone);
        assert!(
            f.iter()
                .any(|f| f.code == Code::CaReportOnly && f.severity == Severity::Warns),
            "{f:?}"
        );
        assert!(!blocks(&f));
        // Disabled: nothing, but then nothing protects registration.
        p.conditional_access = Some(vec![ca("disabled", everyone(), strength(&["fido2"]))]);
        assert_eq!(codes(&check(&p, Who::Everyone)), [Code::CaNone]);
        // The plain MFA grant: a pass satisfies it.
        p.conditional_access = Some(vec![ca(
            "enabled",
            everyone(),
            json!({"operator": "OR", "builtInControls": ["mfa"]}),
        )]);
        assert!(check(&p, Who::Everyone).is_empty());
    }

    #[test]
    fn a_strength_named_by_id_is_resolved_from_the_strengths_list() {
        let mut p = clean();
        p.conditional_access = Some(vec![ca(
            "enabled",
            everyone(),
            json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}),
        )]);
        p.strengths = Some(vec![AuthenticationStrength {
            id: "00000000-0000-0000-0000-000000000004".into(),
            display_name: "Phishing-resistant MFA".into(),
            allowed_combinations: vec!["windowsHelloForBusiness".into(), "fido2".into()],
        }]);
        assert_eq!(
            codes(&check(&p, Who::Everyone)),
            [Code::CaStrengthWithoutPass]
        );
        p.strengths.as_mut().unwrap()[0]
            .allowed_combinations
            .push("temporaryAccessPassOneTime".into());
        assert!(check(&p, Who::Everyone).is_empty());
    }

    #[test]
    fn one_time_and_multi_use_passes_are_told_apart() {
        let mut p = clean();
        p.conditional_access = Some(vec![ca(
            "enabled",
            everyone(),
            strength(&["fido2", "temporaryAccessPassMultiUse"]),
        )]);
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::CaMultiUseOnly]);
        assert_eq!(f[0].severity, Severity::Blocks);
        p.passes_one_time_only = Some(false);
        assert_eq!(check(&p, Who::Everyone)[0].severity, Severity::Warns);
        p.conditional_access = Some(vec![ca(
            "enabled",
            everyone(),
            strength(&["temporaryAccessPassOneTime"]),
        )]);
        assert_eq!(codes(&check(&p, Who::Everyone)), [Code::CaOneTimeOnly]);
    }

    #[test]
    fn block_and_extra_controls_are_named() {
        let mut p = clean();
        p.conditional_access = Some(vec![ca(
            "enabled",
            everyone(),
            json!({"operator": "OR", "builtInControls": ["block"]}),
        )]);
        assert_eq!(codes(&check(&p, Who::Everyone)), [Code::CaBlocks]);
        p.conditional_access = Some(vec![ca(
            "enabled",
            everyone(),
            json!({"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]}),
        )]);
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::CaOtherControls]);
        assert!(f[0].text.contains("compliantDevice"));
    }

    #[test]
    fn a_profile_refusing_synced_passkeys_is_flagged_with_its_reason() {
        let mut p = clean();
        p.fido2 = Some(fido2(
            json!([profile("p0", "deviceBound", "disabled", None)]),
            all_users(&["p0"]),
        ));
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::KindRefused]);
        assert!(f[0].text.starts_with("Synced passkeys"), "{}", f[0].text);
        assert!(f[0].text.contains("leave out synced"));
        assert!(f[0].fix.contains("add Synced"));
        // Attestation refuses synced passkeys even when the type is allowed.
        p.fido2 = Some(fido2(
            json!([profile(
                "p0",
                "deviceBound,synced",
                "registrationOnly",
                None
            )]),
            all_users(&["p0"]),
        ));
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::KindRefused]);
        assert!(f[0].text.contains("enforces attestation"));
        // A second profile that accepts them: at least one profile is enough.
        p.fido2 = Some(fido2(
            json!([
                profile("p0", "deviceBound", "registrationOnly", None),
                profile("p1", "synced", "disabled", None)
            ]),
            all_users(&["p0", "p1"]),
        ));
        assert!(check(&p, Who::Everyone).is_empty());
    }

    #[test]
    fn aaguid_lists_refuse_authenticator_and_synced_providers() {
        let mut p = clean();
        let block = [aaguids::AUTHENTICATOR_IOS];
        p.fido2 = Some(fido2(
            json!([profile(
                "p0",
                "deviceBound,synced",
                "disabled",
                Some(("block", &block))
            )]),
            all_users(&["p0"]),
        ));
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::KindRefused]);
        assert!(f[0].text.contains("Microsoft Authenticator"));
        let allow = ["cb69481e-8ff7-4039-93ec-0a2729a154a8"];
        p.fido2 = Some(fido2(
            json!([profile(
                "p0",
                "deviceBound,synced",
                "disabled",
                Some(("allow", &allow))
            )]),
            all_users(&["p0"]),
        ));
        assert_eq!(
            codes(&check(&p, Who::Everyone)),
            [Code::KindRefused, Code::KindRefused]
        );
        let none: [&str; 0] = [];
        p.fido2 = Some(fido2(
            json!([profile(
                "p0",
                "deviceBound",
                "disabled",
                Some(("allow", &none))
            )]),
            all_users(&["p0"]),
        ));
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::NoKindAccepted]);
        assert!(blocks(&f));
    }

    #[test]
    fn the_method_switch_self_service_and_targets_block() {
        let mut p = clean();
        let mut c = p.fido2.clone().unwrap();
        c.state = "disabled".into();
        p.fido2 = Some(c.clone());
        assert_eq!(codes(&check(&p, Who::Everyone)), [Code::MethodDisabled]);
        c.state = "enabled".into();
        c.is_self_service_registration_allowed = Some(false);
        p.fido2 = Some(c.clone());
        assert_eq!(codes(&check(&p, Who::Everyone)), [Code::SelfServiceOff]);
        c.is_self_service_registration_allowed = Some(true);
        c.include_targets.clear();
        p.fido2 = Some(c);
        assert_eq!(codes(&check(&p, Who::Everyone)), [Code::NotTargeted]);
    }

    #[test]
    fn one_user_is_judged_on_their_groups_and_exclusion_wins() {
        let mut p = clean();
        let mut c = fido2(
            json!([profile("p0", "deviceBound,synced", "disabled", None)]),
            json!([{"id": "g-finance", "allowedPasskeyProfiles": ["p0"]}]),
        );
        c.exclude_targets = vec![crate::graph::models::ExcludedGroup {
            id: "g-kiosk".into(),
        }];
        p.fido2 = Some(c);
        let fin = vec!["g-finance".to_string()];
        let member = |groups: Option<&'static [String]>| Member {
            id: "u1",
            is_guest: false,
            groups,
            roles: Some(&[]),
        };
        let fin: &'static [String] = Box::leak(fin.into_boxed_slice());
        assert!(check(&p, Who::User(member(Some(fin)))).is_empty());
        let none: &'static [String] = &[];
        assert_eq!(
            codes(&check(&p, Who::User(member(Some(none))))),
            [Code::NotTargeted]
        );
        let both: &'static [String] =
            Box::leak(vec!["g-finance".to_string(), "g-kiosk".to_string()].into_boxed_slice());
        let f = check(&p, Who::User(member(Some(both))));
        assert_eq!(codes(&f), [Code::Excluded]);
        assert_eq!(f[0].severity, Severity::Blocks);
        // Groups unknown: warnings, never a block.
        let f = check(&p, Who::User(member(None)));
        assert!(!blocks(&f), "{f:?}");
        // Everyone: the group-only target and the exclusion are warnings.
        assert_eq!(
            codes(&check(&p, Who::Everyone)),
            [Code::TargetsGroups, Code::Excluded]
        );
        // A guest never registers.
        let guest = Member {
            id: "g",
            is_guest: true,
            groups: Some(fin),
            roles: Some(&[]),
        };
        assert_eq!(check(&p, Who::User(guest))[0].code, Code::Guest);
    }

    #[test]
    fn conditional_access_scoping_follows_users_groups_and_exclusions() {
        let mut p = clean();
        p.conditional_access = Some(vec![ca(
            "enabled",
            json!({"includeUsers": ["All"], "excludeGroups": ["g-break-glass"]}),
            strength(&["fido2"]),
        )]);
        let glass: &'static [String] =
            Box::leak(vec!["g-break-glass".to_string()].into_boxed_slice());
        let out = Member {
            id: "u1",
            is_guest: false,
            groups: Some(glass),
            roles: Some(&[]),
        };
        assert!(check(&p, Who::User(out)).is_empty());
        let plain = Member {
            id: "u2",
            is_guest: false,
            groups: Some(&[]),
            roles: Some(&[]),
        };
        assert_eq!(
            codes(&check(&p, Who::User(plain))),
            [Code::CaStrengthWithoutPass]
        );
        // Scoped to a group, memberships unknown: a warning for the user.
        p.conditional_access = Some(vec![ca(
            "enabled",
            json!({"includeGroups": ["g-x"]}),
            strength(&["fido2"]),
        )]);
        let unknown = Member {
            id: "u3",
            is_guest: false,
            groups: None,
            roles: None,
        };
        let f = check(&p, Who::User(unknown));
        assert_eq!(f[0].severity, Severity::Warns);
        // For the tenant a group-scoped block still blocks (some users).
        assert!(blocks(&check(&p, Who::Everyone)));
    }

    #[test]
    fn parts_not_read_are_said() {
        let p = Policies::default();
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::Unread, Code::Unread]);
        assert!(verdict(&f).contains("could not be read"));
    }

    #[test]
    fn a_tenant_without_profiles_cannot_have_synced_passkeys() {
        let mut p = clean();
        p.fido2 = Some(serde_json::from_value(json!({"state": "enabled", "includeTargets": [{"id": "all_users"}], "isAttestationEnforced": true})).unwrap());
        let f = check(&p, Who::Everyone);
        assert_eq!(codes(&f), [Code::KindRefused]);
        assert!(f[0].text.contains("need a passkey profile"));
    }

    #[test]
    fn a_wave_asks_only_for_the_groups_the_settings_name() {
        let mut p = clean();
        let mut c = fido2(
            json!([profile("p0", "deviceBound,synced", "disabled", None)]),
            json!([{"id": "all_users"}, {"id": "g-finance"}]),
        );
        c.exclude_targets = vec![crate::graph::models::ExcludedGroup {
            id: "g-kiosk".into(),
        }];
        p.fido2 = Some(c);
        let mut other = ca(
            "enabled",
            json!({"includeGroups": ["g-other"]}),
            strength(&["fido2"]),
        );
        other.conditions.as_mut().unwrap().applications = None;
        p.conditional_access = Some(vec![
            ca(
                "enabled",
                json!({"includeGroups": ["g-finance", "g-sales"], "excludeGroups": ["g-glass"]}),
                strength(&["fido2"]),
            ),
            other,
        ]);
        assert_eq!(
            groups_named(&p),
            ["g-finance", "g-kiosk", "g-sales", "g-glass"]
        );
        assert!(groups_named(&Policies::default()).is_empty());
    }
}
