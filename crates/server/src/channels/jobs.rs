//! The channel's background jobs: adapters from the job runtime to the
//! channel's rules.

use super::deliver::{SendAttempt, deliver};
use super::media::Fetch;
use super::send::Lane;
use crate::jobs::{JobKind, Outcome, Queue, Registry};
use crate::state::AppState;
use domain::{MediaId, MessageId, TenantId, Timestamp, WebhookId};
use serde::{Deserialize, Serialize};
use store::TenantTx;

/// Registers the channel's jobs.
pub fn register(registry: &mut Registry) {
    registry
        .register::<ProcessWebhook>()
        .register::<SendMessage>()
        .register::<FetchMedia>()
        .register::<ReleaseHeld>();
}

/// Routes and applies the events of a stored webhook.
pub struct ProcessWebhook;

impl JobKind for ProcessWebhook {
    const KIND: &'static str = "webhook.process";
    const QUEUE: Queue = Queue::Webhooks;
    type Payload = WebhookRef;

    fn dedupe_key(p: &WebhookRef) -> Option<String> {
        Some(format!("delivery:{}", p.delivery_id))
    }

    async fn run(state: &AppState, _: Option<TenantId>, p: WebhookRef) -> Outcome {
        match super::process::process_webhook(state, p.delivery_id).await {
            Ok(Some((_, sys))) => Outcome::CommitSystem(sys),
            Ok(None) => Outcome::Done,
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }
}

/// A stored webhook, by id. The field keeps the name jobs were stored with
/// before, so jobs queued by an earlier version still run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookRef {
    pub delivery_id: WebhookId,
}

/// Hands a queued message to Meta.
pub struct SendMessage;

/// The send job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Send {
    pub message_id: MessageId,
    /// Only orders the queue; not needed to run the job.
    #[serde(default, skip_serializing)]
    pub lane: Lane,
}

impl JobKind for SendMessage {
    const KIND: &'static str = "message.send";
    const QUEUE: Queue = Queue::Send;
    const MAX_ATTEMPTS: i64 = 50;
    type Payload = Send;

    fn dedupe_key(p: &Send) -> Option<String> {
        Some(format!("send:{}", p.message_id))
    }

    fn lane(p: &Send) -> i64 {
        p.lane.priority()
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: Send) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "send job without tenant".into(),
            };
        };
        match deliver(state, tenant, p.message_id).await {
            Ok(SendAttempt::Settled) => Outcome::Done,
            Ok(SendAttempt::Recorded(tx)) => Outcome::CommitTenant(tx),
            Ok(SendAttempt::Retry { reason, after_ms }) => Outcome::Retry {
                error: reason,
                after_ms: Some(after_ms),
            },
            Ok(SendAttempt::Wait { reason }) => Outcome::Wait { reason },
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }

    async fn given_up(
        tx: &mut TenantTx,
        p: Send,
        error: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        super::deliver::give_up(tx, p.message_id, error, now).await
    }
}

/// Downloads an inbound message's media from Meta.
pub struct FetchMedia;

impl JobKind for FetchMedia {
    const KIND: &'static str = "media.fetch";
    const QUEUE: Queue = Queue::Media;
    const MAX_ATTEMPTS: i64 = 12;
    type Payload = MediaJob;

    fn dedupe_key(p: &MediaJob) -> Option<String> {
        Some(format!("media:{}", p.media_id))
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: MediaJob) -> Outcome {
        let id = p.media_id;
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "media job without tenant".into(),
            };
        };
        match super::media::fetch(state, tenant, id).await {
            Ok(Fetch::Settled) => Outcome::Done,
            Ok(Fetch::Retry(error)) => Outcome::retry(error),
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }

    async fn given_up(
        tx: &mut TenantTx,
        p: MediaJob,
        error: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        super::media::give_up(tx, p.media_id, error, now).await
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MediaJob {
    pub media_id: MediaId,
}

/// Applies a reactivated tenant's held inbound events.
pub struct ReleaseHeld;

impl JobKind for ReleaseHeld {
    const KIND: &'static str = "tenant.release_held";
    const QUEUE: Queue = Queue::Tenants;
    type Payload = TenantRef;

    fn dedupe_key(_: &TenantRef) -> Option<String> {
        None
    }

    async fn run(state: &AppState, _: Option<TenantId>, p: TenantRef) -> Outcome {
        match super::apply::release_held(state, p.tenant_id).await {
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantRef {
    pub tenant_id: TenantId,
}
