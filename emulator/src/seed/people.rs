//! The 31 named people of the demo tenant (fixed ids, roles, seeded methods) and how each becomes a
//! directory user.

use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

use super::{stable_id, DOMAIN};
use crate::model::{roles, User};

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
    p("adele.vance", "Adele", "Vance", "IT Support Lead", "IT", &[AUTHENTICATION_ADMINISTRATOR], &[Authenticator, Fido2]),
    p("megan.bowen", "Megan", "Bowen", "Identity Security Lead", "IT", &[PRIVILEGED_AUTHENTICATION_ADMINISTRATOR], &[Fido2, Hello]),
    p("alex.wilber", "Alex", "Wilber", "IT Director", "IT", &[GLOBAL_ADMINISTRATOR], &[Authenticator, Phone]),
    p("grady.archie", "Grady", "Archie", "Internal Auditor", "Finance", &[GLOBAL_READER], &[Authenticator]),
    p("lynne.robbins", "Lynne", "Robbins", "Identity Architect", "IT", &[AUTHENTICATION_POLICY_ADMINISTRATOR], &[Authenticator]),
    p("isaiah.langer", "Isaiah", "Langer", "HR Systems Administrator", "Human Resources", &[USER_ADMINISTRATOR], &[Authenticator]),
    p("diego.siciliani", "Diego", "Siciliani", "HR Manager", "Human Resources", &[], &[Authenticator]),
    p("pradeep.gupta", "Pradeep", "Gupta", "Accountant", "Finance", &[], &[]),
    p("johanna.lorenz", "Johanna", "Lorenz", "Senior Engineer", "Engineering", &[], &[Authenticator, Phone]),
    Person {
        enabled: false,
        ..p("lee.gu", "Lee", "Gu", "Director of Marketing", "Marketing", &[], &[Phone])
    },
    p("nestor.wilke", "Nestor", "Wilke", "Operations Director", "Operations", &[], &[Authenticator]),
    p("patti.fernandez", "Patti", "Fernandez", "Service Desk Analyst", "IT", &[HELPDESK_ADMINISTRATOR], &[Authenticator]),
    p("lidia.holloway", "Lidia", "Holloway", "Product Manager", "Engineering", &[], &[Oath]),
    p("joni.sherman", "Joni", "Sherman", "Paralegal", "Legal", &[], &[Authenticator]),
    p("miriam.graham", "Miriam", "Graham", "Director", "Sales & Marketing", &[], &[Email, Phone]),
    p("henrietta.mueller", "Henrietta", "Mueller", "Developer", "Engineering", &[], &[Hello]),
    p("irvin.sayers", "Irvin", "Sayers", "Security Analyst", "IT", &[SECURITY_READER], &[Authenticator]),
    p("christie.cline", "Christie", "Cline", "Buyer", "Retail", &[], &[Phone]),
    p("debra.berger", "Debra", "Berger", "Administrative Assistant", "Executive Management", &[], &[Authenticator]),
    p("enrico.cattaneo", "Enrico", "Cattaneo", "Attorney", "Legal", &[], &[]),
    Person {
        office: "Berlin",
        country: "DE",
        ..p("zoe.muller", "Zoë", "Müller", "Junior Designer", "Marketing", &[], &[])
    },
    Person {
        office: "Madrid",
        country: "ES",
        ..p("jose.alvarez", "José", "Álvarez", "Sales Associate", "Sales", &[], &[])
    },
    Person {
        office: "Tokyo",
        country: "JP",
        ..p("aiko.tanaka", "Aiko", "Tanaka", "Data Analyst", "Finance", &[], &[])
    },
    Person {
        office: "Lagos",
        country: "NG",
        ..p("olusegun.adeyemi", "Olusegun", "Adeyemi", "Field Engineer", "Operations", &[], &[Phone])
    },
    Person {
        office: "Bengaluru",
        country: "IN",
        ..p("priya.raman", "Priya", "Raman", "QA Engineer", "Engineering", &[], &[Authenticator, Email])
    },
    Person {
        office: "Copenhagen",
        country: "DK",
        ..p("soren.nielsen", "Søren", "Nielsen", "Logistics Coordinator", "Operations", &[], &[Fido2])
    },
    Person {
        office: "Paris",
        country: "FR",
        ..p("fatima.elamrani", "Fatima", "El Amrani", "Financial Controller", "Finance", &[], &[Authenticator])
    },
    Person {
        office: "Milan",
        country: "IT",
        ..p("mateo.rossi", "Mateo", "Rossi", "Store Manager", "Retail", &[], &[Phone])
    },
    Person {
        office: "Shanghai",
        country: "CN",
        ..p("wei.chen", "Wei", "Chen", "Supply Chain Analyst", "Operations", &[], &[Authenticator])
    },
    p("ingrid.johansson", "Ingrid", "Johansson", "Recruiter", "Human Resources", &[], &[]),
    p("jordan.miller_fabrikam.com#EXT#", "Jordan", "Miller", "Consultant", "", &[], &[]),
];

const GUEST_LOCAL: &str = "jordan.miller_fabrikam.com#EXT#";
pub(super) const SEED_EPOCH: OffsetDateTime = datetime!(2023-03-14 09:26:53 UTC);

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

/// The named people as directory users, in table order.
pub fn users() -> Vec<User> {
    PEOPLE.iter().map(person_to_user).collect()
}
