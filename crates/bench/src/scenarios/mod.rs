//! The scenarios of issue 5, each on a fresh database with its own server
//! process (so its peak RSS is its own), against the baseline in the same run.

pub mod analytics;
pub mod automations;
pub mod booking;
pub mod bots;
pub mod campaign_api;
pub mod crm;
pub mod import;
pub mod inbound;
pub mod ingest;
pub mod outbound;
pub mod reads;
mod seed_analytics;
pub mod webhooks;

use crate::db::{BenchDb, EngineChoice};
use crate::report::Figure;
use std::path::PathBuf;
use std::time::Duration;

/// The scenario names `--scenario` accepts, in run order.
pub const ALL: [&str; 12] = [
    "ingest",
    "inbound",
    "outbound",
    "outbound-1k",
    "reads",
    "webhooks",
    "bots",
    "crm",
    "import",
    "automations",
    "booking",
    "analytics",
];

/// One shape of the outbound scenarios: `numbers` numbers (one tenant
/// each), each capped at `rate` msg/s in the sandbox and in its channel
/// settings, each sending its own campaign to `per_number` recipients.
#[derive(Debug, Clone, Copy)]
pub struct Outbound {
    pub numbers: usize,
    pub per_number: usize,
    pub rate: i64,
}

/// How big each scenario is: `--quick` (under a minute each) or full.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub ingest_tenants: usize,
    pub ingest_load: Duration,
    pub ingest_connections: usize,
    pub e2e_tenants: usize,
    pub e2e_samples: usize,
    /// `outbound`: twenty numbers at Meta's default 80 msg/s.
    pub outbound: Outbound,
    /// `outbound-1k`: one number at the upgraded 1,000 msg/s.
    pub outbound_1k: Outbound,
    /// How long the campaigns may take, from their start until every
    /// status webhook is applied, before they count as not done.
    pub out_time_limit: Duration,
    pub reads_tenants: usize,
    pub reads_conversations: usize,
    pub reads_per_conversation: usize,
    pub reads_load: Duration,
    pub reads_rate: f64,
    /// Outbound webhooks: tenants (one endpoint each), events per second, for how long.
    pub hooks_tenants: usize,
    pub hooks_rate: f64,
    pub hooks_load: Duration,
    /// Contact import: rows in the CSV file (100,000 in both sizes).
    pub import_rows: usize,
    /// CRM: contacts of the one tenant (ten messages each).
    pub crm_contacts: usize,
    /// Automations: how long 200 inbound messages/s are sent.
    pub automations_load: Duration,
    /// Analytics: tenants (two numbers each), conversation episodes of
    /// ten messages per tenant over a year, and the reports' load.
    pub analytics_tenants: usize,
    pub analytics_episodes: usize,
    pub analytics_rate: f64,
    pub analytics_load: Duration,
}

impl Sizes {
    pub fn full() -> Self {
        Self {
            ingest_tenants: 1_000,
            ingest_load: Duration::from_secs(20),
            ingest_connections: 64,
            e2e_tenants: 100,
            e2e_samples: 2_000,
            outbound: Outbound {
                numbers: 20,
                per_number: 5_000,
                rate: 80,
            },
            outbound_1k: Outbound {
                numbers: 1,
                per_number: 100_000,
                rate: 1_000,
            },
            out_time_limit: Duration::from_secs(900),
            reads_tenants: 1_000,
            reads_conversations: 50,
            reads_per_conversation: 20,
            reads_load: Duration::from_secs(20),
            reads_rate: 200.0,
            hooks_tenants: 20,
            hooks_rate: 1_000.0,
            hooks_load: Duration::from_secs(20),
            import_rows: 100_000,
            crm_contacts: 100_000,
            automations_load: Duration::from_secs(20),
            analytics_tenants: 20,
            analytics_episodes: 50_000,
            analytics_rate: 10.0,
            analytics_load: Duration::from_secs(180),
        }
    }

    pub fn quick() -> Self {
        Self {
            ingest_tenants: 1_000,
            ingest_load: Duration::from_secs(4),
            ingest_connections: 64,
            e2e_tenants: 10,
            e2e_samples: 200,
            outbound: Outbound {
                numbers: 20,
                per_number: 250,
                rate: 80,
            },
            outbound_1k: Outbound {
                numbers: 1,
                per_number: 5_000,
                rate: 1_000,
            },
            out_time_limit: Duration::from_secs(60),
            reads_tenants: 100,
            reads_conversations: 20,
            reads_per_conversation: 10,
            reads_load: Duration::from_secs(4),
            reads_rate: 200.0,
            hooks_tenants: 10,
            hooks_rate: 1_000.0,
            hooks_load: Duration::from_secs(5),
            import_rows: 100_000,
            crm_contacts: 10_000,
            automations_load: Duration::from_secs(5),
            analytics_tenants: 20,
            analytics_episodes: 5_000,
            analytics_rate: 10.0,
            analytics_load: Duration::from_secs(20),
        }
    }
}

/// What every scenario needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub engine: EngineChoice,
    pub data_dir: PathBuf,
    pub sizes: Sizes,
    /// Keep each scenario's data directory (and database) afterwards.
    pub keep: bool,
}

impl Ctx {
    pub async fn fresh_db(&self, scenario: &str) -> anyhow::Result<BenchDb> {
        BenchDb::fresh(&self.engine, &self.data_dir, scenario).await
    }

    pub async fn done(&self, db: BenchDb) {
        if self.keep {
            eprintln!("   kept {}", db.dir.display());
        } else {
            db.remove().await;
        }
    }
}

/// Runs scenario `name`.
pub async fn run(ctx: &Ctx, name: &str) -> anyhow::Result<Vec<Figure>> {
    match name {
        "ingest" => ingest::run(ctx).await,
        "inbound" => inbound::run(ctx).await,
        "outbound" => outbound::run(ctx, "outbound", ctx.sizes.outbound).await,
        "outbound-1k" => outbound::run(ctx, "outbound-1k", ctx.sizes.outbound_1k).await,
        "reads" => reads::run(ctx).await,
        "webhooks" => webhooks::run(ctx).await,
        "bots" => bots::run(ctx).await,
        "crm" => crm::run(ctx).await,
        "import" => import::run(ctx).await,
        "automations" => automations::run(ctx).await,
        "booking" => booking::run(ctx).await,
        "analytics" => analytics::run(ctx).await,
        other => anyhow::bail!("no scenario `{other}` (choose from {})", ALL.join(", ")),
    }
}

/// Progress on stderr (stdout carries the table).
pub fn step(what: impl std::fmt::Display) {
    eprintln!("   {what}");
}

/// `GET {base}{path}` with a tenant API key; the JSON body on 200.
pub async fn get_json(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    api_key: &str,
) -> Option<serde_json::Value> {
    let r = client
        .get(format!("{base}{path}"))
        .bearer_auth(api_key)
        .send()
        .await
        .ok()?;
    if r.status() != 200 {
        return None;
    }
    r.json().await.ok()
}

/// POSTs a signed webhook body; whether it was answered 200.
pub async fn post_webhook(client: &reqwest::Client, base: &str, body: Vec<u8>) -> bool {
    let sig = crate::payload::signature(crate::db::APP_SECRET, &body);
    client
        .post(format!("{base}/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sig)
        .body(body)
        .send()
        .await
        .is_ok_and(|r| r.status() == 200)
}

/// A graph URL for scenarios that never call Meta.
pub const NO_GRAPH: &str = "http://127.0.0.1:9";
