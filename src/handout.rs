//! Printed handouts: the sign-in link with `login_hint` and its QR code. The QR code carries
//! the link, never the pass.

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

#[cfg(test)]
mod tests {
    use super::*;

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
