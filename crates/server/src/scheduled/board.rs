//! Scheduled messages as the dashboard shows them: up to 200 matching a
//! filter (those still to go first, soonest first; then the rest, latest
//! first), with their contacts, the tenant's numbers and its time zone.

use super::Scheduled;
use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use crate::tenancy::zone::tenant_zone;
use domain::{ContactId, Permission, Timestamp};
use std::collections::HashMap;
use store::channels::Channel;
use store::inbox::Contact;
use store::page::PageRequest;
use store::scheduled::{ScheduledFilter, ScheduledStatus};

/// A list of scheduled messages and what it takes to show them.
#[derive(Debug, Clone)]
pub struct Board {
    pub items: Vec<Scheduled>,
    /// Their contacts (and the filter's contact), by id.
    pub contacts: HashMap<ContactId, Contact>,
    /// The tenant's numbers (to label them, and to send from).
    pub numbers: Vec<Channel>,
    pub time_zone: String,
    pub now: Timestamp,
}

pub async fn board(state: &AppState, ctx: &TenantCtx, filter: ScheduledFilter) -> AppResult<Board> {
    ctx.require(Permission::InboxRead)?;
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let time_zone = tenant_zone(&mut tx).await?;
    let mut contacts = HashMap::new();
    if let Some(id) = filter.contact {
        contacts.insert(id, tx.find_contact(id).await?);
    }
    let page = PageRequest::new(None, PageRequest::MAX_LIMIT);
    let found = tx.list_scheduled_messages(filter, page).await?.items;
    for m in &found {
        if let std::collections::hash_map::Entry::Vacant(e) = contacts.entry(m.contact_id) {
            e.insert(tx.find_contact(m.contact_id).await?);
        }
    }
    let numbers = tx.list_channels().await?;
    tx.commit().await?;
    let mut items = found
        .into_iter()
        .map(|m| Scheduled::of(m, &time_zone))
        .collect::<AppResult<Vec<_>>>()?;
    items.sort_by_key(|s| {
        let pending = s.stored.status == ScheduledStatus::Scheduled;
        let at = s.stored.send_at.as_millis();
        (!pending, if pending { at } else { -at })
    });
    Ok(Board {
        items,
        contacts,
        numbers,
        time_zone,
        now,
    })
}
