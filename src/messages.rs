//! Sentences an admin can act on, for every sign-in and Graph failure, and the names of directory roles.

use crate::auth::AuthError;
use crate::graph::{GraphError, Unanswered};
use crate::permission;

/// What the admin was doing when Graph answered with an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Search,
    ReadUser,
    ReadPasses,
    CreatePass,
    DeletePass,
    ReadPolicy,
    EditPolicy,
    ReadAudit,
    SendMail,
    /// Reading the admin's own role assignments and units (issue 16).
    ReadScope,
    /// Removing a user's phone method after a passkey (the tracker, issue 15).
    DeletePhone,
    /// Reading the registration report (`userRegistrationDetails`, issue 15).
    ReadRegistrationReport,
}

/// Well-known directory role template ids (the `wids` claim) and their names.
pub const ROLES: &[(&str, &str)] = &[
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
    ),
    (
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
    ),
    (
        "0526716b-113d-4c15-b2c8-68e3c22b9f80",
        "Authentication Policy Administrator",
    ),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    ("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader"),
    ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers"),
    ("95e79109-95c0-4d8e-aee3-d01accf2d47b", "Guest Inviter"),
    (
        "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b",
        "Message Center Reader",
    ),
    (
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
    ),
    ("4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader"),
    (
        "75934031-6c7e-415a-99d7-48dbd49e875e",
        "Usage Summary Reports Reader",
    ),
    (
        "27460883-1df1-4691-b032-3b79643e5e63",
        "User Experience Success Manager",
    ),
    ("5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", "Security Operator"),
    (
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
    ),
    (
        "ac434307-12b9-4fa1-a708-88bf58caabc1",
        "Global Secure Access Administrator",
    ),
];

/// How a role Graph did not name is shown (limited information: id and type only).
pub const UNNAMED_ROLE: &str = "an admin role";

/// The default user role every member holds; not an admin role.
pub const DEFAULT_USER_ROLE: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";

/// Returns the name of the role with template id `id`, if it is one this page knows.
pub fn role_name(id: &str) -> Option<&'static str> {
    ROLES
        .iter()
        .find(|(rid, _)| rid.eq_ignore_ascii_case(id))
        .map(|(_, n)| *n)
}

/// What the signed-in admin's roles allow with passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    /// Global or Privileged Authentication Administrator: passes for every user but themselves.
    Everyone,
    /// Authentication Administrator: passes for users without admin roles.
    NonAdmins,
    /// Global Reader: sees passes, cannot issue them.
    ReadOnly,
    /// No tenant-wide active role that issues passes (one scoped to an administrative unit or
    /// eligible in PIM is not in `wids`: Graph decides).
    None,
    /// The sign-in did not say (no `wids` claim: the app registration's
    /// `groupMembershipClaims` adds it, other providers never send it). Nothing is blocked on
    /// the page; Graph decides and its refusal is explained.
    Unknown,
}

/// Returns what `roles` (template ids from `wids`) allow; `None` (no `wids` claim) is
/// [`Capability::Unknown`].
pub fn capability(roles: Option<&[String]>) -> Capability {
    let Some(roles) = roles else {
        return Capability::Unknown;
    };
    let has = |name: &str| roles.iter().any(|r| role_name(r) == Some(name));
    if has("Global Administrator") || has("Privileged Authentication Administrator") {
        Capability::Everyone
    } else if has("Authentication Administrator") {
        Capability::NonAdmins
    } else if has("Global Reader") {
        Capability::ReadOnly
    } else {
        Capability::None
    }
}

/// One sentence on what `capability` means for the admin.
pub fn capability_text(capability: Capability) -> &'static str {
    match capability {
        Capability::Everyone => "You can issue passes to every user except yourself.",
        Capability::NonAdmins => "You can issue passes to users without admin roles.",
        Capability::ReadOnly => "You can see passes but not issue or delete them.",
        Capability::None => "Your sign-in lists no role that issues passes, so this page offers no Create. A role scoped to an administrative unit or not yet activated in PIM is not listed: activate it and sign in again, or ask for the Authentication Administrator role (users without admin roles) or Privileged Authentication Administrator (everyone).",
        Capability::Unknown => "Your sign-in does not list your admin roles, so this page blocks nothing: Graph decides on each pass and its refusal is explained. (The app registration's groupMembershipClaims set to DirectoryRole adds them.)",
    }
}

/// The account bar's roles line for a token that names no admin role.
pub const NO_ADMIN_ROLE: &str = "No admin role";

/// What the account bar says about the admin's roles: their names, "No admin role", or that
/// the sign-in did not list them (never a GUID: unknown template ids are "an admin role").
pub fn roles_text(roles: Option<&[String]>) -> String {
    let Some(roles) = roles else {
        return "Roles unknown".to_owned();
    };
    let names: Vec<&str> = roles
        .iter()
        .filter(|r| !r.eq_ignore_ascii_case(DEFAULT_USER_ROLE))
        .map(|r| role_name(r).unwrap_or("an admin role"))
        .collect();
    if names.is_empty() {
        NO_ADMIN_ROLE.to_owned()
    } else {
        names.join(", ")
    }
}

/// The note when the policy names groups but their membership cannot be read (issue 11 point 3):
/// coverage is unknown, nothing is blocked, Graph still enforces the policy on create.
pub fn coverage_unknown(name: Option<&str>) -> String {
    let who = name.unwrap_or("this user");
    format!("Policy coverage unknown: the Temporary Access Pass policy names groups, and checking whether {who} is in them needs the permission GroupMember.Read.All, which your sign-in does not carry. You can still create the pass; Graph refuses it if the policy does not cover {who}.")
}

/// Returns the sentence for a Graph error met while doing `action`.
pub fn graph(e: &GraphError, action: Operation) -> String {
    let msg = e.message.as_str();
    match &e.unanswered {
        Some(Unanswered::UntrustedUrl) => return format!("{msg} Your sign-in was not sent there. Check the Graph URL in Settings, or report this answer to whoever runs the page."),
        Some(Unanswered::SignedOut | Unanswered::SignInRequired(_)) => return "Graph no longer accepts your sign-in. Sign in again.".into(),
        Some(Unanswered::Network | Unanswered::Timeout { .. }) | None => {}
    }
    match e.status {
        // No answer (lost, timed out) or an answer missing from a `$batch`.
        0 => match action {
            Operation::CreatePass => "The connection to Graph was lost while creating the pass: it may or may not have been created. Check the user's current pass below before creating another.".into(),
            Operation::SendMail => "The connection to Graph was lost while sending: the message may or may not have gone. Ask the recipient before sending it again.".into(),
            _ => "Graph did not answer. Check your network connection and the Graph URL in Settings, then try again.".into(),
        },
        401 => "Graph no longer accepts your sign-in. Sign in again.".into(),
        403 if e.code == REPORT_LICENCE_CODE => REPORT_NEEDS_LICENCE.into(),
        403 => forbidden(msg, action),
        404 if action == Operation::SendMail || e.code == "MailboxNotEnabledForRESTAPI" => "Your account has no mailbox, so this page cannot send mail as you: copy the message instead and send it another way.".into(),
        404 => match action {
            Operation::DeletePass => "That pass no longer exists: it was already deleted or replaced.".into(),
            Operation::DeletePhone => "That phone method no longer exists: it was already removed.".into(),
            Operation::ReadPolicy => "The tenant has no Temporary Access Pass policy to read; the form uses Graph's own limits.".into(),
            _ => "No such user: check the name, UPN or object ID.".into(),
        },
        400 => bad_request(e, action),
        429 => "Graph is limiting how fast this page may send requests. Wait a minute, then try again.".into(),
        500..=599 => match action {
            Operation::CreatePass => format!("Graph had a problem (HTTP {}) while creating the pass: it may or may not have been created. Check the user's current pass below before creating another.", e.status),
            Operation::SendMail => format!("Graph had a problem (HTTP {}) while sending: the message may or may not have gone. Ask the recipient before sending it again.", e.status),
            _ => format!("Graph had a temporary problem (HTTP {}). Try again in a moment.", e.status),
        },
        s => format!("Graph refused the request (HTTP {s}){}", detail(msg)),
    }
}

fn detail(msg: &str) -> String {
    if msg.is_empty() {
        ".".into()
    } else {
        format!(": {msg}")
    }
}

fn forbidden(msg: &str, action: Operation) -> String {
    if msg.contains("yourself") {
        return OWN_ACCOUNT_REFUSED.into();
    }
    // Learn's wording for a member of a restricted-management administrative unit (issue 16).
    if msg.contains("restricted management administrative unit") {
        return RESTRICTED_UNIT_REFUSED.into();
    }
    match action {
        Operation::CreatePass | Operation::DeletePass => format!("You are not allowed to manage this user's passes. The Authentication Administrator role covers users without admin roles; users with admin roles need a Privileged Authentication Administrator. The app also needs the delegated permission {}.", permission::TAP_WRITE.name),
        Operation::ReadPasses => format!("You are not allowed to see this user's authentication methods: it needs an Authentication Administrator, Privileged Authentication Administrator or Global Reader role, and the permission {}.", permission::METHODS_READ.name),
        Operation::SendMail => format!("This page may not send mail as you: it needs the permission {}, and your account needs a mailbox.", permission::MAIL_SEND.name),
        Operation::ReadAudit => format!("You are not allowed to read the directory audit log: it needs the permissions {} and {} (use Grant permission on this screen), and a role such as Global Reader, Security Reader, Security Administrator or Reports Reader.", permission::AUDIT_LOG_READ.name, permission::DIRECTORY_READ.name),
        Operation::EditPolicy => format!("You are not allowed to change the Temporary Access Pass policy: it needs the Authentication Policy Administrator or Global Administrator role, and the permission {} (use Grant permission on this screen).", permission::POLICY_WRITE.name),
        Operation::ReadPolicy => format!("Your account cannot read the tenant's Temporary Access Pass policy, so its limits are unknown here: reading it needs the Global Reader, Authentication Policy Administrator or Global Administrator role (an Authentication Administrator cannot) and the {} permission. You can still create passes: leave the lifetime empty for the tenant's default; if a value is outside the policy, Graph refuses it and this page says the allowed range.", permission::POLICY_READ.name),
        Operation::ReadScope => format!("Your role assignments could not be read (it needs the permissions {} and {}), so this page offers the whole tenant and Graph decides on each user.", permission::ROLES_READ.name, permission::UNITS_READ.name),
        Operation::DeletePhone => format!("You are not allowed to remove this user's phone method. The Authentication Administrator role covers users without admin roles; users with admin roles need a Privileged Authentication Administrator. The app also needs the delegated permission {}.", permission::METHODS_WRITE.name),
        Operation::ReadRegistrationReport => format!("You are not allowed to read the registration report: it needs the permission {} (use Grant permission on this screen) and a reports-reading role: Reports Reader, Security Reader, Security Administrator or Global Reader.", permission::AUDIT_LOG_READ.name),
        Operation::Search | Operation::ReadUser => format!("You are not allowed to read users: the app needs the delegated permission {}, granted by an administrator.", permission::USER_READ_ALL.name),
    }
}

/// The two numbers of Graph's "Invalid LifetimeInMinutes specified. The valid range between
/// 60 and 480." (the tenant policy's bounds), in order, if the message carries them.
fn lifetime_range(msg: &str) -> Option<(u32, u32)> {
    let tail = &msg[msg.find("between")?..];
    let mut numbers = tail
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse::<u32>().ok());
    let (a, b) = (numbers.next()?, numbers.next()?);
    Some((a.min(b), a.max(b)))
}

fn bad_request(e: &GraphError, action: Operation) -> String {
    let msg = e.message.as_str();
    if action == Operation::SendMail {
        return format!(
            "The message was not sent{} Check the address and try again.",
            detail(msg)
        );
    }
    if action == Operation::EditPolicy {
        return format!("Graph refused the policy change{} Nothing was changed; correct the value and review again.", detail(msg));
    }
    if action == Operation::DeletePhone {
        return format!("Graph refused to remove the phone{} A mobile number can only go once no alternate mobile number is left: remove that one first.", detail(msg));
    }
    if msg.contains("LifetimeInMinutes") {
        return match lifetime_range(msg) {
            Some((min, max)) => format!(
                "Your tenant's policy allows a lifetime between {} and {} ({min} to {max} minutes). Pick a value in that range, or leave the lifetime empty for the tenant's default.",
                duration_words(min),
                duration_words(max)
            ),
            None => format!("The lifetime is outside what your tenant's policy allows ({}). Pick a value in that range.", msg.trim_end_matches('.')),
        };
    }
    if msg.contains("external guest") {
        return GUEST_REFUSED.into();
    }
    if msg.contains("UserCredentialPolicy") {
        return POLICY_REFUSES_USER.into();
    }
    if msg.to_ascii_lowercase().contains("one-time") || msg.contains("isUsableOnce") {
        return "Your tenant's policy only allows one-time passes: leave \"One-time use\" switched on.".into();
    }
    match action {
        Operation::Search => {
            "That search could not be run. Try a name, a UPN or an object ID.".into()
        }
        _ => format!("Graph refused the request{}", detail(msg)),
    }
}

/// Returns the Entra ID admin-consent link for the app: `{authority}/adminconsent?…` with the
/// Graph `.default` scope, for a Global Administrator to grant every configured permission at once.
pub fn admin_consent_url(config: &crate::config::Config, redirect_uri: &str) -> String {
    let mut url = format!("{}/adminconsent", config.authority.trim_end_matches('/'));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &config.client_id)
        .append_pair("scope", &config.graph_scope(".default"))
        .append_pair("redirect_uri", redirect_uri)
        .finish();
    url.push('?');
    url.push_str(&query);
    url
}

/// Returns the sentence for a sign-in failure.
pub fn auth(e: &AuthError) -> String {
    match e {
        AuthError::Discovery { url, reason } => format!("Could not read the sign-in authority's configuration at {url}: {reason}. Check \"authority\" in config.json or Settings."),
        AuthError::IssuerMismatch { expected, found } => format!("The sign-in authority calls itself {found}, but the configured authority is {expected}. Set \"authority\" to {found} exactly."),
        AuthError::PkceUnsupported => "The sign-in provider does not offer PKCE with S256, which this page requires for a safe sign-in.".into(),
        AuthError::UnknownAttempt => "This sign-in answer does not belong to a sign-in started in this tab (it was already used, or did not come from here). Nothing was done with it. Sign in again.".into(),
        AuthError::AttemptExpired => "The sign-in took longer than 10 minutes and expired. Sign in again.".into(),
        AuthError::StateMismatch => "The sign-in answer does not match the request this tab sent (state mismatch), so it was refused. Sign in again.".into(),
        AuthError::IssParamMismatch => "The sign-in answer names a different issuer than the configured authority, so it was refused.".into(),
        AuthError::TokensInUrl => "The sign-in answer carried tokens in the address bar, which this page never asks for, so it was refused. Register the page under the Single-page application platform (authorization code flow).".into(),
        AuthError::NonceMismatch => "The ID token does not belong to this sign-in (nonce mismatch), so it was refused. Sign in again.".into(),
        AuthError::IdToken(why) => format!("The ID token was refused: {why}."),
        AuthError::Network(why) => format!("Could not reach the sign-in service ({why}). Check your connection, and that the authority allows this page's address (a Single-page application redirect URI)."),
        AuthError::SignInRequired => "Your session ended. Sign in again.".into(),
        AuthError::Provider { error, description, code } => provider(error, description, *code),
        AuthError::TenantByDomain { configured, authority, .. } => format!("\"authority\" names the tenant by a domain name ({configured}), but the sign-in authority identifies it by its tenant ID. Put \"authority\": \"{authority}\" in config.json (or Settings): the same tenant, by an ID that never moves to another tenant as a domain name can."),
        AuthError::Cancelled { consent, description } => {
            let text = if *consent {
                "You cancelled the consent, so nothing was granted. Sign in again and accept the permissions when you are ready; a Global Administrator can also grant them for the whole organisation."
            } else {
                "The sign-in was cancelled. Sign in when you are ready."
            };
            let first_line = description.lines().next().unwrap_or_default().trim();
            if first_line.is_empty() {
                text.to_owned()
            } else {
                format!("{text} The provider said: \"{first_line}\"")
            }
        }
        AuthError::NoRandomness => "This browser gave no secure random numbers (crypto.getRandomValues), which a safe sign-in needs. Use a current version of Edge, Chrome, Firefox or Safari.".into(),
    }
}

/// Returns the sentence shown beside the Sign in button when a silent sign-in (`prompt=none`)
/// was refused, or `None` when the button says enough (issue 11 point 13). Never an error: the
/// next click signs the same account in interactively.
pub fn silent_refusal(e: &AuthError) -> Option<String> {
    let AuthError::Provider { error, code, .. } = e else {
        return None;
    };
    let text = match (code, error.as_str()) {
        (Some(50076 | 50079), _) => "Your organisation asks you to confirm this sign-in (multi-factor authentication). Select Sign in to continue.",
        (Some(53003), _) => "Conditional Access needs you to sign in again. Select Sign in; if it is blocked, ask your administrators which policy applies (the sign-in logs name it).",
        (Some(65001), _) | (_, "consent_required") => "A permission this page needs is waiting for your consent. Select Sign in and accept it.",
        (Some(50058), _) | (_, "login_required") => "Your session with the sign-in service has ended. Select Sign in to continue.",
        (_, "interaction_required") => "The sign-in service needs you to confirm this sign-in. Select Sign in to continue.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// The sentence for a click on Sign in that does nothing because a sign-in is already under way.
pub fn sign_in_already_started(seconds_ago: u64) -> String {
    if seconds_ago == 0 {
        return "The sign-in page is opening. Wait a moment.".into();
    }
    format!("A sign-in started in this tab {seconds_ago} s ago is still opening the sign-in page. Wait a moment, or reload this page to start again.")
}

fn provider(error: &str, description: &str, code: Option<u32>) -> String {
    let first_line = description.lines().next().unwrap_or_default().trim();
    let said = if first_line.is_empty() {
        String::new()
    } else {
        format!(" The provider said: \"{first_line}\"")
    };
    let text = match code {
        Some(50011) => "The redirect URI is not registered for this app. Add this page's exact address as a Single-page application redirect URI in the app registration.",
        Some(65001) => "Consent is missing for a permission this page needs. Sign in again and accept, or ask a Global Administrator to grant admin consent to the app.",
        Some(65004) => "The permissions were declined. The page cannot work without them: sign in again and accept.",
        Some(90094) => "This app needs an administrator's approval before you can use it. A Global Administrator (or Privileged Role Administrator) must grant admin consent for the app in Entra admin center › Enterprise applications › Permissions.",
        Some(700016) => "The application (client) ID was not found in this tenant. Check \"clientId\", and that \"authority\" names the tenant where the app is registered.",
        Some(9002326) => "The token request was refused: the redirect URI is registered under the Web platform. Register it under Single-page application instead.",
        Some(9002327) => "The token request was refused: Single-page application tokens can only be redeemed from the browser page itself.",
        Some(700084) => "Your sign-in is more than 24 hours old, so it can no longer be renewed. Sign in again.",
        Some(70008) => "The sign-in code expired or was already used. Sign in again.",
        Some(501481) => "The sign-in proof (PKCE verifier) did not match, so the sign-in was refused. Sign in again.",
        Some(50058) => "You are not signed in with the authority any more. Sign in.",
        Some(50076 | 50079) => "Your organisation requires multi-factor authentication for this sign-in. Sign in again and complete it.",
        Some(53003) => "Conditional Access blocked this sign-in. Ask your administrators which policy applies (the sign-in logs name it).",
        Some(50034) => "That account does not exist in this directory.",
        Some(50057) => "That account is disabled.",
        _ => match error {
            "access_denied" => "The sign-in was cancelled or refused.",
            "login_required" | "interaction_required" => "You need to sign in again.",
            "consent_required" => "Consent is needed: sign in again and accept the permissions.",
            "invalid_grant" => "The sign-in could not be completed or renewed. Sign in again.",
            _ => "The sign-in failed.",
        },
    };
    format!("{text}{said}")
}

/// Returns a duration in minutes as words: "45 minutes", "2 hours", "1 day 2 hours".
pub fn duration_words(minutes: u32) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let unit = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(unit(d, "day", "days"));
    }
    if h > 0 {
        parts.push(unit(h, "hour", "hours"));
    }
    if m > 0 || parts.is_empty() {
        parts.push(unit(m, "minute", "minutes"));
    }
    parts.join(" ")
}

/// Shown instead of the page when it is loaded inside a frame of another page.
pub const FRAMED: &str = "tapdesk does not run inside a frame. Open it in its own browser tab, at its own address. If you did not put it in a frame yourself, the page around it may be trying to trick you into creating or revealing a pass.";

/// Why no pass is created for a guest from another organisation: said before sending (the
/// single form and a bulk line) and for Graph's own refusal.
pub const GUEST_REFUSED: &str = "Guests from other organisations cannot get a Temporary Access Pass: they sign in through their own organisation.";

/// Why the single form creates no pass for the signed-in admin: said before sending and for
/// Graph's own refusal.
pub const OWN_ACCOUNT_REFUSED: &str = "You cannot create a Temporary Access Pass for your own account; another administrator must do it.";

/// Why a bulk line for the signed-in admin is blocked.
pub const OWN_ACCOUNT_LINE: &str =
    "This is your own account: another administrator must create your pass.";

/// The banner when the tenant's TAP policy is off.
pub const POLICY_OFF: &str = "The Temporary Access Pass policy is disabled in this tenant, so no pass can be created. A Global Administrator or Authentication Policy Administrator can enable it under Entra admin center › Protection › Authentication methods › Temporary Access Pass.";

/// Why every bulk line is blocked while the tenant's TAP policy is off.
pub const POLICY_OFF_LINE: &str = "Your tenant's Temporary Access Pass policy is disabled, so Graph will refuse every pass. A Global Administrator or Authentication Policy Administrator can enable it.";

/// Graph's refusal of a pass the policy does not allow (off, or the user outside its groups).
pub const POLICY_REFUSES_USER: &str = "Your tenant's Temporary Access Pass policy does not allow a pass for this user: the policy is disabled, or the user is outside its included groups or in an excluded group. A Global Administrator or Authentication Policy Administrator can change it under Entra admin center › Protection › Authentication methods › Temporary Access Pass.";

/// Returns `n` with its noun, singular for one: "1 pass", "2 passes", "0 passes".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Returns the time left in words, for "in …" and "… left": "21 h 15 min", "4 min 5 s",
/// "12 s", "2 d 3 h"; "0 s" when over. Seconds are rounded up, so "0 s" means now.
pub fn countdown_words(ms_left: f64) -> String {
    let s = (ms_left / 1000.0).max(0.0).ceil() as u64;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let pair = |a: u64, a_unit: &str, b: u64, b_unit: &str| {
        if b == 0 {
            format!("{a} {a_unit}")
        } else {
            format!("{a} {a_unit} {b} {b_unit}")
        }
    };
    if d > 0 {
        pair(d, "d", h, "h")
    } else if h > 0 {
        pair(h, "h", m, "min")
    } else if m > 0 {
        pair(m, "min", sec, "s")
    } else {
        format!("{sec} s")
    }
}

/// Opens the local notice after a refused incremental consent (issue 17).
pub const CONSENT_NOT_GRANTED: &str =
    "The permission was not granted: you are still signed in and nothing changed.";

/// The account band's capability for an admin whose issuing roles are all scoped to
/// administrative units (issue 16).
pub const UNIT_SCOPE_CAPABILITY: &str =
    "You can issue passes to members of your administrative units who hold no admin role.";

/// The account band's offer to read the admin's scope, when the sign-in lists no tenant-wide
/// role that issues passes and the permissions to read role assignments are not granted yet.
pub const SCOPE_CONSENT: &str = "Your sign-in lists no tenant-wide role that issues passes. Roles scoped to administrative units and roles eligible in PIM are not listed: this page can read them (it asks for permission to read role assignments and administrative units).";

/// Graph refused a change to a member of a restricted-management administrative unit (issue 16).
pub const RESTRICTED_UNIT_REFUSED: &str = "This user is in a restricted-management administrative unit: only administrators assigned to that unit may change their sign-in methods, not even a Global Administrator. Ask an administrator of that unit.";

/// Why a part of the passkey-registration checks (issue 15) could not be read: a refusal names
/// the permission and the roles Graph documents for it; other failures in Graph's words.
/// `conditional_access` picks the Conditional Access policies, else the passkey (FIDO2) method
/// settings and authentication strengths.
pub fn passkey_policy_unread(e: &GraphError, conditional_access: bool) -> String {
    match (e.status, conditional_access) {
        (403, true) => format!("Conditional Access could not be read: it needs the {} permission and the Global Reader, Security Reader, Security Administrator, Conditional Access Administrator or Global Administrator role. The other checks still apply.", permission::POLICY_READ_ALL.name),
        (403, false) => format!("The passkey (FIDO2) settings could not be read: they need the {} permission and the Global Reader, Authentication Policy Administrator, Security Reader or Global Administrator role.", permission::POLICY_READ.name),
        (404, _) => "Graph answered that these settings do not exist in this tenant (HTTP 404): the check treats them as not read.".into(),
        _ => graph(e, Operation::Search),
    }
}

/// A badge whose create ran but whose answer was lost (issue 16 point 3).
pub const BADGE_CREATED_UNSEEN: &str =
    "Created, but its PIN and QR could not be shown: delete it and create again.";
/// A badge whose outcome stayed unknown after every allowed attempt.
pub const BADGE_UNRESOLVED: &str = "Graph did not confirm this badge after several attempts, and none exists now. Try again later.";
/// A badge whose outcome could not be read back.
pub const BADGE_UNKNOWN: &str = "The connection was lost while creating this badge and its QR method could not be read: check the user on the One user screen before creating another.";
/// The `qrCodePin` policy is off: Graph refuses every badge.
pub const BADGE_POLICY_OFF: &str = "The QR code + PIN sign-in method is turned off in this tenant, so Graph refuses every badge. An Authentication Policy Administrator turns it on in Entra ID: Authentication methods, QR code.";
/// Printed on every badge: the PIN never shares its paper.
pub const BADGE_PIN_APART: &str = "PIN handed separately";

/// Why Graph refused a badge create, as a sentence.
pub fn badge_refused(e: &GraphError) -> String {
    match e.status {
        400 | 409 if !e.message.is_empty() => format!("Graph refused the badge: {}", e.message),
        _ => graph(e, Operation::ReadUser),
    }
}
/// The code Graph answers the registration report with in a tenant without Entra ID P1 or P2
/// (reported shape; see the emulator's `Settings::without_premium_licence`).
pub const REPORT_LICENCE_CODE: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";

/// The registration report refused for the tenant's licence (issue 15).
pub const REPORT_NEEDS_LICENCE: &str = "Your tenant cannot read the registration report: Microsoft makes it available only with a Microsoft Entra ID P1 or P2 licence. With such a licence in the tenant, open this screen again; without one, the Pass holders and One user screens still show each user's methods.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_refusals_land_on_a_sentence_not_an_error() {
        let e = |err: &str, d: &str| AuthError::provider(err, Some(d));
        let login = silent_refusal(&e(
            "login_required",
            "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
        ))
        .unwrap();
        assert!(
            login.contains("session with the sign-in service has ended"),
            "{login}"
        );
        let mfa = silent_refusal(&e("interaction_required", "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication")).unwrap();
        assert!(mfa.contains("multi-factor"), "{mfa}");
        assert!(
            silent_refusal(&e("interaction_required", "AADSTS50079: enrol"))
                .unwrap()
                .contains("multi-factor")
        );
        assert!(
            silent_refusal(&e("interaction_required", "AADSTS53003: blocked"))
                .unwrap()
                .contains("Conditional Access")
        );
        assert!(
            silent_refusal(&e("consent_required", "AADSTS65001: no consent"))
                .unwrap()
                .contains("consent")
        );
        assert!(silent_refusal(&e("interaction_required", ""))
            .unwrap()
            .contains("confirm"));
        assert_eq!(silent_refusal(&AuthError::StateMismatch), None);
    }

    #[test]
    fn cancelled_consent_and_domain_authority_are_explained() {
        let s = auth(&AuthError::Cancelled {
            consent: true,
            description: "AADSTS65004: User declined to consent to access the app.\r\nTrace ID: x"
                .into(),
        });
        assert!(
            s.ends_with(
                "The provider said: \"AADSTS65004: User declined to consent to access the app.\""
            ),
            "{s}"
        );
        assert!(s.starts_with("You cancelled the consent"), "{s}");
        let s = auth(&AuthError::TenantByDomain {
            configured: "https://login.microsoftonline.com/contoso.com/v2.0".into(),
            found: "https://login.microsoftonline.com/7d3c1e0a-4b2f-4f6e-9c1d-2a5b8e9f0c31/v2.0"
                .into(),
            authority:
                "https://login.microsoftonline.com/7d3c1e0a-4b2f-4f6e-9c1d-2a5b8e9f0c31/v2.0".into(),
        });
        assert!(s.contains(r#"Put "authority": "https://login.microsoftonline.com/7d3c1e0a-4b2f-4f6e-9c1d-2a5b8e9f0c31/v2.0" in config.json"#), "{s}");
    }

    fn ge(status: u16, code: &str, message: &str) -> GraphError {
        GraphError {
            status,
            code: code.into(),
            message: message.into(),
            ..GraphError::default()
        }
    }

    #[test]
    fn policy_and_mail_errors_become_sentences() {
        let s = graph(
            &ge(
                400,
                "badRequest",
                "maximumLifetimeInMinutes must be at least minimumLifetimeInMinutes.",
            ),
            Operation::EditPolicy,
        );
        assert!(
            s.starts_with("Graph refused the policy change: maximumLifetimeInMinutes")
                && s.contains("Nothing was changed"),
            "{s}"
        );
        assert!(graph(
            &ge(403, "Authorization_RequestDenied", "no"),
            Operation::EditPolicy
        )
        .contains("Authentication Policy Administrator"));
        assert!(graph(&GraphError::network("lost"), Operation::SendMail)
            .contains("may or may not have gone"));
        assert!(graph(&ge(503, "", ""), Operation::SendMail).contains("may or may not have gone"));
        assert!(graph(
            &ge(400, "ErrorInvalidRecipients", "bad address"),
            Operation::SendMail
        )
        .starts_with("The message was not sent: bad address"));
        // Issue 11 point 14: an admin without an Exchange Online mailbox.
        assert_eq!(
            graph(
                &ge(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."),
                Operation::SendMail
            ),
            "Your account has no mailbox, so this page cannot send mail as you: copy the message instead and send it another way."
        );
        let audit = graph(&ge(403, "ErrorAccessDenied", ""), Operation::ReadAudit);
        assert!(audit.contains("AuditLog.Read.All") && audit.contains("Directory.Read.All"));
    }

    #[test]
    fn policy_errors_become_sentences() {
        let s = graph(
            &ge(
                400,
                "badRequest",
                "Invalid LifetimeInMinutes specified. The valid range between 60 and 480.",
            ),
            Operation::CreatePass,
        );
        assert_eq!(
            s,
            "Your tenant's policy allows a lifetime between 1 hour and 8 hours (60 to 480 minutes). Pick a value in that range, or leave the lifetime empty for the tenant's default."
        );
        assert_eq!(
            lifetime_range("The valid range between 480 and 60."),
            Some((60, 480))
        );
        let s = graph(
            &ge(400, "badRequest", "Invalid LifetimeInMinutes specified."),
            Operation::CreatePass,
        );
        assert!(s.starts_with("The lifetime is outside"), "{s}");
        let s = graph(
            &ge(
                400,
                "badRequest",
                "Temporary Access Pass cannot be added to an external guest user.",
            ),
            Operation::CreatePass,
        );
        assert!(s.starts_with("Guests from other organisations"));
        let s = graph(&ge(400, "badRequest", "Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass]."), Operation::CreatePass);
        assert!(s.contains("policy is disabled"));
    }

    #[test]
    fn forbidden_names_roles_and_permission() {
        let s = graph(
            &ge(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            Operation::CreatePass,
        );
        assert!(
            s.contains("Privileged Authentication Administrator")
                && s.contains(crate::config::WRITE_PERMISSION)
        );
        let s = graph(
            &ge(
                403,
                "accessDenied",
                "Users cannot create a Temporary Access Pass for yourself",
            ),
            Operation::CreatePass,
        );
        assert!(s.contains("your own account"));
    }

    /// Each refusal names the permission it needs from `permission`, the one place names live.
    #[test]
    fn forbidden_sentences_name_the_permission_they_need() {
        use crate::permission::*;
        let denied = ge(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges.",
        );
        for (op, needed) in [
            (Operation::CreatePass, vec![TAP_WRITE]),
            (Operation::DeletePass, vec![TAP_WRITE]),
            (Operation::DeletePhone, vec![METHODS_WRITE]),
            (Operation::ReadPasses, vec![METHODS_READ]),
            (Operation::SendMail, vec![MAIL_SEND]),
            (Operation::ReadAudit, vec![AUDIT_LOG_READ, DIRECTORY_READ]),
            (Operation::EditPolicy, vec![POLICY_WRITE]),
            (Operation::ReadPolicy, vec![POLICY_READ]),
            (Operation::Search, vec![USER_READ_ALL]),
            (Operation::ReadUser, vec![USER_READ_ALL]),
            (Operation::ReadRegistrationReport, vec![AUDIT_LOG_READ]),
        ] {
            let s = graph(&denied, op);
            for p in needed {
                assert!(
                    s.contains(&format!(" {} ", p.name))
                        || s.contains(&format!(" {}.", p.name))
                        || s.contains(&format!(" {},", p.name)),
                    "{op:?}: {s}"
                );
            }
        }
        assert_eq!(
            graph(&denied, Operation::SendMail),
            "This page may not send mail as you: it needs the permission Mail.Send, and your account needs a mailbox."
        );
    }

    #[test]
    fn not_found_and_failures_depend_on_action() {
        assert!(graph(
            &ge(404, "Request_ResourceNotFound", ""),
            Operation::ReadUser
        )
        .starts_with("No such user"));
        assert!(
            graph(&ge(404, "itemNotFound", ""), Operation::DeletePass).contains("already deleted")
        );
        assert!(graph(&ge(503, "", ""), Operation::CreatePass)
            .contains("may or may not have been created"));
        assert!(graph(&GraphError::network("x"), Operation::Search).contains("network"));
    }

    #[test]
    fn aadsts_codes_map_to_actions() {
        let s = auth(&AuthError::provider(
            "invalid_grant",
            Some("AADSTS700084: The refresh token was issued to a single page app\r\nTrace ID: x"),
        ));
        assert!(
            s.starts_with("Your sign-in is more than 24 hours old"),
            "{s}"
        );
        assert!(!s.contains("Trace ID"));
        let s = auth(&AuthError::provider(
            "invalid_request",
            Some("AADSTS90094: needs admin"),
        ));
        assert!(s.contains("Global Administrator"));
        let s = auth(&AuthError::provider(
            "access_denied",
            Some("<script>alert(1)</script>"),
        ));
        assert!(s.contains("<script>"), "kept as text; the view escapes it");
    }

    #[test]
    fn capabilities_from_roles() {
        let r = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            capability(Some(&r(&[
                "c4e39bd9-1100-46d3-8c65-fb160da0071f",
                DEFAULT_USER_ROLE
            ]))),
            Capability::NonAdmins
        );
        assert_eq!(
            capability(Some(&r(&["7be44c8a-adaf-4e2a-84d6-ab2649e08a13"]))),
            Capability::Everyone
        );
        assert_eq!(
            capability(Some(&r(&["f2ef992c-3afb-46b9-b7cf-a126ee74c451"]))),
            Capability::ReadOnly
        );
        assert_eq!(capability(Some(&r(&[DEFAULT_USER_ROLE]))), Capability::None);
        assert_eq!(role_name(DEFAULT_USER_ROLE), None);
    }

    #[test]
    fn a_missing_wids_claim_means_roles_unknown_not_no_role() {
        assert_eq!(capability(None), Capability::Unknown);
        assert_eq!(roles_text(None), "Roles unknown");
        assert!(capability_text(Capability::Unknown).contains("blocks nothing"));
        assert_eq!(
            roles_text(Some(&[DEFAULT_USER_ROLE.to_owned()])),
            "No admin role"
        );
        // A template id this page does not know is never shown as a GUID.
        let odd = "0f971eea-41eb-4569-a71e-57bb8a3eff1e".to_owned();
        assert_eq!(roles_text(Some(&[odd])), "an admin role");
    }

    /// Issue 13 point 6: failures without an answer are variants and keep today's sentences.
    #[test]
    fn failures_without_an_answer_keep_their_sentences() {
        let again = "Graph no longer accepts your sign-in. Sign in again.";
        assert_eq!(graph(&GraphError::signed_out(), Operation::Search), again);
        let refused = GraphError::sign_in_required(crate::auth::AuthError::SignInRequired);
        assert_eq!(graph(&refused, Operation::CreatePass), again);
        for e in [GraphError::network("reset"), GraphError::timeout(65)] {
            assert_eq!(graph(&e, Operation::Search), "Graph did not answer. Check your network connection and the Graph URL in Settings, then try again.");
            assert!(graph(&e, Operation::CreatePass).starts_with("The connection to Graph was lost while creating the pass: it may or may not have been created."));
            assert!(graph(&e, Operation::SendMail)
                .starts_with("The connection to Graph was lost while sending"));
        }
        let untrusted = crate::graph::GraphClient::new("https://graph.microsoft.com")
            .url("https://evil.example/v1.0/users")
            .unwrap_err();
        assert!(graph(&untrusted, Operation::Search).ends_with("Your sign-in was not sent there. Check the Graph URL in Settings, or report this answer to whoever runs the page."));
    }

    #[test]
    fn counts_and_countdowns_read_as_words() {
        assert_eq!(count(1, "pass", "passes"), "1 pass");
        assert_eq!(count(0, "pass", "passes"), "0 passes");
        assert_eq!(count(2, "pass", "passes"), "2 passes");
        assert_eq!(countdown_words(76_500_000.0), "21 h 15 min");
        assert_eq!(countdown_words(7_200_000.0), "2 h");
        assert_eq!(countdown_words(245_000.0), "4 min 5 s");
        assert_eq!(countdown_words(11_200.0), "12 s");
        assert_eq!(countdown_words(183_600_000.0), "2 d 3 h");
        assert_eq!(countdown_words(-5.0), "0 s");
        // Never a clock time.
        assert!(!countdown_words(7_199_999.0).contains(':'));
    }

    #[test]
    fn missing_secure_randomness_names_what_to_do() {
        let s = auth(&AuthError::NoRandomness);
        assert!(
            s.contains("crypto.getRandomValues") && s.contains("current version"),
            "{s}"
        );
    }

    #[test]
    fn reading_the_scope_names_both_permissions() {
        let denied = GraphError {
            status: 403,
            code: "Authorization_RequestDenied".into(),
            message: "Insufficient privileges to complete the operation.".into(),
            ..GraphError::default()
        };
        let s = graph(&denied, Operation::ReadScope);
        assert!(
            s.contains("RoleManagement.Read.Directory")
                && s.contains("AdministrativeUnit.Read.All")
                && s.contains("Graph decides"),
            "{s}"
        );
    }

    #[test]
    fn a_restricted_unit_refusal_is_named() {
        let refused = GraphError {
            status: 403,
            code: "Authorization_RequestDenied".into(),
            message: "This user is a member of a restricted management administrative unit. Management rights are limited to administrators scoped on that administrative unit.".into(),
            ..GraphError::default()
        };
        assert_eq!(
            graph(&refused, Operation::CreatePass),
            RESTRICTED_UNIT_REFUSED
        );
    }

    #[test]
    fn passkey_policy_refusals_name_the_permission_and_roles() {
        let refused = GraphError {
            status: 403,
            code: "Authorization_RequestDenied".into(),
            ..GraphError::network("x")
        };
        let ca = passkey_policy_unread(&refused, true);
        assert!(
            ca.contains("Policy.Read.All") && ca.contains("Conditional Access Administrator"),
            "{ca}"
        );
        let methods = passkey_policy_unread(&refused, false);
        assert!(
            methods.contains("Policy.Read.AuthenticationMethod")
                && methods.contains("Authentication Policy Administrator"),
            "{methods}"
        );
        let missing = GraphError {
            status: 404,
            ..refused
        };
        assert!(passkey_policy_unread(&missing, false).contains("do not exist"));
    }

    #[test]
    fn the_registration_report_refusal_names_the_role_or_the_licence() {
        let role = graph(
            &ge(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            Operation::ReadRegistrationReport,
        );
        assert!(
            role.contains("Reports Reader") && role.contains("AuditLog.Read.All"),
            "{role}"
        );
        let licence = graph(
            &ge(
                403,
                REPORT_LICENCE_CODE,
                "Neither tenant is B2C or tenant doesn't have premium license",
            ),
            Operation::ReadRegistrationReport,
        );
        assert!(licence.contains("Microsoft Entra ID P1 or P2"), "{licence}");
        assert!(!licence.contains("Reports Reader"), "{licence}");
    }
}
