//! The demo tenant "Contoso": 31 named users with fixed ids, roles and methods, 250 generated
//! new hires, six groups (two nested), the default TAP policy. Tests and the demo rely on the
//! names listed in [`DEMO_ACCOUNTS`].

mod new_hires;
mod people;
mod units;

use crate::model::{Group, TapPolicy, User};
use crate::tenant::Tenant;

pub use new_hires::{new_hire_upn, NEW_HIRE_COUNT};
pub use units::{
    frontline_site, frontline_upn, AU_BERLIN, AU_EXECUTIVE, AU_MILAN_STORE, AU_MUNICH,
    FRONTLINE_SITE_SIZE, SCOPED_ADMIN_UPN, SCOPED_DEMO_ACCOUNTS, SITE_MANAGER_UPN,
};

/// The tenant id.
pub const TENANT_ID: &str = "7d3c1e0a-4b2f-4f6e-9c1d-2a5b8e9f0c31";
/// The tenant's verified domain.
pub const DOMAIN: &str = "contoso.onmicrosoft.com";
/// The demo SPA's client id ("tapdesk").
pub const CLIENT_ID: &str = "a4b8c3d2-1e5f-4a6b-9c7d-8e9f0a1b2c3d";
/// The demo SPA's display name.
pub const APP_NAME: &str = "tapdesk";
/// Graph permissions the tenant's admin consented to for the demo app (defined with the
/// tenant that grants them).
pub use crate::tenant::ADMIN_CONSENTED_SCOPES;

/// Group id of "All Staff".
pub const GROUP_ALL_STAFF: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a01";
/// Group id of "New Hires".
pub const GROUP_NEW_HIRES: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a02";
/// Group id of "TAP Excluded".
pub const GROUP_TAP_EXCLUDED: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a03";
/// Group id of "Helpdesk".
pub const GROUP_HELPDESK: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a04";
/// Group id of "New Hires – Berlin" (nested inside "New Hires").
pub const GROUP_NEW_HIRES_BERLIN: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a05";
/// Group id of "Onboarding Buddies" (no nesting; a control group for membership checks).
pub const GROUP_ONBOARDING_BUDDIES: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a06";

/// The accounts worth knowing, `(UPN, what they are and can do)`, for the demo banner.
pub const DEMO_ACCOUNTS: &[(&str, &str)] = &[
    (
        "adele.vance@contoso.onmicrosoft.com",
        "Authentication Administrator: passes for non-admin users",
    ),
    (
        "megan.bowen@contoso.onmicrosoft.com",
        "Privileged Authentication Administrator: passes for anyone else, admins too",
    ),
    (
        "alex.wilber@contoso.onmicrosoft.com",
        "Global Administrator: everything, can grant tenant-wide consent",
    ),
    (
        "grady.archie@contoso.onmicrosoft.com",
        "Global Reader: reads passes and policy, cannot issue",
    ),
    (
        "lynne.robbins@contoso.onmicrosoft.com",
        "Authentication Policy Administrator: edits the TAP policy, cannot issue",
    ),
    (
        "isaiah.langer@contoso.onmicrosoft.com",
        "User Administrator: an admin target Adele may not issue for",
    ),
    (
        "diego.siciliani@contoso.onmicrosoft.com",
        "no role: signs in, may not issue passes",
    ),
    (
        "pradeep.gupta@contoso.onmicrosoft.com",
        "no role, password only: the usual pass recipient",
    ),
    (
        "johanna.lorenz@contoso.onmicrosoft.com",
        "no role, has Authenticator and phone methods",
    ),
    (
        "lee.gu@contoso.onmicrosoft.com",
        "disabled account: cannot sign in",
    ),
    (
        "jordan.miller_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        "external guest: never gets a pass",
    ),
    (
        "nestor.wilke@contoso.onmicrosoft.com",
        "member of group TAP Excluded",
    ),
];

/// Builds the fresh demo tenant: the named people of [`DEMO_ACCOUNTS`] and their colleagues
/// (ids fixed), [`NEW_HIRE_COUNT`] generated new hires, and six groups, two of them nested
/// ("New Hires" contains "New Hires – Berlin", "All Staff" contains "New Hires").
pub fn demo_tenant(admin_consent_granted: bool) -> Tenant {
    let mut users: Vec<User> = people::users();
    let hires = new_hires::users();
    let id_of = |local: &str| stable_id(&format!("{local}@{DOMAIN}"));
    let members = |locals: &[&str]| locals.iter().map(|l| id_of(l)).collect::<Vec<_>>();
    // The named staff are direct members of All Staff; new hires come in through New Hires.
    let all_staff = users
        .iter()
        .filter(|u| !u.is_guest())
        .map(|u| u.id.clone())
        .collect();
    let (berlin, elsewhere): (Vec<&User>, Vec<&User>) = hires
        .iter()
        .partition(|u| u.office_location.as_deref() == Some("Berlin"));
    let mut new_hires = members(&["pradeep.gupta", "jose.alvarez", "aiko.tanaka"]);
    new_hires.extend(elsewhere.iter().map(|u| u.id.clone()));
    let mut berlin_ids = members(&["zoe.muller"]);
    berlin_ids.extend(berlin.iter().map(|u| u.id.clone()));
    let group =
        |id: &str, name: &str, description: &str, users: Vec<String>, groups: &[&str]| Group {
            id: id.into(),
            display_name: name.into(),
            description: Some(description.into()),
            members: users,
            group_members: groups.iter().map(|g| g.to_string()).collect(),
        };
    let groups = vec![
        group(
            GROUP_ALL_STAFF,
            "All Staff",
            "Everyone employed by Contoso",
            all_staff,
            &[GROUP_NEW_HIRES],
        ),
        group(
            GROUP_NEW_HIRES,
            "New Hires",
            "Joined in the last 90 days",
            new_hires,
            &[GROUP_NEW_HIRES_BERLIN],
        ),
        group(
            GROUP_TAP_EXCLUDED,
            "TAP Excluded",
            "Never issue a Temporary Access Pass",
            members(&["nestor.wilke"]),
            &[],
        ),
        group(
            GROUP_HELPDESK,
            "Helpdesk",
            "Service desk staff",
            members(&["adele.vance", "patti.fernandez", "megan.bowen"]),
            &[],
        ),
        group(
            GROUP_NEW_HIRES_BERLIN,
            "New Hires – Berlin",
            "New hires at the Berlin office",
            berlin_ids,
            &[],
        ),
        group(
            GROUP_ONBOARDING_BUDDIES,
            "Onboarding Buddies",
            "Colleagues who mentor new hires",
            members(&["johanna.lorenz", "diego.siciliani", "lidia.holloway"]),
            &[],
        ),
    ];
    users.extend(hires);
    let mut tenant = Tenant::new(users, groups, TapPolicy::default(), admin_consent_granted);
    tenant.units = units::units(&tenant);
    tenant
}

/// A deterministic, UUID-shaped object id derived from a name (SHA-256, version-4 layout), so
/// ids stay the same across runs and machines.
pub fn stable_id(name: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, name.to_ascii_lowercase().as_bytes());
    let b = d.as_ref();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&b[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// True if and only if the UPN is one of the generated new hires (`first.last.N@...`); the
/// sign-in page's account list leaves them out (they can still type their UPN).
pub fn is_new_hire(upn: &str) -> bool {
    let local = upn.split('@').next().unwrap_or("");
    local
        .rsplit_once('.')
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Issue 15: the seeded campaign tenant (a few thousand users, a realistic mix of methods).
pub mod campaign;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::roles::AUTHENTICATION_ADMINISTRATOR;

    #[test]
    fn named_accounts_keep_their_ids_and_new_hires_are_nested() {
        let t = demo_tenant(true);
        assert_eq!(t.users.len(), 31 + NEW_HIRE_COUNT);
        assert_eq!(
            t.find_user("adele.vance@contoso.onmicrosoft.com")
                .map(|u| u.id.clone()),
            Some(stable_id("adele.vance@contoso.onmicrosoft.com"))
        );
        assert_eq!(
            t.users
                .iter()
                .filter(|u| is_new_hire(&u.user_principal_name))
                .count(),
            NEW_HIRE_COUNT
        );
        assert!(!is_new_hire("adele.vance@contoso.onmicrosoft.com"));
        let zoe = stable_id("zoe.muller@contoso.onmicrosoft.com");
        assert!(!t.is_member(&zoe, GROUP_NEW_HIRES), "only through Berlin");
        assert!(t.is_transitive_member(&zoe, GROUP_NEW_HIRES));
        assert!(
            t.is_transitive_member(&zoe, GROUP_ALL_STAFF),
            "two levels down"
        );
        assert!(!t.is_transitive_member(&zoe, GROUP_HELPDESK));
        assert_eq!(
            t.transitive_user_ids(GROUP_NEW_HIRES).len(),
            3 + 1 + NEW_HIRE_COUNT
        );
    }

    #[test]
    fn required_accounts_exist_with_their_roles() {
        let t = demo_tenant(true);
        assert!(t.users.len() >= 30);
        let adele = t
            .find_user("adele.vance@contoso.onmicrosoft.com")
            .expect("adele");
        assert_eq!(adele.roles, vec![AUTHENTICATION_ADMINISTRATOR.to_string()]);
        let lee = t.find_user("LEE.GU@contoso.onmicrosoft.com").expect("lee");
        assert!(!lee.account_enabled);
        let guest = t
            .find_user("jordan.miller_fabrikam.com#EXT#@contoso.onmicrosoft.com")
            .expect("guest");
        assert!(guest.is_guest());
        assert_eq!(guest.mail.as_deref(), Some("jordan.miller@fabrikam.com"));
        let pradeep = t
            .find_user("pradeep.gupta@contoso.onmicrosoft.com")
            .expect("pradeep");
        assert!(pradeep.methods.is_empty());
        for (upn, _) in DEMO_ACCOUNTS {
            assert!(t.find_user(upn).is_some(), "{upn}");
        }
    }

    #[test]
    fn ids_are_stable_and_unique() {
        let a = demo_tenant(true);
        let b = demo_tenant(false);
        let ids: std::collections::BTreeSet<_> = a.users.iter().map(|u| u.id.clone()).collect();
        assert_eq!(ids.len(), a.users.len());
        assert_eq!(a.users[0].id, b.users[0].id);
        assert!(uuid::Uuid::parse_str(&a.users[0].id).is_ok());
    }
}
