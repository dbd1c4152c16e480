//! Entry point of the page: installs the panic hook and mounts the app; everything else lives in the library.

fn main() {
    tapdesk::ui::browser::mark("tapdesk:wasm-started");
    console_error_panic_hook::set_once();
    // Inside a frame the page shows a refusal and does nothing else (not even read config.json).
    if tapdesk::ui::framed::is_framed() {
        leptos::mount::mount_to_body(tapdesk::ui::framed::FramedRefusal);
        return;
    }
    leptos::mount::mount_to_body(tapdesk::ui::App);
}
