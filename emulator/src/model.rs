//! The directory's data types: users, groups, role ids, the TAP policy, issued passes and the
//! event log that tests read.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::faults::FaultKind;

/// Directory role template ids, as they appear in the `wids` token claim.
pub mod roles {
    /// Global Administrator.
    pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
    /// Privileged Authentication Administrator.
    pub const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: &str =
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
    /// Authentication Administrator.
    pub const AUTHENTICATION_ADMINISTRATOR: &str = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
    /// Authentication Policy Administrator.
    pub const AUTHENTICATION_POLICY_ADMINISTRATOR: &str = "0526716b-113d-4c15-b2c8-68e3c22b9f80";
    /// Global Reader.
    pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
    /// User Administrator.
    pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    /// Helpdesk Administrator.
    pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    /// Security Administrator.
    pub const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
    /// Security Reader.
    pub const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
    /// Security Operator.
    pub const SECURITY_OPERATOR: &str = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f";
    /// Reports Reader.
    pub const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";
    /// The default member-user role every member carries in `wids`; not an admin role.
    pub const DEFAULT_USER: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";
    /// Directory Readers.
    pub const DIRECTORY_READERS: &str = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
    /// Guest Inviter.
    pub const GUEST_INVITER: &str = "95e79109-95c0-4d8e-aee3-d01accf2d47b";
    /// Message Center Reader.
    pub const MESSAGE_CENTER_READER: &str = "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b";
    /// Password Administrator.
    pub const PASSWORD_ADMINISTRATOR: &str = "966707d0-3269-4727-9be2-8c3a10f19b9d";
    /// Usage Summary Reports Reader.
    pub const USAGE_SUMMARY_REPORTS_READER: &str = "75934031-6c7e-415a-99d7-48dbd49e875e";
    /// User Experience Success Manager.
    pub const USER_EXPERIENCE_SUCCESS_MANAGER: &str = "27460883-1df1-4691-b032-3b79643e5e63";

    /// Roles whose holders an Authentication Administrator may still serve (Microsoft Learn,
    /// "Privileged roles and permissions" / "Who can perform sensitive actions": users with
    /// no role or only these roles). Any other role needs a Privileged Authentication
    /// Administrator or a Global Administrator.
    pub const SERVABLE_BY_AUTHENTICATION_ADMINISTRATOR: &[&str] = &[
        DEFAULT_USER,
        DIRECTORY_READERS,
        GUEST_INVITER,
        MESSAGE_CENTER_READER,
        PASSWORD_ADMINISTRATOR,
        REPORTS_READER,
        AUTHENTICATION_ADMINISTRATOR,
        USAGE_SUMMARY_REPORTS_READER,
        USER_EXPERIENCE_SUCCESS_MANAGER,
    ];

    /// Human name of a role template id (for pages and the demo table).
    pub fn name(id: &str) -> &'static str {
        match id {
            GLOBAL_ADMINISTRATOR => "Global Administrator",
            PRIVILEGED_AUTHENTICATION_ADMINISTRATOR => "Privileged Authentication Administrator",
            AUTHENTICATION_ADMINISTRATOR => "Authentication Administrator",
            AUTHENTICATION_POLICY_ADMINISTRATOR => "Authentication Policy Administrator",
            GLOBAL_READER => "Global Reader",
            USER_ADMINISTRATOR => "User Administrator",
            HELPDESK_ADMINISTRATOR => "Helpdesk Administrator",
            SECURITY_ADMINISTRATOR => "Security Administrator",
            SECURITY_READER => "Security Reader",
            SECURITY_OPERATOR => "Security Operator",
            REPORTS_READER => "Reports Reader",
            DEFAULT_USER => "User",
            DIRECTORY_READERS => "Directory Readers",
            GUEST_INVITER => "Guest Inviter",
            MESSAGE_CENTER_READER => "Message Center Reader",
            PASSWORD_ADMINISTRATOR => "Password Administrator",
            USAGE_SUMMARY_REPORTS_READER => "Usage Summary Reports Reader",
            USER_EXPERIENCE_SUCCESS_MANAGER => "User Experience Success Manager",
            _ => "Directory role",
        }
    }
}

/// A user in the demo directory. Graph JSON is built from it property by property
/// (see `graph::users`), so this struct is not itself the wire format.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Object id (fixed UUID).
    pub id: String,
    /// Full name.
    pub display_name: String,
    /// First name.
    pub given_name: Option<String>,
    /// Last name.
    pub surname: Option<String>,
    /// Sign-in name.
    pub user_principal_name: String,
    /// Primary SMTP address.
    pub mail: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Office.
    pub office_location: Option<String>,
    /// Mobile number.
    pub mobile_phone: Option<String>,
    /// Two-letter country code.
    pub usage_location: Option<String>,
    /// Preferred language tag.
    pub preferred_language: Option<String>,
    /// Whether the account may sign in.
    pub account_enabled: bool,
    /// `Member` or `Guest`.
    pub user_type: String,
    /// Creation instant.
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// Directory role template ids held (without the default user role).
    pub roles: Vec<String>,
    /// Seeded authentication methods (Graph JSON, without the password and TAP methods,
    /// which are added when listing).
    pub methods: Vec<serde_json::Value>,
}

impl User {
    /// True if and only if the user holds a directory role other than the default user role.
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r != roles::DEFAULT_USER)
    }

    /// True if and only if the user's `userType` is `Guest` (internal or external).
    pub fn is_guest(&self) -> bool {
        self.user_type.eq_ignore_ascii_case("Guest")
    }

    /// True if and only if the user is an external guest: a `Guest` whose account lives in
    /// another organisation (B2B invitation: the UPN carries `#EXT#`, Graph shows
    /// `externalUserState` and `creationType: Invitation`). An internal guest (`userType`
    /// Guest, signing in with a UPN of this tenant) is not external and may get a pass.
    pub fn is_external_guest(&self) -> bool {
        self.is_guest() && self.user_principal_name.contains("#EXT#")
    }

    /// True if and only if an Authentication Administrator may change this user's methods:
    /// no role, or only the roles of [`roles::SERVABLE_BY_AUTHENTICATION_ADMINISTRATOR`].
    pub fn servable_by_authentication_administrator(&self) -> bool {
        self.roles
            .iter()
            .all(|r| roles::SERVABLE_BY_AUTHENTICATION_ADMINISTRATOR.contains(&r.as_str()))
    }

    /// The `wids` claim: held roles plus the default user role for members.
    pub fn wids(&self) -> Vec<String> {
        let mut w = self.roles.clone();
        if !self.is_guest() {
            w.push(roles::DEFAULT_USER.to_string());
        }
        w
    }

    /// The part of the UPN before `@`.
    pub fn local_part(&self) -> &str {
        self.user_principal_name
            .split('@')
            .next()
            .unwrap_or(&self.user_principal_name)
    }
}

/// A security group.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Object id (fixed UUID).
    pub id: String,
    /// Name.
    pub display_name: String,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Direct member user ids.
    pub members: Vec<String>,
    /// Direct member group ids (nested groups; their members are transitive members).
    #[serde(default)]
    pub group_members: Vec<String>,
}

/// `enabled` or `disabled`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PolicyState {
    /// Passes may be issued and used.
    Enabled,
    /// No pass may be issued; existing ones are unusable.
    Disabled,
}

/// An entry of `includeTargets`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IncludeTarget {
    /// Always `group` for this method.
    pub target_type: String,
    /// `all_users` or a group id.
    pub id: String,
    /// Registration campaign flag (not enforced).
    #[serde(default)]
    pub is_registration_required: bool,
}

/// An entry of `excludeTargets`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExcludeTarget {
    /// Always `group`.
    pub target_type: String,
    /// A group id.
    pub id: String,
}

/// The tenant's Temporary Access Pass policy (Graph
/// `temporaryAccessPassAuthenticationMethodConfiguration` without the OData annotations).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TapPolicy {
    /// Enabled or disabled.
    pub state: PolicyState,
    /// Lifetime used when a request names none.
    pub default_lifetime_in_minutes: u32,
    /// Pass length (8..48).
    pub default_length: u32,
    /// Shortest lifetime a request may ask for.
    pub minimum_lifetime_in_minutes: u32,
    /// Longest lifetime a request may ask for.
    pub maximum_lifetime_in_minutes: u32,
    /// True forces one-time passes tenant-wide.
    pub is_usable_once: bool,
    /// Who may get a pass.
    pub include_targets: Vec<IncludeTarget>,
    /// Who may not.
    pub exclude_targets: Vec<ExcludeTarget>,
}

impl Default for TapPolicy {
    /// The Entra default: enabled for all users, 60 min (60..480), 8 characters, multi-use.
    fn default() -> Self {
        TapPolicy {
            state: PolicyState::Enabled,
            default_lifetime_in_minutes: 60,
            default_length: 8,
            minimum_lifetime_in_minutes: 60,
            maximum_lifetime_in_minutes: 480,
            is_usable_once: false,
            include_targets: vec![IncludeTarget {
                target_type: "group".into(),
                id: "all_users".into(),
                is_registration_required: false,
            }],
            exclude_targets: vec![],
        }
    }
}

impl TapPolicy {
    /// Checks the value ranges Graph enforces on the policy: lifetimes 10..43200,
    /// min <= default <= max, length 8..48. Returns the message of the first violation.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("defaultLifetimeInMinutes", self.default_lifetime_in_minutes),
            ("minimumLifetimeInMinutes", self.minimum_lifetime_in_minutes),
            ("maximumLifetimeInMinutes", self.maximum_lifetime_in_minutes),
        ] {
            if !(10..=43200).contains(&v) {
                return Err(format!("{name} must be between 10 and 43200."));
            }
        }
        if !(8..=48).contains(&self.default_length) {
            return Err("defaultLength must be between 8 and 48.".into());
        }
        if self.minimum_lifetime_in_minutes > self.default_lifetime_in_minutes
            || self.default_lifetime_in_minutes > self.maximum_lifetime_in_minutes
        {
            return Err("minimumLifetimeInMinutes <= defaultLifetimeInMinutes <= maximumLifetimeInMinutes is required.".into());
        }
        Ok(())
    }
}

/// A user's Temporary Access Pass as the emulator stores it, including the secret (which
/// Graph itself only ever returns in the create response).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PassRecord {
    /// Method id (UUID).
    pub id: String,
    /// Owner's object id.
    pub user_id: String,
    /// The secret.
    pub temporary_access_pass: String,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// When it becomes valid.
    #[serde(with = "time::serde::rfc3339")]
    pub start_date_time: OffsetDateTime,
    /// Minutes of validity from the start.
    pub lifetime_in_minutes: u32,
    /// One sign-in only.
    pub is_usable_once: bool,
    /// Set once a one-time pass was used to sign in.
    pub used: bool,
}

/// Something that happened in the emulator, in order; tests assert on these.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Event {
    /// The discovery document was served (clients should fetch it once per session).
    DiscoveryServed,
    /// A valid authorize request arrived (before any sign-in page or redirect).
    AuthorizeRequested {
        /// Its `prompt`, if any.
        prompt: Option<String>,
        /// Its `state`, if any.
        state: Option<String>,
        /// Its `login_hint`, if any.
        #[serde(default)]
        login_hint: Option<String>,
    },
    /// A user signed in on the sign-in page.
    SignedIn {
        /// Who.
        upn: String,
    },
    /// Consent was granted on the consent page.
    ConsentGranted {
        /// Who consented.
        upn: String,
        /// Bare Graph permission names.
        scopes: Vec<String>,
        /// True if granted on behalf of the organisation.
        tenant_wide: bool,
    },
    /// The token endpoint issued tokens.
    TokenIssued {
        /// For whom.
        upn: String,
        /// Bare Graph permission names in `scp`.
        scopes: Vec<String>,
        /// `authorization_code` or `refresh_token`.
        grant_type: String,
    },
    /// A pass was created.
    PassCreated {
        /// Owner.
        user_id: String,
        /// New method id.
        method_id: String,
        /// createdDateTime.
        #[serde(with = "time::serde::rfc3339")]
        created: OffsetDateTime,
    },
    /// A create replaced an existing pass (recorded before the matching `PassCreated`).
    PassReplaced {
        /// Owner.
        user_id: String,
        /// The replaced pass's method id.
        old_method_id: String,
        /// The new pass's method id.
        new_method_id: String,
    },
    /// A pass was deleted.
    PassDeleted {
        /// Owner.
        user_id: String,
        /// Deleted method id.
        method_id: String,
    },
    /// The TAP policy changed (Graph PATCH or control API).
    PolicyChanged {
        /// The new policy.
        policy: TapPolicy,
    },
    /// A session ended at the logout endpoint.
    SignedOut {
        /// Who, if a session existed.
        upn: Option<String>,
        /// The request's `logout_hint`, if any.
        #[serde(default)]
        logout_hint: Option<String>,
    },
    /// An injected fault fired (see [`crate::faults`]).
    FaultInjected {
        /// What it did.
        kind: FaultKind,
        /// The request's method (a `$batch` item's own method for item-level faults).
        method: String,
        /// Graph: the path after `/v1.0` or `/beta` (`/$batch` for the envelope, the item's
        /// path for item-level faults); login: the request path.
        path: String,
    },
    /// A user sent mail through Graph (`/me/sendMail`); nothing is delivered.
    MailSent {
        /// The sender's address (the signed-in user's `mail`, else their UPN).
        from: String,
        /// `toRecipients` addresses, in order.
        to: Vec<String>,
        /// `ccRecipients` addresses, in order.
        cc: Vec<String>,
        /// `message.subject` (empty if absent).
        subject: String,
        /// `Text` or `HTML` (canonical spelling; `Text` if the body is absent).
        content_type: String,
        /// `message.body.content` (empty if absent).
        content: String,
    },
    /// A user registered an authentication method for themselves
    /// ([`crate::Emulator::register_method`]).
    MethodRegistered {
        /// Whose.
        upn: String,
        /// Its `@odata.type`, as given.
        odata_type: String,
    },
    /// The Rust or control API changed the directory or the grants (roles, consent, refresh
    /// tokens), so tests can see the step in the event log.
    DirectoryChanged {
        /// One sentence: what changed.
        what: String,
    },
    /// A request reached the token endpoint (recorded before any check, so refused requests
    /// count too; [`Event::TokenIssued`] records only the answered ones).
    TokenRequested {
        /// Its `grant_type`, if any.
        grant_type: Option<String>,
    },
    /// A QR code + PIN method changed through Graph (issue 16): `what` is `created`,
    /// `deleted`, `standardCreated`, `standardUpdated`, `standardDeleted`, `temporaryCreated`,
    /// `temporaryDeleted` or `pinReset`.
    QrCodePinChanged {
        /// Owner.
        user_id: String,
        /// What happened.
        what: String,
    },
}

/// A mail sent through Graph, as [`crate::Emulator::mails`] returns it (the fields of
/// [`Event::MailSent`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SentMail {
    /// Sender address.
    pub from: String,
    /// To addresses.
    pub to: Vec<String>,
    /// Cc addresses.
    pub cc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// `Text` or `HTML`.
    pub content_type: String,
    /// Body.
    pub content: String,
}

/// Issue 15: phone and passkey methods, the registration report row, passkey policies.
pub mod passkeys;
