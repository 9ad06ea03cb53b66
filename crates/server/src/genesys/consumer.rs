//! The `genesys.bridge` consumer of each linked workspace's event log, in
//! the transaction that moves its cursor:
//!
//! - a customer's message in a conversation with Genesys is queued for
//!   Genesys; one on a number that sends everything to Genesys, or
//!   holding one of its keywords, hands the conversation over first;
//! - a message's media, once stored (or failed), lets it go;
//! - the delivery or failure of a message we sent for a Genesys agent is
//!   queued as a receipt for the agent's message.
//!
//! Queued rows are said by [`super::push`]; a crash before the commit
//! redoes the batch, and each row's `dedupe` key keeps it single.

use super::handover::{self, Reason};
use super::push;
use crate::automations::conditions::{has_keyword, message_text};
use crate::error::AppError;
use crate::events::{Consumer, poll_having};
use crate::state::AppState;
use domain::events::{MediaRef, MessageFailed, MessageRef};
use domain::{MessageId, Timestamp};
use futures::future::BoxFuture;
use genesys::wire::{Party, Reason as ReceiptReason, Receipt, ReceiptChannel};
use store::TenantTx;
use store::events::{CursorStart, StoredEvent, Table};
use store::genesys::outbox::{NewOutboxItem, OutboxKind};

/// Events per batch (one transaction).
const BATCH: i64 = 200;

/// The bridge's consumer of the event log, as of `now`.
pub struct Bridge {
    pub now: Timestamp,
}

impl Consumer for Bridge {
    const NAME: &'static str = "genesys.bridge";
    const START: CursorStart = CursorStart::Latest;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        for event in events {
            let payload = || event.payload.clone();
            match event.name.as_str() {
                "message.received" => {
                    if let Ok(m) = serde_json::from_value::<MessageRef>(payload()) {
                        received(tx, &m, self.now).await?;
                    }
                }
                "media.stored" | "media.failed" => {
                    if let Ok(m) = serde_json::from_value::<MediaRef>(payload()) {
                        for h in tx.release_genesys_outbox(m.message_id).await? {
                            push::enqueue(tx, h, self.now).await?;
                        }
                    }
                }
                "message.delivered" => {
                    if let Ok(m) = serde_json::from_value::<MessageRef>(payload()) {
                        receipt(tx, m.message_id, "Delivered", None, self.now).await?;
                    }
                }
                "message.failed" => {
                    if let Ok(m) = serde_json::from_value::<MessageFailed>(payload()) {
                        let reason = ReceiptReason {
                            code: genesys::wire::reason_for_whatsapp_code(m.error.code).into(),
                            message: Some(match m.error.code {
                                Some(code) => format!("WhatsApp {code}: {}", m.error.title),
                                None => m.error.title.clone(),
                            }),
                        };
                        receipt(tx, m.message.message_id, "Failed", Some(reason), self.now).await?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// A customer's message: to Genesys if its conversation is (or now goes)
/// there.
async fn received(tx: &mut TenantTx, m: &MessageRef, now: Timestamp) -> anyhow::Result<()> {
    let open = tx.find_open_handover(m.conversation_id).await?;
    let (handover, message) = match open {
        Some(h) => (h, tx.find_message(m.message_id).await?),
        None => {
            let Some(link) = tx.find_genesys_link_of(m.channel_id).await? else {
                return Ok(());
            };
            let message = tx.find_message(m.message_id).await?;
            let reason = if link.routing == "all" {
                Reason::Routing
            } else if message_text(&message.content)
                .is_some_and(|t| link.keywords.iter().any(|k| has_keyword(&t, k)))
            {
                Reason::Keyword
            } else {
                return Ok(());
            };
            match handover::hand_over_in(tx, m.conversation_id, reason, "customer", now).await {
                Ok((h, _)) => (h, message),
                // A rule (no WhatsApp id) or a plan without the bridge:
                // the conversation stays here.
                Err(AppError::Rule(code, why) | AppError::Forbidden(code, why)) => {
                    tracing::info!(code, why, "a conversation could not go to Genesys");
                    return Ok(());
                }
                Err(e) => return Err(anyhow::anyhow!("{e:#}")),
            }
        }
    };
    handover::forward_in(tx, &handover, &message, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:#}"))
}

/// A status of `message`: a receipt for the agent's message it carried, if
/// it carried one.
async fn receipt(
    tx: &mut TenantTx,
    message: MessageId,
    status: &str,
    reason: Option<ReceiptReason>,
    now: Timestamp,
) -> anyhow::Result<()> {
    let Some(reply) = tx.find_genesys_reply_of(message).await? else {
        return Ok(());
    };
    let handover = tx.find_handover(reply.handover_id).await?;
    queue_receipt(
        tx,
        &handover,
        &reply.genesys_message_id,
        status,
        reason,
        now,
    )
    .await
}

/// Queues a receipt for agent message `genesys_id` of `handover`, once
/// per status.
pub async fn queue_receipt(
    tx: &mut TenantTx,
    handover: &store::genesys::handovers::Handover,
    genesys_id: &str,
    status: &str,
    reason: Option<ReceiptReason>,
    now: Timestamp,
) -> anyhow::Result<()> {
    let body = Receipt {
        id: genesys_id.to_owned(),
        channel: ReceiptChannel {
            to: Party {
                id: handover.wa_id.clone(),
                id_type: Some("Phone".into()),
                ..Party::default()
            },
            time: now.to_rfc3339_millis(),
        },
        status: status.to_owned(),
        direction: "Outbound".into(),
        is_final_receipt: true,
        reasons: reason.into_iter().collect(),
    };
    let body = serde_json::to_string(&body)?;
    let dedupe = format!("receipt:{genesys_id}:{status}");
    let queued = tx
        .queue_genesys_outbox(&NewOutboxItem {
            handover_id: handover.id,
            kind: OutboxKind::Receipt,
            dedupe: &dedupe,
            message_id: None,
            body: Some(&body),
            waiting: false,
            now,
        })
        .await?;
    if queued {
        push::enqueue(tx, handover.id, now).await?;
    }
    Ok(())
}

/// One round of the consumer, for the linked workspaces that are behind.
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(poll_having(state, Table::GenesysLinks, BATCH, |now| {
        Bridge { now }
    }))
}
