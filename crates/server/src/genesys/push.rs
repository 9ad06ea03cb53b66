//! The `genesys.push` job: says what is queued for a hand-over to
//! Genesys, one row after another in the order queued: a customer's
//! message (built now, with a fresh link to its media), a receipt, an
//! event. Each row is claimed before the call and settled after it, so
//! two workers never send one row; Genesys busy or unreachable (`429`,
//! `5xx`) is tried again after its `Retry-After` or a growing pause, and
//! the rows behind wait, keeping the order. A row Genesys refuses for good
//! is marked failed and the next goes.
//!
//! The bridge's traffic is limited per minute by the workspace's plan
//! (`genesys_per_minute`): over it, rows wait for the minute to pass.

use super::media_link;
use super::render;
use super::tokens::{CallError, call};
use crate::jobs::{JobKind, Outcome, Queue};
use crate::state::AppState;
use domain::{HandoverId, MessageId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use store::StoreError;
use store::genesys::outbox::{Head, OutboxItem, OutboxKind};
use store::inbox::MediaStatus;

/// How long a claimed row is out of reach of other workers: longer than
/// a call can take.
const CLAIM_MS: i64 = 20_000;
/// Rows one run says at most before it makes way for other jobs.
const ROWS_PER_RUN: usize = 50;
/// The first pause after a failure; each next one twice as long, up to
/// [`MAX_PAUSE_MS`].
const FIRST_PAUSE_MS: i64 = 5_000;
const MAX_PAUSE_MS: i64 = 600_000;
/// How long a row is tried before it is given up.
const GIVE_UP_AFTER_MS: i64 = 3 * 86_400_000;

/// Which hand-over's queue to say.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PushPayload {
    pub handover_id: HandoverId,
}

/// Says a hand-over's queue to Genesys.
pub struct Push;

impl JobKind for Push {
    const KIND: &'static str = "genesys.push";
    const QUEUE: Queue = Queue::Hooks;
    /// Rows count their own attempts and are given up after three days;
    /// the job never gives up first.
    const MAX_ATTEMPTS: i64 = 1_000_000;
    type Payload = PushPayload;

    fn dedupe_key(_: &PushPayload) -> Option<String> {
        None
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: PushPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a Genesys push without a tenant".into(),
            };
        };
        match run(state, tenant, p.handover_id).await {
            Ok(Some(Later { ms, why })) => Outcome::Retry {
                error: why.into(),
                after_ms: Some(ms),
            },
            Ok(None) => Outcome::Done,
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }
}

/// Queues a push of `handover`'s queue, in the caller's transaction.
pub async fn enqueue(
    tx: &mut store::TenantTx,
    handover: HandoverId,
    now: Timestamp,
) -> store::StoreResult<()> {
    let payload = PushPayload {
        handover_id: handover,
    };
    crate::jobs::enqueue::<Push>(tx, &payload, now).await
}

/// When the next run must come, and why.
struct Later {
    ms: i64,
    why: &'static str,
}

/// Says rows until the queue is empty or blocked; when to run again, if
/// it must.
async fn run(
    state: &AppState,
    tenant: TenantId,
    handover: HandoverId,
) -> anyhow::Result<Option<Later>> {
    for _ in 0..ROWS_PER_RUN {
        let now = state.now();
        if let Some(ms) = over_limit(state, tenant, now).await? {
            return Ok(Some(Later {
                ms,
                why: "over the plan's bridge messages a minute",
            }));
        }
        let head = {
            let mut tx = state.store.tenant(tenant).await?;
            let head = tx
                .claim_genesys_outbox(
                    handover,
                    now,
                    Timestamp::from_millis(now.as_millis() + CLAIM_MS),
                )
                .await?;
            tx.commit().await?;
            head
        };
        let item = match head {
            Head::Waiting {
                message_id: Some(message),
            } => {
                if released(state, tenant, message).await? {
                    continue;
                }
                return Ok(None);
            }
            Head::Empty | Head::Waiting { .. } | Head::Blocked { until: None } => return Ok(None),
            Head::Blocked { until: Some(at) } => {
                return Ok(Some(Later {
                    ms: (at.as_millis() - now.as_millis()).max(0),
                    why: "the head of the queue waits (its next attempt, or another worker)",
                }));
            }
            Head::Claimed(item) => item,
        };
        let said = say(state, tenant, &item).await;
        let now = state.now();
        let mut tx = state.store.tenant(tenant).await?;
        match said {
            Ok(said) => {
                tx.settle_genesys_outbox_sent(item.id, said.genesys_id.as_deref(), now)
                    .await?;
                if let Some(conversation) = said.conversation_id {
                    let check = Timestamp::from_millis(
                        now.as_millis() + state.config.genesys_check_seconds * 1000,
                    );
                    tx.set_handover_conversation(handover, &conversation, check)
                        .await?;
                }
                tx.commit().await?;
            }
            Err(Problem::Later(error, wait)) => {
                let too_old = now.as_millis() - item.created_at.as_millis() > GIVE_UP_AFTER_MS;
                let at = (!too_old).then(|| Timestamp::from_millis(now.as_millis() + wait));
                tx.settle_genesys_outbox_later(item.id, &error, at).await?;
                tx.commit().await?;
                if !too_old {
                    return Ok(Some(Later {
                        ms: wait,
                        why: "Genesys could not take it now",
                    }));
                }
            }
            Err(Problem::Never(error)) => {
                tracing::warn!(tenant_id = %tenant, kind = item.kind.as_str(), error,
                    "Genesys refused a bridge message for good");
                tx.settle_genesys_outbox_later(item.id, &error, None)
                    .await?;
                tx.commit().await?;
            }
        }
    }
    Ok(Some(Later {
        ms: 0,
        why: "more to say: making way for other jobs",
    }))
}

/// Lets `message`'s rows go if its media is settled (stored or failed):
/// the `media.stored` event that does so may have passed before the row
/// was queued. Whether it did.
async fn released(state: &AppState, tenant: TenantId, message: MessageId) -> anyhow::Result<bool> {
    let mut tx = state.store.tenant(tenant).await?;
    let media = tx.list_media_of_messages(&[message]).await?;
    let settled = media.iter().all(|m| m.status != MediaStatus::Pending);
    if settled {
        tx.release_genesys_outbox(message).await?;
    }
    tx.commit().await?;
    Ok(settled)
}

/// The wait until the workspace's bridge traffic is under its plan's
/// per-minute limit again, if it is over it now.
async fn over_limit(
    state: &AppState,
    tenant: TenantId,
    now: Timestamp,
) -> anyhow::Result<Option<i64>> {
    let mut tx = state.store.tenant_read(tenant).await?;
    let plan = tx.find_plan().await?;
    let Some(limit) = plan.limits.genesys_per_minute else {
        tx.commit().await?;
        return Ok(None);
    };
    let used = tx
        .genesys_traffic_since(Timestamp::from_millis(now.as_millis() - 60_000))
        .await?;
    tx.commit().await?;
    Ok((used >= limit).then_some(1_000))
}

/// What Genesys answered a row.
struct Said {
    genesys_id: Option<String>,
    conversation_id: Option<String>,
}

/// Why a row did not go.
enum Problem {
    /// Try again after this many milliseconds.
    Later(String, i64),
    /// Never: Genesys refused it, or it cannot be built any more.
    Never(String),
}

fn pause(attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    let base = FIRST_PAUSE_MS
        .saturating_mul(2i64.saturating_pow(exp))
        .min(MAX_PAUSE_MS);
    let jitter: f64 = rand::random();
    base / 2 + ((base / 2) as f64 * jitter) as i64
}

impl Problem {
    fn of(e: CallError, attempts: i64) -> Problem {
        match &e {
            CallError::Genesys(g) if g.is_retryable() => {
                let wait = g
                    .retry_after_seconds()
                    .map(|s| s.saturating_mul(1000).clamp(0, MAX_PAUSE_MS))
                    .unwrap_or_else(|| pause(attempts));
                Problem::Later(format!("{e}"), wait)
            }
            CallError::Internal(_) => Problem::Later(format!("{e}"), pause(attempts)),
            // Credentials removed or refused: wait for new ones.
            CallError::NotConfigured => Problem::Later(format!("{e}"), MAX_PAUSE_MS),
            CallError::Genesys(g) if g.is_unauthorized() => {
                Problem::Later(format!("{e}"), MAX_PAUSE_MS)
            }
            CallError::Genesys(_) => Problem::Never(format!("{e}")),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Problem::Never("what it was about is gone".into()),
            other => Problem::Later(format!("{other}"), FIRST_PAUSE_MS),
        }
    }
}

/// Says `item` to Genesys.
async fn say(state: &AppState, tenant: TenantId, item: &OutboxItem) -> Result<Said, Problem> {
    let (integration, message) = {
        let mut tx = state.store.tenant_read(tenant).await?;
        let handover = tx.find_handover(item.handover_id).await?;
        let link = tx.find_genesys_link(handover.link_id).await?;
        let message = match (item.kind, item.message_id) {
            (OutboxKind::Message, Some(id)) => {
                let m = tx.find_message(id).await?;
                let conversation = tx.find_conversation(m.conversation_id).await?;
                let contact = tx.find_contact(conversation.contact_id).await?;
                let channel = tx.find_channel(m.channel_id).await?;
                let media = tx.list_media_of_messages(&[m.id]).await?.into_iter().next();
                let url = media
                    .as_ref()
                    .map(|x| media_link::url(state, tenant, x.id, state.now()));
                Some(render::inbound(&m, &contact, &channel, media.as_ref(), url))
            }
            _ => None,
        };
        tx.commit().await?;
        (link.integration_id, message)
    };
    let attempts = item.attempts;
    let body = item.body.as_deref().unwrap_or("{}");
    let result = match item.kind {
        OutboxKind::Message => {
            let Some(m) = message else {
                return Err(Problem::Never("a message row without its message".into()));
            };
            call!(state, tenant, |c, s| c.send_message(s, &integration, &m))
                .await
                .map(|r| Said {
                    genesys_id: Some(r.id),
                    conversation_id: r.conversation_id,
                })
        }
        OutboxKind::Receipt => {
            let r: genesys::wire::Receipt = serde_json::from_str(body)
                .map_err(|e| Problem::Never(format!("a receipt that does not read: {e}")))?;
            call!(state, tenant, |c, s| c.send_receipt(s, &integration, &r))
                .await
                .map(|()| Said {
                    genesys_id: None,
                    conversation_id: None,
                })
        }
        OutboxKind::Typing => {
            let e: genesys::wire::InboundEvent = serde_json::from_str(body)
                .map_err(|e| Problem::Never(format!("an event that does not read: {e}")))?;
            call!(state, tenant, |c, s| c.send_event(s, &integration, &e))
                .await
                .map(|()| Said {
                    genesys_id: None,
                    conversation_id: None,
                })
        }
    };
    result.map_err(|e| Problem::of(e, attempts))
}
