//! A customer's edit or deletion of an earlier message. Meta reports each
//! as a message of its own (`type: edit` with the new message, `type:
//! revoke`) naming the original by wamid: the original takes the new
//! content (its earlier content kept as a revision) or is marked deleted
//! (its content no longer shown). Neither is a message of its own; one
//! whose original we do not have is kept as `whatsapp.unhandled`.

use super::apply::{message_ref, unhandled};
use crate::events::{Event, record};
use domain::Timestamp;
use store::channels::Channel;
use store::inbox::{Direction, NewRevision, RevisionKind};
use store::{StoreError, TenantTx};
use whatsapp::InboundMessage;
use whatsapp::webhook::MessageContent;

pub(super) async fn apply_revision(
    tx: &mut TenantTx,
    channel: &Channel,
    message: &InboundMessage,
    at: Timestamp,
    now: Timestamp,
) -> anyhow::Result<()> {
    let (kind, original, edited, reason) = match &message.content {
        MessageContent::Edit {
            original_message_id,
            message: edited,
        } => (
            RevisionKind::Edited,
            original_message_id.as_deref(),
            edited.as_deref(),
            "edit_unmatched",
        ),
        MessageContent::Revoke {
            original_message_id,
        } => (
            RevisionKind::Deleted,
            original_message_id.as_deref(),
            None,
            "revoke_unmatched",
        ),
        _ => return Ok(()),
    };
    let target = match original {
        Some(wamid) => match tx.find_message_by_wamid(wamid).await {
            Ok(m) => Some(m),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    // Only the customer's own messages, in this number's conversation.
    let target = target.filter(|m| m.direction == Direction::Inbound && m.channel_id == channel.id);
    let Some(target) = target else {
        let raw = serde_json::to_value(message)?;
        record(tx, unhandled(channel, reason, raw), now);
        return Ok(());
    };
    let new_content = match edited {
        Some(edited) => {
            // The edited message as stored: Meta's message object, with the
            // original's ids (the edit's inner object often has none).
            let mut value = serde_json::to_value(edited)?;
            if let Some(map) = value.as_object_mut() {
                for key in ["from", "id", "timestamp"] {
                    if let Some(v) = target.content.get(key) {
                        map.insert(key.to_owned(), v.clone());
                    }
                }
            }
            Some((edited.kind().to_owned(), value))
        }
        None => None,
    };
    if kind == RevisionKind::Edited && new_content.is_none() {
        let raw = serde_json::to_value(message)?;
        record(tx, unhandled(channel, reason, raw), now);
        return Ok(());
    }
    let revised = tx
        .revise_message(NewRevision {
            message: &target,
            kind,
            wamid: &message.id,
            new_content: new_content.as_ref().map(|(k, v)| (k.as_str(), v)),
            occurred_at: at,
            now,
        })
        .await?;
    let Some(revised) = revised else {
        // A repeat of an edit or deletion we applied.
        return Ok(());
    };
    let event = match kind {
        RevisionKind::Edited => Event::MessageEdited(message_ref(&revised)),
        RevisionKind::Deleted => Event::MessageDeleted(message_ref(&revised)),
    };
    record(tx, event, now);
    Ok(())
}
