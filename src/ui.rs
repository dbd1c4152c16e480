//! The views: a thin shell over [`crate::auth`], [`crate::graph`] and [`crate::tap`].
//!
//! [`App`] walks through [`Phase`]s: loading the configuration and finishing a sign-in, the
//! setup screen, signed out, signed in. Signed in, the page is one screen: search on top, the
//! chosen user below.

mod audit;
mod badges;
mod boot;
pub mod browser;
mod bulk;
mod campaign;
mod create;
pub mod framed;
mod handover;
mod holders;
mod hooks;
mod intent;
mod lazy;
mod policy;
mod reveal;
mod scope;
mod search;
mod setup;
mod shell;
mod tracking;
mod user;

use std::rc::Rc;

use leptos::prelude::*;

use crate::auth::session::Session;
use crate::config::{Config, RawConfig};
use crate::graph::models::{TapPolicy, User};
use crate::graph::{api, Graph, GraphError};
use crate::messages::{self, Operation};
use crate::storage;

/// Where the app is.
#[derive(Clone)]
pub enum Phase {
    /// Working; the text says on what.
    Loading(&'static str),
    /// The configuration is missing or invalid.
    Setup {
        problems: Vec<String>,
        raw: RawConfig,
    },
    /// Ready to sign in; `error` explains a failed attempt, `admin_consent` links to the fix
    /// when an administrator's consent is missing.
    SignedOut {
        config: Config,
        error: Option<String>,
        admin_consent: Option<String>,
        /// A sentence beside the button (a refused silent sign-in), not an error.
        notice: Option<String>,
        /// The account the next click signs in (a refused silent sign-in, a cancelled consent).
        login_hint: Option<String>,
    },
    /// Signed in.
    SignedIn(Session),
}

/// What the signed-in views share; `Copy`, so every closure can hold it.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The session, kept on this thread.
    pub session: StoredValue<Session, LocalStorage>,
    /// The authenticated Graph handle of this session.
    pub graph: StoredValue<Graph, LocalStorage>,
    /// Set when the session can no longer be renewed without the admin: the sentence to show.
    pub reauth: RwSignal<Option<String>>,
    /// The user on screen and the create form as typed, to keep across a new sign-in.
    pub draft: RwSignal<Option<intent::Intent>>,
    /// The users the onboarding tracker follows (kept in sessionStorage: ids only).
    pub tracked: RwSignal<Vec<crate::tracking::Tracked>>,
    /// What the page knows of the admin's scope (issue 16): tenant-wide, administrative
    /// units, eligible roles.
    pub scope: RwSignal<crate::scope::Known, LocalStorage>,
    /// A wave of the campaign (issue 15) handed to Many users: its sign-in names, one per
    /// line, which the bulk input takes as pasted (and clears); setting it shows that tab.
    pub wave: RwSignal<Option<String>>,
}

impl Ctx {
    /// True when the session's token carries the Graph `permission`.
    pub fn may(&self, permission: &str) -> bool {
        self.session.with_value(|s| s.has_permission(permission))
    }

    /// Leaves for the authority to grant the Graph `permissions` (incremental consent), coming
    /// back to the same screen.
    pub fn grant(&self, permissions: &[&str]) {
        let scopes = self.session.with_value(|s| {
            permissions
                .iter()
                .map(|p| s.config().graph_scope(p))
                .collect()
        });
        self.reauthorize(None, scopes);
    }

    /// Follows `user_ids` on the Tracking screen from now on.
    pub fn track(&self, user_ids: &[String]) {
        let now = browser::now_ms();
        self.tracked.update(|list| {
            for id in user_ids {
                crate::tracking::track(list, id, now);
            }
        });
    }

    /// The followed users' object ids with the time each was added (a tracked read: an effect
    /// calling it runs again when the list changes). Not generic, so a screen module calls it
    /// without its own copy of the signal's closures (a wasm_split layout once broke Tracking
    /// when the Campaign module held one).
    #[inline(never)]
    pub fn tracked_since(&self) -> Vec<(String, f64)> {
        self.tracked
            .with(|t| t.iter().map(|t| (t.id.clone(), t.since)).collect())
    }

    /// Leaves for the authority to sign in again (asking for `extra` scopes too), keeping `intent`.
    pub fn reauthorize(&self, intent: Option<intent::Intent>, extra: Vec<String>) {
        let Some(session) = self.session.try_get_value() else {
            return;
        };
        if let Some(i) = intent {
            intent::save(&i);
        }
        let reauth = self.reauth;
        leptos::task::spawn_local(async move {
            let hint = session.account().username.clone();
            if let Err(e) = boot::reauthorize(session.config(), &hint, &extra).await {
                reauth.set(Some(messages::auth(&e)));
            }
        });
    }
}

impl Ctx {
    /// What the admin may do: the token's roles (`wids`), or a unit scope once read.
    pub fn capability(&self) -> messages::Capability {
        let from_token = self
            .session
            .with_value(|s| messages::capability(s.account().roles.as_deref()));
        self.scope.with_untracked(|k| k.capability(from_token))
    }

    /// The Graph handle; once the signed-in view is gone, a handle whose calls fail as signed
    /// out and are never sent.
    pub fn graph(&self) -> Graph {
        self.graph.try_get_value().unwrap_or_else(Graph::signed_out)
    }
}

/// Searches groups by name for a group picker (two letters at least): the matches go to `found`,
/// a failure to `failed`.
pub fn find_groups(
    ctx: Ctx,
    text: String,
    found: RwSignal<Vec<crate::graph::models::Group>>,
    failed: RwSignal<Option<GraphError>>,
) {
    if text.trim().chars().count() < 2 {
        return;
    }
    leptos::task::spawn_local(async move {
        match ctx.graph().send(api::search_groups(&text)).await {
            Ok(groups) => found.set(groups),
            Err(e) => failed.set(Some(e)),
        }
    });
}

/// A Graph error as shown: the sentence, and the request id for a support ticket.
#[component]
pub fn GraphErrorView(error: GraphError, action: Operation) -> impl IntoView {
    let sentence = messages::graph(&error, action);
    let request = error
        .request_id
        .map(|id| view! { <span class="notice__detail">" Request ID: " {id}</span> });
    view! { <p class="notice notice--error" role="alert">{sentence}{request}</p> }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let phase = RwSignal::new_local(Phase::Loading("Loading…"));
    let settings_open = RwSignal::new(false);
    reveal::resume_clipboard_clear();
    // The signed-in page's module: at once when this load continues a sign-in (in parallel with
    // the token exchange), else once the sign-in page is on screen, so it never competes with
    // what Sign in needs.
    if boot::sign_in_under_way() {
        lazy::preload_home();
    }
    Effect::new(move |started: Option<bool>| {
        let now = started == Some(true) || phase.with(|p| matches!(p, Phase::SignedOut { .. }));
        if now && started != Some(true) {
            lazy::preload_home();
        }
        now
    });
    leptos::task::spawn_local(async move { phase.set(boot::start().await) });
    // A page restored from the back/forward cache must not resume a half-done sign-in (security item 15).
    let _ = window_event_listener(leptos::ev::pageshow, move |ev| {
        if ev.persisted() {
            storage::forget_pending_sign_in();
            // Nothing restored from memory may show again (a pass on screen, a busy button).
            browser::reload();
        }
    });

    let body = move || {
        match phase.get() {
        Phase::Loading(what) => view! { <p class="status" role="status">{what}</p> }.into_any(),
        Phase::Setup { problems, raw } => {
            view! { <setup::SetupScreen problems=problems raw=raw /> }.into_any()
        }
        Phase::SignedOut {
            config,
            error,
            admin_consent,
            notice,
            login_hint,
        } => view! { <boot::SignedOut config=config error=error admin_consent=admin_consent notice=notice login_hint=login_hint /> }
            .into_any(),
        Phase::SignedIn(session) => view! { <lazy::Home session=session phase=phase /> }.into_any(),
    }
    };
    let can_configure = move || !phase.with(|p| matches!(p, Phase::Setup { .. }));
    // The document title names the screen; signed in, the tab on show names it (SignedIn).
    Effect::new(move |_| {
        let screen = phase.with(|p| match p {
            Phase::Loading(_) => Some(""),
            Phase::Setup { .. } => Some("Set up"),
            Phase::SignedOut { .. } => Some("Sign in"),
            Phase::SignedIn(_) => None,
        });
        if let Some(screen) = screen {
            shell::set_title(screen);
        }
    });
    // Closing Settings (Close, Escape) gives focus back to the button that opened it.
    let close_settings = move || {
        settings_open.set(false);
        browser::focus(&format!("#{SETTINGS_BUTTON}"));
    };
    let on_settings_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && settings_open.get_untracked() {
            ev.prevent_default();
            close_settings();
        }
    };

    view! {
        // The page's first stop for the keyboard: straight to the screen, past the header,
        // the account band and the tabs. Shown only while it has focus.
        <a id="skip-link" class="skip-link" href="#main" on:click=move |ev| {
            ev.prevent_default();
            shell::skip_to_content();
        }>"Skip to content"</a>
        <header class="topbar">
            <h1 class="topbar__title">"tapdesk"</h1>
            <span class="topbar__subtitle">"Temporary Access Passes"</span>
        </header>
        <setup::OverridesBanner />
        <reveal::ClipboardNotice />
        <main id="main" class="main">{body}</main>
        // Connection settings are rarely needed once the page works: an "Advanced" item at the
        // foot of the page, not a button in the top bar (issue 17 point 7).
        <Show when=can_configure>
            <footer class="footer" on:keydown=on_settings_key>
                <button type="button" id=SETTINGS_BUTTON class="button button--quiet" aria-expanded=move || settings_open.get().to_string()
                    on:click=move |_| settings_open.update(|o| *o = !*o)>"Advanced: connection settings"</button>
                <Show when=move || settings_open.get()>
                    <setup::SettingsPanel on_close=Callback::new(move |()| close_settings()) />
                </Show>
            </footer>
        </Show>
    }
}

/// The id of the button that opens and closes Settings.
const SETTINGS_BUTTON: &str = "settings";

/// The screens of the signed-in page, one tab each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Single,
    Bulk,
    Holders,
    Tracking,
    Policy,
    Audit,
    Campaign,
    Badges,
}

impl Tab {
    /// Every tab, in the order shown.
    pub const ALL: [Tab; 8] = [
        Tab::Single,
        Tab::Bulk,
        Tab::Tracking,
        Tab::Holders,
        Tab::Policy,
        Tab::Audit,
        Tab::Campaign,
        Tab::Badges,
    ];

    /// Stable key: element ids (`tab-{key}`) and the kept tab.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Single => "single",
            Tab::Bulk => "bulk",
            Tab::Holders => "holders",
            Tab::Tracking => "tracking",
            Tab::Policy => "policy",
            Tab::Audit => "audit",
            Tab::Campaign => "campaign",
            Tab::Badges => "badges",
        }
    }

    /// The tab's name, which the document title repeats.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Single => "One user",
            Tab::Bulk => "Many users",
            Tab::Holders => "Pass holders",
            Tab::Tracking => "Tracking",
            Tab::Policy => "Policy",
            Tab::Audit => "Audit trail",
            Tab::Campaign => "Campaign",
            Tab::Badges => "Badges",
        }
    }

    fn panel_id(self) -> &'static str {
        match self {
            Tab::Single => "single",
            Tab::Bulk => "panel-bulk",
            Tab::Holders => "panel-holders",
            Tab::Tracking => "panel-tracking",
            Tab::Policy => "panel-policy",
            Tab::Audit => "panel-audit",
            Tab::Campaign => "panel-campaign",
            Tab::Badges => "panel-badges",
        }
    }

    fn from_key(key: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The tab a key press on the tab list moves to from this one (ARIA tabs pattern:
    /// Left and Right wrap around, Home and End go to the first and last); `None` for any
    /// other key.
    pub fn after_key(self, key: &str) -> Option<Tab> {
        let n = Tab::ALL.len();
        let i = Tab::ALL.iter().position(|t| *t == self)?;
        match key {
            "ArrowRight" => Some(Tab::ALL[(i + 1) % n]),
            "ArrowLeft" => Some(Tab::ALL[(i + n - 1) % n]),
            "Home" => Some(Tab::ALL[0]),
            "End" => Some(Tab::ALL[n - 1]),
            _ => None,
        }
    }
}

/// The signed-in screen: account bar, policy summary, and the tabs.
#[component]
pub(crate) fn SignedIn(session: Session, phase: RwSignal<Phase, LocalStorage>) -> impl IntoView {
    let band_session = session.clone();
    // The policy is read once per sign-in; every form reads this copy.
    let reauth = RwSignal::new(None);
    // The one place a call that needs a new sign-in raises the banner.
    let on_sign_in_required = Rc::new(move |e: &crate::auth::AuthError| {
        reauth.set(Some(messages::auth(e)));
    });
    let ctx = Ctx {
        graph: StoredValue::new_local(Graph::new(session.clone(), on_sign_in_required)),
        session: StoredValue::new_local(session),
        reauth,
        draft: RwSignal::new(None),
        tracked: RwSignal::new(
            storage::get(storage::TRACKED)
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default(),
        ),
        scope: RwSignal::new_local(crate::scope::Known::Tenant),
        wave: RwSignal::new(None),
    };
    scope::start(ctx);
    let scope_read = Memo::new(move |_| ctx.scope.with(|k| k.scope().is_some()));
    Effect::new(move |_| {
        let list = ctx.tracked.get();
        if list.is_empty() {
            storage::remove(storage::TRACKED);
        } else if let Ok(json) = serde_json::to_string(&list) {
            storage::set(storage::TRACKED, &json);
        }
    });
    let policy: LocalResource<Result<TapPolicy, GraphError>> =
        LocalResource::new(move || async move { ctx.graph().send(api::get_policy()).await });
    let selected: RwSignal<Option<User>> = RwSignal::new(None);
    // Whose new pass is on screen: opening another user asks first.
    let pass_on_screen: RwSignal<Option<String>> = RwSignal::new(None);
    // The tab comes back after a reload or a consent redirect.
    let restored = storage::get(storage::TAB).and_then(|k| Tab::from_key(&k));
    let tab = RwSignal::new(restored.unwrap_or(Tab::Single));
    // Back on another screen than the first, focus goes to its heading: where the admin was,
    // not the top of the page (issue 17 point 4).
    if let Some(t) = restored.filter(|t| *t != Tab::Single) {
        browser::focus_soon(format!("#{} h2", t.panel_id()));
    }
    Effect::new(move |_| shell::set_title(tab.get().label()));
    // A campaign wave handed over shows Many users, where its input waits.
    Effect::new(move |_| {
        if ctx.wave.with(Option::is_some) {
            tab.set(Tab::Bulk);
            browser::focus_soon("#bulk-paste");
        }
    });
    // Every screen but the first is built on its first visit only (its code downloaded then,
    // in the split release build), so signing in costs the policy read and nothing more.
    let visited: RwSignal<Vec<Tab>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        let t = tab.get();
        storage::set(storage::TAB, t.key());
        if !visited.with_untracked(|v| v.contains(&t)) {
            visited.update(|v| v.push(t));
        }
    });
    let opened = move |t: Tab| move || visited.with(|v| v.contains(&t));
    // A reload returns to the user on screen (only the object id is kept).
    if let Some(id) = storage::get(storage::VIEW) {
        leptos::task::spawn_local(async move {
            let key = id.clone();
            if let Ok(u) = ctx.graph().send(api::get_user(&key)).await {
                selected.set(Some(u));
            }
        });
    }
    Effect::new(move |_| match selected.get() {
        Some(u) => {
            storage::set(storage::VIEW, &u.id);
        }
        None => storage::remove(storage::VIEW),
    });

    let sign_in_again = move |_| {
        let kept = ctx.draft.get_untracked().map(|i| intent::Intent {
            reason: intent::Reason::SignInAgain,
            ..i
        });
        ctx.reauthorize(kept, Vec::new());
    };

    view! {
        {move || ctx.reauth.get().map(|sentence| view! {
            <div id="reauth" class="notice notice--error" role="alert">
                <p>{sentence}" What you entered on this screen is kept."</p>
                <button type="button" id="signin-again" class="button button--primary" on:click=sign_in_again>"Sign in again"</button>
            </div>
        })}
        <AccountBand session=band_session phase=phase ctx=ctx />
        <Transition fallback=|| view! { <p class="status" role="status">"Reading the tenant's pass policy…"</p> }>
            {move || Suspend::new(async move {
                let read = policy.await;
                browser::mark("tapdesk:home-ready");
                match read {
                    Ok(p) => view! { <create::PolicySummary policy=p /> }.into_any(),
                    Err(e) => view! { <GraphErrorView error=e action=Operation::ReadPolicy /> }.into_any(),
                }
            })}
        </Transition>
        <boot::ConsentRefusedNotice />
        <TabBar tab=tab />
        // Every screen stays mounted: switching tabs never loses a form, a scan or a run.
        <div id="single" role="tabpanel" aria-labelledby="tab-single" hidden=move || tab.get() != Tab::Single>
            // Headings equal tab names (issue 17 point 6); this screen shows its user's name, so its
            // own heading is for screen readers and the skip link.
            <h2 id="single-title" class="visually-hidden">"One user"</h2>
            <search::Search on_pick=Callback::new(move |u| selected.set(Some(u))) ctx=ctx pass_on_screen=pass_on_screen />
            // A unit scope read after the user was opened rebuilds the panel with it (once).
            {move || {
                scope_read.track();
                selected.get().map(|u| view! { <user::UserPanel user=u ctx=ctx policy=policy pass_on_screen=pass_on_screen /> })
            }}
        </div>
        {Tab::ALL.into_iter().filter(|t| *t != Tab::Single).map(|t| view! {
            <div id=t.panel_id() role="tabpanel" aria-labelledby=format!("tab-{}", t.key()) hidden=move || tab.get() != t>
                <Show when=opened(t)>
                    <lazy::Deferred tab=t ctx=ctx policy=policy active=Signal::derive(move || tab.get() == t) />
                </Show>
            </div>
        }).collect_view()}
    }
}

/// Who is signed in, in which tenant, with which roles and what they may do; Sign out.
#[component]
fn AccountBand(session: Session, phase: RwSignal<Phase, LocalStorage>, ctx: Ctx) -> impl IntoView {
    let account = session.account().clone();
    // The tenant as far as the page knows it without another permission: config.json's
    // organizationName, else the admin's sign-in domain.
    let tenant = crate::handout::organisation(
        session.config().organization_name.as_deref(),
        &account.username,
    );
    let roles_text = messages::roles_text(account.roles.as_deref());
    let no_role = roles_text == messages::NO_ADMIN_ROLE;
    let signout_session = session;
    let sign_out = move |_| {
        storage::clear_session();
        let session = signout_session.clone();
        leptos::task::spawn_local(async move {
            // A pass copied a moment ago leaves the clipboard before the page does (item 25).
            reveal::clear_clipboard().await;
            match session.end_session_url() {
                Some(url) => browser::navigate(&url),
                None => phase.set(Phase::SignedOut {
                    config: session.config().clone(),
                    error: None,
                    admin_consent: None,
                    notice: None,
                    login_hint: None,
                }),
            }
        });
    };

    view! {
        <section class="account" aria-label="Signed-in account">
            <div>
                <span id="account" class="account__name">{account.name.clone()}</span>
                <span class="account__upn">{account.username.clone()}</span>
                {(!tenant.is_empty()).then(|| view! {
                    <span class="account__tenant"><span class="account__label">"Tenant "</span><span id="tenant">{tenant}</span></span>
                })}
            </div>
            <div class="account__roles">
                // "No admin role" from the token beside "Authentication Administrator for: …"
                // would contradict the scope line: a unit-scoped admin sees the line only.
                <span id="roles" hidden=move || ctx.scope.with(|k| k.unit_ids().is_some()) && no_role>{roles_text}</span>
                <span class="account__capability">{move || scope::capability_text(ctx)}</span>
                <scope::ScopeLine ctx=ctx />
            </div>
            <button type="button" id="signout" class="button button--quiet" on:click=sign_out>"Sign out"</button>
        </section>
    }
}

/// The screens' tab bar (the ARIA tabs pattern): one stop in the Tab order, the selected tab
/// (roving tabindex); arrows, Home and End move and show the tab they land on.
#[component]
fn TabBar(tab: RwSignal<Tab>) -> impl IntoView {
    // Arrow keys, Home and End move between the tabs and show the one they land on.
    let on_tab_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        if let Some(next) = tab.get_untracked().after_key(&ev.key()) {
            ev.prevent_default();
            tab.set(next);
            browser::focus(&format!("#tab-{}", next.key()));
        }
    };
    view! {
        // One stop in the Tab order: the selected tab (roving tabindex); the arrows do the rest.
        <div class="tabs" role="tablist" aria-label="Screens" on:keydown=on_tab_key>
            {Tab::ALL.into_iter().map(|t| view! {
                <button type="button" role="tab" id=format!("tab-{}", t.key()) class="button"
                    tabindex=move || if tab.get() == t { "0" } else { "-1" }
                    aria-selected=move || (tab.get() == t).to_string() aria-controls=t.panel_id()
                    on:click=move |_| tab.set(t)>{t.label()}</button>
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::Tab;

    #[test]
    fn arrows_wrap_around_the_tabs_and_home_and_end_reach_the_ends() {
        assert_eq!(Tab::Single.after_key("ArrowRight"), Some(Tab::Bulk));
        assert_eq!(Tab::Bulk.after_key("ArrowRight"), Some(Tab::Tracking));
        assert_eq!(Tab::Audit.after_key("ArrowRight"), Some(Tab::Campaign));
        assert_eq!(Tab::Campaign.after_key("ArrowRight"), Some(Tab::Badges));
        assert_eq!(Tab::Badges.after_key("ArrowRight"), Some(Tab::Single));
        assert_eq!(Tab::Single.after_key("ArrowLeft"), Some(Tab::Badges));
        assert_eq!(Tab::Tracking.after_key("ArrowLeft"), Some(Tab::Bulk));
        assert_eq!(Tab::Policy.after_key("Home"), Some(Tab::Single));
        assert_eq!(Tab::Bulk.after_key("End"), Some(Tab::Badges));
        assert_eq!(Tab::Bulk.after_key("ArrowDown"), None);
        assert_eq!(Tab::Bulk.after_key("a"), None);
    }
}
