//! What every handler can reach. Cheap to clone.

use crate::auth::tokens::JwtKeys;
use crate::config::Config;
use crate::crypto::SecretBox;
use domain::{Clock, Timestamp};
use metrics_exporter_prometheus::PrometheusHandle;
use std::ops::Deref;
use std::sync::Arc;
use store::Store;

#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub secrets: SecretBox,
    pub jwt: JwtKeys,
    pub metrics: Option<PrometheusHandle>,
    /// Meta's Graph API (or the sandbox, in tests and the demo).
    pub graph: whatsapp::GraphClient,
    /// Where inbound media is kept.
    pub media: crate::channels::media_store::MediaStore,
    /// Commits webhook deliveries in groups.
    pub intake: crate::channels::intake::Intake,
    /// The job kinds the workers run.
    pub jobs: crate::jobs::Registry,
    /// The outbound webhooks' HTTP client and per-endpoint limits.
    pub hooks: crate::hooks::HookRuntime,
    /// The Genesys bridge's client and token cache.
    pub genesys: crate::genesys::Runtime,
    /// Outgoing email's SMTP connection (none: emails are kept).
    pub mailer: crate::email::Mailer,
    /// Workflow versions read and compiled so far.
    pub workflow_versions: crate::automations::versions::Versions,
    /// Wakes background workers when new work was committed.
    pub work_notify: tokio::sync::Notify,
    /// Flipped to `true` when the server begins to shut down, so endless
    /// responses (the event stream) end and graceful shutdown can finish.
    pub closing: tokio::sync::watch::Sender<bool>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        config: Config,
        store: Store,
        clock: Arc<dyn Clock>,
        secrets: SecretBox,
    ) -> anyhow::Result<Self> {
        let jwt = JwtKeys::new(&secrets.derive_key("jwt"));
        let graph = whatsapp::GraphClient::builder()
            .base_url(config.graph_base_url.clone())
            .timeout(std::time::Duration::from_millis(config.graph_timeout_ms))
            .build()
            .map_err(|e| anyhow::anyhow!("building the Graph client: {e}"))?;
        let media = crate::channels::media_store::MediaStore::open(&config)?;
        let hooks = crate::hooks::HookRuntime::new(&config.webhooks)?;
        let genesys = crate::genesys::Runtime::new(&config)?;
        let mailer = crate::email::Mailer::new(&config.email)?;
        Ok(Self(Arc::new(Inner {
            mailer,
            media,
            config,
            store,
            clock,
            secrets,
            jwt,
            metrics: crate::telemetry::prometheus(),
            graph,
            intake: Default::default(),
            jobs: crate::job_registry(),
            hooks,
            genesys,
            workflow_versions: Default::default(),
            work_notify: tokio::sync::Notify::new(),
            closing: tokio::sync::watch::Sender::new(false),
        })))
    }

    /// Tells in-process workers that work is waiting.
    pub fn wake_workers(&self) {
        self.work_notify.notify_waiters();
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
