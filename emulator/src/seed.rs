//! The demo tenant "Contoso": fixed ids, ~30 users with roles and methods, four groups, the
//! default TAP policy. Tests and the demo rely on the names listed in [`DEMO_ACCOUNTS`].

use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

use crate::model::{roles, Group, TapPolicy, User};
use crate::tenant::Tenant;

/// The tenant id.
pub const TENANT_ID: &str = "7d3c1e0a-4b2f-4f6e-9c1d-2a5b8e9f0c31";
/// The tenant's verified domain.
pub const DOMAIN: &str = "contoso.onmicrosoft.com";
/// The demo SPA's client id ("tapdesk").
pub const CLIENT_ID: &str = "a4b8c3d2-1e5f-4a6b-9c7d-8e9f0a1b2c3d";
/// The demo SPA's display name.
pub const APP_NAME: &str = "tapdesk";
/// Graph permissions the tenant's admin consented to for the demo app (when
/// `admin_consent_granted` is on).
pub const ADMIN_CONSENTED_SCOPES: &[&str] = &[
    "User.Read.All",
    "User.ReadBasic.All",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "Policy.Read.All",
];

/// Group id of "All Staff".
pub const GROUP_ALL_STAFF: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a01";
/// Group id of "New Hires".
pub const GROUP_NEW_HIRES: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a02";
/// Group id of "TAP Excluded".
pub const GROUP_TAP_EXCLUDED: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a03";
/// Group id of "Helpdesk".
pub const GROUP_HELPDESK: &str = "0b6f7a2e-3c41-4d8a-9f15-6e2c8d4b1a04";

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

/// Builds the fresh demo tenant.
pub fn demo_tenant(admin_consent_granted: bool) -> Tenant {
    let users: Vec<User> = PEOPLE.iter().map(person_to_user).collect();
    let id_of = |local: &str| stable_id(&format!("{local}@{DOMAIN}"));
    let members = |locals: &[&str]| locals.iter().map(|l| id_of(l)).collect::<Vec<_>>();
    let all_staff = users
        .iter()
        .filter(|u| !u.is_guest())
        .map(|u| u.id.clone())
        .collect();
    let groups = vec![
        Group {
            id: GROUP_ALL_STAFF.into(),
            display_name: "All Staff".into(),
            members: all_staff,
        },
        Group {
            id: GROUP_NEW_HIRES.into(),
            display_name: "New Hires".into(),
            members: members(&["pradeep.gupta", "zoe.muller", "jose.alvarez", "aiko.tanaka"]),
        },
        Group {
            id: GROUP_TAP_EXCLUDED.into(),
            display_name: "TAP Excluded".into(),
            members: members(&["nestor.wilke"]),
        },
        Group {
            id: GROUP_HELPDESK.into(),
            display_name: "Helpdesk".into(),
            members: members(&["adele.vance", "patti.fernandez", "megan.bowen"]),
        },
    ];
    Tenant::new(users, groups, TapPolicy::default(), admin_consent_granted)
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

/// Which seeded authentication methods a person has.
#[derive(Clone, Copy)]
enum M {
    Authenticator,
    Phone,
    Email,
    Fido2,
    Hello,
    Oath,
}

struct Person {
    local: &'static str,
    given: &'static str,
    surname: &'static str,
    title: &'static str,
    department: &'static str,
    office: &'static str,
    country: &'static str,
    roles: &'static [&'static str],
    enabled: bool,
    methods: &'static [M],
}

const fn p(
    local: &'static str,
    given: &'static str,
    surname: &'static str,
    title: &'static str,
    department: &'static str,
    roles: &'static [&'static str],
    methods: &'static [M],
) -> Person {
    Person {
        local,
        given,
        surname,
        title,
        department,
        office: "Redmond",
        country: "US",
        roles,
        enabled: true,
        methods,
    }
}

use roles::*;
use M::*;

#[rustfmt::skip]
const PEOPLE: &[Person] = &[
    p(
        "adele.vance",
        "Adele",
        "Vance",
        "IT Support Lead",
        "IT",
        &[AUTHENTICATION_ADMINISTRATOR],
        &[Authenticator, Fido2],
    ),
    p(
        "megan.bowen",
        "Megan",
        "Bowen",
        "Identity Security Lead",
        "IT",
        &[PRIVILEGED_AUTHENTICATION_ADMINISTRATOR],
        &[Fido2, Hello],
    ),
    p(
        "alex.wilber",
        "Alex",
        "Wilber",
        "IT Director",
        "IT",
        &[GLOBAL_ADMINISTRATOR],
        &[Authenticator, Phone],
    ),
    p(
        "grady.archie",
        "Grady",
        "Archie",
        "Internal Auditor",
        "Finance",
        &[GLOBAL_READER],
        &[Authenticator],
    ),
    p(
        "lynne.robbins",
        "Lynne",
        "Robbins",
        "Identity Architect",
        "IT",
        &[AUTHENTICATION_POLICY_ADMINISTRATOR],
        &[Authenticator],
    ),
    p(
        "isaiah.langer",
        "Isaiah",
        "Langer",
        "HR Systems Administrator",
        "Human Resources",
        &[USER_ADMINISTRATOR],
        &[Authenticator],
    ),
    p(
        "diego.siciliani",
        "Diego",
        "Siciliani",
        "HR Manager",
        "Human Resources",
        &[],
        &[Authenticator],
    ),
    p(
        "pradeep.gupta",
        "Pradeep",
        "Gupta",
        "Accountant",
        "Finance",
        &[],
        &[],
    ),
    p(
        "johanna.lorenz",
        "Johanna",
        "Lorenz",
        "Senior Engineer",
        "Engineering",
        &[],
        &[Authenticator, Phone],
    ),
    Person {
        enabled: false,
        ..p(
            "lee.gu",
            "Lee",
            "Gu",
            "Director of Marketing",
            "Marketing",
            &[],
            &[Phone],
        )
    },
    p(
        "nestor.wilke",
        "Nestor",
        "Wilke",
        "Operations Director",
        "Operations",
        &[],
        &[Authenticator],
    ),
    p(
        "patti.fernandez",
        "Patti",
        "Fernandez",
        "Service Desk Analyst",
        "IT",
        &[HELPDESK_ADMINISTRATOR],
        &[Authenticator],
    ),
    p(
        "lidia.holloway",
        "Lidia",
        "Holloway",
        "Product Manager",
        "Engineering",
        &[],
        &[Oath],
    ),
    p(
        "joni.sherman",
        "Joni",
        "Sherman",
        "Paralegal",
        "Legal",
        &[],
        &[Authenticator],
    ),
    p(
        "miriam.graham",
        "Miriam",
        "Graham",
        "Director",
        "Sales & Marketing",
        &[],
        &[Email, Phone],
    ),
    p(
        "henrietta.mueller",
        "Henrietta",
        "Mueller",
        "Developer",
        "Engineering",
        &[],
        &[Hello],
    ),
    p(
        "irvin.sayers",
        "Irvin",
        "Sayers",
        "Security Analyst",
        "IT",
        &[SECURITY_READER],
        &[Authenticator],
    ),
    p(
        "christie.cline",
        "Christie",
        "Cline",
        "Buyer",
        "Retail",
        &[],
        &[Phone],
    ),
    p(
        "debra.berger",
        "Debra",
        "Berger",
        "Administrative Assistant",
        "Executive Management",
        &[],
        &[Authenticator],
    ),
    p(
        "enrico.cattaneo",
        "Enrico",
        "Cattaneo",
        "Attorney",
        "Legal",
        &[],
        &[],
    ),
    Person {
        office: "Berlin",
        country: "DE",
        ..p(
            "zoe.muller",
            "Zoë",
            "Müller",
            "Junior Designer",
            "Marketing",
            &[],
            &[],
        )
    },
    Person {
        office: "Madrid",
        country: "ES",
        ..p(
            "jose.alvarez",
            "José",
            "Álvarez",
            "Sales Associate",
            "Sales",
            &[],
            &[],
        )
    },
    Person {
        office: "Tokyo",
        country: "JP",
        ..p(
            "aiko.tanaka",
            "Aiko",
            "Tanaka",
            "Data Analyst",
            "Finance",
            &[],
            &[],
        )
    },
    Person {
        office: "Lagos",
        country: "NG",
        ..p(
            "olusegun.adeyemi",
            "Olusegun",
            "Adeyemi",
            "Field Engineer",
            "Operations",
            &[],
            &[Phone],
        )
    },
    Person {
        office: "Bengaluru",
        country: "IN",
        ..p(
            "priya.raman",
            "Priya",
            "Raman",
            "QA Engineer",
            "Engineering",
            &[],
            &[Authenticator, Email],
        )
    },
    Person {
        office: "Copenhagen",
        country: "DK",
        ..p(
            "soren.nielsen",
            "Søren",
            "Nielsen",
            "Logistics Coordinator",
            "Operations",
            &[],
            &[Fido2],
        )
    },
    Person {
        office: "Paris",
        country: "FR",
        ..p(
            "fatima.elamrani",
            "Fatima",
            "El Amrani",
            "Financial Controller",
            "Finance",
            &[],
            &[Authenticator],
        )
    },
    Person {
        office: "Milan",
        country: "IT",
        ..p(
            "mateo.rossi",
            "Mateo",
            "Rossi",
            "Store Manager",
            "Retail",
            &[],
            &[Phone],
        )
    },
    Person {
        office: "Shanghai",
        country: "CN",
        ..p(
            "wei.chen",
            "Wei",
            "Chen",
            "Supply Chain Analyst",
            "Operations",
            &[],
            &[Authenticator],
        )
    },
    p(
        "ingrid.johansson",
        "Ingrid",
        "Johansson",
        "Recruiter",
        "Human Resources",
        &[],
        &[],
    ),
    p(
        "jordan.miller_fabrikam.com#EXT#",
        "Jordan",
        "Miller",
        "Consultant",
        "",
        &[],
        &[],
    ),
];

const GUEST_LOCAL: &str = "jordan.miller_fabrikam.com#EXT#";
const SEED_EPOCH: OffsetDateTime = datetime!(2023-03-14 09:26:53 UTC);

fn person_to_user(person: &Person) -> User {
    let upn = format!("{}@{DOMAIN}", person.local);
    let guest = person.local == GUEST_LOCAL;
    let idx = PEOPLE
        .iter()
        .position(|q| q.local == person.local)
        .unwrap_or(0) as i64;
    let created = SEED_EPOCH + time::Duration::days(idx * 11) + time::Duration::minutes(idx * 37);
    let id = stable_id(&upn);
    User {
        display_name: if guest {
            "Jordan Miller (Fabrikam)".into()
        } else {
            format!("{} {}", person.given, person.surname)
        },
        given_name: Some(person.given.into()),
        surname: Some(person.surname.into()),
        mail: Some(if guest {
            "jordan.miller@fabrikam.com".into()
        } else {
            upn.clone()
        }),
        job_title: Some(person.title.into()).filter(|s: &String| !s.is_empty()),
        department: Some(person.department.into()).filter(|s: &String| !s.is_empty()),
        office_location: Some(person.office.into()).filter(|_| !guest),
        mobile_phone: Some(format!("+1 425 555 01{idx:02}")).filter(|_| !guest),
        usage_location: Some(person.country.into()),
        preferred_language: Some("en-US".into()).filter(|_| !guest),
        account_enabled: person.enabled,
        user_type: if guest {
            "Guest".into()
        } else {
            "Member".into()
        },
        created_date_time: created,
        roles: person.roles.iter().map(|r| r.to_string()).collect(),
        methods: person
            .methods
            .iter()
            .map(|m| method_json(*m, &id, person, created, idx))
            .collect(),
        user_principal_name: upn,
        id,
    }
}

fn method_json(m: M, user_id: &str, person: &Person, created: OffsetDateTime, idx: i64) -> Value {
    let when = crate::clock::seconds_z(created + time::Duration::days(2));
    let mid = |kind: &str| stable_id(&format!("{user_id}/{kind}"));
    match m {
        Authenticator => json!({
            "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "id": mid("authenticator"),
            "displayName": format!("{}'s iPhone", person.given),
            "deviceTag": "SoftwareTokenActivated",
            "phoneAppVersion": "6.8.7",
            "createdDateTime": when,
        }),
        Phone => json!({
            "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
            "id": "3179e48a-750b-4051-897c-87b9720928f7",
            "phoneNumber": format!("+1 4255550{idx:03}"),
            "phoneType": "mobile",
            "smsSignInState": "notAllowedByPolicy",
        }),
        Email => json!({
            "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
            "id": "3ddfcfc8-9383-446f-83cc-3ab9be4be18f",
            "emailAddress": format!("{}.{}@outlook.com", person.given.to_lowercase(), idx),
        }),
        Fido2 => json!({
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
            "id": mid("fido2"),
            "displayName": "YubiKey 5 NFC",
            "createdDateTime": when,
            "aaGuid": "cb69481e-8ff7-4039-93ec-0a2729a154a8",
            "model": "YubiKey 5 Series",
            "attestationCertificates": ["6bd9a8d8e6e1aac7a7e7b1c4f8e6b3a2c9d4e5f6"],
            "attestationLevel": "attested",
        }),
        Hello => json!({
            "@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
            "id": mid("whfb"),
            "displayName": format!("{}-LAPTOP", person.surname.to_uppercase()),
            "createdDateTime": when,
            "keyStrength": "normal",
        }),
        Oath => json!({
            "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
            "id": mid("oath"),
            "secretKey": null,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
