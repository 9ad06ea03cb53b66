//! Tags on contacts and conversations: reading them, and putting them on
//! or taking them off (`inbox:write`), idempotently: a second time changes
//! and records nothing.

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::events::record;
use crate::state::AppState;
use domain::events::{ContactTagged, ConversationTagged, Event};
use domain::{ContactId, ConversationId, Permission, TagId};
use serde_json::json;
use store::crm::tags::Tag;

/// A contact's tags, by name.
pub async fn contact_tags(state: &AppState, ctx: &TenantCtx, id: ContactId) -> AppResult<Vec<Tag>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut contact = [tx.find_contact(id).await?];
    tx.load_contact_tags(&mut contact).await?;
    tx.commit().await?;
    let [contact] = contact;
    Ok(contact.tags)
}

/// A conversation's tags, by name.
pub async fn conversation_tags(
    state: &AppState,
    ctx: &TenantCtx,
    id: ConversationId,
) -> AppResult<Vec<Tag>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut conversation = [tx.find_conversation(id).await?];
    tx.load_conversation_tags(&mut conversation).await?;
    tx.commit().await?;
    let [conversation] = conversation;
    Ok(conversation.tags)
}

/// Whether a tag goes on (`true`) or comes off.
fn verb(on: bool) -> &'static str {
    if on { "tag" } else { "untag" }
}

/// Puts a tag on a contact (`on`) or takes it off. Doing it twice is
/// doing it once: the second time changes and records nothing.
pub async fn set_contact_tag(
    state: &AppState,
    ctx: &TenantCtx,
    contact: ContactId,
    tag: TagId,
    on: bool,
) -> AppResult<()> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.find_contact(contact).await?;
    let t = tx.find_tag(tag).await?;
    let moved = if on {
        tx.tag_contact(contact, tag, now).await?
    } else {
        tx.untag_contact(contact, tag).await?
    };
    if moved {
        let payload = ContactTagged {
            contact_id: contact,
            tag_id: tag,
            tag_name: t.name.clone(),
        };
        let event = if on {
            Event::ContactTagged(payload)
        } else {
            Event::ContactUntagged(payload)
        };
        record(&mut tx, event, now);
        crate::audit::tenant_change(
            &mut tx,
            ctx,
            now,
            &format!("contact.{}", verb(on)),
            ("contact", contact.to_string()),
            json!({ "tag_id": tag, "tag_name": t.name }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Puts a tag on a conversation (`on`) or takes it off; idempotent like
/// [`set_contact_tag`].
pub async fn set_conversation_tag(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
    tag: TagId,
    on: bool,
) -> AppResult<()> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.find_conversation(conversation).await?;
    let t = tx.find_tag(tag).await?;
    let moved = if on {
        tx.tag_conversation(conversation, tag, now).await?
    } else {
        tx.untag_conversation(conversation, tag).await?
    };
    if moved {
        let payload = ConversationTagged {
            conversation_id: conversation,
            tag_id: tag,
            tag_name: t.name.clone(),
        };
        let event = if on {
            Event::ConversationTagged(payload)
        } else {
            Event::ConversationUntagged(payload)
        };
        record(&mut tx, event, now);
        crate::audit::tenant_change(
            &mut tx,
            ctx,
            now,
            &format!("conversation.{}", verb(on)),
            ("conversation", conversation.to_string()),
            json!({ "tag_id": tag, "tag_name": t.name }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
