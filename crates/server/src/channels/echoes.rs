//! Messages the business sent from the WhatsApp Business app on a number
//! also connected here (coexistence, `smb_message_echoes`): they join the
//! customer's conversation as outbound messages Meta already sent, once
//! per wamid.

use super::apply::{Applied, KnownContacts, conversation_opened, message_ref, unhandled};
use super::senders::{SenderFacts, sender_contact};
use crate::events::{Event, record};
use domain::Timestamp;
use store::TenantTx;
use store::channels::Channel;
use store::inbox::NewEcho;
use whatsapp::InboundMessage;

pub(super) async fn apply_echo(
    tx: &mut TenantTx,
    channel: &Channel,
    message: &InboundMessage,
    known: &mut KnownContacts,
    now: Timestamp,
) -> anyhow::Result<Applied> {
    let Some(customer) = message.to.as_deref().filter(|t| !t.is_empty()) else {
        let raw = serde_json::to_value(message)?;
        record(tx, unhandled(channel, "echo_without_customer", raw), now);
        return Ok(Applied::Done);
    };
    let facts = SenderFacts {
        wa_id: Some(customer),
        user_id: None,
        username: None,
        profile_name: None,
    };
    let Some(contact) = sender_contact(tx, facts, known, now).await? else {
        return Ok(Applied::OverContactLimit);
    };
    let (conversation, opened) = tx.upsert_conversation(contact.id, channel.id, now).await?;
    let sent_at = message
        .timestamp_secs()
        .map(Timestamp::from_unix_seconds)
        .unwrap_or(now);
    let content = serde_json::to_value(message)?;
    let stored = tx
        .insert_echo_message(NewEcho {
            conversation: conversation.id,
            channel: channel.id,
            wamid: &message.id,
            kind: message.kind(),
            content: &content,
            provider_time: sent_at,
            now,
        })
        .await?;
    let Some(m) = stored else {
        // A repeat: nothing changes.
        return Ok(Applied::Done);
    };
    if opened {
        record(tx, conversation_opened(&conversation), now);
    }
    tx.note_outbound(conversation.id, now).await?;
    record(tx, Event::MessageEchoed(message_ref(&m)), now);
    Ok(Applied::Done)
}
