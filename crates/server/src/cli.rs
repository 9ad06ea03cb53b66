//! The `switchboard` command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Multi-tenant WhatsApp Business platform"
)]
pub struct Cli {
    /// A TOML configuration file (environment variables still win).
    #[arg(long, global = true, env = "SWITCHBOARD_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server (with the background workers in-process).
    Serve,
    /// Run only the background workers.
    Worker,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Operator tasks from the command line.
    Admin(AdminArgs),
    /// Try Switchboard with no set-up: a throwaway embedded database, the
    /// Cloud API sandbox in-process, a demo tenant with two numbers and
    /// simulated customers writing in. Prints the URL and the logins.
    Demo,
    /// Run a local simulator of the WhatsApp Cloud API (Graph API plus
    /// simulated customers and signed webhooks), for tests and demos.
    Sandbox(sandbox::SandboxArgs),
    /// Run a local stand-in for Genesys Cloud (OAuth, Open Messaging
    /// integrations, inbound messages and receipts, and an agent who
    /// answers through signed webhooks), for tests and demos.
    GenesysSandbox(genesys::SandboxArgs),
}

#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a tenant; prints its owner invitation and first API key once.
    CreateTenant {
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long, default_value = "starter")]
        plan: String,
    },
    /// List tenants.
    ListTenants,
    /// Suspend a tenant (its API answers 423 with the reason).
    SuspendTenant {
        slug: String,
        #[arg(long)]
        reason: String,
    },
    /// Reactivate a suspended tenant.
    ReactivateTenant { slug: String },
    /// Move a tenant to another plan.
    SetPlan { slug: String, plan: String },
    /// Create a new master key and re-seal every stored secret under it.
    RotateMasterKey,
    /// Give the operator a new password (printed once).
    ResetOperatorPassword,
    /// Recount analytics from stored history (messages, conversations,
    /// automation runs, bookings): one tenant, or every tenant.
    RebuildAnalytics {
        /// The tenant's slug; every tenant when left out.
        slug: Option<String>,
    },
    /// Copy the media kept in the local directory (`<data dir>/media`) to
    /// the configured object store (`SWITCHBOARD_MEDIA_STORE=s3`); safe to
    /// run again, it skips what is already there.
    MoveMedia {
        /// Also remove each local file once the object store holds it.
        #[arg(long)]
        remove_local: bool,
    },
}
