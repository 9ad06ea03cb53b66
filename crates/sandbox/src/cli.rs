//! `switchboard sandbox`: run the simulator standalone.

use std::net::SocketAddr;
use std::time::Duration;

use crate::catalog::TemplateSpec;
use crate::config::{NumberSpec, PairRateLimit, SandboxConfig};
use crate::sandbox::{GRAPH_VERSION, Sandbox};

/// Command-line options of the standalone sandbox.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_LISTEN", default_value = "127.0.0.1:9090")]
    pub listen: SocketAddr,
    /// Webhook callback URL (inbound messages, statuses, template updates).
    #[arg(long, env = "SANDBOX_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Meta app secret used for X-Hub-Signature-256.
    #[arg(long, env = "SANDBOX_APP_SECRET", default_value = "sandbox-app-secret")]
    pub app_secret: String,
    /// Default per-number throughput in messages/second (Meta: 80, up to 1000).
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub rate_limit: u32,
    /// Pair rate limit "BURST/SECONDS" (e.g. "45/6"); off when absent.
    #[arg(long, value_parser = parse_pair)]
    pub pair_rate_limit: Option<PairRateLimit>,
    /// Delay between status steps (sent, delivered, read) in milliseconds.
    #[arg(long, default_value_t = 50)]
    pub status_delay_ms: u64,
    /// Customers do not read messages automatically.
    #[arg(long)]
    pub no_auto_read: bool,
    /// Templates created through the Graph API are approved at once.
    #[arg(long)]
    pub auto_approve_templates: bool,
    /// Business number `phone_number_id:waba_id:token[:display_phone_number[:verified_name]]`
    /// (repeatable). Default: 106540352242922:102290129340398:sandbox-token.
    #[arg(long = "number", value_parser = NumberSpec::parse)]
    pub numbers: Vec<NumberSpec>,
    /// Approved template `waba_id:name:language[:CATEGORY]` (repeatable), body `Hello {{1}}`.
    #[arg(long = "template", value_parser = parse_template)]
    pub templates: Vec<TemplateSpec>,
    /// Seed of the fault RNG.
    #[arg(long, default_value_t = 0x5eed)]
    pub seed: u64,
    /// Webhook delivery attempts per body.
    #[arg(long, default_value_t = 5)]
    pub webhook_max_attempts: u32,
    /// Backoff before the first webhook retry (doubles each time), milliseconds.
    #[arg(long, default_value_t = 50)]
    pub webhook_retry_backoff_ms: u64,
    /// Webhook bodies on their way at once (1: one after the other, in
    /// order; Meta sends many at once, in no guaranteed order).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub webhook_concurrency: u16,
}

impl SandboxArgs {
    /// The configuration these options describe.
    pub fn to_config(&self) -> SandboxConfig {
        let numbers = if self.numbers.is_empty() {
            vec![NumberSpec::demo()]
        } else {
            self.numbers.clone()
        };
        SandboxConfig {
            listen: self.listen,
            webhook_url: self.webhook_url.clone(),
            app_secret: self.app_secret.clone(),
            default_rate_limit: self.rate_limit,
            pair_rate_limit: self.pair_rate_limit,
            status_delay: Duration::from_millis(self.status_delay_ms),
            auto_read: !self.no_auto_read,
            auto_approve_templates: self.auto_approve_templates,
            seed: self.seed,
            webhook_max_attempts: self.webhook_max_attempts,
            webhook_retry_backoff: Duration::from_millis(self.webhook_retry_backoff_ms),
            webhook_concurrency: usize::from(self.webhook_concurrency),
            numbers,
            ..SandboxConfig::default()
        }
    }
}

fn parse_pair(s: &str) -> Result<PairRateLimit, String> {
    let (burst, secs) = s
        .split_once('/')
        .ok_or("expected BURST/SECONDS, e.g. 45/6")?;
    let burst: u32 = burst.trim().parse().map_err(|e| format!("burst: {e}"))?;
    let secs: f64 = secs.trim().parse().map_err(|e| format!("seconds: {e}"))?;
    if burst == 0 || !(secs > 0.0 && secs.is_finite()) {
        return Err("burst and seconds must be positive".to_owned());
    }
    Ok(PairRateLimit {
        burst,
        refill_every: Duration::from_secs_f64(secs),
    })
}

fn parse_template(s: &str) -> Result<TemplateSpec, String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() < 3 || parts.len() > 4 {
        return Err("expected waba_id:name:language[:CATEGORY]".to_owned());
    }
    let mut t = TemplateSpec::approved(parts[0], parts[1], parts[2]);
    if let Some(c) = parts.get(3) {
        t.category = c.to_uppercase();
    }
    Ok(t)
}

/// Runs the sandbox until Ctrl-C, printing its URL and numbers.
pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(args.to_config()).await?;
    for t in &args.templates {
        sandbox.add_template(t.clone())?;
    }
    let base = sandbox.base_url();
    println!("WhatsApp Cloud API sandbox listening on {base}");
    println!("  Graph base URL : {base}/{GRAPH_VERSION}  (any v<major>.<minor> works)");
    println!("  Control API    : {base}/_sandbox/");
    match &args.webhook_url {
        Some(u) => println!("  Webhooks       : {u} (signed with the configured app secret)"),
        None => {
            println!("  Webhooks       : none (set with --webhook-url or POST /_sandbox/webhook)")
        }
    }
    for n in sandbox.numbers() {
        println!(
            "  Number         : phone_number_id={} waba_id={} display=\"{}\" token={}",
            n.phone_number_id, n.waba_id, n.display_phone_number, n.access_token
        );
    }
    for t in sandbox.templates(None) {
        println!(
            "  Template       : {} ({}, {}) {}",
            t.name, t.language, t.category, t.status
        );
    }
    tokio::signal::ctrl_c().await?;
    println!("sandbox shutting down");
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
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--number",
            "111:222:tok",
            "--number",
            "333:222:tok2:+1 555-000-0003:Acme",
            "--pair-rate-limit",
            "45/6",
            "--template",
            "222:order_update:en_US:UTILITY",
            "--rate-limit",
            "1000",
        ])
        .unwrap();
        let cfg = cli.args.to_config();
        assert_eq!(cfg.numbers.len(), 2);
        assert_eq!(cfg.default_rate_limit, 1000);
        assert_eq!(
            cfg.pair_rate_limit,
            Some(PairRateLimit {
                burst: 45,
                refill_every: Duration::from_secs(6)
            })
        );
        assert_eq!(cli.args.templates[0].name, "order_update");
        assert!(Cli::try_parse_from(["sandbox", "--rate-limit", "1001"]).is_err());
        let default = Cli::try_parse_from(["sandbox"]).unwrap().args.to_config();
        assert_eq!(default.numbers, vec![NumberSpec::demo()]);
    }
}
