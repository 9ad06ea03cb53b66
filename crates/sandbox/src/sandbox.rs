//! The public handle: start/stop the server and drive it from Rust (the same
//! operations as the control API).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::app::App;
use crate::catalog::{self, TemplateSpec, TemplateStatusUpdate};
use crate::config::{MAX_RATE_LIMIT, NumberSpec, SandboxConfig, digits};
use crate::customer::{self, InboundMessage, InboundReceipt};
use crate::faults::Faults;
use crate::script::{self, Script, ScriptResult};
use crate::state::{
    Counters, CustomerProfile, InboundRecord, OutboundMessage, Template, UserIdMode, WebhookRecord,
};
use crate::{control, graph, lifecycle, webhook};

/// Graph API version used in examples and by [`Sandbox::graph_url`]; every
/// `v<major>.<minor>` is accepted.
pub const GRAPH_VERSION: &str = "v23.0";

/// Handle to a running sandbox. Cheap to clone; all clones drive the same
/// server.
#[derive(Clone)]
pub struct Sandbox {
    app: Arc<App>,
    inner: Arc<Inner>,
}

struct Inner {
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Sandbox {
    /// Binds `config.listen`, then spawns the HTTP server and the webhook
    /// deliverer on the current Tokio runtime.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        if !(1..=MAX_RATE_LIMIT).contains(&config.default_rate_limit) {
            anyhow::bail!("default_rate_limit must be between 1 and {MAX_RATE_LIMIT}");
        }
        for n in &config.numbers {
            n.validate()?;
        }
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{}", reachable(addr));
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let numbers = config.numbers.clone();
        let app = Arc::new(App::new(config, base_url, events_tx, shutdown_rx.clone())?);
        for n in numbers {
            control::add_number_op(&app, n).map_err(anyhow::Error::new)?;
        }
        let router = graph::router(Arc::clone(&app))
            .merge(control::router())
            .fallback(graph::fallback)
            .with_state(Arc::clone(&app));
        let mut stop = shutdown_rx;
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        let deliverer = tokio::spawn(webhook::deliver::run(Arc::clone(&app), events_rx));
        Ok(Sandbox {
            app,
            inner: Arc::new(Inner {
                shutdown: shutdown_tx,
                tasks: Mutex::new(vec![server, deliverer]),
            }),
        })
    }

    /// `http://127.0.0.1:<port>`; Graph paths are under it:
    /// `{base}/{version}/{phone_number_id}/messages`.
    pub fn base_url(&self) -> String {
        self.app.base_url.clone()
    }

    /// `{base}/v23.0`, the equivalent of `https://graph.facebook.com/v23.0`.
    pub fn graph_url(&self) -> String {
        format!("{}/{GRAPH_VERSION}", self.app.base_url)
    }

    /// Registers (or replaces) a business number.
    pub fn add_number(&self, n: NumberSpec) -> anyhow::Result<()> {
        control::add_number_op(&self.app, n).map_err(anyhow::Error::new)
    }

    pub fn numbers(&self) -> Vec<NumberSpec> {
        self.app
            .lock()
            .numbers
            .values()
            .map(|n| n.spec.clone())
            .collect()
    }

    /// Sets (or clears) the webhook URL and the app secret used to sign.
    pub fn set_webhook(&self, url: Option<String>, app_secret: String) {
        let mut st = self.app.lock();
        st.webhook_url = url;
        st.app_secret = app_secret;
    }

    /// Installs faults (re-seeding the RNGs if `faults.seed` is set).
    pub fn set_faults(&self, faults: Faults) -> anyhow::Result<()> {
        control::set_faults_op(&self.app, faults).map_err(anyhow::Error::new)
    }

    pub fn faults(&self) -> Faults {
        self.app.lock().faults.clone()
    }

    /// Pauses webhook delivery (events queue up) / resumes it.
    pub fn pause_webhooks(&self) {
        self.app.paused.send_replace(true);
    }

    pub fn resume_webhooks(&self) {
        self.app.paused.send_replace(false);
    }

    /// Sets how a customer behaves (name, reachable, read receipts).
    pub fn set_customer(&self, wa_id: &str, profile: CustomerProfile) {
        self.app.lock().customers.insert(digits(wa_id), profile);
    }

    /// Sets which business-scoped user id (BSUID) a customer has: derived
    /// (the default), a fixed one, or none (payloads as before BSUIDs).
    pub fn set_user_id(&self, wa_id: &str, mode: UserIdMode) {
        self.app.lock().user_id_modes.insert(digits(wa_id), mode);
    }

    /// The customer's BSUID as the business of `phone_number_id` sees it
    /// (`contacts[].user_id`, `from_user_id`, `recipient_user_id`, and what
    /// a send may give as `recipient`); `None` if the number is unknown or
    /// the customer has none.
    pub fn user_id(&self, phone_number_id: &str, wa_id: &str) -> Option<String> {
        self.app.lock().user_id(phone_number_id, &digits(wa_id))
    }

    /// A customer sends a message to a business number (-> webhook).
    pub fn send_inbound(&self, msg: InboundMessage) -> anyhow::Result<InboundReceipt> {
        customer::receive(&self.app, msg).map_err(anyhow::Error::new)
    }

    /// A customer sends a text; returns the inbound wamid.
    pub fn send_text(
        &self,
        phone_number_id: &str,
        from: &str,
        body: &str,
    ) -> anyhow::Result<String> {
        Ok(self
            .send_inbound(InboundMessage::text(phone_number_id, from, body))?
            .id)
    }

    /// Messages a business number sent to a customer, oldest first.
    pub fn received(&self, phone_number_id: &str, wa_id: &str) -> Vec<OutboundMessage> {
        self.app
            .lock()
            .outbound_for(Some(phone_number_id), Some(&digits(wa_id)))
    }

    /// All accepted sends (optionally of one number), oldest first.
    pub fn outbound(&self, phone_number_id: Option<&str>) -> Vec<OutboundMessage> {
        self.app.lock().outbound_for(phone_number_id, None)
    }

    /// One accepted send by wamid.
    pub fn message(&self, wamid: &str) -> Option<OutboundMessage> {
        self.app.lock().outbound.get(wamid).cloned()
    }

    /// One customer message by wamid.
    pub fn inbound(&self, wamid: &str) -> Option<InboundRecord> {
        self.app.lock().inbound.get(wamid).cloned()
    }

    /// The customer reads what the number sent (all, or up to `up_to`).
    pub fn customer_read(&self, phone_number_id: &str, wa_id: &str, up_to: Option<&str>) -> usize {
        lifecycle::customer_read(&self.app, phone_number_id, &digits(wa_id), up_to)
    }

    /// Current global sequence number (pass to [`Sandbox::wait_for_reply`]).
    pub fn seq(&self) -> u64 {
        self.app.lock().current_seq()
    }

    /// Waits for a message to the customer accepted after `after_seq`.
    pub async fn wait_for_reply(
        &self,
        phone_number_id: &str,
        wa_id: &str,
        after_seq: u64,
        timeout: Duration,
    ) -> Option<OutboundMessage> {
        script::wait_for_reply(
            &self.app,
            phone_number_id,
            &digits(wa_id),
            after_seq,
            timeout,
        )
        .await
    }

    /// Runs a conversation script.
    pub async fn run_script(&self, s: Script) -> anyhow::Result<ScriptResult> {
        script::run(&self.app, s).await.map_err(anyhow::Error::new)
    }

    pub fn counters(&self) -> Counters {
        self.app.lock().counters.clone()
    }

    pub fn reset_counters(&self) {
        control::reset_counters_op(&self.app);
    }

    /// Advances the sandbox clock (service windows, timestamps); returns now.
    pub fn advance_clock(&self, by: Duration) -> i64 {
        control::advance_clock_op(&self.app, by)
    }

    /// Sandbox-clock Unix seconds.
    pub fn now(&self) -> i64 {
        self.app.lock().now()
    }

    /// Seeds a template directly (no review, no webhook).
    pub fn add_template(&self, spec: TemplateSpec) -> anyhow::Result<Template> {
        catalog::add(&self.app, spec).map_err(anyhow::Error::new)
    }

    /// Approves/rejects/pauses… a template and emits the status-update webhook.
    pub fn set_template_status(
        &self,
        template_id: &str,
        update: TemplateStatusUpdate,
    ) -> anyhow::Result<Template> {
        catalog::set_status(&self.app, template_id, &update).map_err(anyhow::Error::new)
    }

    pub fn templates(&self, waba_id: Option<&str>) -> Vec<Template> {
        let st = self.app.lock();
        st.templates
            .values()
            .filter(|t| waba_id.is_none_or(|w| t.waba_id == w))
            .cloned()
            .collect()
    }

    /// Emits a value-level `errors[]` webhook for a number.
    pub fn emit_system_error(
        &self,
        phone_number_id: &str,
        code: i64,
        details: Option<&str>,
    ) -> anyhow::Result<()> {
        customer::system_error(&self.app, phone_number_id, code, details)
            .map_err(anyhow::Error::new)
    }

    /// Webhook bodies built so far (newest last, bounded).
    pub fn webhook_log(&self) -> Vec<WebhookRecord> {
        self.app.lock().webhook_log.iter().cloned().collect()
    }

    /// Stops the server, the deliverer and pending status/retry tasks.
    pub async fn shutdown(self) {
        self.inner.shutdown.send_replace(true);
        let tasks: Vec<JoinHandle<()>> = match self.inner.tasks.lock() {
            Ok(mut t) => t.drain(..).collect(),
            Err(p) => p.into_inner().drain(..).collect(),
        };
        for t in tasks {
            let abort = t.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), t)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

/// An address clients can connect to (wildcard binds -> loopback).
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    }
}
