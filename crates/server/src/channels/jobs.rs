//! The channel's background jobs: adapters from the job runtime to the
//! channel's rules.

use super::deliver::{SendAttempt, deliver};
use super::media::Fetch;
use super::send::Lane;
use crate::jobs::{Batch, Commit, JobKind, Outcome, Queue, Registry, panic_message};
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

/// Routes and applies the events of stored webhooks, many at once.
pub struct ProcessWebhook;

impl JobKind for ProcessWebhook {
    const KIND: &'static str = "webhook.process";
    const QUEUE: Queue = Queue::Webhooks;
    type Payload = WebhookRef;

    /// Half a worker's claim (`worker_concurrency`, 64 by default), so two
    /// batches run at once: one's reads and routing overlap the other's
    /// tenant writes, which queue for SQLite's one writer either way. Each
    /// shares its two system transactions among 32 webhooks and gathers a
    /// tenant's events of 32 webhooks in one write; a batch's last
    /// transaction (marking 32 webhooks) stays short for the intake.
    const BATCH: usize = 32;

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

    /// The batch's webhooks together; if the batch as a whole fails (or
    /// panics), each webhook on its own, so one that cannot be processed
    /// holds back no other.
    async fn run_batch(state: &AppState, _: Option<TenantId>, payloads: Vec<WebhookRef>) -> Batch {
        use futures::FutureExt as _;
        let ids: Vec<WebhookId> = payloads.iter().map(|p| p.delivery_id).collect();
        let together = std::panic::AssertUnwindSafe(super::process::process_webhooks(state, &ids))
            .catch_unwind()
            .await;
        let error = match together {
            Ok(Ok(p)) => {
                let outcomes = p.webhooks.into_iter().map(|w| match w {
                    Ok(_) => Outcome::Done,
                    Err(e) => Outcome::retry(format!("{e:#}")),
                });
                return Batch {
                    commit: p.sys.map_or(Commit::Nothing, Commit::System),
                    outcomes: outcomes.collect(),
                };
            }
            Ok(Err(e)) => format!("{e:#}"),
            Err(panic) => panic_message(&*panic),
        };
        let mut outcomes = Vec::with_capacity(ids.len());
        if ids.len() == 1 {
            outcomes.push(Outcome::retry(error));
        } else {
            tracing::warn!(error = %error, webhooks = ids.len(), "processing a batch of webhooks failed; processing each on its own");
            for id in ids {
                outcomes.push(process_alone(state, id).await);
            }
        }
        Batch {
            commit: Commit::Nothing,
            outcomes,
        }
    }
}

/// Processes stored webhook `id` on its own and commits it (a batch's
/// fallback: the next webhook needs the writer this one would hold).
async fn process_alone(state: &AppState, id: WebhookId) -> Outcome {
    use futures::FutureExt as _;
    let run = async {
        if let Some((_, sys)) = super::process::process_webhook(state, id).await? {
            sys.commit().await?;
        }
        anyhow::Ok(())
    };
    match std::panic::AssertUnwindSafe(run).catch_unwind().await {
        Ok(Ok(())) => Outcome::Done,
        Ok(Err(e)) => Outcome::retry(format!("{e:#}")),
        Err(panic) => Outcome::retry(panic_message(&*panic)),
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

    /// A busy tenant's claimed sends go out in batches
    /// ([`super::send_batch`]) of 32 (32 ms of a number at 1,000/s), several
    /// in flight at once (`Queue::concurrency`): one waits for its slots
    /// while another is read, claimed or recorded.
    const BATCH: usize = 32;

    fn lane(p: &Send) -> i64 {
        p.lane.priority()
    }

    async fn run_batch(state: &AppState, tenant: Option<TenantId>, p: Vec<Send>) -> Batch {
        let ids: Vec<MessageId> = p.iter().map(|s| s.message_id).collect();
        let Some(tenant) = tenant else {
            let outcomes = ids
                .iter()
                .map(|_| Outcome::Fail {
                    error: "send job without tenant".into(),
                })
                .collect();
            return Batch {
                commit: Commit::Nothing,
                outcomes,
            };
        };
        match super::send_batch::deliver_batch(state, tenant, &ids).await {
            Ok((tx, attempts)) => Batch {
                commit: Commit::Tenant(tx),
                outcomes: attempts.into_iter().map(outcome).collect(),
            },
            Err(e) => {
                let error = format!("{e:#}");
                Batch {
                    commit: Commit::Nothing,
                    outcomes: ids.iter().map(|_| Outcome::retry(&error)).collect(),
                }
            }
        }
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: Send) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "send job without tenant".into(),
            };
        };
        match deliver(state, tenant, p.message_id).await {
            Ok(attempt) => outcome(attempt),
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

/// What a send attempt means for its job.
fn outcome(attempt: SendAttempt) -> Outcome {
    match attempt {
        SendAttempt::Settled => Outcome::Done,
        SendAttempt::Recorded(tx) => Outcome::CommitTenant(tx),
        SendAttempt::Retry { reason, after_ms } => Outcome::Retry {
            error: reason,
            after_ms: Some(after_ms),
        },
        SendAttempt::Wait { reason } => Outcome::Wait { reason },
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
