//! `switchboard genesys-sandbox`: run the Genesys sandbox standalone.

use std::net::SocketAddr;

use super::{GenesysSandbox, SandboxOptions};

/// Command-line options of the standalone Genesys sandbox.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, env = "GENESYS_SANDBOX_LISTEN", default_value = "127.0.0.1:4590")]
    pub listen: SocketAddr,
    /// OAuth client id accepted by `POST /oauth/token`.
    #[arg(
        long,
        env = "GENESYS_SANDBOX_CLIENT_ID",
        default_value = "sandbox-client"
    )]
    pub client_id: String,
    /// OAuth client secret accepted by `POST /oauth/token`.
    #[arg(
        long,
        env = "GENESYS_SANDBOX_CLIENT_SECRET",
        default_value = "sandbox-secret"
    )]
    pub client_secret: String,
    /// The agent answers every inbound text ("Agent: you said «…»").
    #[arg(long)]
    pub auto_reply: bool,
    /// Lifetime of issued tokens, seconds.
    #[arg(long, default_value_t = 86_399)]
    pub token_lifetime: i64,
}

impl SandboxArgs {
    /// The options these arguments describe.
    pub fn to_options(&self) -> SandboxOptions {
        SandboxOptions {
            clients: vec![(self.client_id.clone(), self.client_secret.clone())],
            token_lifetime_seconds: self.token_lifetime,
            auto_reply: self.auto_reply,
            listen: Some(self.listen),
        }
    }
}

/// Runs the sandbox until Ctrl-C, printing its URL and client credentials.
pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let sandbox = GenesysSandbox::start(args.to_options()).await?;
    let base = sandbox.base_url();
    println!("Genesys Cloud sandbox listening on {base}");
    println!(
        "  Login and API base URL : {base}  (instead of https://login.{{host}} / https://api.{{host}})"
    );
    println!(
        "  OAuth client           : id={} secret={}",
        args.client_id, args.client_secret
    );
    println!(
        "  Agent auto-reply       : {}",
        if args.auto_reply { "on" } else { "off" }
    );
    println!("  Control API            : {base}/_genesys/");
    tokio::signal::ctrl_c().await?;
    println!("Genesys sandbox shutting down");
    sandbox.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    #[test]
    fn parses_arguments() {
        let cli = Cli::try_parse_from([
            "genesys-sandbox",
            "--listen",
            "127.0.0.1:0",
            "--client-id",
            "id",
            "--auto-reply",
            "--token-lifetime",
            "60",
        ])
        .unwrap();
        let o = cli.args.to_options();
        assert_eq!(
            o.clients,
            vec![("id".to_owned(), "sandbox-secret".to_owned())]
        );
        assert!(o.auto_reply);
        assert_eq!(o.token_lifetime_seconds, 60);
        let default = Cli::try_parse_from(["genesys-sandbox"]).unwrap().args;
        assert_eq!(default.listen.port(), 4590);
        assert!(!default.auto_reply);
    }
}
