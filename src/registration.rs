//! National cloud presets and the commands that register the app (Azure CLI and Microsoft Graph
//! PowerShell): SPA redirect URI, the delegated permissions with the reason for each, admin consent.

/// One Microsoft cloud: where sign-in and Graph live, and what the command-line tools call it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cloud {
    /// Short id used in the UI and `cargo xtask dist --cloud`.
    pub id: &'static str,
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

/// The four clouds of reference §1, with the hosts of Learn's "National clouds" page
/// (entra/identity-platform/authentication-national-cloud).
pub const CLOUDS: &[Cloud] = &[
    Cloud {
        id: "global",
        name: "Global (Microsoft Entra ID)",
        login: "https://login.microsoftonline.com",
        login_aliases: &[],
        graph: "https://graph.microsoft.com",
        security_info: Some("https://mysignins.microsoft.com/security-info"),
        az_cloud: "AzureCloud",
        mg_environment: "Global",
    },
    Cloud {
        id: "usgov",
        name: "US Government (GCC High)",
        login: "https://login.microsoftonline.us",
        login_aliases: &[],
        graph: "https://graph.microsoft.us",
        security_info: Some("https://mysignins.microsoft.us/security-info"),
        az_cloud: "AzureUSGovernment",
        mg_environment: "USGov",
    },
    Cloud {
        id: "dod",
        name: "US Government (DoD)",
        login: "https://login.microsoftonline.us",
        login_aliases: &[],
        graph: "https://dod-graph.microsoft.us",
        security_info: Some("https://mysignins.microsoft.us/security-info"),
        az_cloud: "AzureUSGovernment",
        mg_environment: "USGovDoD",
    },
    Cloud {
        id: "china",
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

/// Returns the cloud whose sign-in (or alias) or Graph host `url` uses, if any.
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

/// Returns the authority of `tenant` in `cloud`.
pub fn authority(cloud: &Cloud, tenant: &str) -> String {
    format!("{}/{}/v2.0", cloud.login, tenant)
}

/// Microsoft Graph's application id, the same in every cloud.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// What the app registration asks Entra to put in tokens: the admin's active, tenant-wide
/// directory roles as `wids` (the page reads them; without it the roles are "unknown").
pub const GROUP_MEMBERSHIP_CLAIMS: &str = "DirectoryRole";

/// One delegated Graph permission the page may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    /// The scope's value, e.g. `User.Read.All`.
    pub name: &'static str,
    /// Its delegated permission id, as Microsoft publishes it, or `None` where it could not be
    /// checked against Microsoft's list: the commands then look it up by name on the Graph
    /// service principal of the tenant (never a guessed id).
    pub id: Option<&'static str>,
    /// Why the page needs it, in the admin's words.
    pub why: &'static str,
}

const fn permission(name: &'static str, id: Option<&'static str>, why: &'static str) -> Permission {
    Permission { name, id, why }
}

/// Every delegated Graph permission the page may ask for (at sign-in or on first use), so one
/// admin consent covers every screen. Ids from Microsoft's permission list (the Graph service
/// principal's `oauth2PermissionScopes`).
pub const PERMISSIONS: &[Permission] = &[
    permission(
        "User.Read.All",
        Some("a154be20-db9c-4678-8ab7-66f6cc099a59"),
        "find users by name, UPN or object ID",
    ),
    permission(
        "UserAuthenticationMethod.Read.All",
        Some("aec28ec7-4d02-4e8c-b864-50163aea77eb"),
        "see each user's pass and every sign-in method (the user page, the tracker, pass holders)",
    ),
    permission(
        "Policy.Read.AuthenticationMethod",
        Some("a6ff13ac-1851-4993-8ca9-a671d70de2d5"),
        "read the tenant's Temporary Access Pass policy so the form stays inside it",
    ),
    permission(
        crate::config::WRITE_PERMISSION,
        None,
        "create and delete passes, and nothing else among sign-in methods (asked for the first time an admin does so)",
    ),
    permission(
        crate::config::GROUP_PERMISSION,
        Some("bc024368-1153-4739-b217-4326f2e966d0"),
        "pick a group's members, and check who the policy's groups include (asked for on first use)",
    ),
    permission(
        crate::config::MAIL_PERMISSION,
        Some("e383f46e-2787-4529-855e-0e479a3ffac0"),
        "send a hand-over message as the signed-in admin (asked for on first use)",
    ),
    permission(
        crate::config::POLICY_WRITE_PERMISSION,
        Some("7e823077-d88e-468f-a337-e18f1f0e6c7c"),
        "change the Temporary Access Pass policy on the Policy screen (asked for on first use)",
    ),
    permission(
        "AuditLog.Read.All",
        Some("e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20"),
        "read the audit trail of passes created and deleted (asked for on first use)",
    ),
    permission(
        "Directory.Read.All",
        Some("06da0dbc-49e2-44d2-8312-53f166ab848a"),
        "the audit trail: Graph documents the directory-audit list as needing it with AuditLog.Read.All",
    ),
];

/// The shell variable an Azure CLI script keeps a looked-up permission id in.
fn shell_var(name: &str) -> String {
    let mut var = String::from("id_");
    var.extend(
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
    );
    var
}

/// Bash lines that look up, on the tenant's Graph service principal, the id of every permission
/// whose id is not written down.
fn cli_lookups() -> String {
    PERMISSIONS
        .iter()
        .filter(|p| p.id.is_none())
        .map(|p| {
            format!(
                "{var}=$(az ad sp show --id {GRAPH_APP_ID} --query \"oauth2PermissionScopes[?value=='{name}'].id | [0]\" -o tsv)\n",
                var = shell_var(p.name),
                name = p.name
            )
        })
        .collect()
}

/// The JSON given to `--required-resource-accesses`, inside single quotes: ids not written down
/// come from the shell variables of [`cli_lookups`].
fn resource_access_json() -> String {
    let items: Vec<String> = PERMISSIONS
        .iter()
        .map(|p| match p.id {
            Some(id) => format!(r#"{{"id":"{id}","type":"Scope"}}"#),
            None => format!(r#"{{"id":"'"${}"'","type":"Scope"}}"#, shell_var(p.name)),
        })
        .collect();
    format!(
        r#"[{{"resourceAppId":"{GRAPH_APP_ID}","resourceAccess":[{}]}}]"#,
        items.join(",")
    )
}

fn why_lines(comment: &str) -> String {
    PERMISSIONS
        .iter()
        .map(|p| format!("{comment}   {}: {}\n", p.name, p.why))
        .collect()
}

/// Bash commands for the Azure CLI that register the app with `redirect_uri` as its SPA redirect
/// URI, every permission the page may ask for, and the directory-roles claim.
pub fn azure_cli(cloud: &Cloud, redirect_uri: &str, display_name: &str) -> String {
    format!(
        "# Azure CLI (bash). Registers \"{display_name}\" as a single-page application.\n\
         # Delegated Microsoft Graph permissions:\n{why}\
         az cloud set --name {az_cloud}\n\
         az login\n\
         {lookups}\
         app_id=$(az ad app create --display-name '{display_name}' --sign-in-audience AzureADMyOrg \\\n  \
         --required-resource-accesses '{access}' --query appId -o tsv)\n\
         object_id=$(az ad app show --id \"$app_id\" --query id -o tsv)\n\
         az rest --method PATCH --uri \"{graph}/v1.0/applications/$object_id\" \\\n  \
         --headers 'Content-Type=application/json' --body '{{\"spa\":{{\"redirectUris\":[\"{redirect_uri}\"]}},\"groupMembershipClaims\":\"{GROUP_MEMBERSHIP_CLAIMS}\",\"optionalClaims\":{{\"idToken\":[{{\"name\":\"login_hint\",\"essential\":false}}]}}}}'\n\
         az ad sp create --id \"$app_id\"\n\
         az ad app permission admin-consent --id \"$app_id\"\n\
         tenant_id=$(az account show --query tenantId -o tsv)\n\
         printf '{{\"clientId\": \"%s\", \"authority\": \"{login}/%s/v2.0\", \"graphBaseUrl\": \"{graph}\"}}\\n' \"$app_id\" \"$tenant_id\" > config.json\n",
        why = why_lines("#"),
        az_cloud = cloud.az_cloud,
        lookups = cli_lookups(),
        access = resource_access_json(),
        graph = cloud.graph,
        login = cloud.login,
    )
}

/// Microsoft Graph PowerShell commands that register the app with `redirect_uri` as its SPA
/// redirect URI, every permission the page may ask for, and the directory-roles claim.
pub fn powershell(cloud: &Cloud, redirect_uri: &str, display_name: &str) -> String {
    let access: Vec<String> = PERMISSIONS
        .iter()
        .map(|p| match p.id {
            Some(id) => format!("@{{ Id = '{id}'; Type = 'Scope' }}"),
            None => format!(
                "@{{ Id = ($graph.Oauth2PermissionScopes | Where-Object Value -eq '{}').Id; Type = 'Scope' }}",
                p.name
            ),
        })
        .collect();
    format!(
        "# Microsoft Graph PowerShell. Registers \"{display_name}\" as a single-page application.\n\
         # Delegated Microsoft Graph permissions:\n{why}\
         Connect-MgGraph -Environment {env} -Scopes 'Application.ReadWrite.All'\n\
         $graph = Get-MgServicePrincipal -Filter \"appId eq '{GRAPH_APP_ID}'\"\n\
         $app = New-MgApplication -DisplayName '{display_name}' -SignInAudience AzureADMyOrg `\n  \
         -Spa @{{ RedirectUris = @('{redirect_uri}') }} -GroupMembershipClaims '{GROUP_MEMBERSHIP_CLAIMS}' `\n  \
         -OptionalClaims @{{ IdToken = @(@{{ Name = 'login_hint'; Essential = $false }}) }} `\n  \
         -RequiredResourceAccess @(@{{ ResourceAppId = '{GRAPH_APP_ID}'; ResourceAccess = @({access}) }})\n\
         New-MgServicePrincipal -AppId $app.AppId | Out-Null\n\
         $tenant = (Get-MgContext).TenantId\n\
         @{{ clientId = $app.AppId; authority = \"{login}/$tenant/v2.0\"; graphBaseUrl = '{graph}' }} | ConvertTo-Json | Set-Content config.json\n\
         # A Global Administrator grants consent for the organisation here:\n\
         \"{login}/$tenant/v2.0/adminconsent?client_id=$($app.AppId)&scope={graph}/.default&redirect_uri={redirect_enc}\"\n",
        why = why_lines("#"),
        env = cloud.mg_environment,
        access = access.join(", "),
        login = cloud.login,
        graph = cloud.graph,
        redirect_enc = url::form_urlencoded::byte_serialize(redirect_uri.as_bytes()).collect::<String>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every permission the page asks for by name, from the constants that name them.
    #[test]
    fn every_permission_the_page_asks_for_is_registered() {
        let names: Vec<&str> = PERMISSIONS.iter().map(|p| p.name).collect();
        for p in crate::config::DEFAULT_GRAPH_PERMISSIONS.iter().chain(&[
            crate::config::WRITE_PERMISSION,
            crate::config::GROUP_PERMISSION,
            crate::config::MAIL_PERMISSION,
            crate::config::POLICY_WRITE_PERMISSION,
            crate::audit::PERMISSION,
        ]) {
            assert!(names.contains(p), "{p} is not registered");
        }
    }

    /// Returns the Graph permission names written as string literals in `code`
    /// (`"Resource.Read…"`, `"Resource.ReadWrite…"`, `"Mail.Send"`, …).
    fn permission_literals(code: &str) -> Vec<String> {
        code.split('"')
            .skip(1)
            .step_by(2)
            .filter(|lit| {
                let mut parts = lit.split('.');
                let resource = parts.next().unwrap_or_default();
                let operation = parts.next().unwrap_or_default();
                !resource.is_empty()
                    && resource.starts_with(|c: char| c.is_ascii_uppercase())
                    && resource
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && ["Read", "ReadWrite", "ReadBasic", "Send"].contains(&operation)
                    && parts.all(|q| !q.is_empty() && q.chars().all(|c| c.is_ascii_alphanumeric()))
            })
            .map(str::to_owned)
            .collect()
    }

    /// Scans the page's code (tests left out) for every permission it can ask for, whatever
    /// constant or screen names it: each one is registered, so one admin consent covers all.
    #[test]
    fn every_permission_named_in_the_code_is_registered() {
        fn walk(dir: &std::path::Path, found: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && path.file_name().is_some_and(|n| n != "tests.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let mut code = text.split("#[cfg(test)]").next().unwrap_or_default();
                    // config's table of broader permissions that serve the asked ones names
                    // permissions the page never asks for: it is left out of the scan.
                    let kept;
                    if let Some((before, rest)) = code.split_once("const BROADER_PERMISSIONS") {
                        kept = format!("{before}{}", rest.split_once("];").map_or("", |r| r.1));
                        code = &kept;
                    }
                    for name in permission_literals(code) {
                        found.push((path.display().to_string(), name));
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.iter().any(|(_, n)| n == "AuditLog.Read.All"),
            "the scan finds nothing: {found:?}"
        );
        let names: Vec<&str> = PERMISSIONS.iter().map(|p| p.name).collect();
        for (file, name) in &found {
            assert!(
                names.contains(&name.as_str()),
                "{file} names {name}, which the registration commands do not register"
            );
        }
    }

    #[test]
    fn literals_are_recognised_as_permissions() {
        assert_eq!(
            permission_literals(
                r#"x("UserAuthMethod-TAP.ReadWrite.All", "Mail.Send", "a.b", "User.Read.All is", "Tab.Read")"#
            ),
            ["UserAuthMethod-TAP.ReadWrite.All", "Mail.Send", "Tab.Read"]
        );
    }

    #[test]
    fn cli_commands_register_a_spa_with_the_exact_redirect_uri() {
        let cmd = azure_cli(&CLOUDS[0], "https://tools.contoso.com/tap/", "tapdesk");
        assert!(
            cmd.contains(r#"{"spa":{"redirectUris":["https://tools.contoso.com/tap/"]},"groupMembershipClaims":"DirectoryRole","optionalClaims":{"idToken":[{"name":"login_hint","essential":false}]}}"#),
            "{cmd}"
        );
        assert!(cmd.contains("az cloud set --name AzureCloud"));
        assert!(cmd.contains("https://graph.microsoft.com/v1.0/applications/$object_id"));
        for p in PERMISSIONS {
            match p.id {
                Some(id) => assert!(
                    cmd.contains(&format!(r#"{{"id":"{id}","type":"Scope"}}"#)),
                    "{} missing",
                    p.name
                ),
                None => {
                    assert!(cmd.contains(&format!(
                        "{}=$(az ad sp show --id {GRAPH_APP_ID} --query \"oauth2PermissionScopes[?value=='{}'].id | [0]\" -o tsv)",
                        shell_var(p.name),
                        p.name
                    )));
                    assert!(cmd.contains(&format!(
                        r#"{{"id":"'"${}"'","type":"Scope"}}"#,
                        shell_var(p.name)
                    )));
                }
            }
        }
        assert!(cmd.contains("admin-consent"));
        assert!(
            !cmd.contains("--web-redirect-uris"),
            "never the Web platform"
        );
        // The JSON given to --required-resource-accesses is valid once the shell filled it in.
        let filled = resource_access_json()
            .replace(r#"'"$"#, "")
            .replace(r#""'""#, "\"");
        let json: serde_json::Value = serde_json::from_str(&filled).unwrap();
        assert_eq!(
            json[0]["resourceAccess"].as_array().unwrap().len(),
            PERMISSIONS.len()
        );
    }

    #[test]
    fn permission_ids_are_guids_and_distinct() {
        let ids: Vec<&str> = PERMISSIONS.iter().filter_map(|p| p.id).collect();
        for id in &ids {
            let groups: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn powershell_follows_the_cloud() {
        let cmd = powershell(&CLOUDS[2], "https://tap.example.mil/", "tapdesk");
        assert!(cmd.contains("Connect-MgGraph -Environment USGovDoD"));
        assert!(cmd.contains("-Spa @{ RedirectUris = @('https://tap.example.mil/') } -GroupMembershipClaims 'DirectoryRole'"));
        assert!(cmd.contains("https://login.microsoftonline.us/$tenant/v2.0"));
        assert!(cmd.contains("graphBaseUrl = 'https://dod-graph.microsoft.us'"));
        assert!(cmd.contains("redirect_uri=https%3A%2F%2Ftap.example.mil%2F"));
        assert!(cmd.contains(
            "@{ Id = ($graph.Oauth2PermissionScopes | Where-Object Value -eq 'UserAuthMethod-TAP.ReadWrite.All').Id; Type = 'Scope' }"
        ));
        assert!(cmd.contains("@{ Id = 'e383f46e-2787-4529-855e-0e479a3ffac0'; Type = 'Scope' }"));
    }

    #[test]
    fn clouds_are_recognised_from_urls() {
        assert_eq!(
            cloud_of("https://dod-graph.microsoft.us").map(|c| c.id),
            Some("dod")
        );
        assert_eq!(
            cloud_of("https://login.partner.microsoftonline.cn/t/v2.0").map(|c| c.id),
            Some("china")
        );
        // The older China host is the same cloud (and a problem for the issuer check, see config).
        assert_eq!(
            cloud_of("https://login.chinacloudapi.cn/t/v2.0").map(|c| c.id),
            Some("china")
        );
        assert_eq!(cloud_of("https://id.example.org"), None);
        assert_eq!(
            cloud_of("https://login.microsoftonline.com.evil.example/t"),
            None
        );
        assert_eq!(
            authority(&CLOUDS[1], "contoso.onmicrosoft.us"),
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/v2.0"
        );
    }

    /// Learn's national-cloud page: China's sign-in host is login.partner.microsoftonline.cn,
    /// the issuer its discovery names; every other cloud's host is its issuer's too.
    #[test]
    fn china_signs_in_on_the_issuer_host() {
        let china = CLOUDS.iter().find(|c| c.id == "china").unwrap();
        assert_eq!(china.login, "https://login.partner.microsoftonline.cn");
        assert!(azure_cli(china, "https://tap.example.cn/", "tapdesk")
            .contains("https://login.partner.microsoftonline.cn/%s/v2.0"));
        assert!(powershell(china, "https://tap.example.cn/", "tapdesk")
            .contains("https://login.partner.microsoftonline.cn/$tenant/v2.0/adminconsent"));
    }
}

#[cfg(test)]
mod readme {
    use super::*;

    /// The README's registration commands are this generator's output, so they stay true.
    #[test]
    fn the_readme_shows_the_generated_commands() {
        let readme = include_str!("../README.md");
        for commands in [
            azure_cli(&CLOUDS[0], "https://tools.contoso.com/tap/", "tapdesk"),
            powershell(&CLOUDS[0], "https://tools.contoso.com/tap/", "tapdesk"),
        ] {
            assert!(
                readme.contains(&commands),
                "README.md lacks these commands:\n{commands}"
            );
        }
    }
}
