//! Contacts: reading them, and consent (opt-out and opt-in), which every
//! send checks.

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::ConsentChanged;
use domain::{ContactId, Timestamp};
use serde_json::json;
use store::TenantTx;
use store::inbox::{Contact, Conversation};
use store::page::{Page, PageRequest};

/// Contacts, newest first; `search` matches name, WhatsApp id or phone.
pub async fn list_contacts(
    state: &AppState,
    ctx: &TenantCtx,
    search: Option<&str>,
    page: PageRequest,
) -> AppResult<Page<Contact>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let contacts = tx
        .list_contacts(search.filter(|s| !s.is_empty()), page)
        .await?;
    tx.commit().await?;
    Ok(contacts)
}

/// A contact with every conversation they have with the tenant's numbers.
#[derive(Debug, Clone)]
pub struct ContactDetail {
    pub contact: Contact,
    pub conversations: Vec<Conversation>,
}

pub async fn get_contact(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactId,
) -> AppResult<ContactDetail> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let contact = tx.find_contact(id).await?;
    let conversations = tx.list_contact_conversations(id).await?;
    tx.commit().await?;
    Ok(ContactDetail {
        contact,
        conversations,
    })
}

/// What may change about a contact.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    /// `true`: the contact opted out; `false`: back in.
    pub opted_out: Option<bool>,
}

/// Changes a contact (audited); `via` says through what (`api`,
/// `dashboard`).
pub async fn update_contact(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactId,
    changes: ContactChanges,
    via: &str,
) -> AppResult<Contact> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let contact = tx.find_contact(id).await?;
    if let Some(opt_out) = changes.opted_out {
        set_consent(&mut tx, &contact, opt_out, via, now).await?;
        let action = if opt_out {
            "contact.opt_out"
        } else {
            "contact.opt_in"
        };
        crate::audit::tenant_change(
            &mut tx,
            ctx,
            now,
            action,
            ("contact", id.to_string()),
            json!({}),
        )
        .await?;
    }
    let contact = tx.find_contact(id).await?;
    tx.commit().await?;
    Ok(contact)
}

/// Records a contact's opt-out (`true`) or opt-in, once, with its event.
pub(crate) async fn set_consent(
    tx: &mut TenantTx,
    contact: &Contact,
    opt_out: bool,
    via: &str,
    now: Timestamp,
) -> store::StoreResult<()> {
    if contact.opted_out_at.is_some() == opt_out {
        return Ok(());
    }
    tx.set_contact_opt_out(contact.id, opt_out.then_some(now), now)
        .await?;
    let change = ConsentChanged {
        contact_id: contact.id,
        via: via.to_owned(),
    };
    let event = if opt_out {
        Event::ContactOptedOut(change)
    } else {
        Event::ContactOptedIn(change)
    };
    record(tx, event, now);
    Ok(())
}
