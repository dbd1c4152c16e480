//! The shell with the keyboard alone (issue 17 point 4): the tabs follow the ARIA tabs pattern
//! (arrows, Home, End, one stop in the Tab order, focus follows), the skip link lands on the
//! screen's content, the title names the screen, Escape closes Settings and gives focus back to
//! its opener, and a consent return puts focus on the restored screen's heading. Along the way:
//! the account band names the tenant, and an error bar carries its icon (point 7).

use std::sync::Arc;

use anyhow::{ensure, Result};
use fantoccini::key::Key;
use serde_json::json;

use crate::harness::{self, Harness, Options};
use crate::pages::focused;
use crate::pages::shell::{press, wait_focus_on, wait_title};
use crate::pages::{boot, exists, policy, search, setup, shell, tabs};

/// The ids of the tabs a Tab key press can reach (`tabIndex >= 0`).
async fn tab_stops(h: &Harness) -> Result<Vec<String>> {
    let v = h
        .driver
        .execute(
            "return [...document.querySelectorAll(arguments[0])].filter((e) => e.tabIndex >= 0).map((e) => e.id);",
            vec![json!(tabs::ANY)],
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Whether the element with focus shows its focus (`:focus-visible`).
async fn focus_shows(h: &Harness) -> Result<bool> {
    let v = h
        .driver
        .execute(
            "return !!document.activeElement && document.activeElement.matches(':focus-visible');",
            vec![],
        )
        .await?;
    Ok(v.as_bool() == Some(true))
}

/// The viewport-relative `[top, bottom]` of the first element matching `css`.
async fn edges(h: &Harness, css: &str) -> Result<(f64, f64)> {
    let v = h
        .driver
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.top, r.bottom];",
            vec![json!(css)],
        )
        .await?;
    Ok((v[0].as_f64().unwrap_or(-1.0), v[1].as_f64().unwrap_or(-1.0)))
}

/// Presses `key` and waits until `tab` is selected, has focus, and its panel shows.
async fn key_to(h: &Harness, key: Key, tab: &str, panel: &str) -> Result<()> {
    press(h, key).await?;
    h.wait_for_css(&tabs::selected(tab)).await?;
    wait_focus_on(h, tab).await?;
    h.wait_for_css(&format!("{panel}:not([hidden])")).await?;
    ensure!(focus_shows(h).await?, "{tab} has focus without showing it");
    let stops = tab_stops(h).await?;
    ensure!(
        stops == [tab.trim_start_matches('#')],
        "the Tab order holds the tabs {stops:?}, not {tab} alone"
    );
    Ok(())
}

#[tokio::test]
async fn arrows_home_and_end_move_between_the_tabs_which_hold_one_tab_stop() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "alex.wilber").await?;
        ensure!(
            tab_stops(&h).await? == ["tab-single"],
            "before any key: {:?}",
            tab_stops(&h).await?
        );
        h.click(tabs::SINGLE).await?;
        wait_focus_on(&h, tabs::SINGLE).await?;
        let [single, bulk, tracking, _, _, _, _, last] = tabs::ALL;
        key_to(&h, Key::Right, bulk.0, bulk.1).await?;
        key_to(&h, Key::Right, tracking.0, tracking.1).await?;
        key_to(&h, Key::Left, bulk.0, bulk.1).await?;
        key_to(&h, Key::End, last.0, last.1).await?;
        key_to(&h, Key::Right, single.0, single.1).await?;
        key_to(&h, Key::Left, last.0, last.1).await?;
        key_to(&h, Key::Home, single.0, single.1).await?;

        // From the selected tab, Tab leaves the tab list for the screen.
        press(&h, Key::Tab).await?;
        wait_focus_on(&h, search::INPUT).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_title_names_the_screen_and_the_tenant_is_named_in_the_account_band() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::open(&h).await?;
        wait_title(&h, "Sign in · tapdesk").await?;
        boot::sign_in(&h, "alex.wilber").await?;
        wait_title(&h, "One user · tapdesk").await?;
        for (tab, _, name) in tabs::ALL.iter().skip(1).chain(tabs::ALL.iter().take(1)) {
            h.click(tab).await?;
            wait_title(&h, &format!("{name} · tapdesk")).await?;
        }
        // No organizationName in config.json: the admin's sign-in domain names the tenant.
        h.wait_for_text(shell::TENANT, "contoso.onmicrosoft.com")
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_skip_link_is_the_first_stop_shows_on_focus_and_lands_on_the_screen() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::open(&h).await?;
        let (_, bottom) = edges(&h, shell::SKIP_LINK).await?;
        ensure!(
            bottom <= 0.0,
            "the skip link shows without focus (bottom edge at {bottom})"
        );
        press(&h, Key::Tab).await?;
        wait_focus_on(&h, shell::SKIP_LINK).await?;
        let (top, bottom) = edges(&h, shell::SKIP_LINK).await?;
        ensure!(
            top >= 0.0 && bottom > top,
            "the focused skip link is off screen ({top}..{bottom})"
        );
        press(&h, Key::Enter).await?;
        wait_focus_on(&h, shell::MAIN).await?;

        boot::sign_in(&h, "alex.wilber").await?;
        press(&h, Key::Tab).await?;
        wait_focus_on(&h, shell::SKIP_LINK).await?;
        press(&h, Key::Enter).await?;
        wait_focus_on(&h, tabs::ALL[0].1).await?;
        // The next stop is the screen's first control, past the account band and the tabs.
        press(&h, Key::Tab).await?;
        wait_focus_on(&h, search::INPUT).await?;

        // On another screen it lands on that screen.
        h.click(tabs::BULK).await?;
        h.driver
            .execute(
                "document.querySelector(arguments[0]).focus();",
                vec![json!(shell::SKIP_LINK)],
            )
            .await?;
        press(&h, Key::Enter).await?;
        wait_focus_on(&h, tabs::ALL[1].1).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn escape_closes_settings_and_focus_returns_to_its_opener() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::open(&h).await?;
        h.click(setup::SETTINGS).await?;
        h.wait_for_css(setup::PANEL).await?;
        // A bad value: the form's error bar carries its icon (an inline SVG mask).
        h.type_into(setup::GRAPH, "http://graph.example").await?;
        h.click(setup::SAVE).await?;
        h.wait_for_css(setup::FORM_PROBLEMS).await?;
        let icon = h
            .driver
            .execute(
                "return getComputedStyle(document.querySelector(arguments[0]), '::before').maskImage;",
                vec![json!(setup::FORM_PROBLEMS)],
            )
            .await?;
        ensure!(
            icon.as_str().is_some_and(|m| m.contains("data:image/svg+xml")),
            "the error bar has no icon: {icon}"
        );

        h.click(setup::GRAPH).await?;
        press(&h, Key::Escape).await?;
        h.wait_until("Settings to close", || async { Ok(!exists(&h, setup::PANEL).await) })
            .await?;
        wait_focus_on(&h, setup::SETTINGS).await?;

        // Close does the same.
        press(&h, Key::Enter).await?;
        h.wait_for_css(setup::PANEL).await?;
        h.click(setup::CLOSE).await?;
        h.wait_until("Settings to close", || async { Ok(!exists(&h, setup::PANEL).await) })
            .await?;
        wait_focus_on(&h, setup::SETTINGS).await?;
        ensure!(focused(&h).await? == "settings", "focus is elsewhere");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn after_a_consent_return_focus_is_on_the_restored_screens_heading() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "alex.wilber").await?;
        policy::open(&h).await?;
        policy::grant(&h).await?;
        h.wait_for_css(&tabs::selected(tabs::POLICY)).await?;
        wait_focus_on(&h, &tabs::heading(policy::PANEL)).await?;
        wait_title(&h, "Policy · tapdesk").await?;
        Ok(())
    })
    .await
}
