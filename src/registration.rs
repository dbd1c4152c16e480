//! National cloud presets and the commands that register the app (Azure CLI and Microsoft Graph
//! PowerShell): SPA redirect URI, the delegated permissions with the reason for each, admin consent.

/// One Microsoft cloud: where sign-in and Graph live, and what the command-line tools call it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cloud {
    /// Short id used in the UI and `cargo xtask dist --cloud`.
    pub id: &'static str,
    /// Name shown to the admin.
    pub name: &'static str,
    /// Sign-in host, e.g. `https://login.microsoftonline.com`.
    pub login: &'static str,
    /// Graph host, e.g. `https://graph.microsoft.com`.
    pub graph: &'static str,
    /// `az cloud set --name …`.
    pub az_cloud: &'static str,
    /// `Connect-MgGraph -Environment …`.
    pub mg_environment: &'static str,
}

/// The four clouds of reference §1.
pub const CLOUDS: &[Cloud] = &[
    Cloud {
        id: "global",
        name: "Global (Microsoft Entra ID)",
        login: "https://login.microsoftonline.com",
        graph: "https://graph.microsoft.com",
        az_cloud: "AzureCloud",
        mg_environment: "Global",
    },
    Cloud {
        id: "usgov",
        name: "US Government (GCC High)",
        login: "https://login.microsoftonline.us",
        graph: "https://graph.microsoft.us",
        az_cloud: "AzureUSGovernment",
        mg_environment: "USGov",
    },
    Cloud {
        id: "dod",
        name: "US Government (DoD)",
        login: "https://login.microsoftonline.us",
        graph: "https://dod-graph.microsoft.us",
        az_cloud: "AzureUSGovernment",
        mg_environment: "USGovDoD",
    },
    Cloud {
        id: "china",
        name: "China (21Vianet)",
        login: "https://login.chinacloudapi.cn",
        graph: "https://microsoftgraph.chinacloudapi.cn",
        az_cloud: "AzureChinaCloud",
        mg_environment: "China",
    },
];

/// Returns the cloud whose sign-in or Graph host `url` uses, if any.
pub fn cloud_of(url: &str) -> Option<&'static Cloud> {
    CLOUDS
        .iter()
        .find(|c| url.starts_with(c.graph))
        .or_else(|| CLOUDS.iter().find(|c| url.starts_with(c.login)))
}

/// Returns the authority of `tenant` in `cloud`.
pub fn authority(cloud: &Cloud, tenant: &str) -> String {
    format!("{}/{}/v2.0", cloud.login, tenant)
}

/// Microsoft Graph's application id, the same in every cloud.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Delegated Graph permissions the page uses: name, permission id, why.
pub const PERMISSIONS: &[(&str, &str, &str)] = &[
    (
        "User.Read.All",
        "a154be20-db9c-4678-8ab7-66f6cc099a59",
        "find users by name, UPN or object ID",
    ),
    (
        "UserAuthenticationMethod.Read.All",
        "aec28ec7-4d02-4e8c-b864-50163aea77eb",
        "see each user's current pass and methods",
    ),
    (
        "UserAuthenticationMethod.ReadWrite.All",
        "b7887744-6746-4312-813d-72daeaee7e2d",
        "create and delete passes (asked for the first time an admin does so)",
    ),
    (
        "Policy.Read.All",
        "572fea84-0151-49b2-9301-11cb16974376",
        "read the tenant's Temporary Access Pass policy so the form stays inside it",
    ),
];

fn resource_access_json() -> String {
    let items: Vec<String> = PERMISSIONS
        .iter()
        .map(|(_, id, _)| format!(r#"{{"id":"{id}","type":"Scope"}}"#))
        .collect();
    format!(
        r#"[{{"resourceAppId":"{GRAPH_APP_ID}","resourceAccess":[{}]}}]"#,
        items.join(",")
    )
}

fn why_lines(comment: &str) -> String {
    PERMISSIONS
        .iter()
        .map(|(name, _, why)| format!("{comment}   {name}: {why}\n"))
        .collect()
}

/// Bash commands for the Azure CLI that register the app with `redirect_uri` as its SPA redirect URI.
pub fn azure_cli(cloud: &Cloud, redirect_uri: &str, display_name: &str) -> String {
    format!(
        "# Azure CLI (bash). Registers \"{display_name}\" as a single-page application.\n\
         # Delegated Microsoft Graph permissions:\n{why}\
         az cloud set --name {az_cloud}\n\
         az login\n\
         app_id=$(az ad app create --display-name '{display_name}' --sign-in-audience AzureADMyOrg \\\n  \
         --required-resource-accesses '{access}' --query appId -o tsv)\n\
         object_id=$(az ad app show --id \"$app_id\" --query id -o tsv)\n\
         az rest --method PATCH --uri \"{graph}/v1.0/applications/$object_id\" \\\n  \
         --headers 'Content-Type=application/json' --body '{{\"spa\":{{\"redirectUris\":[\"{redirect_uri}\"]}}}}'\n\
         az ad sp create --id \"$app_id\"\n\
         az ad app permission admin-consent --id \"$app_id\"\n\
         tenant_id=$(az account show --query tenantId -o tsv)\n\
         printf '{{\"clientId\": \"%s\", \"authority\": \"{login}/%s/v2.0\", \"graphBaseUrl\": \"{graph}\"}}\\n' \"$app_id\" \"$tenant_id\" > config.json\n",
        why = why_lines("#"),
        az_cloud = cloud.az_cloud,
        access = resource_access_json(),
        graph = cloud.graph,
        login = cloud.login,
    )
}

/// Microsoft Graph PowerShell commands that register the app with `redirect_uri` as its SPA redirect URI.
pub fn powershell(cloud: &Cloud, redirect_uri: &str, display_name: &str) -> String {
    let access: Vec<String> = PERMISSIONS
        .iter()
        .map(|(_, id, _)| format!("@{{ Id = '{id}'; Type = 'Scope' }}"))
        .collect();
    format!(
        "# Microsoft Graph PowerShell. Registers \"{display_name}\" as a single-page application.\n\
         # Delegated Microsoft Graph permissions:\n{why}\
         Connect-MgGraph -Environment {env} -Scopes 'Application.ReadWrite.All'\n\
         $app = New-MgApplication -DisplayName '{display_name}' -SignInAudience AzureADMyOrg `\n  \
         -Spa @{{ RedirectUris = @('{redirect_uri}') }} `\n  \
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

    #[test]
    fn every_permission_the_page_asks_for_is_registered() {
        let names: Vec<&str> = PERMISSIONS.iter().map(|p| p.0).collect();
        for p in crate::config::DEFAULT_GRAPH_PERMISSIONS
            .iter()
            .chain([&crate::config::WRITE_PERMISSION])
        {
            assert!(names.contains(p), "{p} is not registered");
        }
    }

    #[test]
    fn cli_commands_register_a_spa_with_the_exact_redirect_uri() {
        let cmd = azure_cli(&CLOUDS[0], "https://tools.contoso.com/tap/", "tapdesk");
        assert!(
            cmd.contains(r#"{"spa":{"redirectUris":["https://tools.contoso.com/tap/"]}}"#),
            "{cmd}"
        );
        assert!(cmd.contains("az cloud set --name AzureCloud"));
        assert!(cmd.contains("https://graph.microsoft.com/v1.0/applications/$object_id"));
        assert!(cmd.contains(r#"{"id":"b7887744-6746-4312-813d-72daeaee7e2d","type":"Scope"}"#));
        assert!(cmd.contains("admin-consent"));
        assert!(
            !cmd.contains("--web-redirect-uris"),
            "never the Web platform"
        );
        // The JSON given to --required-resource-accesses is valid.
        let json: serde_json::Value = serde_json::from_str(&resource_access_json()).unwrap();
        assert_eq!(
            json[0]["resourceAccess"].as_array().unwrap().len(),
            PERMISSIONS.len()
        );
    }

    #[test]
    fn powershell_follows_the_cloud() {
        let cmd = powershell(&CLOUDS[2], "https://tap.example.mil/", "tapdesk");
        assert!(cmd.contains("Connect-MgGraph -Environment USGovDoD"));
        assert!(cmd.contains("-Spa @{ RedirectUris = @('https://tap.example.mil/') }"));
        assert!(cmd.contains("https://login.microsoftonline.us/$tenant/v2.0"));
        assert!(cmd.contains("graphBaseUrl = 'https://dod-graph.microsoft.us'"));
        assert!(cmd.contains("redirect_uri=https%3A%2F%2Ftap.example.mil%2F"));
    }

    #[test]
    fn clouds_are_recognised_from_urls() {
        assert_eq!(
            cloud_of("https://dod-graph.microsoft.us").map(|c| c.id),
            Some("dod")
        );
        assert_eq!(
            cloud_of("https://login.chinacloudapi.cn/t/v2.0").map(|c| c.id),
            Some("china")
        );
        assert_eq!(cloud_of("https://id.example.org"), None);
        assert_eq!(
            authority(&CLOUDS[1], "contoso.onmicrosoft.us"),
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/v2.0"
        );
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
