//! Meta's statuses of the messages the business sent: the current status
//! moves forward only (`sent → delivered → read → played`, `failed` final);
//! a status that comes after a later one is kept in the message's history,
//! flagged, and reported as `message.status_out_of_order`.

use super::apply::{message_ref, unhandled};
use crate::events::{Event, record};
use domain::events::{MessageError, MessageFailed, MessageStatusOutOfOrder};
use domain::messaging::MessageStatus;
use domain::{MessageId, Timestamp};
use std::collections::HashMap;
use store::channels::Channel;
use store::inbox::{Direction, Message, StatusApplied, StatusOutcome, StatusUpdate};
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

/// What applying one status report comes to, decided before any of a
/// batch's writes.
enum Plan {
    /// Nothing to change: the event saying why.
    Unhandled(Event),
    /// The status of outbound message `message`, `reports[i]` of the batch.
    Report { i: usize, message: Message },
}

/// Applies status reports, in order, with what each changes in a few
/// statements for all of them (see
/// [`TenantTx::record_message_statuses`]); the events are recorded in the
/// reports' order, as if applied one after the other.
pub(super) async fn apply_statuses(
    tx: &mut TenantTx,
    statuses: &[(&Channel, &Status)],
    now: Timestamp,
) -> anyhow::Result<()> {
    let wamids: Vec<&str> = statuses.iter().map(|(_, s)| s.id.as_str()).collect();
    let mut found: HashMap<String, Message> = tx
        .find_messages_by_wamids(&wamids)
        .await?
        .into_iter()
        .filter_map(|m| Some((m.wamid.clone()?, m)))
        .collect();
    let mut plans = Vec::with_capacity(statuses.len());
    let mut reports = Vec::with_capacity(statuses.len());
    for (channel, status) in statuses {
        let Some(next) = message_status(&status.status) else {
            let raw = serde_json::to_value(status)?;
            plans.push(Plan::Unhandled(unhandled(channel, "status_unknown", raw)));
            continue;
        };
        let message = match found.get(&status.id) {
            Some(m) => Some(m.clone()),
            None => {
                let m = find_by_callback_data(tx, status, now).await?;
                if let Some(m) = &m {
                    found.insert(status.id.clone(), m.clone());
                }
                m
            }
        };
        let message = match message {
            Some(m) if m.direction == Direction::Outbound => m,
            // Statuses are about what the business sent: one naming a
            // customer's message changes nothing.
            Some(_) => {
                let raw = serde_json::to_value(status)?;
                plans.push(Plan::Unhandled(unhandled(
                    channel,
                    "status_for_inbound",
                    raw,
                )));
                continue;
            }
            None => {
                let raw = serde_json::to_value(status)?;
                plans.push(Plan::Unhandled(unhandled(channel, "status_unmatched", raw)));
                continue;
            }
        };
        let error = status.errors.first();
        let update = StatusUpdate {
            status: next,
            occurred_at: status
                .timestamp_secs()
                .map(Timestamp::from_unix_seconds)
                .unwrap_or(now),
            error_code: error.and_then(|e| e.code),
            error_title: error.and_then(|e| e.title.as_deref()),
            error_detail: error.and_then(|e| e.details()),
            now,
        };
        plans.push(Plan::Report {
            i: reports.len(),
            message,
        });
        reports.push((status, update));
    }
    let updates: Vec<(MessageId, StatusUpdate<'_>)> = plans
        .iter()
        .filter_map(|p| match p {
            Plan::Report { i, message } => Some((message.id, reports[*i].1.clone())),
            Plan::Unhandled(_) => None,
        })
        .collect();
    let outcomes = tx.record_message_statuses(&updates).await?;
    for plan in plans {
        let event = match plan {
            Plan::Unhandled(event) => Some(event),
            Plan::Report { i, message } => {
                let (status, update) = &reports[i];
                report_event(&message, status, update.status, outcomes[i])
            }
        };
        if let Some(event) = event {
            record(tx, event, now);
        }
    }
    Ok(())
}

/// Our status for Meta's, if we know it.
fn message_status(kind: &StatusKind) -> Option<MessageStatus> {
    Some(match kind {
        StatusKind::Sent => MessageStatus::Sent,
        StatusKind::Delivered => MessageStatus::Delivered,
        StatusKind::Read => MessageStatus::Read,
        StatusKind::Played => MessageStatus::Played,
        StatusKind::Failed => MessageStatus::Failed,
        _ => return None,
    })
}

/// The event of `message` getting report `status` (our `next`), by what
/// applying it did.
fn report_event(
    message: &Message,
    status: &Status,
    next: MessageStatus,
    outcome: StatusOutcome,
) -> Option<Event> {
    match outcome.applied {
        StatusApplied::Advanced => {
            let failure = status.errors.first().map(|e| MessageError {
                code: e.code,
                title: e.title.clone().unwrap_or_default(),
            });
            status_event(message, next, failure)
        }
        StatusApplied::OutOfOrder => {
            Some(Event::MessageStatusOutOfOrder(MessageStatusOutOfOrder {
                message: message_ref(message),
                status: next,
                current_status: outcome.before,
            }))
        }
        StatusApplied::Repeat => None,
    }
}

/// The message a status no message's wamid matched is about, if our
/// send's answer was never recorded (a crash between Meta's 200 and our
/// commit): by the message id we put in `biz_opaque_callback_data` (and the
/// wamid is recorded now).
async fn find_by_callback_data(
    tx: &mut TenantTx,
    status: &Status,
    now: Timestamp,
) -> anyhow::Result<Option<Message>> {
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
