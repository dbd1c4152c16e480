//! The commands that register the app (Azure CLI and Microsoft Graph PowerShell) in one cloud
//! ([`crate::cloud`]): SPA redirect URI, the delegated permissions with the reason for each
//! ([`crate::permission`]), admin consent.

use crate::cloud::Cloud;
use crate::permission::ALL as PERMISSIONS;

/// Microsoft Graph's application id, the same in every cloud.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// What the app registration asks Entra to put in tokens: the admin's active, tenant-wide
/// directory roles as `wids` (the page reads them; without it the roles are "unknown").
pub const GROUP_MEMBERSHIP_CLAIMS: &str = "DirectoryRole";

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
    use crate::cloud::{cloud_of, CLOUDS};

    /// Every permission the page asks for by name, from the constants that name them.
    #[test]
    fn every_permission_the_page_asks_for_is_registered() {
        let names: Vec<&str> = PERMISSIONS.iter().map(|p| p.name).collect();
        let at_sign_in = crate::permission::AT_SIGN_IN.iter().map(|p| p.name);
        for p in at_sign_in.collect::<Vec<_>>().iter().chain(&[
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
            cloud_of("https://dod-graph.microsoft.us").map(|c| c.id.name()),
            Some("dod")
        );
        assert_eq!(
            cloud_of("https://login.partner.microsoftonline.cn/t/v2.0").map(|c| c.id.name()),
            Some("china")
        );
        // The older China host is the same cloud (and a problem for the issuer check, see config).
        assert_eq!(
            cloud_of("https://login.chinacloudapi.cn/t/v2.0").map(|c| c.id.name()),
            Some("china")
        );
        assert_eq!(cloud_of("https://id.example.org"), None);
        assert_eq!(
            cloud_of("https://login.microsoftonline.com.evil.example/t"),
            None
        );
        assert_eq!(
            CLOUDS[1].authority("contoso.onmicrosoft.us"),
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/v2.0"
        );
    }

    /// Learn's national-cloud page: China's sign-in host is login.partner.microsoftonline.cn,
    /// the issuer its discovery names; every other cloud's host is its issuer's too.
    #[test]
    fn china_signs_in_on_the_issuer_host() {
        let china = crate::cloud::CloudId::China.cloud();
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
    use crate::cloud::CLOUDS;

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
