//! Meta's statuses of the messages the business sent: the current status
//! moves forward only (`sent → delivered → read → played`, `failed` final);
//! a status that comes after a later one is kept in the message's history,
//! flagged, and reported as `message.status_out_of_order`.

use super::apply::{message_ref, unhandled};
use crate::events::{Event, record};
use domain::events::{MessageError, MessageFailed, MessageStatusOutOfOrder};
use domain::messaging::MessageStatus;
use domain::{MessageId, Timestamp};
use store::channels::Channel;
use store::inbox::{Direction, Message, StatusApplied, StatusUpdate};
use store::{StoreError, TenantTx};
use whatsapp::{Status, StatusKind};

/// The event of an outbound message reaching `status`, if it has one.
pub fn status_event(
    m: &Message,
    status: MessageStatus,
    error: Option<MessageError>,
) -> Option<Event> {
    let r = message_ref(m);
    Some(match status {
        MessageStatus::Sent => Event::MessageSent(r),
        MessageStatus::Delivered => Event::MessageDelivered(r),
        MessageStatus::Read => Event::MessageRead(r),
        MessageStatus::Played => Event::MessagePlayed(r),
        MessageStatus::Failed => Event::MessageFailed(MessageFailed {
            message: r,
            error: error.unwrap_or(MessageError {
                code: None,
                title: "failed".into(),
            }),
        }),
        MessageStatus::Received | MessageStatus::Queued => return None,
    })
}

pub(super) async fn apply_status(
    tx: &mut TenantTx,
    channel: &Channel,
    status: &Status,
    now: Timestamp,
) -> anyhow::Result<()> {
    let next = match &status.status {
        StatusKind::Sent => MessageStatus::Sent,
        StatusKind::Delivered => MessageStatus::Delivered,
        StatusKind::Read => MessageStatus::Read,
        StatusKind::Played => MessageStatus::Played,
        StatusKind::Failed => MessageStatus::Failed,
        _ => {
            let raw = serde_json::to_value(status)?;
            record(tx, unhandled(channel, "status_unknown", raw), now);
            return Ok(());
        }
    };
    let message = match find_status_target(tx, status, now).await? {
        Some(m) if m.direction == Direction::Outbound => m,
        // Statuses are about what the business sent: one naming a
        // customer's message changes nothing.
        Some(_) => {
            let raw = serde_json::to_value(status)?;
            record(tx, unhandled(channel, "status_for_inbound", raw), now);
            return Ok(());
        }
        None => {
            let raw = serde_json::to_value(status)?;
            record(tx, unhandled(channel, "status_unmatched", raw), now);
            return Ok(());
        }
    };
    let error = status.errors.first();
    let occurred = status
        .timestamp_secs()
        .map(Timestamp::from_unix_seconds)
        .unwrap_or(now);
    let applied = tx
        .record_message_status(
            message.id,
            StatusUpdate {
                status: next,
                occurred_at: occurred,
                error_code: error.and_then(|e| e.code),
                error_title: error.and_then(|e| e.title.as_deref()),
                error_detail: error.and_then(|e| e.details()),
                now,
            },
        )
        .await?;
    match applied {
        StatusApplied::Advanced => {
            let failure = error.map(|e| MessageError {
                code: e.code,
                title: e.title.clone().unwrap_or_default(),
            });
            if let Some(event) = status_event(&message, next, failure) {
                record(tx, event, now);
            }
        }
        StatusApplied::OutOfOrder => {
            let event = Event::MessageStatusOutOfOrder(MessageStatusOutOfOrder {
                message: message_ref(&message),
                status: next,
                current_status: message.status,
            });
            record(tx, event, now);
        }
        StatusApplied::Repeat => {}
    }
    Ok(())
}

/// The message a status is about: by wamid; or, if our send's answer was
/// never recorded (a crash between Meta's 200 and our commit), by the
/// message id we put in `biz_opaque_callback_data` (and the wamid is
/// recorded now).
async fn find_status_target(
    tx: &mut TenantTx,
    status: &Status,
    now: Timestamp,
) -> anyhow::Result<Option<Message>> {
    match tx.find_message_by_wamid(&status.id).await {
        Ok(m) => return Ok(Some(m)),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let Some(id) = status
        .biz_opaque_callback_data
        .as_deref()
        .and_then(|d| d.parse::<MessageId>().ok())
    else {
        return Ok(None);
    };
    match tx.find_message(id).await {
        Ok(m) => {
            tx.set_message_wamid(m.id, &status.id, now).await?;
            Ok(Some(m))
        }
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
