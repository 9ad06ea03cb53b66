//! The settings of two areas with many knobs: outbound webhooks and the
//! housekeeping sweep's retention. Read by [`super::Config::load`].

use super::{ConfigError, FileConfig, bounded, flag};

/// Outbound webhooks: which URLs may be targets, how long deliveries are
/// retried and when a failing endpoint is disabled
/// (`SWITCHBOARD_WEBHOOKS_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhooksConfig {
    /// Plain `http://` URLs are accepted (local development and tests).
    pub allow_http: bool,
    /// URLs may resolve to loopback, private and link-local addresses.
    pub allow_private: bool,
    /// How long a delivery is retried before it is dead-lettered.
    pub retry_hours: i64,
    /// How long an endpoint may fail every attempt before it is disabled.
    pub disable_after_hours: i64,
    /// Requests in flight per endpoint on one node.
    pub per_endpoint_concurrency: i64,
    /// How long one attempt waits for the endpoint's answer, in ms.
    pub timeout_ms: i64,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_private: false,
            retry_hours: 72,
            disable_after_hours: 72,
            per_endpoint_concurrency: 4,
            timeout_ms: 10_000,
        }
    }
}

/// How many days each kind of finished work is kept before the hourly
/// housekeeping sweep removes it (`SWITCHBOARD_RETAIN_<KIND>_DAYS`; 0
/// keeps it for ever), and how many rows one sweep transaction removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Jobs done or failed for good.
    pub jobs_days: i64,
    /// Stored webhook bodies, once processed.
    pub webhooks_days: i64,
    /// The event log (never an event a consumer has yet to process).
    pub events_days: i64,
    /// Idempotency keys: a retry within this many days gets the stored answer.
    pub idempotency_keys_days: i64,
    /// Sessions, counted from when they expired or were revoked.
    pub sessions_days: i64,
    /// Outbound webhook attempts, and deliveries once delivered or dead.
    pub webhook_deliveries_days: i64,
    /// Rows removed per transaction (`SWITCHBOARD_SWEEP_BATCH`).
    pub batch: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            jobs_days: 7,
            webhooks_days: 7,
            events_days: 90,
            idempotency_keys_days: 1,
            sessions_days: 7,
            webhook_deliveries_days: 30,
            batch: 500,
        }
    }
}

impl Retention {
    /// Reads the `SWITCHBOARD_RETAIN_*` and sweep settings.
    pub(super) fn read(
        &mut self,
        f: &FileConfig,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        for (name, file, days) in [
            (
                "SWITCHBOARD_RETAIN_JOBS_DAYS",
                f.retain_jobs_days,
                &mut self.jobs_days,
            ),
            (
                "SWITCHBOARD_RETAIN_WEBHOOKS_DAYS",
                f.retain_webhooks_days,
                &mut self.webhooks_days,
            ),
            (
                "SWITCHBOARD_RETAIN_EVENTS_DAYS",
                f.retain_events_days,
                &mut self.events_days,
            ),
            (
                "SWITCHBOARD_RETAIN_IDEMPOTENCY_KEYS_DAYS",
                f.retain_idempotency_keys_days,
                &mut self.idempotency_keys_days,
            ),
            (
                "SWITCHBOARD_RETAIN_SESSIONS_DAYS",
                f.retain_sessions_days,
                &mut self.sessions_days,
            ),
            (
                "SWITCHBOARD_RETAIN_WEBHOOK_DELIVERIES_DAYS",
                f.retain_webhook_deliveries_days,
                &mut self.webhook_deliveries_days,
            ),
        ] {
            let key = name.trim_start_matches("SWITCHBOARD_");
            *days = bounded(name, env(key), file, 0..=36_500, *days)?;
        }
        self.batch = bounded(
            "SWITCHBOARD_SWEEP_BATCH",
            env("SWEEP_BATCH"),
            f.sweep_batch,
            1..=100_000,
            self.batch,
        )?;
        Ok(())
    }
}

impl WebhooksConfig {
    /// Reads the `SWITCHBOARD_WEBHOOKS_*` settings.
    pub(super) fn read(
        &mut self,
        f: &FileConfig,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        self.allow_http = flag(
            "SWITCHBOARD_WEBHOOKS_ALLOW_HTTP",
            env("WEBHOOKS_ALLOW_HTTP"),
            f.webhooks_allow_http,
        )?;
        self.allow_private = flag(
            "SWITCHBOARD_WEBHOOKS_ALLOW_PRIVATE",
            env("WEBHOOKS_ALLOW_PRIVATE"),
            f.webhooks_allow_private,
        )?;
        self.retry_hours = bounded(
            "SWITCHBOARD_WEBHOOKS_RETRY_HOURS",
            env("WEBHOOKS_RETRY_HOURS"),
            f.webhooks_retry_hours,
            1..=720,
            self.retry_hours,
        )?;
        self.disable_after_hours = bounded(
            "SWITCHBOARD_WEBHOOKS_DISABLE_AFTER_HOURS",
            env("WEBHOOKS_DISABLE_AFTER_HOURS"),
            f.webhooks_disable_after_hours,
            1..=720,
            self.disable_after_hours,
        )?;
        self.per_endpoint_concurrency = bounded(
            "SWITCHBOARD_WEBHOOKS_CONCURRENCY",
            env("WEBHOOKS_CONCURRENCY"),
            f.webhooks_concurrency,
            1..=64,
            self.per_endpoint_concurrency,
        )?;
        self.timeout_ms = bounded(
            "SWITCHBOARD_WEBHOOKS_TIMEOUT_MS",
            env("WEBHOOKS_TIMEOUT_MS"),
            f.webhooks_timeout_ms,
            100..=60_000,
            self.timeout_ms,
        )?;
        Ok(())
    }
}
