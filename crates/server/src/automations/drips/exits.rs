//! Exits: a durable consumer of the event log (`automations.drips`) that
//! ends active enrolments in the transaction that moves its cursor — on
//! `message.received` (a reply after the enrolment, for drips that exit on
//! one), `contact.tagged` (the drip's exit tag: `tagged`; its goal tag:
//! `goal`) and `contact.opted_out` (always). Each event is read once, in
//! commit order, and a crash resumes after the last batch committed.

use super::definition::Definition;
use super::enrol::exit;
use super::rules::read;
use crate::automations::trigger::Subject;
use crate::events::{Consumer, poll_having};
use crate::state::AppState;
use domain::{ContactId, DripId, TagId, Timestamp};
use futures::future::BoxFuture;
use serde_json::Value;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use store::drips::SubscriberStatus;
use store::events::{CursorStart, StoredEvent, Table};
use store::{StoreError, TenantTx};

/// The consumer's cursor name.
pub const CONSUMER: &str = "automations.drips";
/// Events per batch (one transaction).
const BATCH: i64 = 200;

/// The consumer, as of `now`.
pub struct Exits {
    pub now: Timestamp,
}

/// What an event can end.
enum Cause {
    Reply,
    Tagged(TagId),
    OptedOut,
}

impl Consumer for Exits {
    const NAME: &'static str = CONSUMER;
    const START: CursorStart = CursorStart::Latest;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        let mut drips: HashMap<DripId, Option<Definition>> = HashMap::new();
        for event in events {
            let cause = match event.name.as_str() {
                "message.received" => Cause::Reply,
                "contact.opted_out" => Cause::OptedOut,
                "contact.tagged" => match id(&event.payload, "tag_id") {
                    Some(t) => Cause::Tagged(TagId::from_uuid(t)),
                    None => continue,
                },
                _ => continue,
            };
            let Some(contact) = Subject::of(tx, event).await?.contact else {
                continue;
            };
            end(tx, contact, &cause, event, &mut drips, self.now).await?;
        }
        Ok(())
    }
}

fn id(payload: &Value, key: &str) -> Option<uuid::Uuid> {
    payload.get(key)?.as_str()?.parse().ok()
}

/// Ends `contact`'s active enrolments that `cause` ends.
async fn end(
    tx: &mut TenantTx,
    contact: ContactId,
    cause: &Cause,
    event: &StoredEvent,
    drips: &mut HashMap<DripId, Option<Definition>>,
    now: Timestamp,
) -> anyhow::Result<()> {
    for found in tx.active_drip_subscriptions(contact).await? {
        let def = match drips.entry(found.drip_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(match tx.find_drip(found.drip_id).await {
                Ok(d) => Some(read(&d).map_err(|e| anyhow::anyhow!("{e:#}"))?),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }),
        };
        let Some(def) = def.as_ref() else {
            continue;
        };
        let reason = match cause {
            // Only a message after the enrolment (not the one a workflow
            // enrolled the contact on).
            Cause::Reply if def.exit.on_reply && event.created_at > found.enrolled_at => "replied",
            Cause::Tagged(t) if def.exit.goal_tag_id == Some(*t) => "goal",
            Cause::Tagged(t) if def.exit.tag_id == Some(*t) => "tagged",
            Cause::OptedOut => "opted_out",
            _ => continue,
        };
        let mut s = tx.claim_drip_subscriber(found.id).await?;
        if s.status == SubscriberStatus::Active {
            exit(tx, &mut s, reason, None, now).await?;
        }
    }
    Ok(())
}

/// One round of the consumer: every tenant with a drip whose cursor is
/// behind gets one batch. Registered as a poller ([`super::jobs`]).
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(poll_having(state, Table::Drips, BATCH, |now| Exits { now }))
}
