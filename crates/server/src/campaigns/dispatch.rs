//! The dispatcher: a campaign sends in rounds, each a job
//! (`campaign.dispatch`) that hands the next recipients to the sending
//! queue in one transaction — each recipient's row moves from `pending`
//! to `queued` in the transaction that queues its message, so a crash
//! leaves both or neither, and a recipient is never queued twice (its row
//! is keyed by campaign and contact, and only a pending row moves).
//!
//! Rounds keep the number's queue [`AHEAD_SECONDS`] of sending deep: a
//! round tops the queue up to that (never more than [`MAX_ROUND`], than
//! its messaging-limit tier has room for in the last 24 hours, nor than
//! the month's quota has left), and the next round comes when the queue
//! is down to half of it — so the number never waits for a round, and a
//! pause leaves little queued. The sending queue paces every message to
//! the number's rate (`channels::pacing`), so a campaign never causes a
//! 130429 of its own. Rounds carry the
//! campaign's round number: a pause and resume starts a new chain, and a
//! round of an old chain does nothing.

use super::tier;
use super::variables::{self, Variable};
use crate::auth::{TenantCtx, Via};
use crate::channels::send::{Lane, SentBy, queue_prepaid_to};
use crate::error::AppError;
use crate::events::{Event, record};
use crate::jobs::{JobKind, Outcome, Queue, Registry, new_job};
use crate::state::AppState;
use crate::tenancy::limits::{Limit, remaining, take_many};
use domain::events::CampaignFinished;
use domain::{CampaignId, ContactId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::campaigns::{Campaign, CampaignStatus};
use store::channels::{Channel, ChannelStatus};
use store::inbox::Contact;
use store::{StoreError, TenantTx};
use whatsapp::outgoing::OutgoingContent;

/// Seconds of the number's sending its queue is kept deep.
pub const AHEAD_SECONDS: i64 = 2;
/// The soonest and latest a next round comes, in milliseconds.
const ROUND_AFTER_MS: (i64, i64) = (50, AHEAD_SECONDS * 1000);
/// The most recipients one round (one transaction) takes.
pub const MAX_ROUND: i64 = 500;
/// How long a campaign waits when its number's tier has no room.
pub const TIER_WAIT_SECONDS: i64 = 600;

pub fn register(registry: &mut Registry) {
    registry.register::<DispatchRound>();
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RoundPayload {
    pub campaign_id: CampaignId,
    pub round: i64,
}

/// One round of a campaign's sending.
pub struct DispatchRound;

impl JobKind for DispatchRound {
    const KIND: &'static str = "campaign.dispatch";
    const QUEUE: Queue = Queue::Tenants;
    const MAX_ATTEMPTS: i64 = 20;
    type Payload = RoundPayload;

    fn dedupe_key(p: &RoundPayload) -> Option<String> {
        Some(format!("campaign:{}:round:{}", p.campaign_id, p.round))
    }

    fn lane(_: &RoundPayload) -> i64 {
        10
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: RoundPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a campaign round without a tenant".into(),
            };
        };
        match round(state, tenant, p).await {
            Ok(tx) => {
                state.wake_workers();
                Outcome::CommitTenant(tx)
            }
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }

    async fn given_up(
        tx: &mut TenantTx,
        p: RoundPayload,
        error: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        tracing::error!(error, campaign_id = %p.campaign_id, "a campaign round failed for good");
        let mut c = tx.lock_campaign(p.campaign_id).await?;
        if c.status == CampaignStatus::Running && c.dispatch_round == p.round {
            c.status = CampaignStatus::Paused;
            c.status_reason = Some("internal_error: sending stopped; resume to try again".into());
            c.updated_at = now;
            tx.update_campaign(&c).await?;
            record(tx, Event::CampaignPaused(super::campaign_ref(&c)), now);
        }
        Ok(())
    }
}

/// Queues round `c.dispatch_round` of `c` to run at `at`.
pub async fn enqueue_round_at(
    tx: &mut TenantTx,
    c: &Campaign,
    at: Timestamp,
) -> store::StoreResult<()> {
    let payload = RoundPayload {
        campaign_id: c.id,
        round: c.dispatch_round,
    };
    tx.enqueue_job(new_job::<DispatchRound>(&payload, at))
        .await?;
    Ok(())
}

/// Queues round `c.dispatch_round` of `c` to run now.
pub async fn enqueue_round(
    tx: &mut TenantTx,
    c: &Campaign,
    now: Timestamp,
) -> store::StoreResult<()> {
    enqueue_round_at(tx, c, now).await
}

/// Runs one round; answers the transaction to commit with the job.
async fn round(state: &AppState, tenant: TenantId, p: RoundPayload) -> anyhow::Result<TenantTx> {
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let mut c = match tx.lock_campaign(p.campaign_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(tx),
        Err(e) => return Err(e.into()),
    };
    if c.status != CampaignStatus::Running || c.dispatch_round != p.round {
        return Ok(tx);
    }
    let channel = match tx.find_channel(c.channel_id).await {
        Ok(ch) => ch,
        Err(StoreError::NotFound) => {
            pause(
                &mut tx,
                &mut c,
                "channel_removed: the campaign's number was disconnected",
                now,
            )
            .await?;
            return Ok(tx);
        }
        Err(e) => return Err(e.into()),
    };
    if channel.status != ChannelStatus::Active {
        let why = format!(
            "channel_{}: the number cannot send ({}); resume once it can",
            channel.status.as_str(),
            channel
                .status_reason
                .as_deref()
                .unwrap_or("see its settings")
        );
        pause(&mut tx, &mut c, &why, now).await?;
        return Ok(tx);
    }
    let rate = channel.rate_limit.max(1);
    let ahead = rate * AHEAD_SECONDS;
    let backlog = tx.count_queued_messages(channel.id).await?;
    let mut take = (ahead - backlog).min(MAX_ROUND);
    if take <= 0 {
        // The queue is deep enough: look again when half of it has gone.
        let at = now.plus_millis(next_round_after_ms(backlog, ahead, rate));
        next_round(&mut tx, &mut c, at, now).await?;
        return Ok(tx);
    }
    if let Some(room) = tier::headroom(&mut tx, channel.id, now).await? {
        if room == 0 {
            c.status_reason = Some(
                "messaging_limit: the number reached its tier's customers for 24 hours; \
                 sending continues as room frees up"
                    .into(),
            );
            next_round(&mut tx, &mut c, now.plus_seconds(TIER_WAIT_SECONDS), now).await?;
            return Ok(tx);
        }
        take = take.min(room);
    }
    let mut batch = tx.pending_recipients(c.id, take).await?;
    // The month's quota, checked for the whole round at once and held
    // (other senders wait) until the round commits; a round that does not
    // fit takes what is left, and with nothing left the campaign pauses.
    if !take_many(&mut tx, Limit::MessagesThisMonth, batch.len() as i64, now).await? {
        let left = remaining(&mut tx, Limit::MessagesThisMonth, now)
            .await?
            .unwrap_or(0);
        if left == 0 {
            let why = "quota_exceeded: the plan's messages for this month are used up";
            pause(&mut tx, &mut c, why, now).await?;
            return Ok(tx);
        }
        batch.truncate(usize::try_from(left).unwrap_or(0));
    }
    let vars: Vec<Variable> = serde_json::from_value(c.variables.clone()).unwrap_or_default();
    let mut contacts: HashMap<ContactId, Contact> = tx
        .find_contacts(&batch)
        .await?
        .into_iter()
        .map(|k| (k.id, k))
        .collect();
    for id in &batch {
        let to = Recipient {
            id: *id,
            contact: contacts.remove(id),
        };
        send_to(&mut tx, &c, &channel, &vars, to, now).await?;
    }
    c.status_reason = None;
    if tx.pending_recipients(c.id, 1).await?.is_empty() {
        finish(&mut tx, &mut c, now).await?;
    } else {
        let queued = backlog + batch.len() as i64;
        let at = now.plus_millis(next_round_after_ms(queued, ahead, rate));
        next_round(&mut tx, &mut c, at, now).await?;
    }
    Ok(tx)
}

/// When the next round should come, with `queued` messages waiting on a
/// number sending `rate` a second: once the queue is down to half of
/// `ahead`.
fn next_round_after_ms(queued: i64, ahead: i64, rate: i64) -> i64 {
    let (soonest, latest) = ROUND_AFTER_MS;
    ((queued - ahead / 2) * 1000 / rate.max(1)).clamp(soonest, latest)
}

/// A recipient of a round: its contact, if it still exists.
struct Recipient {
    id: ContactId,
    contact: Option<Contact>,
}

/// Queues the message for one recipient, or settles why it gets none.
async fn send_to(
    tx: &mut TenantTx,
    c: &Campaign,
    channel: &Channel,
    vars: &[Variable],
    to: Recipient,
    now: Timestamp,
) -> anyhow::Result<()> {
    let id = to.id;
    let Some(contact) = to.contact else {
        let r = "contact_deleted: the contact was deleted";
        tx.settle_recipient(c.id, id, "skipped", None, Some(r), now)
            .await?;
        return Ok(());
    };
    let refusal = if contact.opted_out_at.is_some() {
        Some("contact_opted_out: the contact opted out of messages")
    } else if contact.wa_id.is_none() {
        Some("contact_has_no_number: no WhatsApp number to write to")
    } else {
        None
    };
    if let Some(r) = refusal {
        tx.settle_recipient(c.id, id, "skipped", None, Some(r), now)
            .await?;
        return Ok(());
    }
    let template =
        match variables::message_for(&c.template_name, &c.template_language, vars, &contact) {
            Ok(t) => t,
            Err(parameter) => {
                let r = format!("missing_value: {parameter} has no value for this contact");
                tx.settle_recipient(c.id, id, "skipped", None, Some(&r), now)
                    .await?;
                return Ok(());
            }
        };
    let content = OutgoingContent::Template { template };
    match queue_prepaid_to(
        tx,
        channel,
        &contact,
        SentBy::Campaign(c.id),
        content,
        Lane::Bulk,
        now,
    )
    .await
    {
        Ok(m) => {
            tx.settle_recipient(c.id, id, "queued", Some(m.id), None, now)
                .await?;
        }
        Err(AppError::Rule(code, msg)) | Err(AppError::TooManyRequests(code, msg, _)) => {
            let r = format!("{code}: {msg}");
            tx.settle_recipient(c.id, id, "failed", None, Some(&r), now)
                .await?;
        }
        Err(AppError::Validation(fields)) => {
            let r = format!("invalid: {fields:?}");
            tx.settle_recipient(c.id, id, "failed", None, Some(&r), now)
                .await?;
        }
        Err(e) => return Err(anyhow::anyhow!("{e:?}")),
    }
    Ok(())
}

async fn next_round(
    tx: &mut TenantTx,
    c: &mut Campaign,
    at: Timestamp,
    now: Timestamp,
) -> anyhow::Result<()> {
    c.dispatch_round += 1;
    c.updated_at = now;
    tx.update_campaign(c).await?;
    enqueue_round_at(tx, c, at).await?;
    Ok(())
}

async fn pause(
    tx: &mut TenantTx,
    c: &mut Campaign,
    why: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    c.status = CampaignStatus::Paused;
    c.status_reason = Some(why.to_owned());
    c.updated_at = now;
    tx.update_campaign(c).await?;
    let ctx = TenantCtx::system(tx.tenant_id(), Via::Worker);
    super::changed(tx, &ctx, c, "pause", now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
}

/// Every recipient is settled: the campaign is over, with its tally.
async fn finish(tx: &mut TenantTx, c: &mut Campaign, now: Timestamp) -> anyhow::Result<()> {
    c.status = CampaignStatus::Finished;
    c.finished_at = Some(now);
    c.updated_at = now;
    tx.update_campaign(c).await?;
    let tally = tx.campaign_tally(c.id).await?;
    let of = |k: &str| tally.get(k).copied().unwrap_or(0);
    let queued: i64 = tally
        .iter()
        .filter(|(k, _)| k.starts_with("message:"))
        .map(|(_, n)| n)
        .sum();
    let event = CampaignFinished {
        campaign_id: c.id,
        name: c.name.clone(),
        channel_id: c.channel_id,
        recipients: c.recipient_count,
        queued,
        skipped: of("skipped"),
        failed: of("failed"),
    };
    record(tx, Event::CampaignFinished(event), now);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_round_comes_when_the_queue_is_half_gone() {
        // 1,000/s keeps 2,000 queued: a round of 500 is followed at once.
        assert_eq!(next_round_after_ms(500, 2000, 1000), 50);
        assert_eq!(next_round_after_ms(2000, 2000, 1000), 1000);
        // 80/s keeps 160 queued: half of it goes in a second.
        assert_eq!(next_round_after_ms(160, 160, 80), 1000);
        // A queue far over (other sends on the number) waits at most this.
        assert_eq!(next_round_after_ms(100_000, 160, 80), AHEAD_SECONDS * 1000);
    }
}
