//! The `analytics` consumer of every workspace's event log: each batch of
//! events becomes deltas to the counts ([`Tally`]), updates to the
//! conversations response times are measured on, and marks, all in the
//! transaction that moves its cursor, so nothing is counted twice or lost.
//!
//! A workspace whose counts were made in another time zone than its own
//! (or never made) is rebuilt from stored history first ([`rebuild`]).

use super::rebuild;
use super::tally::{REPLY_WINDOW_MS, Tally, is_person, metric, user_of};
use crate::events::{Consumer, poll_every};
use crate::state::AppState;
use domain::events::MessageRef;
use domain::{BookingId, ConversationId, ServiceId, TeamId, Timestamp, UserId};
use futures::future::BoxFuture;
use serde_json::Value;
use store::analytics::{BookingMark, Episode};
use store::events::{CursorStart, StoredEvent};
use store::{StoreError, TenantTx};

/// The consumer's cursor name.
pub const CONSUMER: &str = "analytics";
/// Events per batch (one transaction).
const BATCH: i64 = 500;
/// Workspaces a round recounts, at most.
const TENANTS_PER_ROUND: i64 = 100;

/// The consumer, as of `now`.
pub struct Rollup {
    pub now: Timestamp,
}

impl Consumer for Rollup {
    const NAME: &'static str = CONSUMER;
    const START: CursorStart = CursorStart::Latest;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        let Some(zone) = rebuild::zone_if_current(tx).await? else {
            // The rebuild follows the conversations through these events,
            // counts everything committed so far, these events included,
            // and moves the cursor past them.
            rebuild::rebuild(tx, self.now).await?;
            return Ok(());
        };
        let mut tally = Tally::new(zone);
        for event in events {
            count(tx, &mut tally, event).await?;
        }
        tx.add_analytics_counts(&tally.counts()).await?;
        Ok(())
    }
}

/// What one event changes.
pub(super) async fn count(
    tx: &mut TenantTx,
    tally: &mut Tally,
    e: &StoredEvent,
) -> anyhow::Result<()> {
    let p = &e.payload;
    match e.name.as_str() {
        "message.received" | "message.queued" | "message.echoed" => {
            let Some(m) = message(tx, p).await? else {
                return Ok(());
            };
            tally.stored(&m);
            if m.inbound {
                customer_wrote(tx, tally, &m).await?;
            } else if m.sent_by.as_deref().is_some_and(is_person) {
                person_answered(tx, &m).await?;
            }
        }
        "message.sent" | "message.delivered" | "message.read" | "message.played"
        | "message.failed" => {
            let Some(m) = message(tx, p).await? else {
                return Ok(());
            };
            if e.name == "message.failed" {
                tally.failed(&m);
            }
            let mark = tx.find_message_mark(m.id).await?;
            let next = tally.progress(&m, mark);
            if next != mark {
                tx.upsert_message_mark(m.id, next).await?;
            }
        }
        "conversation.opened" => {
            if let Some(id) = id_in(p, "conversation_id") {
                open(tx, tally, ConversationId::from_uuid(id), e.created_at).await?;
            }
        }
        "conversation.status_changed" => {
            let Some(id) = id_in(p, "conversation_id").map(ConversationId::from_uuid) else {
                return Ok(());
            };
            if p["status"] == "resolved" {
                if let Some(mut ep) = unresolved(tx, id).await? {
                    ep.resolved_at = Some(e.created_at);
                    tally.add(
                        e.created_at,
                        metric::RESOLVED,
                        &ep.channel_id.to_string(),
                        "",
                        1,
                    );
                    tx.upsert_episode(&ep).await?;
                }
            } else if p["previous_status"] == "resolved" {
                open(tx, tally, id, e.created_at).await?;
            }
        }
        "conversation.assigned" | "conversation.team_changed" => {
            let Some(id) = id_in(p, "conversation_id").map(ConversationId::from_uuid) else {
                return Ok(());
            };
            if let Some(mut ep) = unresolved(tx, id).await? {
                if e.name == "conversation.assigned" {
                    ep.assigned_user_id = id_in(p, "assigned_user_id").map(UserId::from_uuid);
                } else {
                    ep.team_id = id_in(p, "team_id").map(TeamId::from_uuid);
                }
                tx.upsert_episode(&ep).await?;
            }
        }
        "workflow_run.completed" | "workflow_run.failed" => {
            let status = e.name.trim_start_matches("workflow_run.");
            let workflow = p["workflow_id"].as_str().unwrap_or_default();
            let name = format!("{}{status}", metric::AUTOMATION);
            tally.add(e.created_at, &name, workflow, "", 1);
        }
        "booking.created"
        | "booking.rescheduled"
        | "booking.cancelled"
        | "booking.status_changed" => booking(tx, tally, p).await?,
        _ => {}
    }
    Ok(())
}

/// The message an event names, if it still exists.
async fn message(
    tx: &mut TenantTx,
    payload: &Value,
) -> anyhow::Result<Option<store::analytics::MessageFacts>> {
    let Ok(r) = serde_json::from_value::<MessageRef>(payload.clone()) else {
        return Ok(None);
    };
    Ok(tx.analytics_message(r.message_id).await?)
}

/// A customer's message: the conversation's clock for a first response
/// starts (if it had not), and it may answer a campaign.
async fn customer_wrote(
    tx: &mut TenantTx,
    tally: &mut Tally,
    m: &store::analytics::MessageFacts,
) -> anyhow::Result<()> {
    let Some(mut ep) = open(tx, tally, m.conversation_id, m.created_at).await? else {
        return Ok(());
    };
    if ep.customer_at.is_none() {
        ep.customer_at = Some(m.created_at);
        tx.upsert_episode(&ep).await?;
    }
    let since = Timestamp::from_millis(m.created_at.as_millis() - REPLY_WINDOW_MS);
    if let Some(c) = tx
        .last_campaign_message(m.conversation_id, since, m.created_at)
        .await?
    {
        let mut mark = tx.find_message_mark(c.id).await?;
        if !mark.replied {
            tally.replied(&c);
            mark.replied = true;
            tx.upsert_message_mark(c.id, mark).await?;
        }
    }
    Ok(())
}

/// A person's message: the first one after the customer's is the
/// conversation's first response.
async fn person_answered(
    tx: &mut TenantTx,
    m: &store::analytics::MessageFacts,
) -> anyhow::Result<()> {
    let Some(mut ep) = unresolved(tx, m.conversation_id).await? else {
        return Ok(());
    };
    if ep.responded_at.is_none() && ep.customer_at.is_some_and(|c| c <= m.created_at) {
        ep.responded_at = Some(m.created_at);
        ep.responder_user_id = m.sent_by.as_deref().and_then(user_of);
        tx.upsert_episode(&ep).await?;
    }
    Ok(())
}

/// The conversation's episode that has not been resolved, if any.
async fn unresolved(tx: &mut TenantTx, id: ConversationId) -> anyhow::Result<Option<Episode>> {
    Ok(tx
        .latest_episode(id)
        .await?
        .filter(|e| e.resolved_at.is_none()))
}

/// The episode of conversation `id` under way, or one started at `at`
/// and counted as opened; `None` if the conversation is gone.
async fn open(
    tx: &mut TenantTx,
    tally: &mut Tally,
    id: ConversationId,
    at: Timestamp,
) -> anyhow::Result<Option<Episode>> {
    if let Some(ep) = unresolved(tx, id).await? {
        return Ok(Some(ep));
    }
    let c = match tx.find_conversation(id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let ep = Episode {
        conversation_id: id,
        opened_at: at,
        channel_id: c.channel_id,
        team_id: c.team_id,
        assigned_user_id: c.assigned_user_id,
        customer_at: None,
        responded_at: None,
        responder_user_id: None,
        resolved_at: None,
    };
    tx.upsert_episode(&ep).await?;
    tally.add(at, metric::OPENED, &c.channel_id.to_string(), "", 1);
    Ok(Some(ep))
}

/// A booking's event: what it added to the counts is taken back and what
/// it adds now is added (by its service, start and status).
async fn booking(tx: &mut TenantTx, tally: &mut Tally, p: &Value) -> anyhow::Result<()> {
    let (Some(id), Some(service), Some(starts), Some(status)) = (
        id_in(p, "booking_id").map(BookingId::from_uuid),
        id_in(p, "service_id").map(ServiceId::from_uuid),
        p["starts_at"].as_str().and_then(Timestamp::parse_rfc3339),
        p["status"].as_str(),
    ) else {
        return Ok(());
    };
    let (day, hour) = tally.local(starts);
    let now = BookingMark {
        service_id: service,
        day,
        hour,
        status: status.to_owned(),
    };
    apply_booking(tally, tx.find_booking_mark(id).await?.as_ref(), &now);
    tx.upsert_booking_mark(id, &now).await?;
    Ok(())
}

/// Moves a booking's contribution from `before` (if it had one) to `now`.
pub fn apply_booking(tally: &mut Tally, before: Option<&BookingMark>, now: &BookingMark) {
    if let Some(b) = before {
        let metric = format!("{}{}", metric::BOOKING, b.status);
        tally.add_local(
            b.day.clone(),
            b.hour,
            &metric,
            &b.service_id.to_string(),
            "",
            -1,
        );
    }
    let metric = format!("{}{}", metric::BOOKING, now.status);
    tally.add_local(
        now.day.clone(),
        now.hour,
        &metric,
        &now.service_id.to_string(),
        "",
        1,
    );
}

fn id_in(p: &Value, key: &str) -> Option<uuid::Uuid> {
    p[key].as_str().and_then(|s| s.parse().ok())
}

/// One round: every workspace met for the first time or in a new time
/// zone is counted anew ([`rebuild`]: a zone changes without an event, and
/// a workspace's first events come before the consumer's cursor); then
/// every workspace whose cursor is behind gets one batch. Registered as a
/// poller (`super::jobs`).
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(async move {
        let recount = {
            let mut sys = state.store.system_read().await?;
            let r = sys.tenants_to_recount(TENANTS_PER_ROUND).await?;
            sys.commit().await?;
            r
        };
        let mut total = 0;
        for tenant in recount {
            match rebuild::rebuild_tenant(state, tenant).await {
                Ok(()) => total += 1,
                Err(e) => {
                    tracing::error!(tenant_id = %tenant, error = %format!("{e:#}"), "analytics rebuild failed");
                }
            }
        }
        Ok(total + poll_every(state, BATCH, |now| Rollup { now }).await?)
    })
}
