//! Reminders before an appointment, at the settings' offsets (a day
//! before, two hours before…). [`poll`], a poller of the job runtime,
//! finds bookings whose `remind_at` has come, moves it on to the next
//! offset (or clears it) and queues the reminder in the same transaction,
//! so a restart never sends one twice and two nodes never both send it.
//!
//! The customer's 24-hour window is usually closed by then, so reminders
//! go as the settings' approved template, with the service, the time and
//! the reference as its body's `{{1}}`, `{{2}}` and `{{3}}`; without a
//! template they go as a text, which the rules of sending allow only while
//! the window is open. Every reminder, sent or refused, is in the
//! booking's history.

use super::bookings::{next_reminder, queue_or_refusal};
use super::language::fill;
use super::settings::{self, Settings};
use crate::auth::{TenantCtx, Via};
use crate::channels::send::{Lane, Outgoing};
use crate::scheduled::{Content, TemplateContent};
use crate::state::AppState;
use domain::messaging::WaId;
use domain::{TenantId, Timestamp};
use futures::future::BoxFuture;
use std::collections::BTreeMap;
use store::TenantTx;
use store::booking::{Booking, NewHistoryEntry};

/// Tenants per round of the poller.
const TENANTS_PER_ROUND: i64 = 100;
/// Reminders per transaction.
const BATCH: i64 = 200;

/// One round: every tenant with reminders due gets one batch sent.
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(async move {
        let now = state.now();
        let tenants = {
            let mut sys = state.store.system_read().await?;
            let t = sys
                .tenants_with_due_booking_reminders(now, TENANTS_PER_ROUND)
                .await?;
            sys.commit().await?;
            t
        };
        let mut total = 0;
        for tenant in tenants {
            match remind(state, tenant, now).await {
                Ok(n) => total += n,
                Err(e) => {
                    tracing::error!(tenant_id = %tenant, error = %format!("{e:#}"), "booking reminders failed");
                }
            }
        }
        if total > 0 {
            state.wake_workers();
        }
        Ok(total)
    })
}

/// Sends up to a batch of `tenant`'s due reminders; how many were due.
pub async fn remind(state: &AppState, tenant: TenantId, now: Timestamp) -> anyhow::Result<usize> {
    let mut tx = state.store.tenant(tenant).await?;
    let settings = settings::current(&mut tx)
        .await
        .map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let due = tx.due_booking_reminders(now, BATCH).await?;
    let ctx = TenantCtx::system(tenant, Via::Bot);
    for b in &due {
        let Some(at) = b.remind_at else { continue };
        let next = if b.status.holds_time() {
            next_reminder(b.starts_at, &settings.reminder_minutes, now)
        } else {
            None
        };
        if !tx.advance_booking_reminder(b.id, at, next).await? {
            continue;
        }
        // A reminder that came due after the start (the server was down)
        // is no use any more.
        if !b.status.holds_time() || b.starts_at <= now {
            continue;
        }
        let outcome = send(&mut tx, &settings, b, now).await?;
        let actor = ctx.principal_key();
        tx.insert_booking_history(&NewHistoryEntry {
            booking_id: b.id,
            action: "reminded",
            status: b.status,
            starts_at: b.starts_at,
            actor: &actor,
            note: Some(outcome.as_deref().unwrap_or("sent")),
            at: now,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Queues the reminder of `b`; `Some(code)` when a rule refused it.
async fn send(
    tx: &mut TenantTx,
    settings: &Settings,
    b: &Booking,
    now: Timestamp,
) -> anyhow::Result<Option<String>> {
    let (Some(channel), Ok(to)) = (b.channel_id, WaId::parse(&b.contact_phone)) else {
        return Ok(Some("no_number".into()));
    };
    let when = settings.language.when(settings.hours.wall(b.starts_at));
    let content = match &settings.reminder_template {
        Some(t) => Content::Template(TemplateContent {
            name: t.name.clone(),
            language: t.language.clone(),
            parameters: vec![b.service_name.clone(), when, b.reference.clone()],
            named_parameters: BTreeMap::new(),
        }),
        None => Content::Text {
            text: fill(
                settings.language.words().reminder,
                &[
                    ("service", &b.service_name),
                    ("when", &when),
                    ("reference", &b.reference),
                ],
            ),
        },
    };
    let out = Outgoing {
        conversation_id: None,
        channel_id: Some(channel),
        to: Some(to),
        reply_to: None,
        content: content.outgoing(),
        lane: Lane::Conversational,
    };
    queue_or_refusal(tx, out, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:#}"))
}
