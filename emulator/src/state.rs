//! The state every listener shares: clock, signing key, origins, settings, the tenant and the
//! sign-in bookkeeping (sessions, authorization codes, refresh tokens).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use tokio::sync::watch;

use crate::clock::{lock, Clock};
use crate::counters::GraphCounters;
use crate::faults::{FaultOrigin, FaultPlan, FaultSet, Kinds};
use crate::jwt::Signer;
use crate::model::Event;
use crate::seed;
use crate::tenant::Tenant;

/// Behaviour switches: each `[choice]` or deviation from the real services is one field away.
/// (Deserialising fills missing fields with their defaults.)
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Publish `code_challenge_methods_supported: ["S256"]` in discovery. Real Entra does not,
    /// so the default is false.
    pub publish_code_challenge_methods: bool,
    /// Access token lifetime (default 3599 s).
    pub token_lifetime: Duration,
    /// Make every new pass start with `+` (for CSV formula-injection tests).
    pub force_leading_plus: bool,
    /// Put every consented Graph permission in `scp`, not only the requested ones (what Entra
    /// does). Default true.
    pub all_consented_scopes_in_token: bool,
    /// Send the CSP and the other security headers of docs/security.md §F on the site.
    pub site_security_headers: bool,
    /// Echo `Access-Control-Allow-Origin` on the AADSTS9002326 error so a page can read it.
    pub cors_on_unregistered_origin_error: bool,
    /// How long a [`FaultKind::Timeout`](crate::faults::FaultKind::Timeout) holds a request
    /// before answering 504 (default 65 s; shutdown ends it sooner).
    pub fault_timeout_hold: Duration,
    /// Authorise Graph calls by the token's `wids` snapshot instead of the caller's live
    /// directory roles. Real Graph uses the live roles, so the default is false.
    pub roles_from_token: bool,
    /// Re-check the live consent grants on every Graph call: a permission withdrawn after the
    /// token was issued is refused even though `scp` still lists it. Default true [choice].
    pub live_consent_check: bool,
    /// Shuffle `$batch` responses with the seeded fault generator (Graph promises no order).
    /// Default false: responses come in the order the items ran (request order, dependencies
    /// first).
    pub shuffle_batch_responses: bool,
    /// Play a generic OpenID provider instead of Entra ID (issue 11 point 5): the authorize
    /// endpoint refuses `prompt=select_account` (optional in OpenID Connect Core 3.1.2.1) with
    /// `error=invalid_request&error_description=unsupported prompt value requested`, as a
    /// certified open-source provider does, and ID tokens carry no Entra claims (`wids`, `tid`,
    /// `oid`, `ver`, `login_hint`), only `sub`, `name`, `preferred_username` and `email`.
    /// Default false (Entra).
    pub generic_oidc_provider: bool,
    /// Publish `prompt_values_supported` in discovery with this list (OpenID Connect
    /// discovery metadata). Entra publishes none, so the default is `None`.
    pub prompt_values_supported: Option<Vec<String>>,
    /// Put the optional `login_hint` claim in ID tokens (an opaque value). Entra adds it only
    /// when the app registration lists it under `optionalClaims.idToken` (Microsoft Learn,
    /// "Optional claims reference"), so the default is false.
    pub login_hint_claim: bool,
    /// Refuse every silent sign-in (`prompt=none`) with this answer even while a session
    /// exists (tests of issue 11 point 13). Without a session the emulator answers
    /// `login_required` AADSTS50058 anyway, as Entra does. Default `None`.
    pub silent_sign_in_refusal: Option<SilentRefusal>,
    /// The demo app registration's `groupMembershipClaims` (`None`, `SecurityGroup`,
    /// `DirectoryRole`, `ApplicationGroup` or `All`). Microsoft Learn ("Configure group claims
    /// for applications", "Optional claims"): `wids` is not a default ID-token claim; Entra adds
    /// it only when this is `DirectoryRole` or `All`, and then lists only active tenant-wide
    /// role assignments. Default `DirectoryRole`, as tapdesk's generated registration commands
    /// set it; `None` gives ID tokens without `wids` (the page must then treat the admin's roles
    /// as unknown). Access tokens for Graph keep their `wids` either way.
    pub group_membership_claims: String,
    /// Accept OData casts on `memberOf`/`transitiveMemberOf` and
    /// `members`/`transitiveMembers` without the advanced-query parameters. Microsoft Learn
    /// ("Advanced query capabilities on Microsoft Entra ID objects", "List group transitive
    /// members", "List a user's memberships"): a cast needs `ConsistencyLevel: eventual` and
    /// `$count=true`. Default false: refused with 400 `Request_UnsupportedQuery`.
    pub casts_without_advanced_query: bool,
    /// Return full directory role objects (`displayName`, `roleTemplateId`) to callers without a
    /// role-read permission. Microsoft Learn ("Limited information returned for inaccessible
    /// member objects"): without `RoleManagement.Read.Directory` or `Directory.Read.All`
    /// (or their write forms) a role in `memberOf`/`transitiveMemberOf` comes back with
    /// `@odata.type` and `id` only, other properties null. Default false (limited).
    pub full_role_objects_without_role_read: bool,
    /// List `Retry-After` in `Access-Control-Expose-Headers` on direct Graph answers, so a
    /// browser script can read it. Graph is reported (issue threads, not Learn) not to expose
    /// it, so the default is false: a page sees a 429 without a readable value. Inside `$batch`
    /// items the value is in the JSON and always readable.
    pub expose_retry_after: bool,
    /// Let `GET /auditLogs/directoryAudits` through with `AuditLog.Read.All` alone (the older
    /// emulator). Learn (List directoryAudits) documents "AuditLog.Read.All and
    /// Directory.Read.All" as least privileged, so the default (false) requires both.
    pub audit_log_read_alone: bool,
    /// Let `checkMemberGroups` through with a user permission alone (`User.Read.All`), as the
    /// older emulator did. Learn (user: checkMemberGroups) documents a user permission *and*
    /// `GroupMember.Read.All` or `Group.Read.All` (or `Directory.Read.All`); default false:
    /// 403 `Authorization_RequestDenied` without the group part.
    pub check_member_groups_without_group_read: bool,
    /// Let an Authentication Administrator (and only that addition) read the TAP policy. The
    /// Graph reference (Get temporaryAccessPassAuthenticationMethodConfiguration) lists Global
    /// Reader, Authentication Policy Administrator and Global Administrator, so the default
    /// (false) answers 403 `Authorization_RequestDenied` to an Authentication Administrator.
    pub policy_readable_by_authentication_administrator: bool,
    /// Users (UPN, any case) who have no Exchange Online mailbox: `sendMail` as them answers
    /// 404 `MailboxNotEnabledForRESTAPI` (reported shape; Learn does not document it).
    /// Default empty: every user has a mailbox.
    pub users_without_mailbox: Vec<String>,
    /// Write a pass's `startDateTime` with seven fractional digits
    /// (`2022-06-02T16:21:09.7651730Z`), as issue 11 reports real tenants do. The Graph
    /// reference's create example answers `"startDateTime": "2022-06-05T00:00:00Z"` (whole
    /// seconds; `createdDateTime` has fractions), so the default (false) writes whole seconds.
    pub fractional_start_times: bool,
    /// Test switch: Graph refuses every access token, fresh ones included, with 401
    /// `InvalidAuthenticationToken` (a token Graph keeps refusing after a renewal, e.g. a
    /// revoked session it has not caught up with). Default false.
    pub refuse_every_token: bool,
    /// Let `Policy.Read.All` read the TAP policy. Graph's "Get
    /// temporaryAccessPassAuthenticationMethodConfiguration" page lists only
    /// `Policy.Read.AuthenticationMethod` and `Policy.ReadWrite.AuthenticationMethod`, so the
    /// default is false (a token with only `Policy.Read.All` gets 403); older references named
    /// `Policy.Read.All`, which this switch accepts too.
    pub policy_read_all_reads_tap_policy: bool,
    /// Send the production `Permissions-Policy` (no clipboard reading, camera, …) on the site
    /// together with the other security headers. Default true; E2E tests that read the
    /// clipboard as a test instrument turn it off (the policy forbids exactly that).
    pub site_permissions_policy: bool,
    /// Issue 16: answer a tenant-wide or out-of-unit administrator's write on a member of a
    /// restricted-management administrative unit with the generic 403
    /// `Authorization_RequestDenied` "Insufficient privileges to complete the operation."
    /// Learn ("Restricted management administrative units") shows the message "This user is a
    /// member of a restricted management administrative unit. Management rights are limited to
    /// administrators scoped on that administrative unit." (in the admin center; Graph's wording
    /// is not documented), so the default (false) sends that message with the same 403 code.
    pub restricted_unit_generic_message: bool,
    /// Issue 16: let a Privileged Authentication Administrator scoped to a unit change the
    /// methods of admin members of that unit. Learn ("Assign Microsoft Entra roles", roles that
    /// can be assigned with administrative unit scope) describes the role as serving "any user
    /// (admin or non-admin)" but then restricts "Read and modify user authentication methods"
    /// to non-administrators for every unit-scoped assignment; the default (false) follows the
    /// restriction.
    pub scoped_privileged_auth_admin_serves_admins: bool,
    /// Issue 16: the tenant has no Entra ID P2 / ID Governance licence, so the PIM schedule
    /// endpoints (`roleAssignmentScheduleInstances`, `roleEligibilityScheduleInstances`) answer
    /// 400 `AadPremiumLicenseRequired` "The tenant needs to have Microsoft Entra ID P2 or
    /// Microsoft Entra ID Governance license." (reported, maester365/maester#1421; Learn names
    /// the licence requirement, not the answer). Default false: the tenant has P2.
    pub pim_license_missing: bool,
    /// Play a tenant without Microsoft Entra ID P1 or P2 (issue 15). Learn ("Authentication
    /// Methods Activity", the userRegistrationDetails resource) says the registration report
    /// needs P1/P2; Graph's refusal is reported in issue threads (not on Learn) as 403
    /// `Authentication_RequestFromNonPremiumTenantOrB2CTenant` "Neither tenant is B2C or tenant
    /// doesn't have premium license", which the emulator answers on
    /// `/reports/authenticationMethods/userRegistrationDetails` when this is true. Default false
    /// (the demo tenant has P1).
    pub without_premium_licence: bool,
    /// Rows per page of the registration report without `$top`. Learn ("List
    /// userRegistrationDetails") documents paging through `@odata.nextLink` but no page size,
    /// so this is a [choice]; default 100, as Graph's directory lists.
    pub registration_report_page_size: usize,
}

/// How Entra refuses a silent sign-in (Microsoft Learn: "Microsoft identity platform and OAuth
/// 2.0 authorization code flow", error codes; AADSTS codes from the error code reference).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum SilentRefusal {
    /// `login_required` AADSTS50058: no session any more.
    LoginRequired,
    /// `interaction_required` AADSTS50076: multi-factor authentication needed.
    MfaRequired,
    /// `interaction_required` AADSTS50079: the user must register for multi-factor authentication.
    MfaRegistrationRequired,
    /// `interaction_required` AADSTS53003: Conditional Access [choice: Entra names no OAuth
    /// error code for it on a silent request].
    ConditionalAccess,
    /// `consent_required` AADSTS65001: a permission needs consent.
    ConsentRequired,
}

impl SilentRefusal {
    /// The OAuth `error`, the AADSTS number and the message text.
    pub fn answer(self) -> (&'static str, u32, &'static str) {
        match self {
            SilentRefusal::LoginRequired => ("login_required", 50058, "A silent sign-in request was sent but no user is signed in."),
            SilentRefusal::MfaRequired => ("interaction_required", 50076, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the application."),
            SilentRefusal::MfaRegistrationRequired => ("interaction_required", 50079, "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access the application."),
            SilentRefusal::ConditionalAccess => ("interaction_required", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."),
            SilentRefusal::ConsentRequired => ("consent_required", 65001, "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource."),
        }
    }
}

impl Settings {
    /// True if and only if the registration's `groupMembershipClaims` puts `wids` in ID tokens
    /// (`DirectoryRole` or `All`, any case).
    pub fn wids_in_id_token(&self) -> bool {
        let v = self.group_membership_claims.trim();
        v.eq_ignore_ascii_case("DirectoryRole") || v.eq_ignore_ascii_case("All")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            publish_code_challenge_methods: false,
            token_lifetime: Duration::from_secs(3599),
            force_leading_plus: false,
            all_consented_scopes_in_token: true,
            site_security_headers: true,
            cors_on_unregistered_origin_error: true,
            fault_timeout_hold: Duration::from_secs(65),
            roles_from_token: false,
            live_consent_check: true,
            shuffle_batch_responses: false,
            generic_oidc_provider: false,
            prompt_values_supported: None,
            login_hint_claim: false,
            silent_sign_in_refusal: None,
            group_membership_claims: "DirectoryRole".into(),
            casts_without_advanced_query: false,
            full_role_objects_without_role_read: false,
            expose_retry_after: false,
            audit_log_read_alone: false,
            check_member_groups_without_group_read: false,
            policy_readable_by_authentication_administrator: false,
            users_without_mailbox: Vec::new(),
            fractional_start_times: false,
            refuse_every_token: false,
            policy_read_all_reads_tap_policy: false,
            site_permissions_policy: true,
            restricted_unit_generic_message: false,
            scoped_privileged_auth_admin_serves_admins: false,
            pim_license_missing: false,
            without_premium_licence: false,
            registration_report_page_size: 100,
        }
    }
}

/// An issued authorization code and everything it is bound to.
#[derive(Clone, Debug)]
pub struct AuthCode {
    /// Client it was issued to.
    pub client_id: String,
    /// Exact redirect URI of the authorize request.
    pub redirect_uri: String,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// The `scope` parameter of the authorize request, split.
    pub scopes: Vec<String>,
    /// Nonce for the ID token.
    pub nonce: Option<String>,
    /// Signed-in user.
    pub user_id: String,
    /// When the user authenticated (start of the SPA refresh-token chain).
    pub auth_time: OffsetDateTime,
    /// Expiry (10 minutes after issue).
    pub expires: OffsetDateTime,
    /// Set on redemption; a second redemption fails.
    pub redeemed: bool,
}

/// A refresh token's grant.
#[derive(Clone, Debug)]
pub struct RefreshGrant {
    /// Owner.
    pub user_id: String,
    /// Client.
    pub client_id: String,
    /// Scopes of the original request, split.
    pub scopes: Vec<String>,
    /// First sign-in of this chain: SPA refresh tokens die 24 h after it.
    pub chain_started: OffsetDateTime,
    /// Set when the token was exchanged (rotation).
    pub redeemed: bool,
    /// Set by `expire_refresh_tokens`: the token fails like one past the SPA 24 h limit.
    pub force_expired: bool,
}

/// A browser session at the sign-in origin (cookie `esid`).
#[derive(Clone, Debug)]
pub struct Session {
    /// Who signed in.
    pub user_id: String,
    /// When.
    pub auth_time: OffsetDateTime,
}

/// Everything behind the one lock.
#[derive(Debug)]
pub struct Inner {
    /// The directory.
    pub tenant: Tenant,
    /// Behaviour switches.
    pub settings: Settings,
    /// Registered SPA redirect URIs of the demo app.
    pub redirect_uris: Vec<String>,
    /// Whether `reset` re-creates the tenant-wide admin consent.
    pub admin_consent_default: bool,
    /// Authorization codes by value.
    pub codes: HashMap<String, AuthCode>,
    /// Refresh tokens by value.
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    /// Sessions by cookie value.
    pub sessions: HashMap<String, Session>,
    /// Active fault rules and their generator.
    pub faults: FaultSet,
    /// Every access, ID and refresh token value issued so far, in order (tests look for them
    /// in the browser's storage; `reset` keeps them).
    pub issued_tokens: Vec<String>,
    /// Fields laid over the generated page `config.json` (a test aid, not a Microsoft
    /// behaviour: the page's Settings no longer override timings, so tests set them here).
    pub page_config_extra: serde_json::Map<String, serde_json::Value>,
    /// Issue 16: the frontline site ([`seed::frontline_site`]) is part of the tenant and comes
    /// back after `reset`.
    pub frontline_site: bool,
}

/// The shared state.
#[derive(Debug)]
pub struct AppState {
    /// The one clock.
    pub clock: Clock,
    /// The token signing key.
    pub signer: Signer,
    /// `http://127.0.0.1:PORT` of the sign-in origin.
    pub login_url: String,
    /// `http://127.0.0.1:PORT` of Graph.
    pub graph_url: String,
    /// `http://127.0.0.1:PORT` of the site, if served.
    pub site_url: Option<String>,
    /// Page config override (`None`: generated).
    pub site_config_override: Option<String>,
    /// Set to true when the emulator shuts down; servers and held requests watch it.
    pub stopping: watch::Sender<bool>,
    /// Requests the Graph listener received (benchmarks read them; `reset` keeps them).
    pub graph_counters: GraphCounters,
    inner: Mutex<Inner>,
    rng: SystemRandom,
}

impl AppState {
    /// Builds the state with a fresh demo tenant.
    pub fn new(
        signer: Signer,
        login_url: String,
        graph_url: String,
        site_url: Option<String>,
        site_config_override: Option<String>,
        redirect_uris: Vec<String>,
        admin_consent: bool,
    ) -> AppState {
        AppState {
            clock: Clock::default(),
            signer,
            login_url,
            graph_url,
            site_url,
            site_config_override,
            inner: Mutex::new(Inner {
                tenant: seed::demo_tenant(admin_consent),
                settings: Settings::default(),
                redirect_uris,
                admin_consent_default: admin_consent,
                codes: HashMap::new(),
                refresh_tokens: HashMap::new(),
                sessions: HashMap::new(),
                faults: FaultSet::default(),
                issued_tokens: Vec::new(),
                page_config_extra: serde_json::Map::new(),
                frontline_site: false,
            }),
            rng: SystemRandom::new(),
            stopping: watch::channel(false).0,
            graph_counters: GraphCounters::default(),
        }
    }

    /// Locks the shared data. Never hold the guard across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    /// `{login}/{tenant_id}/v2.0`: the authority and the ID token issuer.
    pub fn authority(&self) -> String {
        format!("{}/{}/v2.0", self.login_url, seed::TENANT_ID)
    }

    /// `{login}/{tenant_id}/`: the access token issuer.
    pub fn access_token_issuer(&self) -> String {
        format!("{}/{}/", self.login_url, seed::TENANT_ID)
    }

    /// True if and only if a path's tenant segment names this tenant (id or domain).
    pub fn is_our_tenant(&self, segment: &str) -> bool {
        segment.eq_ignore_ascii_case(seed::TENANT_ID) || segment.eq_ignore_ascii_case(seed::DOMAIN)
    }

    /// `n` random bytes, base64url without padding.
    pub fn random_token(&self, n: usize) -> String {
        let mut buf = vec![0u8; n];
        // SystemRandom only fails if the OS has no entropy source, which makes every TLS and
        // key operation impossible too; fall back to a UUID rather than panicking.
        if self.rng.fill(&mut buf).is_err() {
            return uuid::Uuid::new_v4().simple().to_string();
        }
        URL_SAFE_NO_PAD.encode(buf)
    }

    /// A random index below `bound` (for pass characters).
    pub fn random_below(&self, bound: usize) -> usize {
        let mut b = [0u8; 4];
        if self.rng.fill(&mut b).is_err() {
            return 0;
        }
        (u32::from_le_bytes(b) as usize) % bound.max(1)
    }

    /// The generated page config `{"clientId","authority","graphBaseUrl"}`.
    pub fn config_json(&self) -> String {
        let mut config = serde_json::json!({
            "clientId": seed::CLIENT_ID,
            "authority": self.authority(),
            "graphBaseUrl": self.graph_url,
        });
        if let Some(map) = config.as_object_mut() {
            map.extend(self.lock().page_config_extra.clone());
        }
        config.to_string()
    }

    /// The origins (`scheme://host:port`) of all registered redirect URIs.
    pub fn registered_origins(&self) -> Vec<String> {
        self.lock()
            .redirect_uris
            .iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect()
    }

    /// Plans the faults for one request and records each that fired as
    /// [`Event::FaultInjected`].
    pub fn plan_faults(
        &self,
        origin: FaultOrigin,
        requests: &[(&str, &str)],
        kinds: Kinds,
    ) -> FaultPlan {
        let mut inner = self.lock();
        let plan = inner.faults.plan(origin, requests, kinds);
        for f in &plan.fired {
            inner.tenant.events.push(Event::FaultInjected {
                kind: f.kind.clone(),
                method: f.method.clone(),
                path: f.path.clone(),
            });
        }
        plan
    }

    /// Replaces the tenant with a fresh seed and forgets codes, tokens, sessions and fault
    /// rules (the generator restarts from the default seed); keeps the registered redirect
    /// URIs and the settings, and sets the clock back to real time.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.tenant = seed::demo_tenant(inner.admin_consent_default);
        if inner.frontline_site {
            seed::frontline_site(&mut inner.tenant);
        }
        inner.codes.clear();
        inner.refresh_tokens.clear();
        inner.sessions.clear();
        inner.faults = FaultSet::default();
        drop(inner);
        self.clock.reset();
    }
}
