//! Sandbox configuration: listen address, webhook target, limits, timing.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Highest per-number throughput Meta grants (messages per second).
pub const MAX_RATE_LIMIT: u32 = 1_000;
/// Meta's default per-number throughput (messages per second).
pub const DEFAULT_RATE_LIMIT: u32 = 80;

/// Configuration of one sandbox instance.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to bind; port 0 picks a free port (see [`crate::Sandbox::base_url`]).
    pub listen: SocketAddr,
    /// Where webhooks (inbound messages, statuses, template updates) are POSTed.
    pub webhook_url: Option<String>,
    /// Meta app secret used for `X-Hub-Signature-256`.
    pub app_secret: String,
    /// Default per-number throughput in messages/second (Meta: 80, max 1,000).
    pub default_rate_limit: u32,
    /// Optional per (business number, customer) pair limit -> error 131056.
    pub pair_rate_limit: Option<PairRateLimit>,
    /// Delay before each status step (sent, delivered, read).
    pub status_delay: Duration,
    /// Whether simulated customers read every delivered message automatically.
    pub auto_read: bool,
    /// Templates created through the Graph API are approved immediately
    /// (with an `APPROVED` status webhook) instead of staying `PENDING`.
    pub auto_approve_templates: bool,
    /// Length of the customer-service window.
    pub service_window: Duration,
    /// HTTP status used for throttling errors 130429 / 131056 (Meta: usually 400).
    pub throttle_http_status: u16,
    /// Webhook delivery attempts per body (first try included).
    pub webhook_max_attempts: u32,
    /// Backoff before the first retry; doubled on every further retry.
    pub webhook_retry_backoff: Duration,
    /// How long one webhook POST may take before it counts as failed.
    pub webhook_timeout: Duration,
    /// How many webhook bodies may be on their way at once. 1 (the
    /// default) POSTs them one after the other, in order, which tests can
    /// rely on; Meta sends many at once and in no guaranteed order, which a
    /// higher figure models (the benchmark's outbound scenarios use 64).
    pub webhook_concurrency: usize,
    /// Seed of the fault RNG (decisions are deterministic for a given seed
    /// and request order). [`crate::Faults::seed`] overrides it.
    pub seed: u64,
    /// Numbers registered at start.
    pub numbers: Vec<NumberSpec>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            webhook_url: None,
            app_secret: "sandbox-app-secret".to_owned(),
            default_rate_limit: DEFAULT_RATE_LIMIT,
            pair_rate_limit: None,
            status_delay: Duration::from_millis(50),
            auto_read: true,
            auto_approve_templates: false,
            service_window: Duration::from_secs(24 * 3600),
            throttle_http_status: 400,
            webhook_max_attempts: 5,
            webhook_retry_backoff: Duration::from_millis(50),
            webhook_timeout: Duration::from_secs(5),
            webhook_concurrency: 1,
            seed: 0x5eed,
            numbers: Vec::new(),
        }
    }
}

/// Token bucket for one (business number, customer) pair: `burst` messages at
/// once, then one more every `refill_every` (Meta: about 1 per 6 s).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairRateLimit {
    pub burst: u32,
    #[serde(with = "millis")]
    pub refill_every: Duration,
}

impl Default for PairRateLimit {
    fn default() -> Self {
        Self {
            burst: 45,
            refill_every: Duration::from_secs(6),
        }
    }
}

/// A business phone number known to the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberSpec {
    pub phone_number_id: String,
    pub waba_id: String,
    /// As the phone-number endpoint returns it, e.g. `"+1 555-078-3881"`;
    /// webhooks carry the digits only.
    pub display_phone_number: String,
    pub verified_name: String,
    /// Bearer token accepted for this number (and its WABA).
    pub access_token: String,
    /// Messages/second for this number; `None` = the sandbox default.
    #[serde(default)]
    pub rate_limit: Option<u32>,
}

impl NumberSpec {
    /// A number with a generated display number and name.
    pub fn new(phone_number_id: &str, waba_id: &str, access_token: &str) -> Self {
        let tail: String = phone_number_id
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Self {
            phone_number_id: phone_number_id.to_owned(),
            waba_id: waba_id.to_owned(),
            display_phone_number: format!("+1 555-01{}", tail),
            verified_name: "Switchboard Sandbox".to_owned(),
            access_token: access_token.to_owned(),
            rate_limit: None,
        }
    }

    /// The demo number used when nothing else is configured (ids match the
    /// reference fixtures).
    pub fn demo() -> Self {
        Self {
            phone_number_id: "106540352242922".to_owned(),
            waba_id: "102290129340398".to_owned(),
            display_phone_number: "+1 555-078-3881".to_owned(),
            verified_name: "Switchboard Sandbox".to_owned(),
            access_token: "sandbox-token".to_owned(),
            rate_limit: None,
        }
    }

    /// Parses `phone_number_id:waba_id:token[:display_phone_number[:verified_name]]`.
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        let parts: Vec<&str> = s.splitn(5, ':').collect();
        if parts.len() < 3 || parts.iter().take(3).any(|p| p.is_empty()) {
            anyhow::bail!("expected phone_number_id:waba_id:token[:display[:name]], got {s:?}");
        }
        let mut n = Self::new(parts[0], parts[1], parts[2]);
        if let Some(d) = parts.get(3).filter(|d| !d.is_empty()) {
            n.display_phone_number = (*d).to_owned();
        }
        if let Some(v) = parts.get(4).filter(|v| !v.is_empty()) {
            n.verified_name = (*v).to_owned();
        }
        n.validate()?;
        Ok(n)
    }

    /// Checks ids are numeric strings and the rate limit is within Meta's range.
    pub fn validate(&self) -> anyhow::Result<()> {
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !numeric(&self.phone_number_id) || !numeric(&self.waba_id) {
            anyhow::bail!("phone_number_id and waba_id must be numeric strings");
        }
        if self.access_token.is_empty() {
            anyhow::bail!("access_token must not be empty");
        }
        if digits(&self.display_phone_number).is_empty() {
            anyhow::bail!("display_phone_number must contain digits");
        }
        if let Some(r) = self.rate_limit
            && !(1..=MAX_RATE_LIMIT).contains(&r)
        {
            anyhow::bail!("rate_limit must be between 1 and {MAX_RATE_LIMIT}");
        }
        Ok(())
    }
}

/// Digits of a phone number (`"+1 555-078-3881"` -> `"15550783881"`).
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Serde helper: `Duration` as integer milliseconds.
pub(crate) mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_number_spec() {
        let n = NumberSpec::parse("111:222:tok:+1 555-000-1111:Acme").unwrap();
        assert_eq!(n.phone_number_id, "111");
        assert_eq!(n.waba_id, "222");
        assert_eq!(n.access_token, "tok");
        assert_eq!(n.display_phone_number, "+1 555-000-1111");
        assert_eq!(n.verified_name, "Acme");
        assert!(NumberSpec::parse("111:222").is_err());
        assert!(NumberSpec::parse("abc:222:tok").is_err());
        assert_eq!(digits("+1 555-078-3881"), "15550783881");
    }
}
