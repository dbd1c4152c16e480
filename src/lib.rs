//! tapdesk: a static page that issues Microsoft Entra ID Temporary Access Passes.
//!
//! Layers, one direction only: [`config`] → [`auth`] → [`graph`] → domain logic ([`tap`],
//! [`messages`]) → [`ui`]. Only [`storage`] touches Web Storage; only [`graph`] talks to Graph;
//! only [`auth`] talks to the sign-in authority. See ARCHITECTURE.md.

pub mod audit;
pub mod auth;
pub mod badge;
pub mod bulk;
pub mod cloud;
pub mod config;
pub mod export;
pub mod graph;
pub mod handout;
pub mod handover;
pub mod holders;
pub mod messages;
pub mod permission;
pub mod policy;
pub mod registration;
pub mod scope;
pub mod secret;
pub mod storage;
pub mod tap;
pub mod tracking;
pub mod ui;
pub mod user;
// Issue 15: the passkey campaign (pure rules so far).
pub mod campaign;
