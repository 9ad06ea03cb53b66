//! Who wrote: the contact of an inbound message's sender, found by either
//! of its ids (WhatsApp id or business-scoped user id), created within the
//! plan's contact limit, or refreshed, with the look-up done before the
//! write transaction where it can be. Also what system messages say about
//! a contact (a new number, a changed identity).

use super::apply::InboundEvent;
use crate::error::AppError;
use crate::events::{Event, record};
use crate::state::AppState;
use crate::tenancy::limits::Limit;
use domain::events::{ContactRef, ContactUpdated};
use domain::{TenantId, Timestamp};
use store::TenantTx;
use store::inbox::{Contact, ContactFacts};
use whatsapp::webhook::System;

/// Senders' contacts as they were read before the write transaction (off
/// SQLite's one writer, whose time bounds webhook processing): the ids
/// looked up, and the contacts found for them (every contact having one of
/// them: each id is unique within a tenant). The write transaction's own
/// look-ups and writes are added as its events are applied, so the next
/// event of one sender in a batch finds the contact the first created;
/// a contact an event changes otherwise (consent, number) is forgotten,
/// and read again inside the transaction when needed.
#[derive(Debug, Default)]
pub struct KnownContacts {
    keys: std::collections::HashSet<String>,
    found: Vec<Contact>,
}

impl KnownContacts {
    /// Looks up the senders of `events` in `tenant`'s contacts.
    pub async fn read(
        state: &AppState,
        tenant: TenantId,
        events: &[&InboundEvent],
    ) -> store::StoreResult<Self> {
        let (mut wa_ids, mut user_ids) = (Vec::new(), Vec::new());
        for (wa_id, user_id) in events.iter().filter_map(|e| e.sender()) {
            wa_ids.extend(wa_id);
            user_ids.extend(user_id);
        }
        if wa_ids.is_empty() && user_ids.is_empty() {
            return Ok(Self::default());
        }
        let mut tx = state.store.tenant_read(tenant).await?;
        let found = tx.find_contacts_by_keys(&wa_ids, &user_ids).await?;
        tx.commit().await?;
        let keys = wa_ids.iter().chain(&user_ids).map(|k| (*k).to_owned());
        Ok(Self {
            keys: keys.collect(),
            found,
        })
    }

    /// Adds `contacts`, read or written in the write transaction, and
    /// `looked_up`, ids every contact of which is among them.
    fn learn(&mut self, looked_up: &[&str], contacts: &[Contact]) {
        for c in contacts {
            self.found.retain(|f| f.id != c.id);
            self.found.push(c.clone());
            self.keys.extend(c.wa_id.iter().chain(&c.user_id).cloned());
        }
        self.keys.extend(looked_up.iter().map(|k| (*k).to_owned()));
    }

    /// Drops contact `c` and its ids: the next event naming them reads it
    /// inside the write transaction.
    pub fn forget(&mut self, c: &Contact) {
        self.found.retain(|f| f.id != c.id);
        for key in c.wa_id.iter().chain(&c.user_id) {
            self.keys.remove(key);
        }
    }

    /// The contacts matching `facts`, if every id in it was looked up.
    fn get(&self, facts: &SenderFacts<'_>) -> Option<Vec<Contact>> {
        let looked_up = |k: Option<&str>| k.is_none_or(|k| self.keys.contains(k));
        if !(looked_up(facts.wa_id) && looked_up(facts.user_id)) {
            return None;
        }
        Some(
            self.found
                .iter()
                .filter(|c| matches(c, facts))
                .cloned()
                .collect(),
        )
    }
}

/// Whether contact `c` carries one of the ids in `facts`.
fn matches(c: &Contact, facts: &SenderFacts<'_>) -> bool {
    (facts.wa_id.is_some() && c.wa_id.as_deref() == facts.wa_id)
        || (facts.user_id.is_some() && c.user_id.as_deref() == facts.user_id)
}

/// What an inbound message tells about its sender (at least one id).
#[derive(Debug, Clone, Copy)]
pub(super) struct SenderFacts<'a> {
    pub wa_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub username: Option<&'a str>,
    pub profile_name: Option<&'a str>,
}

/// The contact of an inbound message's sender: found by either id,
/// created, or completed when Meta tells us something new about them (a
/// second id, a name; most messages come from known contacts with nothing
/// new, and write nothing here). `None`: the sender is new and the plan's
/// contact limit is reached (the caller holds the message).
pub(super) async fn sender_contact(
    tx: &mut TenantTx,
    facts: SenderFacts<'_>,
    known: &mut KnownContacts,
    now: Timestamp,
) -> anyhow::Result<Option<Contact>> {
    let candidates = match known.get(&facts) {
        Some(found) => found,
        None => {
            let wa: Vec<&str> = facts.wa_id.into_iter().collect();
            let user: Vec<&str> = facts.user_id.into_iter().collect();
            let found = tx.find_contacts_by_keys(&wa, &user).await?;
            known.learn(&[wa, user].concat(), &found);
            found
        }
    };
    let by_wa = candidates
        .iter()
        .find(|c| facts.wa_id.is_some() && c.wa_id.as_deref() == facts.wa_id);
    let by_user = candidates
        .iter()
        .find(|c| facts.user_id.is_some() && c.user_id.as_deref() == facts.user_id);
    let Some(found) = by_wa.or(by_user) else {
        let created = create_contact(tx, facts, now).await?;
        known.learn(&[], created.as_slice());
        return Ok(created);
    };
    let mut merge = ContactFacts::default();
    let mut changed = Vec::new();
    if facts.wa_id.is_some() && found.wa_id.is_none() && by_wa.is_none() {
        merge.wa_id = facts.wa_id;
        changed.push("wa_id".to_owned());
    }
    if facts.user_id.is_some() && found.user_id.is_none() && by_user.is_none() {
        merge.user_id = facts.user_id;
        changed.push("user_id".to_owned());
    }
    if facts.profile_name.is_some() && facts.profile_name != found.profile_name.as_deref() {
        merge.profile_name = facts.profile_name;
        changed.push("profile_name".to_owned());
    }
    if facts.username.is_some() && facts.username != found.username.as_deref() {
        merge.username = facts.username;
        changed.push("username".to_owned());
    }
    if changed.is_empty() {
        return Ok(Some(found.clone()));
    }
    let contact = tx.merge_contact_facts(found.id, merge, now).await?;
    known.learn(&[], std::slice::from_ref(&contact));
    let event = Event::ContactUpdated(ContactUpdated {
        contact_id: contact.id,
        changed,
    });
    record(tx, event, now);
    Ok(Some(contact))
}

/// A contact for a sender no contact knows, if the plan allows one more.
async fn create_contact(
    tx: &mut TenantTx,
    facts: SenderFacts<'_>,
    now: Timestamp,
) -> anyhow::Result<Option<Contact>> {
    match crate::tenancy::limits::take(tx, Limit::Contacts, now).await {
        Ok(()) => {}
        Err(AppError::TooManyRequests(..)) => return Ok(None),
        Err(e) => return Err(anyhow::anyhow!("checking the contact limit: {e}")),
    }
    let new = ContactFacts {
        wa_id: facts.wa_id,
        user_id: facts.user_id,
        username: facts.username,
        profile_name: facts.profile_name,
    };
    if let Some(contact) = tx.insert_contact(new, now).await? {
        let event = Event::ContactCreated(ContactRef {
            contact_id: contact.id,
        });
        record(tx, event, now);
        return Ok(Some(contact));
    }
    // Another transaction created it after our look-up; that one recorded
    // `contact.created`.
    let wa: Vec<&str> = facts.wa_id.into_iter().collect();
    let user: Vec<&str> = facts.user_id.into_iter().collect();
    let found = tx.find_contacts_by_keys(&wa, &user).await?;
    found
        .into_iter()
        .find(|c| matches(c, &facts))
        .map(Some)
        .ok_or_else(|| anyhow::anyhow!("a contact's id was taken, yet no contact has it"))
}

/// What a `system` message says about its sender's contact: a new number
/// (`user_changed_number`: the contact takes the new WhatsApp id, unless
/// another contact has it already) or a changed identity
/// (`customer_identity_changed`: recorded on the contact).
pub(super) async fn apply_system(
    tx: &mut TenantTx,
    contact: &Contact,
    system: &System,
    known: &mut KnownContacts,
    at: Timestamp,
    now: Timestamp,
) -> anyhow::Result<()> {
    let changed = match system.kind.as_deref() {
        Some("user_changed_number") => {
            let Some(new) = system
                .changed_to()
                .filter(|n| Some(*n) != contact.wa_id.as_deref())
            else {
                return Ok(());
            };
            if !tx.find_contacts_by_keys(&[new], &[]).await?.is_empty() {
                tracing::info!(tenant_id = %tx.tenant_id(), "number change to a number another contact has; both kept");
                return Ok(());
            }
            tx.set_contact_wa_id(contact.id, new, now).await?;
            known.forget(contact);
            "wa_id"
        }
        Some("customer_identity_changed") => {
            tx.set_contact_identity_changed(contact.id, at, now).await?;
            "identity"
        }
        _ => return Ok(()),
    };
    let event = Event::ContactUpdated(ContactUpdated {
        contact_id: contact.id,
        changed: vec![changed.to_owned()],
    });
    record(tx, event, now);
    Ok(())
}
