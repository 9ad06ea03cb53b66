#![forbid(unsafe_code)]

use clap::Parser;
use server::cli::{Cli, Command};
use server::{Config, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init_logging();
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => server::server::serve(config).await,
        Command::Worker => server::server::work(config).await,
        Command::Migrate => {
            let state =
                server::build_state(config, std::sync::Arc::new(domain::SystemClock)).await?;
            state.store.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::Admin(args) => server::admin::run(config, args.command).await,
        Command::Demo => server::demo::run(config).await,
        Command::Sandbox(args) => sandbox::run(args).await,
        Command::GenesysSandbox(args) => genesys::run(args).await,
    }
}
