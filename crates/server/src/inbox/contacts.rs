//! Contacts: reading and filtering them, the team's edits (name, email,
//! language, custom attributes) and consent (opt-out and opt-in), which
//! every send checks. Creating and erasing are in [`manage`], duplicates
//! and merging in [`merge`], the activity timeline in [`timeline`],
//! "message this contact" in [`message`]; what may be written is checked
//! in [`fields`].

pub mod fields;
pub mod manage;
pub mod merge;
pub mod message;
pub mod timeline;

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::{ConsentChanged, ContactUpdated};
use domain::{ContactId, Permission, TagId, Timestamp};
use serde_json::{Map, Value, json};
use store::TenantTx;
use store::inbox::{Contact, ContactFields, ContactFilter, Conversation};
use store::page::{Page, PageRequest};

/// Which contacts a list shows, as a caller asks.
#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    /// Matches name, email, WhatsApp id or phone.
    pub search: Option<String>,
    pub tag: Option<TagId>,
    /// `true`: only those who opted out; `false`: only those who did not.
    pub opted_out: Option<bool>,
    /// Attribute conditions as query parameters: `attr.<key>` (equal),
    /// `attr.<key>.gte`, `attr.<key>.lte` (numbers and dates), with their
    /// values. Other names are ignored.
    pub attributes: Vec<(String, String)>,
}

/// Contacts, newest first; `search` matches name, email, WhatsApp id or
/// phone.
pub async fn list_contacts(
    state: &AppState,
    ctx: &TenantCtx,
    search: Option<&str>,
    page: PageRequest,
) -> AppResult<Page<Contact>> {
    let q = ContactQuery {
        search: search.map(str::to_owned),
        ..ContactQuery::default()
    };
    filter_contacts(state, ctx, &q, page).await
}

/// Contacts matching `q`, newest first. An attribute filter naming no
/// attribute of the tenant, or with a value of the wrong type, is refused
/// (422 naming the parameter).
pub async fn filter_contacts(
    state: &AppState,
    ctx: &TenantCtx,
    q: &ContactQuery,
    page: PageRequest,
) -> AppResult<Page<Contact>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let attributes = if q.attributes.iter().any(|(k, _)| k.starts_with("attr.")) {
        let defs = tx.all_contact_attributes().await?;
        fields::attribute_filters(&defs, &q.attributes)?
    } else {
        Vec::new()
    };
    let filter = ContactFilter {
        search: q.search.clone().filter(|s| !s.trim().is_empty()),
        tag: q.tag,
        opted_out: q.opted_out,
        attributes,
    };
    let mut contacts = tx.list_contacts(&filter, page).await?;
    tx.load_contact_tags(&mut contacts.items).await?;
    tx.commit().await?;
    Ok(contacts)
}

/// A contact with every conversation they have with the tenant's numbers.
#[derive(Debug, Clone)]
pub struct ContactDetail {
    pub contact: Contact,
    pub conversations: Vec<Conversation>,
    /// The users' names, by id: who has each conversation.
    pub people: std::collections::HashMap<domain::UserId, String>,
}

pub async fn get_contact(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactId,
) -> AppResult<ContactDetail> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut contact = tx.find_contact(id).await?;
    tx.load_contact_tags(std::slice::from_mut(&mut contact))
        .await?;
    let mut conversations = tx.list_contact_conversations(id).await?;
    tx.load_conversation_tags(&mut conversations).await?;
    let people = tx.user_names().await?;
    tx.commit().await?;
    Ok(ContactDetail {
        contact,
        conversations,
        people,
    })
}

/// What may change about a contact; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    /// `true`: the contact opted out; `false`: back in.
    pub opted_out: Option<bool>,
    /// `Some(None)` or an empty text clears the team's name (the WhatsApp
    /// profile name shows again).
    pub name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub language: Option<Option<String>>,
    /// Merged into the contact's values: a key set to `null` removes it.
    pub attributes: Option<Map<String, Value>>,
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
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let contact = tx.find_contact(id).await?;
    edit_fields(&mut tx, ctx, &contact, &changes, now).await?;
    // Only a change of consent is recorded (a form sends it every time).
    if let Some(opt_out) = changes
        .opted_out
        .filter(|o| *o != contact.opted_out_at.is_some())
    {
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
    let mut contact = tx.find_contact(id).await?;
    tx.load_contact_tags(std::slice::from_mut(&mut contact))
        .await?;
    tx.commit().await?;
    Ok(contact)
}

/// Writes the team-edited fields `changes` names, if any changed, with a
/// `contact.updated` event naming them (`name`, `email`, `language`,
/// `attributes.<key>`) and an audit entry.
pub(crate) async fn edit_fields(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    contact: &Contact,
    changes: &ContactChanges,
    now: Timestamp,
) -> AppResult<()> {
    let before = ContactFields::of(contact);
    let mut after = before.clone();
    if let Some(n) = &changes.name {
        after.name = fields::name(n.as_deref())?;
    }
    if let Some(e) = &changes.email {
        after.email = fields::email(e.as_deref())?;
    }
    if let Some(l) = &changes.language {
        after.language = fields::language(l.as_deref())?;
    }
    if let Some(values) = &changes.attributes {
        let defs = tx.all_contact_attributes().await?;
        after.attributes = fields::merge_attributes(&defs, &before.attributes, values)?;
    }
    let mut changed: Vec<String> = [
        ("name", before.name != after.name),
        ("email", before.email != after.email),
        ("language", before.language != after.language),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(f, _)| f.to_owned())
    .collect();
    let keys: std::collections::BTreeSet<&String> = before
        .attributes
        .keys()
        .chain(after.attributes.keys())
        .collect();
    for key in keys {
        if before.attributes.get(key) != after.attributes.get(key) {
            changed.push(format!("attributes.{key}"));
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    tx.set_contact_fields(contact.id, &after, now).await?;
    let event = Event::ContactUpdated(ContactUpdated {
        contact_id: contact.id,
        changed: changed.clone(),
    });
    record(tx, event, now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        "contact.update",
        ("contact", contact.id.to_string()),
        json!({ "changed": changed }),
    )
    .await
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
