//! Screens loaded on their first visit. In the release build (`--features split`) each screen's
//! code sits in its own WebAssembly module that `cargo xtask build` cuts out of the page
//! (`xtask/src/release.rs`) and the browser fetches, integrity-checked, when the admin first
//! opens the tab; without the feature (`trunk serve`, in-browser tests) the same functions run
//! from the one module. [`Deferred`] shows progress while a module loads, and a failed
//! download says so with a Retry that starts a fresh download.

use leptos::prelude::*;

use super::{audit, badges, bulk, campaign, holders, policy, tracking, Ctx, Tab};
use crate::auth::session::Session;
use crate::campaign::readiness::WaveUser;
use crate::graph::models::TapPolicy;
use crate::graph::GraphError;

type PagePhase = super::Phase;

/// The policy read every screen shares (read once after sign-in).
pub type PolicyRead = LocalResource<Result<TapPolicy, GraphError>>;

/// A screen's module could not be downloaded or instantiated (the browser console has the
/// reason: the network, a missing file after a new version was published, an integrity check).
#[derive(Debug, Clone, Copy)]
pub struct NotLoaded;

impl From<leptos::wasm_split::SplitLoaderError> for NotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// One function per screen: a split point in the release build (its body, and what only it
/// reaches, goes to the screen's own module), a plain call otherwise.
macro_rules! screen {
    ($(#[$doc:meta])* $module:ident fn $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$doc])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($module, fallible, wasm_split_path = ::leptos::wasm_split)]
        fn $name($($arg: $ty),*) -> Result<AnyView, NotLoaded> $body

        $(#[$doc])*
        #[cfg(not(feature = "split"))]
        async fn $name($($arg: $ty),*) -> Result<AnyView, NotLoaded> $body
    };
}

screen! {
    /// Many users: CSV or group in, passes out.
    bulk fn bulk_screen(ctx: Ctx, policy: PolicyRead) {
        Ok(view! { <bulk::BulkPage ctx=ctx policy=policy wave_check=wave_check_any /> }.into_any())
    }
}

screen! {
    /// Tracking: whose passes were used, expired or deleted.
    tools fn tracking_screen(ctx: Ctx, active: Signal<bool>) {
        Ok(view! { <tracking::Tracking ctx=ctx active=active /> }.into_any())
    }
}

screen! {
    /// Pass holders: who has a pass now.
    tools fn holders_screen(ctx: Ctx) {
        Ok(view! { <holders::PassHolders ctx=ctx /> }.into_any())
    }
}

screen! {
    /// The tenant's pass policy, read and (with the permission) edited.
    tools fn policy_screen(ctx: Ctx, policy: PolicyRead) {
        Ok(view! { <policy::PolicyEditor ctx=ctx policy=policy /> }.into_any())
    }
}

screen! {
    /// Audit trail: passes created and deleted, from the directory audit log.
    tools fn audit_screen(ctx: Ctx, active: Signal<bool>) {
        Ok(view! { <audit::AuditTrail ctx=ctx active=active /> }.into_any())
    }
}

screen! {
    /// Campaign: who depends on a phone, in counts, a chart and a list; waves to Many users.
    campaign fn campaign_screen(ctx: Ctx, active: Signal<bool>) {
        Ok(view! { <campaign::CampaignPage ctx=ctx active=active /> }.into_any())
    }
}

screen! {
    /// A campaign wave's passkey-registration check on Many users: in the Campaign module, so
    /// only a wave downloads it.
    campaign fn wave_check_view(ctx: Ctx, users: Vec<WaveUser>, one_time: Option<bool>) {
        Ok(view! { <campaign::wave::WaveCheck ctx=ctx users=users one_time=one_time /> }.into_any())
    }
}

/// A campaign wave's passkey-registration check, its module downloaded first where split
/// (given to Many users as its `wave_check`).
fn wave_check_any(ctx: Ctx, users: Vec<WaveUser>, one_time: Option<bool>) -> AnyView {
    deferred("passkey check", move || {
        let users = users.clone();
        async move { wave_check_view(ctx, users, one_time).await }
    })
    .into_any()
}

screen! {
    /// Badges: QR code + PIN badges for frontline workers, created in bulk and printed.
    badges fn badges_screen(ctx: Ctx, active: Signal<bool>) {
        Ok(view! { <badges::BadgesPage ctx=ctx active=active /> }.into_any())
    }
}

/// The signed-in page (account band, tabs, One user): its own module too, so the sign-in page
/// downloads only what signing in needs. [`preload_home`] starts its download as soon as the
/// page runs, in parallel with the sign-in, so a returning admin does not wait twice.
#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(home, fallible, wasm_split_path = ::leptos::wasm_split, preload(home_module))]
fn home_screen(
    session: Session,
    phase: RwSignal<PagePhase, LocalStorage>,
) -> Result<AnyView, NotLoaded> {
    Ok(view! { <super::SignedIn session=session phase=phase /> }.into_any())
}

/// See the split version above.
#[cfg(not(feature = "split"))]
async fn home_screen(
    session: Session,
    phase: RwSignal<PagePhase, LocalStorage>,
) -> Result<AnyView, NotLoaded> {
    Ok(view! { <super::SignedIn session=session phase=phase /> }.into_any())
}

/// Starts downloading the signed-in page's module (a no-op without the split); a failure here
/// is only a missed head start: [`Home`] loads again and says so if it fails.
pub fn preload_home() {
    #[cfg(feature = "split")]
    leptos::task::spawn_local(async {
        let _ = home_module().await;
    });
}

/// The signed-in page, its module downloaded first where the build split it.
#[component]
pub fn Home(session: Session, phase: RwSignal<PagePhase, LocalStorage>) -> impl IntoView {
    deferred("signed-in", move || {
        let session = session.clone();
        async move { home_screen(session, phase).await }
    })
}

/// Builds `tab`'s screen, downloading its module first where the build split it.
#[component]
pub fn Deferred(tab: Tab, ctx: Ctx, policy: PolicyRead, active: Signal<bool>) -> impl IntoView {
    deferred(tab.label(), move || async move {
        match tab {
            Tab::Single => Err(NotLoaded),
            Tab::Bulk => bulk_screen(ctx, policy).await,
            Tab::Tracking => tracking_screen(ctx, active).await,
            Tab::Holders => holders_screen(ctx).await,
            Tab::Policy => policy_screen(ctx, policy).await,
            Tab::Audit => audit_screen(ctx, active).await,
            Tab::Campaign => campaign_screen(ctx, active).await,
            Tab::Badges => badges_screen(ctx, active).await,
        }
    })
}

/// Where a module is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Loading,
    Failed,
    Ready,
}

/// Runs `load` now and on Retry; shows progress, then the view, or the failure in words.
fn deferred<F, Fut>(name: &'static str, load: F) -> impl IntoView
where
    F: Fn() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<AnyView, NotLoaded>> + 'static,
{
    let phase = RwSignal::new(Phase::Loading);
    let built: StoredValue<Option<AnyView>, LocalStorage> = StoredValue::new_local(None);
    let start = move || {
        phase.set(Phase::Loading);
        let future = load();
        leptos::task::spawn_local(async move {
            match future.await {
                Ok(view) => {
                    built.set_value(Some(view));
                    phase.set(Phase::Ready);
                }
                Err(NotLoaded) => phase.set(Phase::Failed),
            }
        });
    };
    start();
    // Kept in the arena: the render closure must be `Send`, `load` need not be.
    let retry = StoredValue::new_local(start);
    move || {
        match phase.get() {
        Phase::Loading => view! {
            <p class="status screen-loading" role="status">
                <progress aria-label=format!("Loading the {name} screen")></progress>
                " Loading the " {name} " screen…"
            </p>
        }
        .into_any(),
        Phase::Failed => {
            view! {
                <div class="notice notice--error screen-failed" role="alert">
                    <p>
                        "The " {name} " screen could not be downloaded: the connection dropped, or a newer "
                        "version of tapdesk was published since this page opened. Retry; if it fails "
                        "again, reload the page (what you entered on other screens stays only until then)."
                    </p>
                    <button type="button" class="button button--primary screen-retry" on:click=move |_| retry.with_value(|start| start())>
                        "Retry"
                    </button>
                </div>
            }
            .into_any()
        }
        Phase::Ready => built
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
    }
    }
}
