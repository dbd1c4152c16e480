//! The `tapdesk-emulator` binary: parses flags, starts the emulator, prints where everything
//! is and who to sign in as, and runs until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use tapdesk_emulator::{seed, Emulator, EmulatorConfig, SiteConfig};

const USAGE: &str = "usage: tapdesk-emulator [--login-port N] [--graph-port N] [--site-port N] \
[--site-dir PATH] [--redirect-uri URI]... [--no-admin-consent] [--campaign-users N [--campaign-seed S]]

  --login-port N      sign-in origin port (default 8400; 0 = any free port)
  --graph-port N      Graph origin port (default 8401)
  --site-port N       page origin port (default 8080; used with --site-dir)
  --site-dir PATH     serve this built page folder, with a generated /config.json
  --redirect-uri URI  register a SPA redirect URI (repeatable; default: the site URL)
  --no-admin-consent  start without tenant-wide admin consent (users see consent pages)
  --campaign-users N  add N passkey-campaign users (a third phone-only, guests, some with
                      nothing; issue 15), generated from --campaign-seed S (default 15)";

#[derive(Debug)]
struct Args {
    login_port: u16,
    graph_port: u16,
    site_port: u16,
    site_dir: Option<PathBuf>,
    redirect_uris: Vec<String>,
    admin_consent: bool,
    campaign_users: usize,
    campaign_seed: u64,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut a = Args {
        login_port: 8400,
        graph_port: 8401,
        site_port: 8080,
        site_dir: None,
        redirect_uris: vec![],
        admin_consent: true,
        campaign_users: 0,
        campaign_seed: 15,
    };
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let port = |name: &str, v: String| {
            v.parse::<u16>()
                .map_err(|_| format!("{name}: '{v}' is not a port number (0-65535)"))
        };
        match flag.as_str() {
            "--login-port" => a.login_port = port("--login-port", value("--login-port")?)?,
            "--graph-port" => a.graph_port = port("--graph-port", value("--graph-port")?)?,
            "--site-port" => a.site_port = port("--site-port", value("--site-port")?)?,
            "--site-dir" => a.site_dir = Some(PathBuf::from(value("--site-dir")?)),
            "--redirect-uri" => {
                let v = value("--redirect-uri")?;
                if url::Url::parse(&v).is_err() {
                    return Err(format!("--redirect-uri: '{v}' is not an absolute URI"));
                }
                a.redirect_uris.push(v);
            }
            "--no-admin-consent" => a.admin_consent = false,
            "--campaign-users" => {
                let v = value("--campaign-users")?;
                a.campaign_users = v
                    .parse()
                    .map_err(|_| format!("--campaign-users: '{v}' is not a number"))?;
            }
            "--campaign-seed" => {
                let v = value("--campaign-seed")?;
                a.campaign_seed = v
                    .parse()
                    .map_err(|_| format!("--campaign-seed: '{v}' is not a number"))?;
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown flag '{other}'")),
        }
    }
    if let Some(d) = &a.site_dir {
        if !d.is_dir() {
            return Err(format!("--site-dir: '{}' is not a folder", d.display()));
        }
    }
    Ok(Some(a))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("tapdesk-emulator: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = EmulatorConfig {
        login_port: args.login_port,
        graph_port: args.graph_port,
        site: args.site_dir.map(|dir| SiteConfig {
            port: args.site_port,
            dir,
            config_json: None,
            path_prefix: "/".into(),
        }),
        spa_redirect_uris: args.redirect_uris,
        admin_consent_granted: args.admin_consent,
    };
    let emu = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("tapdesk-emulator: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Issue 16: the demo tenant has the frontline site (tests add it when they need it).
    emu.seed_frontline_site();
    // The demo's scoped helpdesk and site manager cannot consent to reading roles and units or
    // to writing badges (admin-consent permissions): the demo tenant holds the organisation's
    // consent for them, as a tenant does after the README's registration commands.
    if args.admin_consent {
        for p in [
            "RoleManagement.Read.Directory",
            "AdministrativeUnit.Read.All",
            "UserAuthMethod-QR.ReadWrite.All",
        ] {
            emu.grant_tenant_consent(p);
        }
    }
    if let Some(site) = emu.site_url() {
        println!("Page:       {site}");
    }
    if args.campaign_users > 0 {
        let truth = emu.seed_campaign(args.campaign_users, args.campaign_seed);
        println!(
            "Campaign:   {} users added (seed {}): {truth:?}",
            args.campaign_users, args.campaign_seed
        );
    }
    println!("Authority:  {}", emu.authority());
    println!("Graph:      {}", emu.graph_url());
    println!("Client id:  {}", emu.client_id());
    println!(
        "Control:    {}/_emulator/(reset|policy|clock|events|redirect-uris)",
        emu.login_url()
    );
    println!(
        "            POST {}/_emulator/users/<upn>/methods {{\"odataType\": \"#microsoft.graph.fido2AuthenticationMethod\"}} (the user registers a method)",
        emu.login_url()
    );
    println!(
        "            POST {}/_emulator/users/<upn>/pass/use (the user signs in with their pass)",
        emu.login_url()
    );
    println!("\nDemo accounts (tenant {}):", seed::DOMAIN);
    let width = seed::DEMO_ACCOUNTS
        .iter()
        .map(|(u, _)| u.len())
        .max()
        .unwrap_or(0);
    for (upn, role) in seed::DEMO_ACCOUNTS {
        println!("  {upn:width$}  {role}");
    }
    for (upn, role) in seed::SCOPED_DEMO_ACCOUNTS {
        println!("  {upn:width$}  {role}");
    }
    println!(
        "  (frontline site: {} users milan.store.001 … in unit \"Milan store\")",
        seed::FRONTLINE_SITE_SIZE
    );
    println!("\nPress Ctrl-C to stop.");
    wait_for_stop().await;
    emu.shutdown().await;
    ExitCode::SUCCESS
}

/// Returns on Ctrl-C, or on SIGTERM where there is one (so `kill PID` stops gracefully too).
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("tapdesk-emulator: cannot wait for Ctrl-C: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn args(s: &str) -> Result<Option<super::Args>, String> {
        parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn parses_flags_and_rejects_bad_ones() {
        let a =
            args("--login-port 1 --graph-port 2 --redirect-uri http://x/ --redirect-uri http://y/")
                .expect("ok")
                .expect("args");
        assert_eq!((a.login_port, a.graph_port), (1, 2));
        assert_eq!(a.redirect_uris.len(), 2);
        assert!(args("--login-port x").unwrap_err().contains("not a port"));
        assert!(args("--bogus").unwrap_err().contains("unknown flag"));
        assert!(args("--site-dir").unwrap_err().contains("needs a value"));
        assert!(args("--help").expect("ok").is_none());
        let c = args("--campaign-users 3000 --campaign-seed 7")
            .expect("ok")
            .expect("args");
        assert_eq!((c.campaign_users, c.campaign_seed), (3000, 7));
        assert!(args("--campaign-users many")
            .unwrap_err()
            .contains("not a number"));
    }
}
