//! Who wrote: the contact of an inbound message's sender, found, created
//! or refreshed, with the look-up done before the write transaction where
//! it can be.

use super::apply::InboundEvent;
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::{ContactRef, ContactUpdated};
use domain::{TenantId, Timestamp};
use std::collections::HashMap;
use store::{StoreError, TenantTx};

/// Senders' contacts as they were read before the write transaction (off
/// SQLite's one writer, whose time bounds webhook processing): for each
/// sender looked up, its contact, or `None` if it had none yet.
#[derive(Debug, Default)]
pub struct KnownContacts(HashMap<String, Option<store::inbox::Contact>>);

impl KnownContacts {
    /// Looks up the senders of `events` in `tenant`'s contacts.
    pub async fn read(
        state: &AppState,
        tenant: TenantId,
        events: &[&InboundEvent],
    ) -> store::StoreResult<Self> {
        let senders: Vec<&str> = events.iter().filter_map(|e| e.sender()).collect();
        if senders.is_empty() {
            return Ok(Self::default());
        }
        let mut tx = state.store.tenant_read(tenant).await?;
        let found = tx.find_contacts_by_wa_ids(&senders).await?;
        tx.commit().await?;
        let mut known: HashMap<String, Option<store::inbox::Contact>> =
            senders.iter().map(|s| ((*s).to_owned(), None)).collect();
        for c in found {
            if let Some(wa_id) = c.wa_id.clone() {
                known.insert(wa_id, Some(c));
            }
        }
        Ok(Self(known))
    }

    pub(super) fn get(&self, sender: &str) -> Option<Option<&store::inbox::Contact>> {
        self.0.get(sender).map(Option::as_ref)
    }
}

/// What an inbound message tells about its sender.
pub(super) struct SenderFacts<'a> {
    pub wa_id: &'a str,
    pub user_id: Option<&'a str>,
    pub profile_name: Option<&'a str>,
}

/// The contact of an inbound message's sender: found, created, or
/// refreshed when Meta tells us something new about them (most messages
/// come from known contacts with nothing new, and write nothing here).
/// `known` is the contact as read before this transaction (`Some(None)`:
/// there was none), or `None` if it was not looked up.
pub(super) async fn sender_contact(
    tx: &mut TenantTx,
    facts: SenderFacts<'_>,
    known: Option<Option<&store::inbox::Contact>>,
    now: Timestamp,
) -> anyhow::Result<store::inbox::Contact> {
    let found = match known {
        Some(k) => k.cloned(),
        None => match tx.find_contact_by_wa_id(facts.wa_id).await {
            Ok(c) => Some(c),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let mut changed = Vec::new();
    if let Some(c) = found {
        if facts.profile_name.is_some() && facts.profile_name != c.profile_name.as_deref() {
            changed.push("profile_name".to_owned());
        }
        if facts.user_id.is_some() && facts.user_id != c.user_id.as_deref() {
            changed.push("user_id".to_owned());
        }
        if changed.is_empty() {
            return Ok(c);
        }
    }
    let (contact, created) = tx
        .upsert_contact(facts.wa_id, facts.user_id, facts.profile_name, now)
        .await?;
    if created {
        let event = Event::ContactCreated(ContactRef {
            contact_id: contact.id,
        });
        record(tx, event, now);
    } else if !changed.is_empty() {
        let event = Event::ContactUpdated(ContactUpdated {
            contact_id: contact.id,
            changed,
        });
        record(tx, event, now);
    }
    // Neither: another transaction created the contact after it was read;
    // that one recorded `contact.created`.
    Ok(contact)
}
