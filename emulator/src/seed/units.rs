//! Issue 16's seed: administrative units (one with restricted management, one dynamic kept as
//! a static list), unit-scoped and PIM-eligible role grants for two demo admins, and the
//! optional frontline site ([`frontline_site`], [`FRONTLINE_SITE_SIZE`] shop-floor users in
//! the "Milan store" unit; opt-in so the seeded tenant's size stays what older tests count).

use super::people::SEED_EPOCH;
use super::{stable_id, DOMAIN};
use crate::model::{roles, User};
use crate::tenant::Tenant;
use crate::units::{AdministrativeUnit, RoleGrant, Units};

/// "Berlin office": dynamic (`user.officeLocation -eq "Berlin"`), evaluated once at seed time.
pub const AU_BERLIN: &str = "5a1d3c9e-7b20-4e6f-8a41-3c2d1e0f9a01";
/// "Munich office": assigned members, one of them an admin, one also in the executive unit.
pub const AU_MUNICH: &str = "5a1d3c9e-7b20-4e6f-8a41-3c2d1e0f9a02";
/// "Executive office": restricted management.
pub const AU_EXECUTIVE: &str = "5a1d3c9e-7b20-4e6f-8a41-3c2d1e0f9a03";
/// "Milan store": the frontline site (empty until [`frontline_site`] runs).
pub const AU_MILAN_STORE: &str = "5a1d3c9e-7b20-4e6f-8a41-3c2d1e0f9a04";
/// The scoped Authentication Administrator of the demo (Berlin and Munich active, Milan store
/// eligible only).
pub const SCOPED_ADMIN_UPN: &str = "lidia.holloway@contoso.onmicrosoft.com";
/// The frontline site manager (Authentication Administrator for the Milan store).
pub const SITE_MANAGER_UPN: &str = "mateo.rossi@contoso.onmicrosoft.com";
/// How many shop-floor users [`frontline_site`] adds.
pub const FRONTLINE_SITE_SIZE: usize = 300;

/// The demo banner lines for issue 16's accounts.
pub const SCOPED_DEMO_ACCOUNTS: &[(&str, &str)] = &[
    (
        SCOPED_ADMIN_UPN,
        "Authentication Administrator for Berlin office and Munich office; eligible (not active) for Milan store",
    ),
    (
        SITE_MANAGER_UPN,
        "frontline site manager: Authentication Administrator for Milan store",
    ),
];

fn id_of(local: &str) -> String {
    stable_id(&format!("{local}@{DOMAIN}"))
}

fn unit(
    id: &str,
    name: &str,
    description: &str,
    restricted: bool,
    rule: Option<&str>,
    members: Vec<String>,
) -> AdministrativeUnit {
    AdministrativeUnit {
        id: id.into(),
        display_name: name.into(),
        description: Some(description.into()),
        is_member_management_restricted: restricted,
        membership_type: if rule.is_some() {
            "Dynamic"
        } else {
            "Assigned"
        }
        .into(),
        membership_rule: rule.map(String::from),
        members,
    }
}

fn grant(principal: &str, role: &str, unit: &str, eligible: bool) -> RoleGrant {
    let principal_id = stable_id(principal);
    RoleGrant {
        id: stable_id(&format!("grant/{principal}/{role}/{unit}/{eligible}")),
        principal_id,
        role_definition_id: role.into(),
        directory_scope_id: format!("/administrativeUnits/{unit}"),
        eligible,
    }
}

/// The units and grants of the fresh demo tenant.
pub fn units(t: &Tenant) -> Units {
    let berlin = t
        .users
        .iter()
        .filter(|u| u.office_location.as_deref() == Some("Berlin"))
        .map(|u| u.id.clone())
        .collect();
    let locals = |l: &[&str]| l.iter().map(|x| id_of(x)).collect::<Vec<_>>();
    Units {
        units: vec![
            unit(
                AU_BERLIN,
                "Berlin office",
                "Everyone whose office is Berlin",
                false,
                Some("(user.officeLocation -eq \"Berlin\")"),
                berlin,
            ),
            unit(
                AU_MUNICH,
                "Munich office",
                "Staff served by the Munich service desk",
                false,
                None,
                locals(&[
                    "henrietta.mueller",
                    "christie.cline",
                    "enrico.cattaneo",
                    "joni.sherman",
                    "isaiah.langer",
                    "miriam.graham",
                ]),
            ),
            unit(
                AU_EXECUTIVE,
                "Executive office",
                "Executives: only admins scoped here may change them",
                true,
                None,
                locals(&["miriam.graham", "debra.berger"]),
            ),
            unit(
                AU_MILAN_STORE,
                "Milan store",
                "Frontline staff of the Milan store",
                false,
                None,
                vec![],
            ),
        ],
        grants: vec![
            grant(
                SCOPED_ADMIN_UPN,
                roles::AUTHENTICATION_ADMINISTRATOR,
                AU_BERLIN,
                false,
            ),
            grant(
                SCOPED_ADMIN_UPN,
                roles::AUTHENTICATION_ADMINISTRATOR,
                AU_MUNICH,
                false,
            ),
            grant(
                SCOPED_ADMIN_UPN,
                roles::AUTHENTICATION_ADMINISTRATOR,
                AU_MILAN_STORE,
                true,
            ),
            grant(
                SITE_MANAGER_UPN,
                roles::AUTHENTICATION_ADMINISTRATOR,
                AU_MILAN_STORE,
                false,
            ),
        ],
    }
}

const FIRST: &[&str] = &[
    "Alessia",
    "Bruno",
    "Carla",
    "Davide",
    "Elena",
    "Fabio",
    "Giulia",
    "Hugo",
    "Irene",
    "Jacopo",
    "Lucia",
    "Marco",
    "Noemi",
    "Omar",
    "Paola",
    "Riccardo",
    "Sara",
    "Tommaso",
    "Valentina",
];
const LAST: &[&str] = &[
    "Bianco", "Colombo", "De Luca", "Esposito", "Ferrari", "Galli", "Lombardi", "Marino",
    "Moretti", "Ricci", "Romano", "Russo", "Santoro", "Villa", "Zanetti",
];

/// The UPN of frontline user `n` (1-based): `milan.store.NNN@contoso.onmicrosoft.com`.
pub fn frontline_upn(n: usize) -> String {
    format!("milan.store.{n:03}@{DOMAIN}")
}

fn frontline_user(n: usize) -> User {
    let first = FIRST[n % FIRST.len()];
    let last = LAST[(n * 7 + n / FIRST.len()) % LAST.len()];
    let upn = frontline_upn(n);
    let hours = i64::try_from(n).unwrap_or(0);
    User {
        id: stable_id(&upn),
        display_name: format!("{first} {last}"),
        given_name: Some(first.into()),
        surname: Some(last.into()),
        mail: None,
        job_title: Some("Store Associate".into()),
        department: Some("Retail".into()),
        office_location: Some("Milan".into()),
        mobile_phone: None,
        usage_location: Some("IT".into()),
        preferred_language: Some("it-IT".into()),
        account_enabled: true,
        user_type: "Member".into(),
        created_date_time: SEED_EPOCH + time::Duration::days(900) + time::Duration::hours(hours),
        roles: vec![],
        methods: vec![],
        user_principal_name: upn,
    }
}

/// Adds the frontline site: [`FRONTLINE_SITE_SIZE`] shop-floor users (no roles, no mailbox
/// address, no methods) as members of "Milan store". Does nothing when they already exist.
pub fn frontline_site(t: &mut Tenant) {
    if t.find_user(&frontline_upn(1)).is_some() {
        return;
    }
    let users: Vec<User> = (1..=FRONTLINE_SITE_SIZE).map(frontline_user).collect();
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    t.add_users(users);
    if let Some(u) = t
        .units
        .units
        .iter_mut()
        .find(|u| u.id.eq_ignore_ascii_case(AU_MILAN_STORE))
    {
        u.members.extend(ids);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn units_grants_and_the_frontline_site() {
        let mut t = seed::demo_tenant(true);
        let berlin = t.units.find(AU_BERLIN).expect("berlin");
        assert_eq!(berlin.members.len(), 1 + seed::NEW_HIRE_COUNT / 5);
        assert_eq!(berlin.membership_type, "Dynamic");
        assert!(
            t.units
                .find(AU_EXECUTIVE)
                .expect("exec")
                .is_member_management_restricted
        );
        let lidia = t.find_user(SCOPED_ADMIN_UPN).expect("lidia").id.clone();
        assert_eq!(t.units.active_scoped(&lidia).len(), 2);
        assert_eq!(t.units.eligible(&lidia).len(), 1);
        assert!(t.find_user(SITE_MANAGER_UPN).is_some());
        let before = t.users.len();
        frontline_site(&mut t);
        frontline_site(&mut t);
        assert_eq!(t.users.len(), before + FRONTLINE_SITE_SIZE);
        let milan = t.units.find(AU_MILAN_STORE).expect("milan");
        assert_eq!(milan.members.len(), FRONTLINE_SITE_SIZE);
        assert!(t
            .find_user("milan.store.300@contoso.onmicrosoft.com")
            .is_some());
    }
}
