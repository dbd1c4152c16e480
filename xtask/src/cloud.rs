//! The Microsoft clouds tapdesk can be deployed for (the page's own table, `src/cloud.rs`), and
//! rendering `deploy/` and `config.example.json` (written for the global cloud) with another
//! cloud's hosts.

use anyhow::{bail, Result};

/// The page's own table of clouds (`src/cloud.rs`, data only), compiled here too: the packages
/// and the page can never name different hosts.
#[allow(dead_code)] // the page reads more of the table than `dist` does
#[path = "../../src/cloud.rs"]
mod table;

/// A national (or the global) Microsoft cloud.
pub use table::CloudId as Cloud;

/// The sign-in authority and Graph hosts `deploy/` and `config.example.json` are written for.
pub const GLOBAL_LOGIN: &str = table::GLOBAL.login;
pub const GLOBAL_GRAPH: &str = table::GLOBAL.graph;

impl Cloud {
    /// Parses `global`, `usgov`, `dod` or `china`.
    pub fn parse(name: &str) -> Result<Self> {
        match Self::from_name(name) {
            Some(cloud) => Ok(cloud),
            None => bail!("unknown cloud `{name}`: use global, usgov, dod or china"),
        }
    }

    /// The sign-in authority's origin.
    pub fn login(self) -> &'static str {
        self.cloud().login
    }

    /// Microsoft Graph's origin.
    pub fn graph(self) -> &'static str {
        self.cloud().graph
    }

    /// `text` (a host config or config.example.json) with the global hosts replaced by this
    /// cloud's. Fails if `text` names neither global host, so a config that stopped naming
    /// them cannot be shipped unchanged for a national cloud.
    pub fn render(self, text: &str) -> Result<String> {
        if !text.contains(GLOBAL_LOGIN) || !text.contains(GLOBAL_GRAPH) {
            bail!("expected both {GLOBAL_LOGIN} and {GLOBAL_GRAPH} in the file to render");
        }
        Ok(text
            .replace(GLOBAL_LOGIN, self.login())
            .replace(GLOBAL_GRAPH, self.graph()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSP: &str = "connect-src 'self' https://login.microsoftonline.com https://graph.microsoft.com; style-src 'self'";

    #[test]
    fn national_clouds_get_their_own_hosts() {
        assert_eq!(
            Cloud::UsGov.render(CSP).unwrap(),
            "connect-src 'self' https://login.microsoftonline.us https://graph.microsoft.us; style-src 'self'"
        );
        assert_eq!(
            Cloud::Dod.render(CSP).unwrap(),
            "connect-src 'self' https://login.microsoftonline.us https://dod-graph.microsoft.us; style-src 'self'"
        );
        assert_eq!(
            Cloud::China.render(CSP).unwrap(),
            "connect-src 'self' https://login.partner.microsoftonline.cn https://microsoftgraph.chinacloudapi.cn; style-src 'self'"
        );
        assert_eq!(Cloud::Global.render(CSP).unwrap(), CSP);
    }

    #[test]
    fn names_round_trip_and_unknown_names_fail() {
        for cloud in Cloud::ALL {
            assert_eq!(Cloud::parse(cloud.name()).unwrap(), cloud);
        }
        assert!(Cloud::parse("gcc").is_err());
    }

    #[test]
    fn a_file_without_the_global_hosts_is_refused() {
        assert!(Cloud::UsGov.render("connect-src 'self'").is_err());
    }

    /// Every file `cargo xtask dist` renders names both global hosts.
    #[test]
    fn the_shipped_files_render() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for file in [
            "deploy/nginx.conf",
            "deploy/Caddyfile",
            "deploy/staticwebapp.config.json",
            "config.example.json",
        ] {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            let rendered = Cloud::China.render(&text).unwrap();
            assert!(!rendered.contains("microsoftonline.com"), "{file}");
            assert!(!rendered.contains("graph.microsoft.com"), "{file}");
        }
    }
}
