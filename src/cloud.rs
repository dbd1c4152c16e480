//! The Microsoft clouds (global and national): where sign-in and Graph live, where users register
//! their methods, and what the command-line tools call each. Data only, on `std` alone: `xtask`
//! compiles this same file (`#[path]`) for `cargo xtask dist`, so the page and the release
//! packages can never name different hosts. The bottom layer: it imports nothing.

/// The clouds by name, as `config.json`'s `cloud` and `cargo xtask dist --cloud` write them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CloudId {
    /// Microsoft Entra ID and Graph worldwide.
    Global,
    /// US Government L4 (GCC High).
    UsGov,
    /// US Government L5 (DoD).
    Dod,
    /// Microsoft Azure operated by 21Vianet (China).
    China,
}

impl CloudId {
    /// Every cloud, in the order of [`CLOUDS`] (and of the setup screen's list).
    pub const ALL: [CloudId; 4] = [
        CloudId::Global,
        CloudId::UsGov,
        CloudId::Dod,
        CloudId::China,
    ];

    /// The name in `config.json`, on the command line and in package names.
    pub fn name(self) -> &'static str {
        match self {
            CloudId::Global => "global",
            CloudId::UsGov => "usgov",
            CloudId::Dod => "dod",
            CloudId::China => "china",
        }
    }

    /// The cloud named `name` (exactly as [`CloudId::name`] writes it), if any.
    pub fn from_name(name: &str) -> Option<CloudId> {
        CloudId::ALL.into_iter().find(|c| c.name() == name)
    }

    /// This cloud's hosts and names.
    pub fn cloud(self) -> &'static Cloud {
        &CLOUDS[self as usize]
    }
}

/// One Microsoft cloud: where sign-in and Graph live, and what the command-line tools call it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cloud {
    /// Which cloud.
    pub id: CloudId,
    /// Name shown to the admin.
    pub name: &'static str,
    /// Sign-in host, e.g. `https://login.microsoftonline.com`: the host of the issuer the
    /// cloud's discovery document names, so the strict issuer check passes.
    pub login: &'static str,
    /// Other sign-in hosts of the cloud whose discovery answers with an issuer on [`Cloud::login`]
    /// (an authority on one of them can never pass the issuer check).
    pub login_aliases: &'static [&'static str],
    /// Graph host, e.g. `https://graph.microsoft.com`.
    pub graph: &'static str,
    /// Where the cloud's users register their sign-in methods (the handout's default address),
    /// or `None` where Microsoft documents none.
    pub security_info: Option<&'static str>,
    /// `az cloud set --name …`.
    pub az_cloud: &'static str,
    /// `Connect-MgGraph -Environment …`.
    pub mg_environment: &'static str,
}

impl Cloud {
    /// Returns the authority of `tenant` in this cloud.
    pub fn authority(&self, tenant: &str) -> String {
        format!("{}/{}/v2.0", self.login, tenant)
    }
}

/// The four clouds of reference §1, with the hosts of Learn's "National clouds" page
/// (entra/identity-platform/authentication-national-cloud), in the order of [`CloudId::ALL`].
pub const CLOUDS: &[Cloud] = &[
    Cloud {
        id: CloudId::Global,
        name: "Global (Microsoft Entra ID)",
        login: "https://login.microsoftonline.com",
        login_aliases: &[],
        graph: "https://graph.microsoft.com",
        security_info: Some("https://mysignins.microsoft.com/security-info"),
        az_cloud: "AzureCloud",
        mg_environment: "Global",
    },
    Cloud {
        id: CloudId::UsGov,
        name: "US Government (GCC High)",
        login: "https://login.microsoftonline.us",
        login_aliases: &[],
        graph: "https://graph.microsoft.us",
        security_info: Some("https://mysignins.microsoft.us/security-info"),
        az_cloud: "AzureUSGovernment",
        mg_environment: "USGov",
    },
    Cloud {
        id: CloudId::Dod,
        name: "US Government (DoD)",
        login: "https://login.microsoftonline.us",
        login_aliases: &[],
        graph: "https://dod-graph.microsoft.us",
        security_info: Some("https://mysignins.microsoft.us/security-info"),
        az_cloud: "AzureUSGovernment",
        mg_environment: "USGovDoD",
    },
    Cloud {
        id: CloudId::China,
        name: "China (21Vianet)",
        // Learn lists login.partner.microsoftonline.cn; discovery on login.chinacloudapi.cn
        // answers with the issuer on it too (MSAL keeps both as aliases of one cloud).
        login: "https://login.partner.microsoftonline.cn",
        login_aliases: &["https://login.chinacloudapi.cn"],
        graph: "https://microsoftgraph.chinacloudapi.cn",
        security_info: None,
        az_cloud: "AzureChinaCloud",
        mg_environment: "China",
    },
];

/// The global cloud, whose hosts `deploy/` and `config.example.json` are written with.
pub const GLOBAL: &Cloud = &CLOUDS[0];

/// Returns the cloud whose Graph, sign-in or alias sign-in host `url` uses, if any (a host
/// that only starts like one, `https://graph.microsoft.com.evil.example`, is none).
pub fn cloud_of(url: &str) -> Option<&'static Cloud> {
    let on = |host: &str| {
        url.strip_prefix(host)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    CLOUDS
        .iter()
        .find(|c| on(c.graph))
        .or_else(|| CLOUDS.iter().find(|c| on(c.login)))
        .or_else(|| {
            CLOUDS
                .iter()
                .find(|c| c.login_aliases.iter().any(|a| on(a)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_order_of_the_ids() {
        assert_eq!(CLOUDS.len(), CloudId::ALL.len());
        for id in CloudId::ALL {
            assert_eq!(id.cloud().id, id);
            assert_eq!(CloudId::from_name(id.name()), Some(id));
        }
        assert_eq!(GLOBAL.id, CloudId::Global);
        assert_eq!(CloudId::from_name("gcc"), None);
    }

    #[test]
    fn urls_are_matched_to_their_cloud_by_whole_host() {
        let id = |u: &str| cloud_of(u).map(|c| c.id);
        assert_eq!(
            id("https://dod-graph.microsoft.us/v1.0"),
            Some(CloudId::Dod)
        );
        assert_eq!(id("https://graph.microsoft.us"), Some(CloudId::UsGov));
        // Two clouds share the US sign-in host: the first of them.
        assert_eq!(
            id("https://login.microsoftonline.us/t/v2.0"),
            Some(CloudId::UsGov)
        );
        assert_eq!(
            id("https://login.chinacloudapi.cn/t/v2.0"),
            Some(CloudId::China)
        );
        assert_eq!(id("https://graph.microsoft.com.evil.example"), None);
        assert_eq!(id("https://id.example.org/realms/a"), None);
        assert_eq!(
            CloudId::UsGov.cloud().authority("t"),
            "https://login.microsoftonline.us/t/v2.0"
        );
    }
}
