//! OAuth scopes: the Graph delegated permissions the emulator knows, which need admin consent,
//! and parsing of a `scope` parameter into OpenID scopes and Graph permissions.

/// A Graph delegated permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    /// Canonical name, e.g. `User.Read.All`.
    pub name: &'static str,
    /// True if only an administrator can consent.
    pub admin_consent: bool,
    /// Consent page text.
    pub description: &'static str,
}

const fn perm(name: &'static str, admin_consent: bool, description: &'static str) -> Permission {
    Permission {
        name,
        admin_consent,
        description,
    }
}

/// Graph's well-known application id; unknown-scope errors name it as the resource.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The permissions the emulator's Graph knows.
pub const GRAPH_PERMISSIONS: &[Permission] = &[
    perm("User.Read", false, "Sign you in and read your profile"),
    perm(
        "User.ReadBasic.All",
        false,
        "Read all users' basic profiles",
    ),
    perm("User.Read.All", true, "Read all users' full profiles"),
    perm(
        "User.ReadWrite.All",
        true,
        "Read and write all users' full profiles",
    ),
    perm("Directory.Read.All", true, "Read directory data"),
    perm(
        "Directory.ReadWrite.All",
        true,
        "Read and write directory data",
    ),
    perm("GroupMember.Read.All", true, "Read group memberships"),
    perm("Group.Read.All", true, "Read all groups"),
    perm(
        "UserAuthenticationMethod.Read",
        true,
        "Read your authentication methods",
    ),
    perm(
        "UserAuthenticationMethod.ReadWrite",
        true,
        "Read and write your authentication methods",
    ),
    perm(
        "UserAuthenticationMethod.Read.All",
        true,
        "Read all users' authentication methods",
    ),
    perm(
        "UserAuthenticationMethod.ReadWrite.All",
        true,
        "Read and write all users' authentication methods",
    ),
    perm("Policy.Read.All", true, "Read your organization's policies"),
    perm(
        "Policy.ReadWrite.AuthenticationMethod",
        true,
        "Read and write all authentication method policies",
    ),
    perm("AuditLog.Read.All", true, "Read audit log data"),
    perm(
        "RoleManagement.Read.Directory",
        true,
        "Read your company's directory role settings",
    ),
    perm("Mail.Send", false, "Send mail as you"),
    perm(
        "UserAuthMethod-TAP.Read",
        true,
        "Read the signed-in user's Temporary Access Pass authentication methods",
    ),
    perm(
        "UserAuthMethod-TAP.Read.All",
        true,
        "Read all users' Temporary Access Pass authentication methods",
    ),
    perm(
        "UserAuthMethod-TAP.ReadWrite",
        true,
        "Read and write the signed-in user's Temporary Access Pass authentication methods",
    ),
    perm(
        "UserAuthMethod-TAP.ReadWrite.All",
        true,
        "Read and write all users' Temporary Access Pass methods",
    ),
    perm(
        "Policy.Read.AuthenticationMethod",
        true,
        "Read authentication method policies",
    ),
    perm(
        "AdministrativeUnit.Read.All",
        true,
        "Read administrative units",
    ),
    perm(
        "RoleManagement.Read.All",
        true,
        "Read role management data for all RBAC providers",
    ),
    perm(
        "RoleManagement.ReadWrite.Directory",
        true,
        "Read and write directory RBAC settings",
    ),
    perm(
        "RoleAssignmentSchedule.Read.Directory",
        true,
        "Read all active role assignments for your company's directory",
    ),
    perm(
        "RoleEligibilitySchedule.Read.Directory",
        true,
        "Read all eligible role assignments for your company's directory",
    ),
    perm(
        "UserAuthMethod-QR.Read",
        true,
        "Read the signed-in user's QR code PIN authentication method",
    ),
    perm(
        "UserAuthMethod-QR.Read.All",
        true,
        "Read all users' QR code PIN authentication methods",
    ),
    perm(
        "UserAuthMethod-QR.ReadWrite",
        true,
        "Read and write the signed-in user's QR code PIN authentication method",
    ),
    perm(
        "UserAuthMethod-QR.ReadWrite.All",
        true,
        "Read and write all users' QR code PIN authentication methods",
    ),
    perm(
        "Policy.ReadWrite.ConditionalAccess",
        true,
        "Read and write your organization's conditional access policies",
    ),
];

/// The OpenID Connect scopes (always consented implicitly).
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// Looks a permission up by name, case-insensitively.
pub fn find(name: &str) -> Option<&'static Permission> {
    GRAPH_PERMISSIONS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

/// A parsed `scope` parameter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedScopes {
    /// OpenID scopes present, lower-case.
    pub oidc: Vec<String>,
    /// Canonical Graph permission names requested.
    pub graph: Vec<String>,
    /// True if `{graph}/.default` was requested.
    pub default: bool,
    /// The resource prefix the request used for Graph (`"{graph}/"`,
    /// `"https://graph.microsoft.com/"` or `""` for bare names), reused in the response.
    pub prefix: String,
}

impl ParsedScopes {
    /// True if and only if `openid` was requested.
    pub fn openid(&self) -> bool {
        self.oidc.iter().any(|s| s == "openid")
    }

    /// True if and only if `offline_access` was requested.
    pub fn offline_access(&self) -> bool {
        self.oidc.iter().any(|s| s == "offline_access")
    }
}

/// Why a scope parameter was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScopeError {
    /// A resource other than Graph (AADSTS500011).
    #[error("The resource principal named {0} was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.")]
    UnknownResource(String),
    /// A Graph permission that does not exist (AADSTS650053).
    #[error("The application 'tapdesk' asked for scope '{0}' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'. Contact the app vendor.")]
    UnknownScope(String),
}

impl ScopeError {
    /// The AADSTS number.
    pub fn code(&self) -> u32 {
        match self {
            ScopeError::UnknownResource(_) => 500011,
            ScopeError::UnknownScope(_) => 650053,
        }
    }
}

/// Splits a `scope` parameter. Graph permissions may be bare, or prefixed with the emulator's
/// Graph URL or `https://graph.microsoft.com/`.
pub fn parse(scope: &str, graph_url: &str) -> Result<ParsedScopes, ScopeError> {
    let mut out = ParsedScopes::default();
    let own_prefix = format!("{}/", graph_url.trim_end_matches('/'));
    for raw in scope.split_whitespace() {
        if let Some(o) = OIDC_SCOPES.iter().find(|o| o.eq_ignore_ascii_case(raw)) {
            if !out.oidc.iter().any(|x| x == o) {
                out.oidc.push(o.to_string());
            }
            continue;
        }
        let (prefix, name) = if let Some(rest) = strip_prefix_ci(raw, &own_prefix) {
            (own_prefix.clone(), rest)
        } else if let Some(rest) = strip_prefix_ci(raw, "https://graph.microsoft.com/") {
            ("https://graph.microsoft.com/".to_string(), rest)
        } else if raw.contains("://") || raw.contains('/') {
            let resource = raw.rsplit_once('/').map(|(r, _)| r).unwrap_or(raw);
            return Err(ScopeError::UnknownResource(resource.to_string()));
        } else {
            (String::new(), raw)
        };
        if out.graph.is_empty() && !out.default {
            out.prefix = prefix;
        }
        if name == ".default" {
            out.default = true;
            continue;
        }
        let p = find(name).ok_or_else(|| ScopeError::UnknownScope(name.to_string()))?;
        if !out.graph.iter().any(|g| g == p.name) {
            out.graph.push(p.name.to_string());
        }
    }
    Ok(out)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixed_bare_and_oidc_scopes() {
        let g = "http://127.0.0.1:9";
        let p = parse(
            "openid profile offline_access http://127.0.0.1:9/user.read.all UserAuthenticationMethod.ReadWrite.All",
            g,
        )
        .expect("ok");
        assert!(p.openid() && p.offline_access());
        assert_eq!(
            p.graph,
            vec!["User.Read.All", "UserAuthenticationMethod.ReadWrite.All"]
        );
        assert_eq!(p.prefix, "http://127.0.0.1:9/");
        let p = parse("https://graph.microsoft.com/.default", g).expect("ok");
        assert!(p.default && p.graph.is_empty());
    }

    #[test]
    fn refuses_unknown_resources_and_permissions() {
        let g = "http://127.0.0.1:9";
        assert_eq!(parse("api://other/x", g).map_err(|e| e.code()), Err(500011));
        assert_eq!(parse("Bogus.Read", g).map_err(|e| e.code()), Err(650053));
    }
}
