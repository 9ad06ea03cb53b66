//! The booking bot (docs/DESIGN.md, "The booking bot"): a business's
//! services, the staff or resources that give them, and bookings a
//! customer makes over WhatsApp with the bot, or the team makes for them.
//!
//! - [`settings`]: the workspace's settings (numbers, hours, window,
//!   reminders, payment methods, custom replies);
//! - [`catalogue`]: services and resources;
//! - [`availability`]: the free slots of a day, pure;
//! - [`bookings`]: making, moving, cancelling and settling bookings, never
//!   beyond a resource's capacity;
//! - [`bot`]: the conversation with the customer;
//! - [`reminders`]: reminders before the appointment;
//! - [`api`] and [`pages`]: thin adapters.
//!
//! Configuring needs `campaigns:manage`, reading bookings `inbox:read`,
//! changing them `inbox:write`. Every change is audited and recorded as a
//! `booking*` event in its transaction.

pub mod api;
pub mod availability;
pub mod bookings;
pub mod bot;
pub mod catalogue;
pub mod jobs;
pub mod language;
pub(crate) mod local_time;
pub mod pages;
pub mod reminders;
pub mod settings;

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::events::record;
use domain::Timestamp;
use domain::events::Event;
use serde_json::Value;
use store::TenantTx;

/// Records `event` and the audit entry `action` on `target`.
pub(crate) async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    event: Event,
    action: &str,
    target: (&str, String),
    details: Value,
    now: Timestamp,
) -> AppResult<()> {
    record(tx, event, now);
    crate::audit::tenant_change(tx, ctx, now, action, target, details).await
}
