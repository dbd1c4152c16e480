//! One sign-in attempt: the authorize URL with PKCE, state and nonce, and the checks on the callback.
//!
//! Everything here is pure (time is passed in), so it is unit-tested natively.

use oauth2::{
    AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use serde::{Deserialize, Serialize};

use super::random::AttemptSecrets;
use super::AuthError;

/// How long a pending attempt stays valid: the lifetime of an authorization code.
pub const ATTEMPT_LIFETIME_MS: f64 = 10.0 * 60.0 * 1000.0;

/// Query parameters a sign-in response may add to the redirect URI; removed from the address bar.
pub const CALLBACK_PARAMS: &[&str] = &[
    "code",
    "state",
    "iss",
    "session_state",
    "client_info",
    "error",
    "error_description",
    "error_uri",
    "error_codes",
    "error_subcode",
    "admin_consent",
    "tenant",
    "access_token",
    "id_token",
    "token_type",
    "expires_in",
    "scope",
];

/// What the tab remembers (in sessionStorage) between leaving for the authority and coming back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingAttempt {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub created_ms: f64,
    /// True for a `prompt=none` attempt: its failure means "show the sign-in button", not an error.
    pub silent: bool,
    /// Scopes asked for, so renewals ask for the same.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The `prompt` sent, if any (a provider refusing it is asked once more without it).
    #[serde(default)]
    pub prompt: Option<String>,
    /// The `login_hint` sent, if any, so the next interactive attempt names the same account.
    #[serde(default)]
    pub login_hint: Option<String>,
}

/// What the authorize request needs.
#[derive(Clone, Debug)]
pub struct AuthorizeRequest<'a> {
    pub client_id: &'a str,
    pub authorization_endpoint: &'a str,
    pub redirect_uri: &'a str,
    pub scopes: &'a [String],
    /// `none`, `login`, `consent` or `select_account`.
    pub prompt: Option<&'a str>,
    pub login_hint: Option<&'a str>,
    pub now_ms: f64,
}

/// Returns the authorize URL of a new attempt and the attempt to keep until the callback.
pub fn authorize_url(req: &AuthorizeRequest<'_>) -> Result<(String, PendingAttempt), AuthError> {
    let bad = |what: &str, e: url::ParseError| AuthError::Discovery {
        url: req.authorization_endpoint.to_owned(),
        reason: format!("{what} is not a valid URL ({e})"),
    };
    let client = oauth2::basic::BasicClient::new(ClientId::new(req.client_id.to_owned()))
        .set_auth_uri(
            AuthUrl::new(req.authorization_endpoint.to_owned())
                .map_err(|e| bad("the authorization endpoint", e))?,
        )
        .set_redirect_uri(
            RedirectUrl::new(req.redirect_uri.to_owned())
                .map_err(|e| bad("the redirect URI", e))?,
        );
    // WebCrypto, not oauth2's `new_random` constructors (which bring `rand`): see `random`.
    let AttemptSecrets {
        verifier,
        state,
        nonce,
    } = AttemptSecrets::generate()?;
    let verifier = PkceCodeVerifier::new(verifier);
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
    let mut builder = client
        .authorize_url(|| CsrfToken::new(state))
        .add_scopes(req.scopes.iter().map(|s| Scope::new(s.clone())))
        .set_pkce_challenge(challenge)
        .add_extra_param("nonce", nonce.clone())
        .add_extra_param("response_mode", "query");
    if let Some(prompt) = req.prompt {
        builder = builder.add_extra_param("prompt", prompt);
    }
    if let Some(hint) = req.login_hint.filter(|h| !h.is_empty()) {
        builder = builder.add_extra_param("login_hint", hint);
    }
    let (url, state) = builder.url();
    let attempt = PendingAttempt {
        state: state.secret().clone(),
        nonce,
        verifier: verifier.secret().clone(),
        created_ms: req.now_ms,
        silent: req.prompt == Some("none"),
        scopes: req.scopes.to_vec(),
        prompt: req.prompt.map(str::to_owned),
        login_hint: req.login_hint.map(str::to_owned),
    };
    Ok((url.to_string(), attempt))
}

/// The sign-in response parameters found in the page's URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub iss: Option<String>,
    /// Entra's `error_subcode` (`cancel` when the admin pressed Back or Cancel).
    pub error_subcode: Option<String>,
    /// The URL carries tokens (an implicit-flow answer), which is always refused.
    pub has_tokens: bool,
}

impl Callback {
    /// Returns the sign-in response carried by `href` (query or fragment), or `None` when the
    /// URL is an ordinary page address.
    pub fn from_url(href: &str) -> Option<Callback> {
        let url = url::Url::parse(href).ok()?;
        let mut cb = Callback::default();
        let mut found = false;
        let fragment_pairs = url
            .fragment()
            .map(|f| {
                url::form_urlencoded::parse(f.as_bytes())
                    .into_owned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for (key, value) in url.query_pairs().into_owned().chain(fragment_pairs) {
            let slot = match key.as_str() {
                "code" => &mut cb.code,
                "state" => &mut cb.state,
                "error" => &mut cb.error,
                "error_description" => &mut cb.error_description,
                "iss" => &mut cb.iss,
                "error_subcode" => &mut cb.error_subcode,
                "access_token" | "id_token" => {
                    cb.has_tokens = true;
                    found = true;
                    continue;
                }
                _ => continue,
            };
            found = true;
            *slot = Some(value);
        }
        (found && (cb.code.is_some() || cb.error.is_some() || cb.has_tokens || cb.state.is_some()))
            .then_some(cb)
    }

    /// Checks the response against the attempt this tab started and returns the code to redeem.
    ///
    /// Order matters: an unknown attempt or a wrong `state` is refused before an `error` is
    /// believed, so a forged callback cannot put words on the screen.
    pub fn verify(
        &self,
        attempt: Option<&PendingAttempt>,
        issuer: &str,
        now_ms: f64,
    ) -> Result<String, AuthError> {
        if self.has_tokens {
            return Err(AuthError::TokensInUrl);
        }
        let attempt = attempt.ok_or(AuthError::UnknownAttempt)?;
        if now_ms - attempt.created_ms > ATTEMPT_LIFETIME_MS
            || now_ms < attempt.created_ms - 60_000.0
        {
            return Err(AuthError::AttemptExpired);
        }
        if self.state.as_deref() != Some(attempt.state.as_str()) {
            return Err(AuthError::StateMismatch);
        }
        if let Some(iss) = &self.iss {
            if iss.trim_end_matches('/') != issuer.trim_end_matches('/') {
                return Err(AuthError::IssParamMismatch);
            }
        }
        if let Some(error) = &self.error {
            let e = AuthError::provider(error, self.error_description.as_deref());
            // Entra answers Cancel on its consent page with access_denied and AADSTS65004, and
            // Back on its sign-in page with access_denied and error_subcode=cancel.
            let cancelled = error == "access_denied"
                && (self.error_subcode.as_deref() == Some("cancel")
                    || matches!(
                        e,
                        AuthError::Provider {
                            code: Some(65004),
                            ..
                        }
                    ));
            if cancelled {
                let consent = matches!(
                    e,
                    AuthError::Provider {
                        code: Some(65004),
                        ..
                    }
                );
                return Err(AuthError::Cancelled {
                    consent,
                    description: self.error_description.clone().unwrap_or_default(),
                });
            }
            return Err(e);
        }
        self.code.clone().filter(|c| !c.is_empty()).ok_or_else(|| {
            AuthError::provider(
                "invalid_request",
                Some("The sign-in response carried no authorization code."),
            )
        })
    }
}

/// Returns true if and only if an authorize error says the provider refused the `prompt` value
/// (OpenID Connect makes `select_account` optional: some providers answer "unsupported prompt
/// value requested"; Entra's own refusal is AADSTS90023 "Invalid prompt value").
pub fn is_prompt_refusal(error: &AuthError) -> bool {
    match error {
        AuthError::Provider {
            error,
            description,
            code,
        } => {
            *code == Some(90023)
                || (error == "invalid_request"
                    && description.to_ascii_lowercase().contains("prompt"))
        }
        _ => false,
    }
}

/// Returns true if and only if `error` answers an interactive attempt that asked for scopes
/// beyond `configured` (incremental consent) by refusing them: Cancel on the consent page
/// (AADSTS65004) or Back on the sign-in page ([`AuthError::Cancelled`]), `access_denied`
/// ("Need admin approval", AADSTS90094) or `consent_required`. The
/// admin is still signed in at the authority, so the page signs in again quietly and says the
/// permission was not granted, instead of a sign-in error (issue 17).
pub fn is_consent_refusal(
    error: &AuthError,
    pending: &PendingAttempt,
    configured: &[String],
) -> bool {
    let incremental = pending.scopes.iter().any(|s| !configured.contains(s));
    let refused = match error {
        AuthError::Provider { error, .. } => {
            error == "access_denied" || error == "consent_required"
        }
        // Cancel on the consent page (AADSTS65004) or Back on the sign-in page.
        AuthError::Cancelled { .. } => true,
        _ => false,
    };
    incremental && refused && !pending.silent
}

/// Returns true if and only if `href` carries any sign-in response parameter (an answer from the
/// authority, complete or not), so it must leave the address bar.
pub fn has_callback_params(href: &str) -> bool {
    strip_callback_params(href) != href
}

/// Returns `href` without any sign-in response parameter (query and fragment), for `history.replaceState`.
pub fn strip_callback_params(href: &str) -> String {
    let Ok(mut url) = url::Url::parse(href) else {
        return href.to_owned();
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| !CALLBACK_PARAMS.contains(&k.as_str()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.set_fragment(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "https://login.example.com/t/v2.0";

    fn attempt() -> PendingAttempt {
        PendingAttempt {
            state: "st".into(),
            nonce: "n".into(),
            verifier: "v".into(),
            created_ms: 1_000_000.0,
            silent: false,
            scopes: vec![],
            prompt: None,
            login_hint: None,
        }
    }

    fn request(prompt: Option<&'static str>) -> (String, PendingAttempt) {
        let scopes = vec![
            "openid".to_owned(),
            "https://graph.microsoft.com/User.Read.All".to_owned(),
        ];
        authorize_url(&AuthorizeRequest {
            client_id: "cid",
            authorization_endpoint: "https://login.example.com/t/oauth2/v2.0/authorize",
            redirect_uri: "https://app.example.com/tap/",
            scopes: &scopes,
            prompt,
            login_hint: Some("adele@contoso.com"),
            now_ms: 5.0,
        })
        .unwrap()
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier =
            oauth2::PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        assert_eq!(
            challenge.as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(challenge.method().as_str(), "S256");
    }

    #[test]
    fn authorize_url_carries_every_parameter() {
        let (url, attempt) = request(None);
        let url = url::Url::parse(&url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/t/oauth2/v2.0/authorize");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "cid");
        assert_eq!(q["redirect_uri"], "https://app.example.com/tap/");
        assert_eq!(
            q["scope"],
            "openid https://graph.microsoft.com/User.Read.All"
        );
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["state"], attempt.state);
        assert_eq!(q["nonce"], attempt.nonce);
        assert_eq!(q["login_hint"], "adele@contoso.com");
        assert_eq!(q["response_mode"], "query");
        assert!(!q.contains_key("prompt"));
        let expected = PkceCodeChallenge::from_code_verifier_sha256(
            &oauth2::PkceCodeVerifier::new(attempt.verifier.clone()),
        );
        assert_eq!(q["code_challenge"], expected.as_str());
        assert!(!attempt.silent);
        assert_eq!(attempt.created_ms, 5.0);
    }

    #[test]
    fn verifiers_are_43_base64url_chars_and_never_repeat() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let (_, a) = request(Some("none"));
            assert!(a.silent);
            assert_eq!(a.verifier.len(), 43);
            assert!(a
                .verifier
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            assert!(seen.insert(a.verifier.clone()), "verifier repeated");
            assert!(seen.insert(a.state.clone()), "state repeated");
            assert!(seen.insert(a.nonce.clone()), "nonce repeated");
        }
    }

    #[test]
    fn good_callback_gives_the_code() {
        let cb = Callback::from_url("https://app/?code=abc&state=st&session_state=x").unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Ok("abc".into())
        );
    }

    #[test]
    fn ordinary_urls_are_not_callbacks() {
        assert_eq!(Callback::from_url("https://app/tools/tap/"), None);
        assert_eq!(Callback::from_url("https://app/?view=x"), None);
    }

    #[test]
    fn state_mismatch_and_missing_state_abort() {
        let cb = Callback::from_url("https://app/?code=abc&state=other").unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::StateMismatch)
        );
        let cb = Callback::from_url("https://app/?code=abc").unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::StateMismatch)
        );
    }

    #[test]
    fn replayed_callback_is_an_unknown_attempt() {
        let cb = Callback::from_url("https://app/?code=abc&state=st").unwrap();
        assert_eq!(
            cb.verify(None, ISS, 1_000_500.0),
            Err(AuthError::UnknownAttempt)
        );
    }

    #[test]
    fn attempt_expires_after_ten_minutes() {
        let cb = Callback::from_url("https://app/?code=abc&state=st").unwrap();
        assert_eq!(
            cb.verify(
                Some(&attempt()),
                ISS,
                1_000_000.0 + ATTEMPT_LIFETIME_MS + 1.0
            ),
            Err(AuthError::AttemptExpired)
        );
    }

    #[test]
    fn error_parameters_are_kept_as_text() {
        let cb = Callback::from_url(
            "https://app/?error=access_denied&error_description=AADSTS50105%3A+%3Cb%3Enot+assigned%3C%2Fb%3E&state=st",
        )
        .unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::Provider {
                error: "access_denied".into(),
                description: "AADSTS50105: <b>not assigned</b>".into(),
                code: Some(50105)
            })
        );
        let cb = Callback::from_url(
            "https://app/?error=access_denied&error_description=AADSTS65004%3A+%3Cb%3Edeclined%3C%2Fb%3E&state=st",
        )
        .unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::Cancelled {
                consent: true,
                description: "AADSTS65004: <b>declined</b>".into(),
            })
        );
        // With a wrong state the error is not believed.
        let cb = Callback::from_url("https://app/?error=x&state=forged").unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::StateMismatch)
        );
    }

    #[test]
    fn tokens_in_the_url_are_refused() {
        let cb = Callback::from_url("https://app/#access_token=eyJ&state=st").unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::TokensInUrl)
        );
    }

    #[test]
    fn iss_parameter_must_match() {
        let cb =
            Callback::from_url("https://app/?code=c&state=st&iss=https%3A%2F%2Fevil%2F").unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::IssParamMismatch)
        );
        let cb = Callback::from_url(&format!("https://app/?code=c&state=st&iss={}", ISS)).unwrap();
        assert!(cb.verify(Some(&attempt()), ISS, 1_000_500.0).is_ok());
    }

    #[test]
    fn attempt_remembers_prompt_and_hint_and_drops_an_empty_hint() {
        let (url, a) = request(Some("select_account"));
        assert_eq!(a.prompt.as_deref(), Some("select_account"));
        assert_eq!(a.login_hint.as_deref(), Some("adele@contoso.com"));
        assert!(url.contains("prompt=select_account"));
        let scopes = vec!["openid".to_owned()];
        let (url, a) = authorize_url(&AuthorizeRequest {
            client_id: "cid",
            authorization_endpoint: "https://login.example.com/a",
            redirect_uri: "https://app.example.com/",
            scopes: &scopes,
            prompt: None,
            login_hint: Some(""),
            now_ms: 5.0,
        })
        .unwrap();
        assert!(
            !url.contains("login_hint") && !url.contains("prompt"),
            "{url}"
        );
        assert_eq!(a.prompt, None);
    }

    /// Issue 11 point 14: Entra's cancelled consent (AADSTS65004) and Back on its sign-in page
    /// (`error_subcode=cancel`, no description) are told apart from other refusals.
    #[test]
    fn a_cancelled_consent_or_sign_in_is_recognised() {
        let cb = Callback::from_url("https://app/?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent+to+access+the+app.&error_subcode=cancel&error_uri=https%3A%2F%2Flogin%2Ferror%3Fcode%3D65004&state=st").unwrap();
        assert!(matches!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::Cancelled { consent: true, .. })
        ));
        let cb =
            Callback::from_url("https://app/?error=access_denied&error_subcode=cancel&state=st")
                .unwrap();
        assert_eq!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::Cancelled {
                consent: false,
                description: String::new()
            })
        );
        let cb = Callback::from_url("https://app/?error=access_denied&error_description=AADSTS50105%3A+not+assigned&state=st").unwrap();
        assert!(matches!(
            cb.verify(Some(&attempt()), ISS, 1_000_500.0),
            Err(AuthError::Provider {
                code: Some(50105),
                ..
            })
        ));
    }

    #[test]
    fn prompt_refusals_are_recognised() {
        let generic = AuthError::provider(
            "invalid_request",
            Some("unsupported prompt value requested"),
        );
        assert!(is_prompt_refusal(&generic));
        assert!(is_prompt_refusal(&AuthError::provider(
            "invalid_request",
            Some("AADSTS90023: Invalid prompt value 'x'.")
        )));
        assert!(!is_prompt_refusal(&AuthError::provider(
            "invalid_request",
            Some("AADSTS50011: redirect URI mismatch")
        )));
        assert!(!is_prompt_refusal(&AuthError::provider(
            "login_required",
            Some("prompt=none needs a session")
        )));
    }

    /// Issue 11 point 14: Entra's error extras leave the address bar with the rest.
    #[test]
    fn error_extras_leave_the_address_bar() {
        let href = "https://app/tap/?error=access_denied&error_description=x&error_uri=https%3A%2F%2Fl%2Ferror&error_subcode=cancel&admin_consent=True&state=s";
        assert_eq!(strip_callback_params(href), "https://app/tap/");
        assert!(has_callback_params(href));
        assert!(has_callback_params(
            "https://app/?admin_consent=True&tenant=t"
        ));
        assert!(!has_callback_params("https://app/tap/"));
    }

    #[test]
    fn strip_removes_only_response_parameters() {
        assert_eq!(
            strip_callback_params("https://app/tap/?code=a&state=b&iss=c&session_state=d"),
            "https://app/tap/"
        );
        assert_eq!(
            strip_callback_params("https://app/?keep=1&code=a#frag"),
            "https://app/?keep=1"
        );
    }

    #[test]
    fn a_refused_incremental_consent_is_told_apart_from_a_failed_sign_in() {
        let configured = vec!["openid".to_owned(), "User.Read.All".to_owned()];
        let mut pending = PendingAttempt {
            state: String::new(),
            nonce: String::new(),
            verifier: String::new(),
            created_ms: 0.0,
            silent: false,
            scopes: vec![
                "openid".into(),
                "User.Read.All".into(),
                "AuditLog.Read.All".into(),
            ],
            prompt: None,
            login_hint: None,
        };
        let provider = |error: &str| AuthError::Provider {
            error: error.into(),
            description: String::new(),
            code: None,
        };
        assert!(is_consent_refusal(
            &provider("access_denied"),
            &pending,
            &configured
        ));
        assert!(is_consent_refusal(
            &provider("consent_required"),
            &pending,
            &configured
        ));
        assert!(!is_consent_refusal(
            &provider("invalid_request"),
            &pending,
            &configured
        ));
        assert!(!is_consent_refusal(
            &AuthError::UnknownAttempt,
            &pending,
            &configured
        ));
        pending.silent = true;
        assert!(!is_consent_refusal(
            &provider("access_denied"),
            &pending,
            &configured
        ));
        pending.silent = false;
        // A sign-in asking only for the configured scopes failed: a sign-in error as before.
        pending.scopes = configured.clone();
        assert!(!is_consent_refusal(
            &provider("access_denied"),
            &pending,
            &configured
        ));
    }
}
