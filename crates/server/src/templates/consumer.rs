//! The library's durable consumer of the event log (`templates.library`).
//! It reacts to:
//!
//! - `channel.connected`: queues a sync of the number's account (the
//!   [`SyncTemplates`] job calls Meta outside any transaction);
//! - `whatsapp.template_updated` (Meta's template webhooks, recorded by
//!   the channels area): a status, quality or category change is applied
//!   to the template Meta names (by Meta's id, else by name and language)
//!   with its `template.*` event; a template the library does not know
//!   (made in WhatsApp Manager) queues a sync instead;
//! - `channel.removed`: the library of an account none of the tenant's
//!   numbers belongs to any more is removed.
//!
//! It starts at the beginning of each tenant's log, so a tenant that
//! connected numbers before this consumer existed gets its libraries
//! synced once. [`poll`], registered as a poller, runs it.

use super::jobs::{SyncPayload, SyncTemplates};
use super::sync::rejection;
use super::{lower, template_ref};
use crate::events::{Consumer, poll_every, record};
use crate::state::AppState;
use domain::Timestamp;
use domain::events::{Event, TemplateStatusChanged, TemplateUpdated, WhatsAppUpdate};
use futures::future::BoxFuture;
use serde_json::Value;
use std::collections::BTreeSet;
use store::events::{CursorStart, StoredEvent};
use store::templates::Template;
use store::{StoreError, TenantTx};

/// The consumer's cursor name.
pub const CONSUMER: &str = "templates.library";
/// Events per batch (one transaction).
const BATCH: i64 = 500;

/// The library's consumer of the event log, as of `now`.
pub struct Library {
    pub now: Timestamp,
}

impl Consumer for Library {
    const NAME: &'static str = CONSUMER;
    const START: CursorStart = CursorStart::Beginning;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        let mut to_sync = BTreeSet::new();
        let mut prune = false;
        for event in events {
            match event.name.as_str() {
                "channel.connected" => {
                    let Some(id) = event.payload["channel_id"].as_str() else {
                        continue;
                    };
                    match tx.find_channel(id.parse()?).await {
                        Ok(c) => {
                            to_sync.insert(c.waba_id);
                        }
                        // Disconnected since.
                        Err(StoreError::NotFound) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                "channel.removed" => prune = true,
                "whatsapp.template_updated" => {
                    let update: WhatsAppUpdate = serde_json::from_value(event.payload.clone())?;
                    if let Some(waba) = apply_update(tx, &update, self.now).await? {
                        to_sync.insert(waba);
                    }
                }
                _ => {}
            }
        }
        if prune {
            tx.prune_templates_without_channel().await?;
        }
        for waba_id in to_sync {
            let payload = SyncPayload { waba_id };
            crate::jobs::enqueue::<SyncTemplates>(tx, &payload, self.now).await?;
        }
        Ok(())
    }
}

fn upper(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty())
}

/// Meta's id of the template an update names (a JSON number in webhooks).
fn meta_id(v: &Value) -> Option<String> {
    match v.get("message_template_id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The library's template an update is about, if it has it.
async fn find(tx: &mut TenantTx, waba_id: &str, v: &Value) -> anyhow::Result<Option<Template>> {
    if let Some(id) = meta_id(v) {
        match tx.find_template_by_meta_id(&id).await {
            Ok(t) => return Ok(Some(t)),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let name = v.get("message_template_name").and_then(Value::as_str);
    let language = v.get("message_template_language").and_then(Value::as_str);
    let (Some(name), Some(language)) = (name, language) else {
        return Ok(None);
    };
    match tx.find_template_by_name(waba_id, name, language).await {
        Ok(t) => Ok(Some(t)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Applies one of Meta's template webhooks; the account to sync instead
/// when the library does not have the template, or when Meta changed
/// something the webhook does not carry (its components).
async fn apply_update(
    tx: &mut TenantTx,
    update: &WhatsAppUpdate,
    now: Timestamp,
) -> anyhow::Result<Option<String>> {
    let channel = match tx.find_channel(update.channel_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let v = &update.value;
    let Some(mut t) = find(tx, &channel.waba_id, v).await? else {
        return Ok(Some(channel.waba_id));
    };
    let before = t.clone();
    let mut changed = Vec::new();
    match update.field.as_str() {
        "message_template_status_update" => {
            let Some(status) = upper(v, "event") else {
                return Ok(None);
            };
            // Meta reinstates a paused or disabled template as approved.
            t.status = if status == "REINSTATED" {
                "APPROVED".into()
            } else {
                status
            };
            t.rejected_reason = if t.status == "REJECTED" {
                rejection(v.get("reason").and_then(Value::as_str))
            } else {
                None
            };
            if let Some(c) = upper(v, "message_template_category") {
                t.category = c;
            }
        }
        "message_template_quality_update" => {
            t.quality = upper(v, "new_quality_score");
            if t.quality != before.quality {
                changed.push("quality".to_owned());
            }
        }
        "template_category_update" => {
            if let Some(c) = upper(v, "new_category").or_else(|| upper(v, "correct_category")) {
                t.category = c;
            }
        }
        _ => return Ok(Some(channel.waba_id)),
    }
    if t.category != before.category {
        changed.push("category".to_owned());
    }
    if t == before {
        return Ok(None);
    }
    t.updated_at = now;
    let t = tx.upsert_template(&t).await?;
    if t.status != before.status {
        let event = TemplateStatusChanged {
            template: template_ref(&t),
            previous_status: lower(&before.status),
            reason: t.rejected_reason.clone(),
        };
        record(tx, Event::TemplateStatusChanged(event), now);
    }
    if !changed.is_empty() {
        let event = TemplateUpdated {
            template: template_ref(&t),
            quality: t.quality.as_deref().map(lower),
            changed,
        };
        record(tx, Event::TemplateUpdated(event), now);
    }
    Ok(None)
}

/// One round of the library's consumer: every tenant whose cursor is
/// behind gets one batch. Registered as a poller (`super::jobs`).
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(poll_every(state, BATCH, |now| Library { now }))
}
