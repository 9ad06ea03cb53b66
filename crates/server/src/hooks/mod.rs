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
pub mod cloud;
mod cloud_settings;
pub mod deliver;
pub mod endpoints;
pub mod executions;
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
    permits: Mutex<HashMap<EndpointId, Limits>>,
}

/// One endpoint's limits on this node: requests in flight, and deliveries
/// waiting for one of those (as many as may be in flight).
#[derive(Debug, Clone)]
struct Limits {
    in_flight: Arc<Semaphore>,
    line: Arc<Semaphore>,
}

impl Limits {
    fn idle(&self) -> bool {
        Arc::strong_count(&self.in_flight) == 1 && Arc::strong_count(&self.line) == 1
    }
}

/// How long a delivery waits in an endpoint's line for a request slot
/// before it gives its worker back and is tried again later.
const LINE_WAIT: Duration = Duration::from_secs(1);

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

    fn limits(&self, endpoint: EndpointId) -> Limits {
        let mut map = self.permits.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            // Forget idle endpoints (nobody holds or waits for a slot).
            map.retain(|_, l| !l.idle());
        }
        map.entry(endpoint)
            .or_insert_with(|| Limits {
                in_flight: Arc::new(Semaphore::new(self.per_endpoint)),
                line: Arc::new(Semaphore::new(self.per_endpoint)),
            })
            .clone()
    }

    /// A slot for one request to `endpoint`, if it has one free now.
    pub fn try_permit(&self, endpoint: EndpointId) -> Option<OwnedSemaphorePermit> {
        self.limits(endpoint).in_flight.try_acquire_owned().ok()
    }

    /// A slot for one request to `endpoint`: at once if one is free, else
    /// after waiting in the endpoint's line for up to a second. The line is
    /// as long as the in-flight limit; a delivery that finds it full, or
    /// waits in vain, gets `None` and gives its worker back, so a slow
    /// endpoint holds at most twice its limit of workers, and a busy one
    /// hands slots over without a write per delivery turned away.
    pub async fn permit(&self, endpoint: EndpointId) -> Option<OwnedSemaphorePermit> {
        let limits = self.limits(endpoint);
        if let Ok(p) = limits.in_flight.clone().try_acquire_owned() {
            return Some(p);
        }
        let _place = limits.line.try_acquire_owned().ok()?;
        tokio::time::timeout(LINE_WAIT, limits.in_flight.acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
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

    #[tokio::test]
    async fn a_busy_endpoint_hands_its_slot_to_the_line_and_turns_away_the_rest() {
        let rt = Arc::new(
            HookRuntime::new(&WebhooksConfig {
                per_endpoint_concurrency: 1,
                ..Default::default()
            })
            .unwrap(),
        );
        let a = EndpointId::new();
        let first = rt.permit(a).await.expect("free");
        let waiting = tokio::spawn({
            let rt = rt.clone();
            async move { rt.permit(a).await.is_some() }
        });
        tokio::task::yield_now().await;
        assert!(rt.permit(a).await.is_none(), "the line (one place) is full");
        drop(first);
        assert!(waiting.await.unwrap(), "the one in line gets the slot");
        // Nobody releases it: a wait in line ends after LINE_WAIT, empty.
        let _held = rt.try_permit(a).expect("free again");
        assert!(rt.permit(a).await.is_none());
    }
}
