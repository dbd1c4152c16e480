//! The signed-in session: tokens in Rust memory only, renewed 5 minutes before expiry, one
//! renewal after a 401 and never a loop.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthorizationCode, ClientId, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::attempt::PendingAttempt;
use super::id_token::{self, IdClaims};
use super::metadata::ProviderMetadata;
use super::AuthError;
use crate::config::Config;

/// How long before its expiry an access token is treated as expired.
pub const RENEW_EARLY_MS: f64 = 5.0 * 60.0 * 1000.0;

/// The OpenID field of the token response that `oauth2` does not know.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct OidcFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for OidcFields {}

type TokenAnswer = StandardTokenResponse<OidcFields, BasicTokenType>;
type BareClient = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;
type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Who is signed in, from the ID token.
///
/// Only `sub` is certain (OpenID Connect requires it); `name`, `preferred_username`, `email`
/// and Entra's `oid`, `tid`, `wids` and `login_hint` may all be missing, so every field has a
/// fallback and nothing on the sign-in path requires an Entra claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// What the account bar shows: `name`, else `preferred_username`, else `email`, else `sub`.
    pub name: String,
    /// `preferred_username` (the UPN on Entra ID), else `email`; empty when neither is present.
    /// Sent as `login_hint` when signing the same account in again.
    pub username: String,
    pub object_id: String,
    /// Directory role template ids (`wids`); `None` when the ID token has no `wids` claim (the
    /// registration does not ask for it, or another provider): roles unknown.
    pub roles: Option<Vec<String>>,
    /// Entra's optional `login_hint` claim, the value `logout_hint` takes.
    pub login_hint: Option<String>,
}

impl Account {
    /// The account named by `c`'s claims.
    pub fn from_claims(c: &IdClaims) -> Account {
        let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let username = given(&c.preferred_username)
            .or_else(|| given(&c.email))
            .unwrap_or_default();
        let name = given(&c.name)
            .or_else(|| (!username.is_empty()).then(|| username.clone()))
            .or_else(|| given(&c.sub))
            .unwrap_or_default();
        Account {
            name,
            username,
            object_id: given(&c.oid).or_else(|| given(&c.sub)).unwrap_or_default(),
            roles: c.wids.clone(),
            login_hint: given(&c.login_hint),
        }
    }
}

/// Access and refresh token, kept in memory only.
#[derive(Clone)]
struct Tokens {
    access: String,
    refresh: Option<String>,
    expires_at_ms: f64,
    /// Permissions the token response says were granted (`scope`), as bare names; `None` if it did not say.
    granted: Option<Vec<String>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(…)")
    }
}

type Renewal = Shared<LocalBoxFuture<'static, Result<String, AuthError>>>;

struct Inner {
    /// The renewal under way, if any.
    renewal: RefCell<Option<Renewal>>,
    config: Config,
    /// Scopes of the attempt that signed in; renewals ask for the same.
    scopes: Vec<String>,
    metadata: ProviderMetadata,
    redirect_uri: String,
    account: Account,
    tokens: RefCell<Tokens>,
}

/// A signed-in session. Cloning shares it.
#[derive(Clone)]
pub struct Session(Rc<Inner>);

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", &self.0.account)
            .finish_non_exhaustive()
    }
}

/// Errors a call through [`Session::call`] can end with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError<E> {
    /// The call itself failed (after at most one renewal for a 401).
    Call(E),
    /// No valid token could be had without the user.
    Auth(AuthError),
}

/// Implemented by errors that can say "the token was refused" (HTTP 401).
pub trait Unauthorized {
    /// Returns true if and only if the server refused the access token.
    fn is_unauthorized(&self) -> bool;
}

fn client(
    config: &Config,
    metadata: &ProviderMetadata,
    redirect_uri: &str,
) -> Result<OAuthClient, AuthError> {
    let bad = |e: url::ParseError| AuthError::Discovery {
        url: metadata.token_endpoint.clone(),
        reason: format!("an endpoint is not a valid URL ({e})"),
    };
    Ok(BareClient::new(ClientId::new(config.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::new(metadata.token_endpoint.clone()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(bad)?))
}

fn token_error(e: RequestTokenError<super::http::HttpError, BasicErrorResponse>) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => AuthError::provider(
            r.error().as_ref(),
            r.error_description().map(String::as_str),
        ),
        RequestTokenError::Request(e) => AuthError::Network(e.to_string()),
        RequestTokenError::Parse(e, _) => AuthError::Provider {
            error: "invalid_response".into(),
            description: format!("The token endpoint's answer could not be read ({e})."),
            code: None,
        },
        RequestTokenError::Other(s) => AuthError::Provider {
            error: "invalid_response".into(),
            description: s,
            code: None,
        },
    }
}

fn tokens_from(answer: &TokenAnswer, old_refresh: Option<String>, now_ms: f64) -> Tokens {
    let lifetime_ms = answer
        .expires_in()
        .map_or(3_600_000.0, |d| d.as_millis() as f64);
    Tokens {
        access: answer.access_token().secret().clone(),
        refresh: answer
            .refresh_token()
            .map(|r| r.secret().clone())
            .or(old_refresh),
        expires_at_ms: now_ms + lifetime_ms,
        granted: answer
            .scopes()
            .map(|list| list.iter().map(|s| bare_permission(s)).collect()),
    }
}

/// Returns the sign-out URL of `metadata` (when it publishes an `end_session_endpoint`).
///
/// `logout_hint` is sent only with the ID token's `login_hint` claim: Microsoft's sign-out
/// documentation says it takes that optional claim's value, never a UPN; without the claim the
/// parameter is left out (the authority then asks which account to sign out).
pub fn end_session_url(
    metadata: &ProviderMetadata,
    redirect_uri: &str,
    login_hint_claim: Option<&str>,
) -> Option<String> {
    let endpoint = metadata.end_session_endpoint.as_deref()?;
    let mut url = url::Url::parse(endpoint).ok()?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("post_logout_redirect_uri", redirect_uri);
        if let Some(hint) = login_hint_claim.filter(|h| !h.is_empty()) {
            q.append_pair("logout_hint", hint);
        }
    }
    Some(url.to_string())
}

/// Returns the permission name of a scope: `https://graph.microsoft.com/User.Read.All` → `User.Read.All`.
pub fn bare_permission(scope: &str) -> String {
    scope.rsplit('/').next().unwrap_or(scope).to_owned()
}

impl Session {
    /// Redeems `code` for tokens (PKCE verifier of `attempt`), checks the ID token and returns the session.
    pub async fn redeem(
        config: Config,
        metadata: ProviderMetadata,
        redirect_uri: String,
        code: String,
        attempt: &PendingAttempt,
        now_ms: f64,
    ) -> Result<Session, AuthError> {
        let oauth = client(&config, &metadata, &redirect_uri)?;
        let answer = oauth
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.verifier.clone()))
            .request_async(&super::http::send)
            .await
            .map_err(token_error)?;
        let id_token = answer.extra_fields().id_token.as_deref().ok_or_else(|| {
            AuthError::IdToken("the answer has no ID token (is the openid scope allowed?)".into())
        })?;
        let claims = id_token::verify(
            id_token,
            &metadata.issuer,
            &config.client_id,
            &attempt.nonce,
            now_ms,
        )?;
        let tokens = tokens_from(&answer, None, now_ms);
        Ok(Session(Rc::new(Inner {
            account: Account::from_claims(&claims),
            renewal: RefCell::new(None),
            scopes: if attempt.scopes.is_empty() {
                config.scopes.clone()
            } else {
                attempt.scopes.clone()
            },
            config,
            metadata,
            redirect_uri,
            tokens: RefCell::new(tokens),
        })))
    }

    /// The signed-in account.
    pub fn account(&self) -> &Account {
        &self.0.account
    }

    /// Returns false if and only if the last token answer listed its granted scopes and neither
    /// `permission` (a bare name such as `UserAuthMethod-TAP.ReadWrite.All`) nor a broader one
    /// serving the same calls ([`crate::config::permission_serves`]) was among them.
    pub fn has_permission(&self, permission: &str) -> bool {
        let tokens = self.0.tokens.borrow();
        tokens.granted.as_ref().is_none_or(|g| {
            g.iter()
                .any(|p| crate::config::permission_serves(p, permission))
        })
    }

    /// The configuration this session signed in with.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// Returns the URL that ends the provider's session, when it publishes one.
    pub fn end_session_url(&self) -> Option<String> {
        end_session_url(
            &self.0.metadata,
            &self.0.redirect_uri,
            self.0.account.login_hint.as_deref(),
        )
    }

    /// Returns an access token valid for at least five more minutes, renewing it if needed.
    pub async fn access_token(&self, now_ms: f64) -> Result<String, AuthError> {
        let current = self.0.tokens.borrow().clone();
        if current.expires_at_ms - RENEW_EARLY_MS > now_ms {
            return Ok(current.access);
        }
        self.renew(now_ms).await
    }

    /// Uses the refresh token (rotated on every use) to get a new access token.
    ///
    /// Renewals are single-flight: callers arriving while one runs share its outcome, because a
    /// second use of the same (rotated) refresh token would be refused and end the session.
    pub async fn renew(&self, now_ms: f64) -> Result<String, AuthError> {
        let running = self.0.renewal.borrow().clone();
        let renewal = match running {
            Some(r) => r,
            None => {
                let me = self.clone();
                let r = async move {
                    let outcome = me.refresh_now(now_ms).await;
                    *me.0.renewal.borrow_mut() = None;
                    outcome
                }
                .boxed_local()
                .shared();
                *self.0.renewal.borrow_mut() = Some(r.clone());
                r
            }
        };
        renewal.await
    }

    async fn refresh_now(&self, now_ms: f64) -> Result<String, AuthError> {
        let refresh = self
            .0
            .tokens
            .borrow()
            .refresh
            .clone()
            .ok_or(AuthError::SignInRequired)?;
        let oauth = client(&self.0.config, &self.0.metadata, &self.0.redirect_uri)?;
        let scopes = self.0.scopes.iter().map(|s| Scope::new(s.clone()));
        let answer = oauth
            .exchange_refresh_token(&RefreshToken::new(refresh.clone()))
            .add_scopes(scopes)
            .request_async(&super::http::send)
            .await
            .map_err(token_error)?;
        let tokens = tokens_from(&answer, Some(refresh), now_ms);
        let access = tokens.access.clone();
        *self.0.tokens.borrow_mut() = tokens;
        Ok(access)
    }

    /// Runs `call` with a fresh access token; after a 401 renews once and runs it once more.
    pub async fn call<T, E, F, Fut>(
        &self,
        now: impl Fn() -> f64,
        call: F,
    ) -> Result<T, CallError<E>>
    where
        E: Unauthorized,
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let token = self.access_token(now()).await.map_err(CallError::Auth)?;
        match call(token.clone()).await {
            Err(e) if e.is_unauthorized() => {
                // Another call may have renewed meanwhile: use its token rather than renew again.
                let current = self.0.tokens.borrow().access.clone();
                let fresh = if current == token {
                    self.renew(now()).await.map_err(CallError::Auth)?
                } else {
                    current
                };
                call(fresh).await.map_err(CallError::Call)
            }
            other => other.map_err(CallError::Call),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn config() -> Config {
        crate::config::parse_raw(
            r#"{"clientId":"cid","authority":"https://login.example.com/t/v2.0"}"#,
        )
        .unwrap()
        .validate()
        .unwrap()
    }

    fn metadata() -> ProviderMetadata {
        ProviderMetadata {
            issuer: "https://login.example.com/t/v2.0".into(),
            authorization_endpoint: "https://login.example.com/t/authorize".into(),
            token_endpoint: "https://login.example.com/t/token".into(),
            end_session_endpoint: None,
            code_challenge_methods_supported: None,
            prompt_values_supported: None,
        }
    }

    fn claims(json: &str) -> IdClaims {
        serde_json::from_str(json).unwrap()
    }

    /// Issue 11 point 5: no Entra claim is required; the account bar always names someone.
    #[test]
    fn an_account_is_named_without_entra_claims() {
        let a = Account::from_claims(&claims(
            r#"{"sub":"s-1","name":"Ada Lovelace","preferred_username":"ada","email":"ada@example.org"}"#,
        ));
        assert_eq!(
            (a.name.as_str(), a.username.as_str(), a.object_id.as_str()),
            ("Ada Lovelace", "ada", "s-1")
        );
        assert!(a.roles.is_none() && a.login_hint.is_none());
        let a = Account::from_claims(&claims(r#"{"sub":"s-1","email":"ada@example.org"}"#));
        assert_eq!(
            (a.name.as_str(), a.username.as_str()),
            ("ada@example.org", "ada@example.org")
        );
        let a = Account::from_claims(&claims(
            r#"{"sub":"s-1","preferred_username":"ada","name":" "}"#,
        ));
        assert_eq!(a.name, "ada");
        let a = Account::from_claims(&claims(r#"{"sub":"s-1"}"#));
        assert_eq!((a.name.as_str(), a.username.as_str()), ("s-1", ""));
        let a = Account::from_claims(&claims(
            r#"{"sub":"s","oid":"o","wids":["w"],"login_hint":"O.abc","preferred_username":"adele@contoso.com"}"#,
        ));
        assert_eq!(
            (a.object_id.as_str(), a.login_hint.as_deref()),
            ("o", Some("O.abc"))
        );
    }

    /// Issue 11 point 14: `logout_hint` carries the `login_hint` claim, never the UPN.
    #[test]
    fn logout_hint_is_the_login_hint_claim_or_nothing() {
        let mut m = metadata();
        assert_eq!(end_session_url(&m, "https://app/", Some("O.abc")), None);
        m.end_session_endpoint = Some("https://login.example.com/t/logout".into());
        let url = end_session_url(&m, "https://app/", None).unwrap();
        assert_eq!(
            url,
            "https://login.example.com/t/logout?post_logout_redirect_uri=https%3A%2F%2Fapp%2F"
        );
        let url = end_session_url(&m, "https://app/", Some("O.abc+/=")).unwrap();
        let q: std::collections::HashMap<String, String> = url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        assert_eq!(q["logout_hint"], "O.abc+/=");
    }

    /// Security items 4 and 6: the code redemption is a plain form POST (CORS-safelisted
    /// headers only, so no preflight) carrying the PKCE verifier and no client secret.
    #[test]
    fn token_request_is_a_plain_form_post_without_secret() {
        let seen: RefCell<Option<oauth2::HttpRequest>> = RefCell::new(None);
        let capture = |req: oauth2::HttpRequest| {
            *seen.borrow_mut() = Some(req);
            async {
                Ok::<_, super::super::http::HttpError>(
                    http::Response::builder()
                        .status(200)
                        .header("content-type", "application/json")
                        .body(
                            br#"{"access_token":"a","token_type":"Bearer","expires_in":3599}"#
                                .to_vec(),
                        )
                        .unwrap(),
                )
            }
        };
        let oauth = client(&config(), &metadata(), "https://app.example.com/").unwrap();
        let answer = futures::executor::block_on(
            oauth
                .exchange_code(AuthorizationCode::new("the-code".into()))
                .set_pkce_verifier(PkceCodeVerifier::new("v".repeat(43)))
                .request_async(&capture),
        );
        assert!(answer.is_ok());
        let req = seen.borrow_mut().take().unwrap();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(req.uri().to_string(), "https://login.example.com/t/token");
        let names: Vec<&str> = req.headers().keys().map(|k| k.as_str()).collect();
        assert!(
            names.iter().all(|n| ["accept", "content-type"].contains(n)),
            "{names:?}"
        );
        assert_eq!(
            req.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
        let body = String::from_utf8(req.body().clone()).unwrap();
        let form: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect();
        assert_eq!(form["grant_type"], "authorization_code");
        assert_eq!(form["client_id"], "cid");
        assert_eq!(form["code_verifier"], "v".repeat(43));
        assert_eq!(form["redirect_uri"], "https://app.example.com/");
        assert!(
            !form.contains_key("client_secret") && !body.contains("secret"),
            "{body}"
        );
    }

    /// The token answer keeps its Content-Type through `http::answer`, so `oauth2` still refuses
    /// a body that is not JSON (an HTML error page from a proxy, say).
    #[test]
    fn a_token_answer_that_is_not_json_is_refused() {
        let exchange = |content_type: &'static str| {
            let reply = move |_: oauth2::HttpRequest| async move {
                super::super::http::answer(
                    200,
                    Some(content_type),
                    br#"{"access_token":"a","token_type":"Bearer","expires_in":3599}"#.to_vec(),
                )
            };
            let oauth = client(&config(), &metadata(), "https://app.example.com/").unwrap();
            futures::executor::block_on(
                oauth
                    .exchange_code(AuthorizationCode::new("the-code".into()))
                    .set_pkce_verifier(PkceCodeVerifier::new("v".repeat(43)))
                    .request_async(&reply),
            )
        };
        assert!(exchange("application/json; charset=utf-8").is_ok());
        let refused = exchange("text/html; charset=utf-8").unwrap_err();
        assert!(refused.to_string().contains("Content-Type"), "{refused}");
    }

    #[test]
    fn scopes_are_reduced_to_permission_names() {
        assert_eq!(
            bare_permission("https://graph.microsoft.com/User.Read.All"),
            "User.Read.All"
        );
        assert_eq!(bare_permission("openid"), "openid");
    }
}
