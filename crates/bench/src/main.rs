#![forbid(unsafe_code)]

use bench::cli::{Child, Cli};
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.child {
        // The same calls as `switchboard serve` (crates/server/src/main.rs).
        Some(Child::Server) => {
            server::telemetry::init_logging();
            let config = server::Config::load(None)?;
            server::server::serve(config).await
        }
        Some(Child::Sandbox(args)) => sandbox::run(args).await,
        Some(Child::Baseline { listen }) => bench::baseline::run(listen).await,
        None => bench::runner::run(cli.run).await,
    }
}
