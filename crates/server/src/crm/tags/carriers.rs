//! Tags on contacts and conversations: reading them, and putting them on
//! or taking them off (`inbox:write`), idempotently: a second time changes
//! and records nothing.

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::events::record;
use crate::state::AppState;
use domain::events::{ContactTagged, ConversationTagged, Event};
use domain::{ContactId, ConversationId, Permission, TagId, Timestamp};
use serde_json::json;
use store::TenantTx;
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

/// What a tag goes on.
#[derive(Debug, Clone, Copy)]
pub enum Carrier {
    Contact(ContactId),
    Conversation(ConversationId),
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
    set_tag(state, ctx, Carrier::Contact(contact), tag, on).await
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
    set_tag(state, ctx, Carrier::Conversation(conversation), tag, on).await
}

/// The one body of both: the carrier must exist, the link changes at most
/// once, and only a change records its event and audit entry.
async fn set_tag(
    state: &AppState,
    ctx: &TenantCtx,
    carrier: Carrier,
    tag: TagId,
    on: bool,
) -> AppResult<()> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    set_tag_in(&mut tx, ctx, carrier, tag, on, now).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_contact_tag`] or [`set_conversation_tag`] in the caller's
/// transaction (an automation's step): whether the link changed.
pub async fn set_tag_in(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    carrier: Carrier,
    tag: TagId,
    on: bool,
    now: Timestamp,
) -> AppResult<bool> {
    match carrier {
        Carrier::Contact(id) => {
            tx.find_contact(id).await?;
        }
        Carrier::Conversation(id) => {
            tx.find_conversation(id).await?;
        }
    }
    let t = tx.find_tag(tag).await?;
    let moved = match (carrier, on) {
        (Carrier::Contact(id), true) => tx.tag_contact(id, tag, now).await?,
        (Carrier::Contact(id), false) => tx.untag_contact(id, tag).await?,
        (Carrier::Conversation(id), true) => tx.tag_conversation(id, tag, now).await?,
        (Carrier::Conversation(id), false) => tx.untag_conversation(id, tag).await?,
    };
    if !moved {
        return Ok(false);
    }
    let tag_name = t.name.clone();
    let (event, subject) = match carrier {
        Carrier::Contact(contact_id) => {
            let p = ContactTagged {
                contact_id,
                tag_id: tag,
                tag_name,
            };
            let e = if on {
                Event::ContactTagged(p)
            } else {
                Event::ContactUntagged(p)
            };
            (e, ("contact", contact_id.to_string()))
        }
        Carrier::Conversation(conversation_id) => {
            let p = ConversationTagged {
                conversation_id,
                tag_id: tag,
                tag_name,
            };
            let e = if on {
                Event::ConversationTagged(p)
            } else {
                Event::ConversationUntagged(p)
            };
            (e, ("conversation", conversation_id.to_string()))
        }
    };
    record(tx, event, now);
    let verb = if on { "tag" } else { "untag" };
    let action = format!("{}.{verb}", subject.0);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &action,
        subject,
        json!({ "tag_id": tag, "tag_name": t.name }),
    )
    .await?;
    Ok(true)
}
