//! The emulator's integration tests, one binary (issue 13 point 8): each module drives a
//! started emulator over HTTP like the page or a browser would; `support` holds the shared
//! sign-in and Graph helpers.

mod support;

mod batch;
mod campaign;
mod control;
mod directory;
mod documented;
mod faults;
mod graph_tap;
mod graph_users;
mod live_checks;
mod onboarding;
mod qr;
mod roles_documented;
mod sign_in;
mod sign_in_providers;
mod site;
mod token;
mod units;
