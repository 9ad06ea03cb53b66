//! Outbound webhooks (docs/WEBHOOKS.md): a tenant's endpoints
//! ([`endpoints`]), the consumer of the event log that turns each event
//! into a delivery per subscribed endpoint ([`fanout`]), the delivery job
//! ([`deliver`], [`jobs`]), the delivery and execution logs with replay
//! ([`log`]) and the tenant's health figures ([`health`]).
//!
//! Safety: URLs are checked against internal addresses when saved and
//! again at every connection ([`ssrf`]); signing secrets and extra headers
//! are sealed at rest; each endpoint has at most
//! `config.webhooks.per_endpoint_concurrency` requests in flight per node
//! ([`HookRuntime`]).

pub mod api;
pub mod deliver;
pub mod endpoints;
pub mod fanout;
pub mod health;
pub mod jobs;
pub mod log;
pub mod pages;
pub mod patterns;
pub mod settings;
pub mod signature;
pub mod ssrf;

use crate::config::WebhooksConfig;
use domain::EndpointId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What the delivery job needs in process: the HTTP client (built once)
/// and each endpoint's in-flight limit.
#[derive(Debug)]
pub struct HookRuntime {
    pub client: reqwest::Client,
    per_endpoint: usize,
    permits: Mutex<HashMap<EndpointId, Arc<Semaphore>>>,
}

impl HookRuntime {
    /// The client: rustls, a timeout (10 s unless configured), no redirects, no proxy (a proxy
    /// would resolve names where [`ssrf::GuardedResolver`] cannot check
    /// them), and that resolver unless private targets are allowed.
    pub fn new(config: &WebhooksConfig) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(u64::try_from(config.timeout_ms).unwrap_or(10_000));
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(8);
        if !config.allow_private {
            builder = builder.dns_resolver(ssrf::GuardedResolver);
        }
        let client = builder
            .build()
            .map_err(|e| anyhow::anyhow!("building the webhook client: {e}"))?;
        Ok(Self {
            client,
            per_endpoint: usize::try_from(config.per_endpoint_concurrency.max(1)).unwrap_or(4),
            permits: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for one request to `endpoint`, if it has one free now (a
    /// busy endpoint's delivery is tried again shortly rather than holding
    /// a worker while it waits).
    pub fn try_permit(&self, endpoint: EndpointId) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            let mut map = self.permits.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > 10_000 {
                // Forget idle endpoints (nobody holds their semaphore).
                map.retain(|_, s| Arc::strong_count(s) > 1);
            }
            map.entry(endpoint)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_endpoint)))
                .clone()
        };
        semaphore.try_acquire_owned().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_endpoint_has_its_own_limit() {
        let rt = HookRuntime::new(&WebhooksConfig {
            per_endpoint_concurrency: 2,
            ..Default::default()
        })
        .unwrap();
        let (a, b) = (EndpointId::new(), EndpointId::new());
        let held: Vec<_> = (0..2).map(|_| rt.try_permit(a).unwrap()).collect();
        assert!(
            rt.try_permit(a).is_none(),
            "a third request to one endpoint waits"
        );
        assert!(
            rt.try_permit(b).is_some(),
            "another endpoint is not held up"
        );
        drop(held);
        assert!(rt.try_permit(a).is_some());
    }
}
