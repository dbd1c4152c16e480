//! Load-test and benchmark support (not for the demo): many extra target users, a request
//! counter on the Graph origin, and access tokens minted for a native client without a browser.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use tapdesk_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig::default()).await?;
//! let upns = emu.add_generated_users(1000);
//! let token = emu
//!     .issue_access_token(
//!         "megan.bowen@contoso.onmicrosoft.com",
//!         &["UserAuthMethod-TAP.ReadWrite.All"],
//!     )
//!     .expect("token");
//! emu.reset_graph_counters();
//! // ... drive Graph with `Authorization: Bearer {token}` ...
//! println!("{} users, {:?}", upns.len(), emu.graph_requests());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

use time::macros::datetime;

use crate::control::ControlError;
use crate::model::User;
use crate::seed::{stable_id, DOMAIN};
use crate::{scopes, Emulator};

/// The local part every generated user's UPN starts with: `bulk.user.00001@…`. The trailing
/// number keeps them off the sign-in page's account list, like the seeded new hires.
pub const GENERATED_PREFIX: &str = "bulk.user.";

pub use crate::counters::{GraphCounters, GraphRequestCounts, GraphRequestSeen};

/// The UPN of generated user `n` (1-based): `bulk.user.00001@contoso.onmicrosoft.com`.
pub fn generated_upn(n: usize) -> String {
    format!("{GENERATED_PREFIX}{n:05}@{DOMAIN}")
}

fn generated_user(n: usize) -> User {
    let upn = generated_upn(n);
    User {
        id: stable_id(&upn),
        display_name: format!("Bulk User {n:05}"),
        given_name: Some("Bulk".into()),
        surname: Some(format!("User {n:05}")),
        mail: Some(upn.clone()),
        job_title: None,
        department: None,
        office_location: None,
        mobile_phone: None,
        usage_location: Some("US".into()),
        preferred_language: Some("en-US".into()),
        account_enabled: true,
        user_type: "Member".into(),
        created_date_time: datetime!(2025-09-01 08:00:00 UTC),
        roles: vec![],
        methods: vec![],
        user_principal_name: upn,
    }
}

/// For load tests and benchmarks only.
impl Emulator {
    /// Adds `n` generated users (enabled members, no roles, no methods, in no group) after any
    /// generated before, and returns their UPNs in order. Deterministic: the k-th generated
    /// user of a tenant is always [`generated_upn`]`(k)` with the same object id. They go
    /// when the tenant is [`Emulator::reset`].
    pub fn add_generated_users(&self, n: usize) -> Vec<String> {
        let mut inner = self.state.lock();
        let users = &mut inner.tenant.users;
        let first = 1 + users
            .iter()
            .filter(|u| u.user_principal_name.starts_with(GENERATED_PREFIX))
            .count();
        let added: Vec<User> = (first..first + n).map(generated_user).collect();
        let upns = added
            .iter()
            .map(|u| u.user_principal_name.clone())
            .collect();
        users.extend(added);
        upns
    }

    /// Requests the Graph listener received since the start or the last
    /// [`Emulator::reset_graph_counters`] ([`Emulator::reset`] leaves them alone).
    pub fn graph_requests(&self) -> GraphRequestCounts {
        self.state.graph_counters.snapshot()
    }

    /// Every request the Graph listener answered since the start or the last
    /// [`Emulator::reset_graph_counters`], with its arrival time, oldest first.
    pub fn graph_request_log(&self) -> Vec<GraphRequestSeen> {
        self.state.graph_counters.seen()
    }

    /// Sets the Graph request counters back to zero.
    pub fn reset_graph_counters(&self) {
        self.state.graph_counters.reset();
    }

    /// An access token for Graph, as the token endpoint would mint it for the demo app after
    /// `upn` signed in and asked for `scopes` (bare names such as
    /// `UserAuthenticationMethod.ReadWrite.All`, or resource-qualified), so a native client can
    /// call Graph without a browser. **Tests and benchmarks only**: no sign-in, PKCE or CORS
    /// check happens; consent still applies (`scp` holds only consented permissions) and a
    /// `TokenIssued` event with grant type `emulator` is recorded. No refresh token.
    pub fn issue_access_token(&self, upn: &str, scopes: &[&str]) -> Result<String, ControlError> {
        let user = self
            .state
            .lock()
            .tenant
            .find_user(upn)
            .cloned()
            .ok_or_else(|| ControlError::UnknownUser(upn.to_string()))?;
        if !user.account_enabled {
            return Err(ControlError::TokenRefused(format!(
                "the account {upn} is disabled"
            )));
        }
        let raw: Vec<String> = scopes
            .iter()
            .filter(|s| !s.eq_ignore_ascii_case("offline_access"))
            .map(|s| s.to_string())
            .collect();
        let parsed = scopes::parse(&raw.join(" "), &self.state.graph_url)
            .map_err(|e| ControlError::UnknownPermission(e.to_string()))?;
        let body = crate::login::token::mint(
            &self.state,
            &user,
            &parsed,
            &raw,
            None,
            self.state.clock.now(),
            "emulator",
        )
        .map_err(|e| ControlError::TokenRefused(format!("AADSTS{}: {}", e.code, e.message)))?;
        body["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ControlError::TokenRefused("no access token minted".into()))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Emulator, EmulatorConfig};

    #[tokio::test]
    async fn generated_users_are_deterministic_and_tokens_call_graph() {
        let emu = Emulator::start(EmulatorConfig::default())
            .await
            .expect("start");
        let a = emu.add_generated_users(3);
        let b = emu.add_generated_users(2);
        assert_eq!(a[0], "bulk.user.00001@contoso.onmicrosoft.com");
        assert_eq!(b[0], "bulk.user.00004@contoso.onmicrosoft.com");
        assert!(emu.user_id(&b[1]).is_some());
        let megan = "megan.bowen@contoso.onmicrosoft.com";
        let token = emu
            .issue_access_token(megan, &["UserAuthMethod-TAP.ReadWrite.All"])
            .expect("token");
        assert!(emu.issue_access_token("nobody@x", &["User.Read"]).is_err());
        assert!(emu.issue_access_token(megan, &["No.Such.Scope"]).is_err());
        emu.reset_graph_counters();
        let client = reqwest::Client::new();
        let url = format!(
            "{}/v1.0/users/{}/authentication/temporaryAccessPassMethods",
            emu.graph_url(),
            a[0]
        );
        let created = client
            .post(&url)
            .bearer_auth(&token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect("post");
        assert_eq!(created.status(), 201);
        let batch = serde_json::json!({"requests": [
            {"id": "1", "method": "GET", "url": format!("/users/{}", a[1])},
            {"id": "2", "method": "GET", "url": format!("/users/{}", a[2])},
        ]});
        let answered = client
            .post(format!("{}/v1.0/$batch", emu.graph_url()))
            .bearer_auth(&token)
            .json(&batch)
            .send()
            .await
            .expect("batch");
        assert_eq!(answered.status(), 200);
        let preflight = client
            .request(reqwest::Method::OPTIONS, &url)
            .send()
            .await
            .expect("options");
        assert_eq!(preflight.status(), 204);
        let counts = emu.graph_requests();
        assert_eq!(
            (counts.http_requests, counts.preflights, counts.batch_items),
            (3, 1, 2)
        );
        emu.reset_graph_counters();
        assert_eq!(emu.graph_requests().http_requests, 0);
        assert_eq!(emu.passes(&a[0]).len(), 1);
        emu.shutdown().await;
    }
}
