//! Generated new hires: [`NEW_HIRE_COUNT`] users with realistic names built deterministically
//! from small first- and last-name lists, so "New Hires" is large enough to page and bulk
//! issuing has real work to do. UPNs are `firstname.lastname.N@contoso.onmicrosoft.com`.

use super::people::SEED_EPOCH;
use super::{stable_id, DOMAIN};
use crate::model::User;

/// How many new hires the seed generates.
pub const NEW_HIRE_COUNT: usize = 250;

const FIRST: &[&str] = &[
    "Amara", "Bruno", "Chiara", "Dmitri", "Elif", "Felix", "Greta", "Hamza", "Ines", "Kenji",
    "Leila", "Marek", "Nadia", "Oskar", "Rosa", "Sanjay", "Tomás", "Uma", "Wanjiru", "Yusuf",
];
const LAST: &[&str] = &[
    "Achterberg",
    "Bianchi",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ibrahim",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Richter",
    "Sato",
    "Takahashi",
    "Weber",
];
/// `(office, country)`; every fifth hire starts in Berlin (group "New Hires – Berlin").
const OFFICES: &[(&str, &str)] = &[
    ("Berlin", "DE"),
    ("Redmond", "US"),
    ("London", "GB"),
    ("Madrid", "ES"),
    ("Lagos", "NG"),
];
const JOBS: &[(&str, &str)] = &[
    ("Sales Associate", "Sales"),
    ("Junior Developer", "Engineering"),
    ("Accounts Assistant", "Finance"),
    ("Support Engineer", "IT"),
    ("Warehouse Coordinator", "Operations"),
    ("Marketing Assistant", "Marketing"),
    ("Store Associate", "Retail"),
];

/// The UPN of new hire `n` (1-based).
pub fn new_hire_upn(n: usize) -> String {
    let (first, last) = name(n);
    format!("{}.{}.{n}@{DOMAIN}", ascii_lower(first), ascii_lower(last))
}

fn name(n: usize) -> (&'static str, &'static str) {
    // Stepping the surname by 7 (coprime with 20) and shifting every 20 hires gives varied pairs.
    (
        FIRST[n % FIRST.len()],
        LAST[(n * 7 + n / FIRST.len()) % LAST.len()],
    )
}

/// Lower-case ASCII for a UPN: accents dropped (`Tomás` → `tomas`), other characters kept.
fn ascii_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'Á' => 'a',
            'é' | 'è' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'ö' | 'Ó' => 'o',
            'ú' | 'ü' | 'Ú' => 'u',
            other => other,
        })
        .collect::<String>()
        .to_ascii_lowercase()
}

/// All generated new hires, `1..=NEW_HIRE_COUNT` in order.
pub fn users() -> Vec<User> {
    (1..=NEW_HIRE_COUNT).map(new_hire).collect()
}

fn new_hire(n: usize) -> User {
    let (first, last) = name(n);
    let upn = new_hire_upn(n);
    let (office, country) = OFFICES[n % OFFICES.len()];
    let (title, department) = JOBS[n % JOBS.len()];
    let hours = i64::try_from(n).unwrap_or(0) * 5;
    User {
        id: stable_id(&upn),
        display_name: format!("{first} {last}"),
        given_name: Some(first.into()),
        surname: Some(last.into()),
        mail: Some(upn.clone()),
        job_title: Some(title.into()),
        department: Some(department.into()),
        office_location: Some(office.into()),
        mobile_phone: None,
        usage_location: Some(country.into()),
        preferred_language: Some(if country == "DE" { "de-DE" } else { "en-US" }.into()),
        account_enabled: true,
        user_type: "Member".into(),
        created_date_time: SEED_EPOCH + time::Duration::days(800) + time::Duration::hours(hours),
        roles: vec![],
        methods: vec![],
        user_principal_name: upn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deterministic_unique_and_ascii() {
        let a = users();
        assert_eq!(a.len(), NEW_HIRE_COUNT);
        assert_eq!(a, users());
        let upns: std::collections::BTreeSet<_> =
            a.iter().map(|u| u.user_principal_name.clone()).collect();
        assert_eq!(upns.len(), NEW_HIRE_COUNT);
        assert!(upns.iter().all(|u| u.is_ascii()));
        assert_eq!(new_hire_upn(16), "tomas.novak.16@contoso.onmicrosoft.com");
        assert_eq!(a[15].display_name, "Tomás Novak");
        let berlin = a
            .iter()
            .filter(|u| u.office_location.as_deref() == Some("Berlin"))
            .count();
        assert_eq!(berlin, NEW_HIRE_COUNT / 5);
    }
}
