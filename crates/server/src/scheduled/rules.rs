//! The rules of scheduled messages: schedule one, list, read, change and
//! cancel. Each writes its event and audit entry in its transaction;
//! scheduling or moving one also queues the job that fires it
//! ([`super::jobs::enqueue_fire`]).

use super::{Content, NewScheduled, Scheduled, ScheduledChange, event_ref};
use crate::auth::{Actor, TenantCtx};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use crate::tenancy::zone::tenant_zone;
use domain::events::{Event, ScheduledMessageUpdated};
use domain::{ChannelId, ContactId, Permission, ScheduledMessageId, Timestamp};
use serde_json::json;
use store::page::{Page, PageRequest};
use store::scheduled::{Ending, ScheduledFilter, ScheduledMessage, ScheduledStatus};
use store::{StoreError, TenantTx};

/// Schedules `input` (`inbox:write`). The contact must have a WhatsApp
/// number and not have opted out, the number must be the tenant's, and
/// the time in the future (at most a year ahead); the other sending rules
/// (window, quota, number state) are checked when it fires.
pub async fn schedule_message(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewScheduled,
) -> AppResult<Scheduled> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    check_contact(&mut tx, input.contact_id).await?;
    let channel_id = sending_channel(&mut tx, input.channel_id).await?;
    let zone = tenant_zone(&mut tx).await?;
    let send_at = input.when.resolve(&zone, now)?;
    let (created_by_user_id, created_by_api_key_id) = match &ctx.actor {
        Actor::User { user_id, .. } => (Some(*user_id), None),
        Actor::ApiKey { key_id, .. } => (None, Some(*key_id)),
        Actor::Operator { .. } | Actor::System { .. } => (None, None),
    };
    let stored = ScheduledMessage {
        id: ScheduledMessageId::new(),
        contact_id: input.contact_id,
        channel_id,
        content: input.content.to_json()?,
        send_at,
        status: ScheduledStatus::Scheduled,
        message_id: None,
        failure_code: None,
        failure_reason: None,
        created_by_user_id,
        created_by_api_key_id,
        finished_at: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_scheduled_message(&stored).await?;
    super::jobs::enqueue_fire(&mut tx, stored.id, send_at, now).await?;
    let event = event_ref(&stored, &input.content);
    record(&mut tx, Event::ScheduledMessageCreated(event), now);
    let details = json!({ "contact_id": stored.contact_id, "send_at": send_at, "kind": input.content.kind() });
    audit(&mut tx, ctx, stored.id, "create", details, now).await?;
    tx.commit().await?;
    Scheduled::of(stored, &zone)
}

/// Scheduled messages matching `filter`, newest first (`inbox:read`).
pub async fn list_scheduled(
    state: &AppState,
    ctx: &TenantCtx,
    filter: ScheduledFilter,
    page: PageRequest,
) -> AppResult<Page<Scheduled>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let zone = tenant_zone(&mut tx).await?;
    let found = tx.list_scheduled_messages(filter, page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found
            .items
            .into_iter()
            .map(|m| Scheduled::of(m, &zone))
            .collect::<AppResult<_>>()?,
        next: found.next,
    })
}

pub async fn get_scheduled(
    state: &AppState,
    ctx: &TenantCtx,
    id: ScheduledMessageId,
) -> AppResult<Scheduled> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let zone = tenant_zone(&mut tx).await?;
    let m = tx.find_scheduled_message(id).await?;
    tx.commit().await?;
    Scheduled::of(m, &zone)
}

/// Changes a scheduled message's time, content or number while it is
/// still `scheduled` (`409 not_scheduled` after). A new time must be in
/// the future; the job of the old time finds nothing to do. Nothing is
/// recorded if nothing changed.
pub async fn update_scheduled(
    state: &AppState,
    ctx: &TenantCtx,
    id: ScheduledMessageId,
    change: ScheduledChange,
) -> AppResult<Scheduled> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let zone = tenant_zone(&mut tx).await?;
    let before = tx.find_scheduled_message(id).await?;
    refuse_unless_scheduled(&before)?;
    let mut m = before.clone();
    let mut content = Content::of(&before)?;
    if let Some(channel) = change.channel_id {
        m.channel_id = sending_channel(&mut tx, Some(channel)).await?;
    }
    if let Some(new) = change.content {
        m.content = new.to_json()?;
        content = new;
    }
    if let Some(when) = &change.when {
        m.send_at = when.resolve(&zone, now)?;
    }
    let mut changed: Vec<String> = Vec::new();
    for (field, differs) in [
        ("send_at", m.send_at != before.send_at),
        ("content", m.content != before.content),
        ("channel_id", m.channel_id != before.channel_id),
    ] {
        if differs {
            changed.push(field.to_owned());
        }
    }
    if changed.is_empty() {
        tx.commit().await?;
        return Scheduled::of(before, &zone);
    }
    m.updated_at = now;
    if !tx.update_scheduled_message(&m).await? {
        return Err(not_scheduled());
    }
    if m.send_at != before.send_at {
        super::jobs::enqueue_fire(&mut tx, m.id, m.send_at, now).await?;
    }
    let details = json!({ "changed": changed, "send_at": m.send_at });
    let event = ScheduledMessageUpdated {
        scheduled: event_ref(&m, &content),
        changed,
    };
    record(&mut tx, Event::ScheduledMessageUpdated(event), now);
    audit(&mut tx, ctx, id, "update", details, now).await?;
    tx.commit().await?;
    Scheduled::of(m, &zone)
}

/// Cancels a scheduled message before its time (`inbox:write`). Cancelling
/// a cancelled one again changes nothing; one already sent or failed is
/// `409 not_scheduled`.
pub async fn cancel_scheduled(
    state: &AppState,
    ctx: &TenantCtx,
    id: ScheduledMessageId,
) -> AppResult<()> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let m = tx.find_scheduled_message(id).await?;
    if m.status == ScheduledStatus::Cancelled {
        tx.commit().await?;
        return Ok(());
    }
    refuse_unless_scheduled(&m)?;
    if !tx.end_scheduled_message(id, Ending::Cancelled, now).await? {
        return Err(not_scheduled());
    }
    let content = Content::of(&m)?;
    record(
        &mut tx,
        Event::ScheduledMessageCancelled(event_ref(&m, &content)),
        now,
    );
    audit(
        &mut tx,
        ctx,
        id,
        "cancel",
        json!({ "send_at": m.send_at }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn not_scheduled() -> AppError {
    AppError::Conflict(
        "not_scheduled",
        "this message is no longer scheduled: it was sent, failed or cancelled".into(),
    )
}

fn refuse_unless_scheduled(m: &ScheduledMessage) -> AppResult<()> {
    if m.status == ScheduledStatus::Scheduled {
        return Ok(());
    }
    Err(AppError::Conflict(
        "not_scheduled",
        format!(
            "this message is no longer scheduled: it was {}",
            m.status.as_str()
        ),
    ))
}

/// The contact must exist (`422` on `contact_id`), have a WhatsApp number
/// (`422 contact_has_no_number`) and not have opted out (`422
/// contact_opted_out`; checked again when it fires).
async fn check_contact(tx: &mut TenantTx, id: ContactId) -> AppResult<()> {
    let contact = tx.find_contact(id).await.map_err(|e| match e {
        StoreError::NotFound => AppError::validation("contact_id", "no such contact"),
        other => other.into(),
    })?;
    if contact.wa_id.is_none() {
        return Err(AppError::Rule(
            "contact_has_no_number",
            "this contact has no WhatsApp number to write to; reply once they write".into(),
        ));
    }
    if contact.opted_out_at.is_some() {
        return Err(AppError::Rule(
            "contact_opted_out",
            "this contact opted out of messages".into(),
        ));
    }
    Ok(())
}

/// The number to send from: the one named, or the tenant's only one.
async fn sending_channel(tx: &mut TenantTx, named: Option<ChannelId>) -> AppResult<ChannelId> {
    if let Some(id) = named {
        return match tx.find_channel(id).await {
            Ok(c) => Ok(c.id),
            Err(StoreError::NotFound) => Err(AppError::validation("channel_id", "no such number")),
            Err(other) => Err(other.into()),
        };
    }
    let all = tx.list_channels().await?;
    match all.as_slice() {
        [only] => Ok(only.id),
        _ => Err(AppError::validation(
            "channel_id",
            "name the number to send from (this tenant has several, or none)",
        )),
    }
}

pub(super) async fn audit(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    id: ScheduledMessageId,
    action: &str,
    details: serde_json::Value,
    now: Timestamp,
) -> AppResult<()> {
    let action = format!("scheduled_message.{action}");
    let target = ("scheduled_message", id.to_string());
    crate::audit::tenant_change(tx, ctx, now, &action, target, details).await
}
