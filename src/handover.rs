//! Hand-over messages: the text an admin sends with a new pass, to the user or to their manager,
//! with the validity in the user's time zone and the sign-in steps. English and German ship
//! built in; a deployment overrides or adds languages with `handoverTemplates` in config.json.
//! No views: `ui::reveal` fills in the [`Facts`] and copies the result.

use std::collections::BTreeMap;

/// Who a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The user who signs in with the pass.
    User,
    /// Their manager, who hands the pass over in person.
    Manager,
}

impl Audience {
    /// Both audiences, in the order the page offers them.
    pub const ALL: [Audience; 2] = [Audience::User, Audience::Manager];

    /// The key used in `handoverTemplates`.
    pub fn key(self) -> &'static str {
        match self {
            Audience::User => "user",
            Audience::Manager => "manager",
        }
    }

    /// The audience of a picker value: "manager" is the manager, anything else the user.
    pub fn from_key(key: &str) -> Audience {
        if key == Audience::Manager.key() {
            Audience::Manager
        } else {
            Audience::User
        }
    }
}

pub use crate::config::{Template, Templates};

/// Every placeholder a template may use, and what it stands for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("name", "the user's display name"),
    ("upn", "the user's sign-in name"),
    ("pass", "the Temporary Access Pass"),
    ("validFrom", "when the pass starts, in the chosen time zone"),
    ("validUntil", "when the pass ends, in the chosen time zone"),
    ("timeZone", "the chosen time zone (IANA name)"),
    (
        "usage",
        "\"one-time\" or \"multi-use\", in the message's language",
    ),
    ("signInUrl", "where the user registers their methods"),
    ("admin", "the signed-in admin's name"),
];

/// What a message says; every field already formatted for its language and zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub name: String,
    pub upn: String,
    pub pass: String,
    pub valid_from: String,
    pub valid_until: String,
    pub time_zone: String,
    pub one_time: bool,
    pub sign_in_url: String,
    pub admin: String,
}

/// The names of the languages the page knows, for the language picker; other codes show as is.
pub fn language_name(code: &str) -> String {
    match code {
        "en" => "English".into(),
        "de" => "Deutsch".into(),
        "fr" => "Français".into(),
        "es" => "Español".into(),
        "nl" => "Nederlands".into(),
        "it" => "Italiano".into(),
        other => other.to_owned(),
    }
}

/// The built-in templates: English and German, for the user and the manager.
pub fn builtin() -> Templates {
    let t = |subject: &str, body: &str| Template {
        subject: subject.into(),
        body: body.into(),
    };
    let mut all = Templates::new();
    all.insert(
        "en".into(),
        BTreeMap::from([
            ("user".into(), t(
                "Your Temporary Access Pass",
                "Hello {name},\n\nhere is your Temporary Access Pass ({usage}) to set up how you sign in:\n\n    {pass}\n\nIt is valid from {validFrom} until {validUntil} ({timeZone}).\n\n1. Go to {signInUrl}\n2. Sign in as {upn} and enter the pass when you are asked for it.\n3. Add a passkey or the Microsoft Authenticator app, as the page guides you.\n\nKeep the pass to yourself: nobody from IT will ever ask you for it.\n\n{admin}",
            )),
            ("manager".into(), t(
                "Temporary Access Pass for {name}",
                "Hello,\n\nplease hand this Temporary Access Pass ({usage}) to {name} ({upn}) in person:\n\n    {pass}\n\nIt is valid from {validFrom} until {validUntil} ({timeZone}). With it, {name} goes to {signInUrl}, signs in as {upn}, enters the pass and adds a passkey or the Microsoft Authenticator app.\n\nDo not forward this message; delete it once the pass is handed over.\n\n{admin}",
            )),
        ]),
    );
    all.insert(
        "de".into(),
        BTreeMap::from([
            ("user".into(), t(
                "Ihr befristeter Zugriffspass",
                "Hallo {name},\n\nhier ist Ihr befristeter Zugriffspass (Temporary Access Pass, {usage}), um Ihre Anmeldung einzurichten:\n\n    {pass}\n\nEr gilt von {validFrom} bis {validUntil} ({timeZone}).\n\n1. Öffnen Sie {signInUrl}\n2. Melden Sie sich als {upn} an und geben Sie den Pass ein, wenn Sie danach gefragt werden.\n3. Fügen Sie einen Passkey oder die Microsoft Authenticator-App hinzu, wie die Seite Sie anleitet.\n\nGeben Sie den Pass an niemanden weiter: Die IT wird Sie nie danach fragen.\n\n{admin}",
            )),
            ("manager".into(), t(
                "Befristeter Zugriffspass für {name}",
                "Hallo,\n\nbitte übergeben Sie diesen befristeten Zugriffspass (Temporary Access Pass, {usage}) persönlich an {name} ({upn}):\n\n    {pass}\n\nEr gilt von {validFrom} bis {validUntil} ({timeZone}). Damit öffnet {name} {signInUrl}, meldet sich als {upn} an, gibt den Pass ein und fügt einen Passkey oder die Microsoft Authenticator-App hinzu.\n\nBitte leiten Sie diese Nachricht nicht weiter und löschen Sie sie nach der Übergabe.\n\n{admin}",
            )),
        ]),
    );
    all
}

/// The built-in templates with the deployment's `overrides` laid over them, audience by
/// audience (an override may replace one audience of a language, or add a language).
pub fn merged(overrides: &Templates) -> Templates {
    let mut all = builtin();
    for (lang, by_audience) in overrides {
        let entry = all.entry(lang.clone()).or_default();
        for (audience, t) in by_audience {
            entry.insert(audience.clone(), t.clone());
        }
    }
    all
}

/// Returns every problem of the `handoverTemplates` of a configuration, as sentences naming the
/// language and audience: unknown audiences, empty subjects or bodies, unknown placeholders.
pub fn problems(templates: &Templates) -> Vec<String> {
    let mut out = Vec::new();
    for (lang, by_audience) in templates {
        if lang.is_empty()
            || lang.len() > 12
            || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            out.push(format!("\"handoverTemplates\": \"{lang}\" is not a language code such as \"en\" or \"de\"."));
            continue;
        }
        for (audience, t) in by_audience {
            let place = format!("\"handoverTemplates\".{lang}.{audience}");
            if Audience::ALL.iter().all(|a| a.key() != audience) {
                out.push(format!(
                    "{place}: the audience must be \"user\" or \"manager\"."
                ));
                continue;
            }
            if t.subject.trim().is_empty() || t.body.trim().is_empty() {
                out.push(format!(
                    "{place}: the subject and the body must not be empty."
                ));
            }
            if t.subject.contains("{pass}") {
                out.push(format!(
                    "{place}: {{pass}} may appear only in the body: subjects show in mail lists, notifications and previews."
                ));
            }
            for name in unknown_placeholders(&format!("{}\n{}", t.subject, t.body)) {
                let known: Vec<&str> = PLACEHOLDERS.iter().map(|(n, _)| *n).collect();
                out.push(format!(
                    "{place}: {{{name}}} is not a placeholder; use {}.",
                    known
                        .iter()
                        .map(|n| format!("{{{n}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    out
}

fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric())
            && PLACEHOLDERS.iter().all(|(n, _)| *n != name)
            && !out.iter().any(|o| o == name)
        {
            out.push(name.to_owned());
        }
        rest = &after[close..];
    }
    out
}

/// Picks the message language for a user's `preferredLanguage` (e.g. `de-AT`) among `available`
/// codes: the exact code, then its first part, then English, then the first available.
pub fn language_for(preferred: Option<&str>, available: &[String]) -> String {
    let has = |c: &str| available.iter().any(|a| a.eq_ignore_ascii_case(c));
    if let Some(p) = preferred.map(str::trim).filter(|p| !p.is_empty()) {
        if has(p) {
            return p.to_ascii_lowercase();
        }
        let base = p.split(['-', '_']).next().unwrap_or(p).to_ascii_lowercase();
        if has(&base) {
            return base;
        }
    }
    if has("en") {
        return "en".into();
    }
    available.first().cloned().unwrap_or_else(|| "en".into())
}

/// The word for one-time or multi-use in `lang`.
fn usage_word(lang: &str, one_time: bool) -> &'static str {
    match (lang, one_time) {
        ("de", true) => "einmalig verwendbar",
        ("de", false) => "mehrfach verwendbar",
        (_, true) => "one-time use",
        (_, false) => "multi-use",
    }
}

/// Returns the subject and body of `template` in `lang` with every placeholder filled in.
///
/// Each text is read once from left to right and a value is never read again, so a display
/// name such as "{pass}" stays that text instead of becoming the pass (issue 12, point 8).
/// A subject never receives the pass, even from a template [`problems`] would refuse.
pub fn render(template: &Template, lang: &str, facts: &Facts) -> (String, String) {
    let value = |name: &str| -> Option<&str> {
        Some(match name {
            "name" => &facts.name,
            "upn" => &facts.upn,
            "pass" => &facts.pass,
            "validFrom" => &facts.valid_from,
            "validUntil" => &facts.valid_until,
            "timeZone" => &facts.time_zone,
            "usage" => usage_word(lang, facts.one_time),
            "signInUrl" => &facts.sign_in_url,
            "admin" => &facts.admin,
            _ => return None,
        })
    };
    let subject = fill(&template.subject, |name| {
        (name != "pass").then(|| value(name)).flatten()
    });
    (subject, fill(&template.body, value))
}

/// Returns `text` with each `{name}` that `value` knows replaced, in one pass: the output of a
/// replacement is never scanned again. Unknown `{…}` stay as written.
fn fill<'a>(text: &str, value: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Some((close, value(&after[..close])?)))
        {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// True for something that looks like one email address (`local@domain`, no spaces).
pub fn valid_address(text: &str) -> bool {
    let t = text.trim();
    let mut parts = t.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !t.contains(char::is_whitespace)
}

/// Returns why email is not offered for a target holding `target_roles` (their admin roles'
/// names, the default user role left out; `None` when they could not be read), or `None` when
/// email may carry their pass.
///
/// A pass for an admin opens an admin account: whoever reads the mailbox it lands in can
/// register their own passkey there. Every admin role counts (the page keeps no list of which
/// are privileged), and roles that could not be read count as admin roles.
pub fn mail_refusal(target_roles: Option<&[String]>) -> Option<String> {
    match target_roles {
        None => Some("Email is not offered: this user's admin roles could not be read, and a pass for an admin must not travel by email. Hand it over in person or copy the message.".to_owned()),
        Some([]) => None,
        Some(roles) => Some(format!(
            "Email is not offered for admins ({}): a pass for an admin account must not travel by email. Hand it over in person, or by phone after checking who you are talking to.",
            roles.join(", ")
        )),
    }
}

/// The tenant's domains as far as the page knows them without another request: the domains of
/// the signed-in admin's and the target's sign-in names (a user principal name's domain is
/// always one of the tenant's verified domains or its initial `onmicrosoft.com` domain).
/// Lower case, each once.
pub fn tenant_domains(upns: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for upn in upns {
        if let Some((_, domain)) = upn.trim().rsplit_once('@') {
            let d = domain.to_ascii_lowercase();
            if !d.is_empty() && !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// Returns the warnings about emailing a pass to `to`: the mailbox of the account the pass
/// unlocks (one of `target_addresses`: their mail and sign-in name), and an address outside
/// `tenant_domains`. Empty when `to` is not an address yet.
pub fn recipient_warnings(
    to: &str,
    target_addresses: &[&str],
    tenant_domains: &[String],
) -> Vec<String> {
    let to = to.trim();
    if !valid_address(to) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if target_addresses
        .iter()
        .any(|a| !a.trim().is_empty() && a.trim().eq_ignore_ascii_case(to))
    {
        out.push("This is the mailbox of the account the pass unlocks: whoever can read it (a forwarding rule, a delegate, an attacker) can sign in with the pass and register their own passkey. Prefer the manager, or hand the pass over in person.".to_owned());
    }
    let domain = to
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    if !tenant_domains.contains(&domain) {
        let known = if tenant_domains.is_empty() {
            String::new()
        } else {
            format!(" ({})", tenant_domains.join(", "))
        };
        out.push(format!("{domain} is not one of your organisation's domains{known}: the message, pass included, leaves your organisation. Check the address."));
    }
    out
}

/// The `sendMail` body (Graph `POST /me/sendMail`) of a message to `to`: plain text, and not
/// kept in the admin's Sent Items, so the pass does not stay in their mailbox.
pub fn mail_body(subject: &str, body: &str, to: &str) -> serde_json::Value {
    serde_json::json!({
        "message": {
            "subject": subject,
            "body": {"contentType": "Text", "content": body},
            "toRecipients": [{"emailAddress": {"address": to.trim()}}]
        },
        "saveToSentItems": false
    })
}

/// The subject and body for `audience` in `lang` from `templates`, filled with `facts`;
/// `None` when the templates have no such message.
pub fn compose(
    templates: &Templates,
    lang: &str,
    audience: Audience,
    facts: &Facts,
) -> Option<(String, String)> {
    let template = templates.get(lang)?.get(audience.key())?;
    Some(render(template, lang, facts))
}

/// The whole message as copied: the subject, a blank line, the body.
pub fn message_text(subject: &str, body: &str) -> String {
    format!("{subject}\n\n{body}")
}

/// True if and only if "Send" may go out: email is allowed for this user and `to` is an
/// address.
pub fn may_send(mail_allowed: bool, to: &str) -> bool {
    mail_allowed && valid_address(to)
}

/// Said once the message went to `to`.
pub fn sent_words(to: &str) -> String {
    format!("Sent to {to}. It is not kept in your Sent Items.")
}

/// The question before sending to `to`.
pub fn confirm_words(to: &str) -> String {
    format!("Email the pass to {}? Email is less private than handing it over in person; only send it to an address the recipient alone reads.", to.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            name: "Pradeep Gupta".into(),
            upn: "pradeep@contoso.com".into(),
            pass: "Xy3!kQ9+".into(),
            valid_from: "1 Dec 2026, 09:00".into(),
            valid_until: "1 Dec 2026, 17:00".into(),
            time_zone: "Europe/Berlin".into(),
            one_time: true,
            sign_in_url: "https://mysignins.microsoft.com/security-info".into(),
            admin: "Adele Vance".into(),
        }
    }

    #[test]
    fn builtins_fill_every_placeholder_in_both_languages() {
        let all = builtin();
        for (lang, by_audience) in &all {
            for audience in Audience::ALL {
                let t = &by_audience[audience.key()];
                let (subject, body) = render(t, lang, &facts());
                assert!(
                    !subject.contains('{') && !body.contains('{'),
                    "{lang}/{}: {body}",
                    audience.key()
                );
                assert!(
                    body.contains("Xy3!kQ9+")
                        && body.contains("Europe/Berlin")
                        && body.contains("pradeep@contoso.com")
                );
            }
        }
        assert!(problems(&all).is_empty());
        let (_, de) = render(&all["de"]["user"], "de", &facts());
        assert!(de.contains("einmalig verwendbar") && de.contains("Er gilt von 1 Dec 2026, 09:00"));
    }

    #[test]
    fn overrides_replace_one_audience_or_add_a_language() {
        let mut o = Templates::new();
        o.insert(
            "en".into(),
            BTreeMap::from([(
                "user".into(),
                Template {
                    subject: "TAP".into(),
                    body: "{pass} for {name}".into(),
                },
            )]),
        );
        o.insert(
            "fr".into(),
            BTreeMap::from([(
                "manager".into(),
                Template {
                    subject: "Pass".into(),
                    body: "{pass}".into(),
                },
            )]),
        );
        let all = merged(&o);
        assert_eq!(all["en"]["user"].subject, "TAP");
        assert_eq!(all["en"]["manager"], builtin()["en"]["manager"]);
        assert!(all.contains_key("fr") && all.contains_key("de"));
        assert_eq!(
            render(&all["en"]["user"], "en", &facts()).1,
            "Xy3!kQ9+ for Pradeep Gupta"
        );
    }

    #[test]
    fn problems_name_the_place_and_the_fix() {
        let mut o = Templates::new();
        o.insert(
            "en".into(),
            BTreeMap::from([
                (
                    "user".into(),
                    Template {
                        subject: "Hi {firstName}".into(),
                        body: "{pass} {firstName} {json:1}".into(),
                    },
                ),
                (
                    "boss".into(),
                    Template {
                        subject: "x".into(),
                        body: "y".into(),
                    },
                ),
                (
                    "manager".into(),
                    Template {
                        subject: " ".into(),
                        body: "y".into(),
                    },
                ),
            ]),
        );
        o.insert("e n".into(), BTreeMap::new());
        let p = problems(&o);
        assert_eq!(p.len(), 4, "{p:#?}");
        assert!(p
            .iter()
            .any(|s| s.contains("en.user: {firstName} is not a placeholder")));
        assert!(p
            .iter()
            .any(|s| s.contains("en.boss: the audience must be")));
        assert!(p
            .iter()
            .any(|s| s.contains("en.manager: the subject and the body")));
        assert!(p
            .iter()
            .any(|s| s.contains("\"e n\" is not a language code")));
    }

    #[test]
    fn inserted_text_is_never_read_as_a_placeholder() {
        let t = Template {
            subject: "Pass for {name} ({upn})".into(),
            body: "{name}: {pass}".into(),
        };
        let f = Facts {
            name: "{pass}".into(),
            upn: "{name}@x".into(),
            ..facts()
        };
        let (subject, body) = render(&t, "en", &f);
        assert_eq!(subject, "Pass for {pass} ({name}@x)");
        assert!(!subject.contains("Xy3!kQ9+"));
        assert_eq!(body, "{pass}: Xy3!kQ9+");
        // Braces that are not placeholders are kept as written.
        let odd = Template {
            subject: "{ {x} {".into(),
            body: "}{upn}{".into(),
        };
        assert_eq!(
            render(&odd, "en", &facts()),
            ("{ {x} {".to_owned(), "}pradeep@contoso.com{".to_owned())
        );
    }

    #[test]
    fn the_pass_never_goes_into_a_subject() {
        let t = Template {
            subject: "Your pass {pass}".into(),
            body: "{pass}".into(),
        };
        let mut o = Templates::new();
        o.insert("en".into(), BTreeMap::from([("user".into(), t.clone())]));
        let p = problems(&o);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("en.user: {pass} may appear only in the body"));
        // Even a template that slipped past the check keeps the pass out of the subject.
        assert_eq!(render(&t, "en", &facts()).0, "Your pass {pass}");
    }

    #[test]
    fn email_is_refused_for_admins_and_unread_roles() {
        assert_eq!(mail_refusal(Some(&[])), None);
        let roles = vec!["Global Administrator".to_owned()];
        let why = mail_refusal(Some(&roles)).unwrap();
        assert!(
            why.contains("not offered for admins (Global Administrator)"),
            "{why}"
        );
        assert!(mail_refusal(None).unwrap().contains("could not be read"));
    }

    #[test]
    fn recipients_are_warned_about_the_users_own_mailbox_and_other_domains() {
        let domains = tenant_domains(&[
            "Adele@Contoso.com",
            "pradeep@contoso.onmicrosoft.com",
            "x@contoso.com",
            "nodomain",
        ]);
        assert_eq!(domains, ["contoso.com", "contoso.onmicrosoft.com"]);
        let own = [
            "pradeep.gupta@contoso.com",
            "pradeep@contoso.onmicrosoft.com",
        ];
        assert!(recipient_warnings("boss@contoso.com", &own, &domains).is_empty());
        let w = recipient_warnings(" Pradeep.Gupta@CONTOSO.com ", &own, &domains);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("mailbox of the account the pass unlocks"));
        let w = recipient_warnings("pradeep@contoso.onmicrosoft.com", &own, &domains);
        assert!(w[0].contains("mailbox of the account"), "{w:?}");
        let w = recipient_warnings("boss@fabrikam.example", &own, &domains);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("fabrikam.example is not one of your organisation's domains (contoso.com, contoso.onmicrosoft.com)"));
        // A subdomain or a look-alike is another domain.
        assert_eq!(
            recipient_warnings("a@contoso.com.evil.example", &own, &domains).len(),
            1
        );
        assert!(recipient_warnings("not an address", &own, &domains).is_empty());
        assert!(recipient_warnings("a@b.example", &["", " "], &[]).len() == 1);
    }

    #[test]
    fn mail_goes_as_text_to_one_address_and_is_not_kept() {
        let m = mail_body("S", "B", " pradeep@contoso.com ");
        assert_eq!(
            m["message"]["toRecipients"][0]["emailAddress"]["address"],
            "pradeep@contoso.com"
        );
        assert_eq!(m["message"]["body"]["contentType"], "Text");
        assert_eq!(m["saveToSentItems"], false);
        assert!(valid_address("a.b@contoso.com"));
        for bad in [
            "",
            "a@",
            "@b.com",
            "a b@c.com",
            "a@b",
            "a@b@c.com",
            "a@.com",
        ] {
            assert!(!valid_address(bad), "{bad}");
        }
    }

    #[test]
    fn language_follows_the_users_preference() {
        let available = vec!["de".to_owned(), "en".to_owned()];
        assert_eq!(language_for(Some("de-AT"), &available), "de");
        assert_eq!(language_for(Some("fr-FR"), &available), "en");
        assert_eq!(language_for(None, &available), "en");
        assert_eq!(language_for(Some("DE"), &available), "de");
        assert_eq!(language_for(None, &["fr".to_owned()]), "fr");
    }

    #[test]
    fn messages_are_composed_from_the_templates_of_their_audience() {
        let all = builtin();
        let user = compose(&all, "en", Audience::User, &facts()).unwrap();
        let manager = compose(&all, "en", Audience::Manager, &facts()).unwrap();
        assert_eq!(user, render(&all["en"]["user"], "en", &facts()));
        assert_ne!(user, manager);
        assert_eq!(compose(&all, "xx", Audience::User, &facts()), None);
        assert_eq!(message_text("S", "B"), "S\n\nB");
        assert_eq!(Audience::from_key("manager"), Audience::Manager);
        assert_eq!(Audience::from_key("user"), Audience::User);
        assert_eq!(Audience::from_key(""), Audience::User);
    }

    #[test]
    fn mail_goes_only_where_allowed_and_says_where_it_went() {
        assert!(may_send(true, "boss@contoso.com"));
        assert!(!may_send(false, "boss@contoso.com"));
        assert!(!may_send(true, "boss"));
        assert_eq!(
            sent_words("boss@contoso.com"),
            "Sent to boss@contoso.com. It is not kept in your Sent Items."
        );
        assert!(
            confirm_words(" boss@contoso.com ").starts_with("Email the pass to boss@contoso.com? ")
        );
    }
}
