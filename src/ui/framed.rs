//! The page refuses to run inside a frame: a host that forgets `frame-ancestors` must not let
//! another site show tapdesk in an iframe (clickjacking: tricking an admin into creating or
//! revealing a pass). Checked once, before anything else runs.

use leptos::prelude::*;

use crate::messages;

/// True if and only if this document is not the top-level one (`window.top !== window.self`).
/// A top window that cannot even be read counts as a frame.
pub fn is_framed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.top() {
        Ok(Some(top)) => !js_sys::Object::is(top.as_ref(), window.as_ref()),
        Ok(None) | Err(_) => true,
    }
}

/// What a framed page shows instead of the app: a refusal, and nothing runs (no configuration,
/// no sign-in, no request).
#[component]
pub fn FramedRefusal() -> impl IntoView {
    view! {
        <main class="main">
            <p id="framed" class="notice notice--error" role="alert">{messages::FRAMED}</p>
        </main>
    }
}
