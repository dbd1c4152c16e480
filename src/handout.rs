//! Printed handouts: the sign-in link with `login_hint` and its QR code (the QR code carries
//! the link, never the pass); a campaign wave's passkey steps in English or German.

use base64::Engine as _;

/// Returns the address that starts the user's registration, with their UPN as `login_hint`.
pub fn sign_in_link(base: &str, upn: &str) -> String {
    let hint: String = url::form_urlencoded::byte_serialize(upn.as_bytes()).collect();
    let joiner = if base.contains('?') { '&' } else { '?' };
    format!("{base}{joiner}login_hint={hint}")
}

/// Returns a `data:image/svg+xml;base64,…` QR code of `text`, or `None` if it is too long for a QR code.
pub fn qr_data_url(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// The organisation a handout names: `configured` (config.json `organizationName`) when set,
/// else the domain of the user's sign-in name (`contoso.com`), which is what they type anyway.
pub fn organisation(configured: Option<&str>, upn: &str) -> String {
    match configured {
        Some(name) => name.to_owned(),
        None => upn.rsplit_once('@').map_or("", |(_, d)| d).to_owned(),
    }
}

/// The short steps printed on every handout.
pub const STEPS: &[&str] = &[
    "Scan the code or open the address below, and sign in with your user name.",
    "When asked for a password, choose \"Use your Temporary Access Pass\" and type the pass above.",
    "Register a passkey or the Microsoft Authenticator app as the page guides you.",
    "Then destroy this sheet: the pass stops working when it expires or once used.",
];

/// The passkey steps a campaign wave's handouts print (issue 15): what to do in Security info
/// with the pass, after Learn ("Register passkeys in Authenticator", "Register a passkey using
/// a mobile device"). English and German built in, as the hand-over templates.
pub const PASSKEY_STEPS: &[(&str, &str, &[&str])] = &[
    (
        "en",
        "Register your passkey: SMS and voice calls stop working for sign-in on 1 February 2027.",
        &[
            "Scan the code or open the address below, and sign in with your user name.",
            "When asked for a password, choose \"Use your Temporary Access Pass\" and type the pass above.",
            "In Security info, choose \"+ Add sign-in method\", then \"Passkey in Microsoft Authenticator\" (or \"Security key\" if you were given one).",
            "Follow the prompts on your phone or key; unlock it with your fingerprint, face or PIN when asked.",
            "From now on, sign in with your passkey. Then destroy this sheet: the pass stops working when it expires or once used.",
        ],
    ),
    (
        "de",
        "Richten Sie Ihren Passkey ein: SMS und Anrufe funktionieren ab 1. Februar 2027 nicht mehr für die Anmeldung.",
        &[
            "Scannen Sie den Code oder öffnen Sie die Adresse unten und melden Sie sich mit Ihrem Benutzernamen an.",
            "Wenn nach einem Kennwort gefragt wird, wählen Sie \"Temporären Zugriffspass verwenden\" und geben Sie den Pass oben ein.",
            "Wählen Sie unter \"Sicherheitsinformationen\" \"+ Anmeldemethode hinzufügen\", dann \"Passkey in Microsoft Authenticator\" (oder \"Sicherheitsschlüssel\", falls Sie einen erhalten haben).",
            "Folgen Sie den Anweisungen auf Ihrem Telefon oder Schlüssel; entsperren Sie es mit Fingerabdruck, Gesicht oder PIN, wenn Sie dazu aufgefordert werden.",
            "Melden Sie sich ab jetzt mit Ihrem Passkey an. Vernichten Sie dann dieses Blatt: Der Pass verfällt mit Ablauf oder nach einmaliger Verwendung.",
        ],
    ),
];

/// The passkey heading and steps in `language` (`de`, `de-AT`, …), English when it is not
/// built in.
pub fn passkey_steps(language: &str) -> (&'static str, &'static [&'static str]) {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    let (_, heading, steps) = PASSKEY_STEPS
        .iter()
        .find(|(code, _, _)| code.eq_ignore_ascii_case(primary))
        .unwrap_or(&PASSKEY_STEPS[0]);
    (heading, steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passkey_steps_come_in_english_and_german() {
        let (en, steps) = passkey_steps("en-GB");
        assert!(en.contains("1 February 2027") && steps.iter().any(|s| s.contains("Passkey")));
        let (de, steps) = passkey_steps("de-AT");
        assert!(de.starts_with("Richten Sie Ihren Passkey ein"));
        assert!(steps.iter().any(|s| s.contains("Temporären Zugriffspass")));
        assert_eq!(passkey_steps("fr").0, en, "English when not built in");
        assert_eq!(passkey_steps("").0, en);
        for (_, _, steps) in PASSKEY_STEPS {
            assert!(
                steps.iter().all(|s| !s.contains("{pass}")),
                "the steps never hold a pass"
            );
        }
    }

    #[test]
    fn a_handout_names_the_configured_organisation_or_the_sign_in_domain() {
        assert_eq!(
            organisation(Some("Contoso Ltd"), "a@contoso.com"),
            "Contoso Ltd"
        );
        assert_eq!(
            organisation(None, "a.b@fabrikam.example"),
            "fabrikam.example"
        );
        assert_eq!(organisation(None, "no-domain"), "");
    }

    #[test]
    fn link_carries_the_login_hint_encoded() {
        assert_eq!(
            sign_in_link("https://mysignins.microsoft.com/security-info", "zoë.müller@contoso.com"),
            "https://mysignins.microsoft.com/security-info?login_hint=zo%C3%AB.m%C3%BCller%40contoso.com"
        );
        assert_eq!(
            sign_in_link("https://x.example/?a=1", "a@b"),
            "https://x.example/?a=1&login_hint=a%40b"
        );
    }

    #[test]
    fn qr_code_is_an_svg_image_of_the_link() {
        let url =
            qr_data_url("https://mysignins.microsoft.com/security-info?login_hint=a%40b").unwrap();
        let svg = base64::engine::general_purpose::STANDARD
            .decode(url.trim_start_matches("data:image/svg+xml;base64,"))
            .unwrap();
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
        assert!(
            !svg.contains("style="),
            "no inline style: the CSP forbids it"
        );
        assert_eq!(qr_data_url(&"x".repeat(5000)), None);
    }
}
