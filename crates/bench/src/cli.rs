//! Command line: the public options, and the hidden subcommands the
//! benchmark re-executes itself with to start its child processes.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "switchboard-bench",
    about = "Benchmarks Switchboard against a trivial axum baseline and writes docs/BENCHMARKS.md"
)]
pub struct Cli {
    #[command(subcommand)]
    pub child: Option<Child>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Small sizes: each scenario finishes in under a minute.
    #[arg(long)]
    pub quick: bool,
    /// Run only this scenario; repeatable. ingest, inbound, outbound (twenty
    /// numbers at 80 msg/s each sending a campaign through the API),
    /// outbound-1k (one number at 1,000 msg/s sending one campaign),
    /// reads, webhooks, bots (Meta webhooks forwarded to Cloud API bots),
    /// crm, import, automations, booking, analytics.
    #[arg(long = "scenario")]
    pub scenarios: Vec<String>,
    /// Database engine of the server under test.
    #[arg(long, default_value = "sqlite", value_parser = ["sqlite", "postgres"])]
    pub engine: String,
    /// With `--engine postgres`: a superuser URL; each scenario creates its
    /// own database there, owned by an ordinary role.
    #[arg(long, env = "BENCH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where each scenario's data directory goes (default: target/bench-data).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Write the figures into this markdown file (default: docs/BENCHMARKS.md
    /// for full-size runs of every scenario; other runs only print).
    #[arg(long)]
    pub write: Option<PathBuf>,
    /// Never write the markdown file.
    #[arg(long)]
    pub no_write: bool,
    /// Outbound: seconds the campaigns may take, from their start until every
    /// status webhook is applied (default 900, quick 60).
    #[arg(long)]
    pub outbound_time_limit: Option<u64>,
    /// Keep each scenario's data directory and database.
    #[arg(long)]
    pub keep: bool,
}

#[derive(Debug, Subcommand)]
pub enum Child {
    /// The server under test: exactly `switchboard serve`.
    #[command(name = "__server", hide = true)]
    Server,
    /// The Cloud API sandbox: exactly `switchboard sandbox`.
    #[command(name = "__sandbox", hide = true)]
    Sandbox(sandbox::SandboxArgs),
    /// The trivial axum baseline.
    #[command(name = "__baseline", hide = true)]
    Baseline {
        #[arg(long)]
        listen: SocketAddr,
    },
}
