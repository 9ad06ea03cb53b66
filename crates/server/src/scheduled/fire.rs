//! When a scheduled message's time comes: its job ([`super::jobs`]) takes
//! the row (`TenantTx::claim_scheduled_message`: still `scheduled`, and
//! due), queues the message through the one sending path every sender
//! uses ([`crate::channels::send::queue_message`]: window, opt-out, quota,
//! number state, as they are *now*) and marks the row `sent` with the
//! message's id — all in one transaction, which also records the job's
//! completion. So the message is queued at most once: a crash before the
//! commit leaves neither, and the job runs again; a second run (a retry,
//! another node) finds the row `sent` and does nothing.
//!
//! A refusal marks it `failed` with the rule's code and message (in a
//! fresh transaction: nothing the refused attempt wrote is kept), and is
//! not retried. Only internal errors (the database, say) are retried, with
//! back-off; if the job gives up, the row fails with `internal_error`.
//!
//! Late: if its time passed more than [`LATE_LIMIT_SECONDS`] before it
//! could fire (the servers were down), it fails with `too_late` rather
//! than arrive out of context; within that, it goes late.

use super::{Content, event_ref};
use crate::channels::send::{Lane, Outgoing, SentBy, queue_message};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, ScheduledMessageFailed, ScheduledMessageSent};
use domain::messaging::WaId;
use domain::{ScheduledMessageId, TenantId, Timestamp};
use store::inbox::Message;
use store::scheduled::{Ending, ScheduledMessage};
use store::{StoreError, TenantTx};

/// How late a scheduled message may still go (1 hour).
pub const LATE_LIMIT_SECONDS: i64 = 3600;

/// Fires scheduled message `id` of `tenant` if it is due and still
/// scheduled: the transaction to commit (the message queued and the row
/// `sent`, or the row `failed`), or `None` if there was nothing to do.
/// An error is internal: try again later.
pub async fn fire(
    state: &AppState,
    tenant: TenantId,
    id: ScheduledMessageId,
) -> anyhow::Result<Option<TenantTx>> {
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let Some(m) = tx.claim_scheduled_message(id, now).await? else {
        return Ok(None);
    };
    let content = Content::of(&m)?;
    let late = (now.as_millis() - m.send_at.as_millis()) / 1000;
    if late > LATE_LIMIT_SECONDS {
        let reason = format!(
            "its time passed {} minutes before it could be sent (the service was unavailable); \
             it was not sent late",
            late / 60
        );
        fail(&mut tx, &m, &content, "too_late", &reason, now).await?;
        return Ok(Some(tx));
    }
    let refused = match attempt(&mut tx, &m, &content, now).await {
        Ok(message) => {
            if !tx
                .end_scheduled_message(id, Ending::Sent(message.id), now)
                .await?
            {
                anyhow::bail!("scheduled message {id} changed while it was being sent");
            }
            let event = ScheduledMessageSent {
                scheduled: event_ref(&m, &content),
                message_id: message.id,
                conversation_id: message.conversation_id,
            };
            record(&mut tx, Event::ScheduledMessageSent(event), now);
            return Ok(Some(tx));
        }
        Err(e) => e.refusal().ok_or_else(|| anyhow::anyhow!("{e:#}"))?,
    };
    // Nothing of the refused attempt stays (a conversation it started, say).
    drop(tx);
    let mut tx = state.store.tenant(tenant).await?;
    let Some(m) = tx.claim_scheduled_message(id, now).await? else {
        return Ok(None);
    };
    fail(&mut tx, &m, &content, &refused.0, &refused.1, now).await?;
    Ok(Some(tx))
}

/// Queues `m`'s message in `tx` under the sending rules.
async fn attempt(
    tx: &mut TenantTx,
    m: &ScheduledMessage,
    content: &Content,
    now: Timestamp,
) -> AppResult<Message> {
    let contact = tx.find_contact(m.contact_id).await?;
    let Some(wa_id) = contact.wa_id.as_deref() else {
        return Err(AppError::Rule(
            "contact_has_no_number",
            "this contact has no WhatsApp number to write to".into(),
        ));
    };
    if let Err(StoreError::NotFound) = tx.find_channel(m.channel_id).await {
        return Err(AppError::Rule(
            "channel_removed",
            "the number it was to be sent from was disconnected".into(),
        ));
    }
    let out = Outgoing {
        conversation_id: None,
        channel_id: Some(m.channel_id),
        to: Some(WaId::parse(wa_id)?),
        reply_to: None,
        content: content.outgoing(),
        lane: Lane::Conversational,
    };
    queue_message(tx, SentBy::Scheduled, out, now).await
}

/// Marks `m` failed with `code` and `reason`, with its event.
pub(super) async fn fail(
    tx: &mut TenantTx,
    m: &ScheduledMessage,
    content: &Content,
    code: &str,
    reason: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    if !tx
        .end_scheduled_message(m.id, Ending::Failed { code, reason }, now)
        .await?
    {
        return Ok(());
    }
    let event = ScheduledMessageFailed {
        scheduled: event_ref(m, content),
        code: code.to_owned(),
        reason: reason.to_owned(),
    };
    record(tx, Event::ScheduledMessageFailed(event), now);
    Ok(())
}

/// The job for time `send_at` gave up (internal errors, every attempt):
/// the message fails with `internal_error` rather than stay scheduled
/// forever — unless it was moved to another time since (that time's job
/// will fire it).
pub(super) async fn give_up(
    tx: &mut TenantTx,
    id: ScheduledMessageId,
    send_at: Timestamp,
    now: Timestamp,
) -> anyhow::Result<()> {
    let m = match tx.find_scheduled_message(id).await {
        Ok(m) if m.send_at == send_at => m,
        Ok(_) | Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let content = Content::of(&m)?;
    let reason = "an internal error kept it from being sent; see the server's log";
    fail(tx, &m, &content, "internal_error", reason, now).await
}
