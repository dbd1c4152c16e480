//! tapdesk-emulator: a local emulator of Microsoft Entra ID v2.0 sign-in (authorization code +
//! PKCE for a single-page app) and of the Microsoft Graph calls tapdesk makes (users,
//! authentication methods, Temporary Access Passes, the TAP policy), for tests and demos.
//!
//! Three listeners on 127.0.0.1, like the real services on three origins: sign-in, Graph, and
//! optionally the page itself. All time comes from one clock that tests can move forward.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use tapdesk_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig {
//!     spa_redirect_uris: vec!["http://127.0.0.1:8080/".into()],
//!     ..EmulatorConfig::default()
//! })
//! .await?;
//! println!("authority: {}", emu.authority());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

pub mod audit;
pub mod clock;
mod control;
pub mod counters;
pub mod faults;
pub mod graph;
pub mod inject;
pub mod jwt;
pub mod load;
pub mod login;
pub mod model;
pub mod qr;
pub mod scopes;
pub mod seed;
pub mod site;
pub mod state;
pub mod tenant;
pub mod units;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use audit::AuditRecord;
pub use control::ControlError;
pub use faults::{FaultError, FaultKind, FaultOrigin, FaultRule, Match};
pub use load::{GraphRequestCounts, GraphRequestSeen};
pub use model::{
    Event, ExcludeTarget, Group, IncludeTarget, PassRecord, PolicyState, SentMail, TapPolicy, User,
};
pub use qr::{QrCodeRecord, QrMethodRecord, QrPinRecord, QrPolicy};
pub use state::{Settings, SilentRefusal};
pub use tenant::Usability;
pub use units::{AdministrativeUnit, RoleGrant};

use state::AppState;

/// How to start the emulator.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Sign-in port (0 = ephemeral).
    pub login_port: u16,
    /// Graph port (0 = ephemeral).
    pub graph_port: u16,
    /// Serve a built page folder too.
    pub site: Option<SiteConfig>,
    /// Registered SPA redirect URIs of the demo app (exact match). If empty and a site is
    /// served, the site URL (`http://127.0.0.1:PORT/` plus its `path_prefix`) is registered.
    pub spa_redirect_uris: Vec<String>,
    /// Tenant-wide admin consent to the demo app's Graph scopes
    /// ([`seed::ADMIN_CONSENTED_SCOPES`]).
    pub admin_consent_granted: bool,
}

impl Default for EmulatorConfig {
    /// Ephemeral ports, no site, no redirect URIs, admin consent granted.
    fn default() -> Self {
        EmulatorConfig {
            login_port: 0,
            graph_port: 0,
            site: None,
            spa_redirect_uris: vec![],
            admin_consent_granted: true,
        }
    }
}

/// The static site listener.
#[derive(Clone, Debug)]
pub struct SiteConfig {
    /// Port (0 = ephemeral).
    pub port: u16,
    /// Folder to serve (a built `dist/`).
    pub dir: PathBuf,
    /// `/config.json`: `None` generates it from the emulator; `Some(s)` serves `s` verbatim;
    /// `Some("")` answers 404.
    pub config_json: Option<String>,
    /// The path the folder is served under, e.g. `/tools/tap/` (`/` = the site root); the
    /// same path without its final `/` redirects to it.
    pub path_prefix: String,
}

/// A running emulator. Stop it with [`Emulator::shutdown`].
#[derive(Debug)]
pub struct Emulator {
    state: Arc<AppState>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
    /// The site's path prefix (`/…/`), `/` when no site is served.
    site_prefix: String,
}

async fn bind(port: u16) -> std::io::Result<(TcpListener, String)> {
    let l = TcpListener::bind(("127.0.0.1", port)).await?;
    let url = format!("http://127.0.0.1:{}", l.local_addr()?.port());
    Ok((l, url))
}

impl Emulator {
    /// Binds the listeners on 127.0.0.1 and starts serving a fresh demo tenant.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let (login_l, login_url) = bind(config.login_port).await?;
        let (graph_l, graph_url) = bind(config.graph_port).await?;
        let site = match &config.site {
            Some(s) => Some((bind(s.port).await?, s.clone())),
            None => None,
        };
        let site_prefix =
            site::normalize_prefix(config.site.as_ref().map_or("/", |s| s.path_prefix.as_str()));
        let site_url = site
            .as_ref()
            .map(|((_, url), _)| format!("{url}{site_prefix}"));
        let mut redirect_uris = config.spa_redirect_uris.clone();
        if redirect_uris.is_empty() {
            redirect_uris.extend(site_url.clone());
        }
        let signer = jwt::Signer::generate().map_err(std::io::Error::other)?;
        let state = Arc::new(AppState::new(
            signer,
            login_url,
            graph_url,
            site.as_ref().map(|((_, url), _)| url.clone()),
            site.as_ref().and_then(|(_, s)| s.config_json.clone()),
            redirect_uris,
            config.admin_consent_granted,
        ));
        let (stop, rx) = watch::channel(false);
        let serve = |listener: TcpListener, router: axum::Router| {
            let mut rx = rx.clone();
            tokio::spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        // Either a stop signal or the sender being dropped ends the server.
                        let _ = rx.wait_for(|stop| *stop).await;
                    })
                    .await
            })
        };
        let mut tasks = vec![
            serve(login_l, login::router(state.clone())),
            serve(graph_l, graph::router(state.clone())),
        ];
        if let Some(((l, _), s)) = site {
            tasks.push(serve(l, site::router(state.clone(), s.dir, &s.path_prefix)));
        }
        Ok(Emulator {
            state,
            stop,
            tasks,
            site_prefix,
        })
    }

    /// `http://127.0.0.1:PORT` of the sign-in origin (no trailing slash).
    pub fn login_url(&self) -> String {
        self.state.login_url.clone()
    }

    /// `http://127.0.0.1:PORT` of Graph (the client appends `/v1.0`).
    pub fn graph_url(&self) -> String {
        self.state.graph_url.clone()
    }

    /// `http://127.0.0.1:PORT/` plus the site's path prefix (the page's address), if a site
    /// is served.
    pub fn site_url(&self) -> Option<String> {
        self.state
            .site_url
            .as_ref()
            .map(|u| format!("{u}{}", self.site_prefix))
    }

    /// `{login}/{tenant_id}/v2.0`.
    pub fn authority(&self) -> String {
        self.state.authority()
    }

    /// The demo SPA's client id.
    pub fn client_id(&self) -> &'static str {
        seed::CLIENT_ID
    }

    /// The generated page config `{"clientId","authority","graphBaseUrl"}`.
    pub fn config_json(&self) -> String {
        self.state.config_json()
    }

    /// Lays `fields` (a JSON object) over the generated page `config.json` from the next time
    /// the page loads it, e.g. `{"clipboardClearSeconds": 2}`. A test aid: the page's Settings
    /// screen overrides only the sign-in fields.
    pub fn extend_page_config(&self, fields: serde_json::Value) {
        if let serde_json::Value::Object(map) = fields {
            self.state.lock().page_config_extra.extend(map);
        }
    }

    /// Registers one more SPA redirect URI (exact match; its origin may redeem codes).
    pub fn register_redirect_uri(&self, uri: &str) {
        let mut inner = self.state.lock();
        if !inner.redirect_uris.iter().any(|u| u == uri) {
            inner.redirect_uris.push(uri.to_string());
        }
    }

    /// Replaces the TAP policy (not validated, so tests can set odd values; records
    /// `PolicyChanged`).
    pub fn set_policy(&self, p: TapPolicy) {
        let mut inner = self.state.lock();
        inner.tenant.policy = p.clone();
        inner.tenant.events.push(Event::PolicyChanged { policy: p });
    }

    /// The current TAP policy.
    pub fn policy(&self) -> TapPolicy {
        self.state.lock().tenant.policy.clone()
    }

    /// Moves the emulator clock forward.
    pub fn advance_clock(&self, d: Duration) {
        self.state.clock.advance(d);
    }

    /// The emulator's current time.
    pub fn now(&self) -> time::OffsetDateTime {
        self.state.clock.now()
    }

    /// The user's current pass (0 or 1), including the secret.
    pub fn passes(&self, user_id_or_upn: &str) -> Vec<PassRecord> {
        let inner = self.state.lock();
        inner
            .tenant
            .find_user(user_id_or_upn)
            .and_then(|u| inner.tenant.passes.get(&u.id).cloned())
            .into_iter()
            .collect()
    }

    /// Marks the user's current pass as used for sign-in: a one-time pass then reads back
    /// `isUsable: false`, `methodUsabilityReason: "OneTimeUsed"`; a multi-use one stays usable.
    /// Returns false if the user has no pass. Records nothing (sign-ins are not directory
    /// audit events).
    pub fn mark_pass_used(&self, user_id_or_upn: &str) -> bool {
        control::methods::use_pass(&self.state, user_id_or_upn).is_ok()
    }

    /// Everything that happened, in order.
    pub fn events(&self) -> Vec<Event> {
        self.state.lock().tenant.events.clone()
    }

    /// The directory audit log in the order recorded (oldest first; Graph's
    /// `/auditLogs/directoryAudits` lists it newest first).
    pub fn audit_records(&self) -> Vec<AuditRecord> {
        self.state.lock().tenant.audit.clone()
    }

    /// Mails sent through Graph `sendMail`, in order (the [`Event::MailSent`] events).
    pub fn mails(&self) -> Vec<SentMail> {
        self.state
            .lock()
            .tenant
            .events
            .iter()
            .filter_map(|e| match e {
                Event::MailSent {
                    from,
                    to,
                    cc,
                    subject,
                    content_type,
                    content,
                } => Some(SentMail {
                    from: from.clone(),
                    to: to.clone(),
                    cc: cc.clone(),
                    subject: subject.clone(),
                    content_type: content_type.clone(),
                    content: content.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// The object id of a UPN (case-insensitive).
    pub fn user_id(&self, upn: &str) -> Option<String> {
        self.state
            .lock()
            .tenant
            .find_user(upn)
            .map(|u| u.id.clone())
    }

    /// Fresh demo tenant, clock back to real time; keeps redirect URIs and settings.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Every access, ID and refresh token value the token endpoint issued so far, in order
    /// (kept across [`Emulator::reset`]), so tests can look for each one anywhere.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.lock().issued_tokens.clone()
    }

    /// The behaviour switches.
    pub fn settings(&self) -> Settings {
        self.state.lock().settings.clone()
    }

    /// Changes behaviour switches.
    pub fn update_settings(&self, f: impl FnOnce(&mut Settings)) {
        f(&mut self.state.lock().settings);
    }

    /// Access token lifetime (default 3599 s).
    pub fn set_token_lifetime(&self, d: Duration) {
        self.update_settings(|s| s.token_lifetime = d);
    }

    /// Make every new pass start with `+` (or stop doing so).
    pub fn force_leading_plus(&self, on: bool) {
        self.update_settings(|s| s.force_leading_plus = on);
    }

    /// Publish `code_challenge_methods_supported` in discovery (real Entra does not).
    pub fn set_publish_code_challenge_methods(&self, on: bool) {
        self.update_settings(|s| s.publish_code_challenge_methods = on);
    }

    /// Stops all listeners gracefully (in-flight requests finish, held `Timeout` faults end at
    /// once; at most 5 s).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        self.state.stopping.send_replace(true);
        for t in self.tasks {
            let abort = t.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), t)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}
