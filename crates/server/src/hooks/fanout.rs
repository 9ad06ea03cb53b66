//! The fan-out: a durable consumer of each tenant's event log
//! (`hooks.fanout`) that turns every event into one delivery per enabled
//! endpoint subscribed to it, in the transaction that moves its cursor, so
//! an event is never lost between the change and its deliveries and never
//! queued twice for one endpoint (the deliveries' unique key backs that up).
//!
//! A disabled endpoint gets no deliveries while it is disabled: the events
//! of that time are not queued for it (a time-range replay can send them
//! later). The body is built here, once, and stored, so every attempt and
//! every replay sends the same bytes.
//!
//! Nothing triggers the consumer: [`poll`], registered as a poller of the
//! job runtime, runs it for the tenants that have an endpoint and are
//! behind, so tenants without endpoints cost nothing.

use super::{jobs, patterns};
use crate::events::{Consumer, poll_having};
use crate::state::AppState;
use domain::{DeliveryId, EventId, TenantId, Timestamp};
use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::Value;
use store::TenantTx;
use store::events::{CursorStart, StoredEvent, Table};
use store::hooks::HookFormat;
use store::hooks::deliveries::NewHookDelivery;

/// The name of the event [`super::endpoints::send_test`] sends.
pub const TEST_EVENT: &str = "webhook.test";

/// Events per batch (one transaction).
const BATCH: i64 = 500;

/// The request body: the event as docs/EVENTS.md shows it.
#[derive(Serialize)]
struct Body<'a> {
    id: EventId,
    name: &'a str,
    version: i64,
    tenant_id: TenantId,
    seq: Option<i64>,
    created_at: String,
    data: &'a Value,
}

/// The JSON body of a delivery of this event.
pub fn body(
    tenant: TenantId,
    id: EventId,
    name: &str,
    version: i64,
    seq: Option<i64>,
    created_at: Timestamp,
    data: &Value,
) -> String {
    let body = Body {
        id,
        name,
        version,
        tenant_id: tenant,
        seq,
        created_at: created_at.to_rfc3339_millis(),
        data,
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// The outbound webhooks' consumer of the event log, as of `now` (when its
/// deliveries are created and first due).
pub struct Fanout {
    pub now: Timestamp,
}

impl Consumer for Fanout {
    const NAME: &'static str = "hooks.fanout";
    const START: CursorStart = CursorStart::Beginning;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        // Cloud-API endpoints take Meta's webhooks, not events
        // ([`super::cloud`]).
        let endpoints: Vec<_> = tx
            .enabled_hook_endpoints()
            .await?
            .into_iter()
            .filter(|e| e.format == HookFormat::Switchboard)
            .collect();
        if endpoints.is_empty() {
            return Ok(());
        }
        let tenant = tx.tenant_id();
        for event in events {
            let mut body_text: Option<String> = None;
            for e in &endpoints {
                if event.seq <= e.from_seq || !patterns::any_matches(&e.events, &event.name) {
                    continue;
                }
                // An endpoint is not told of its own creation.
                if event.name == "webhook_endpoint.created"
                    && event.payload.get("endpoint_id").and_then(Value::as_str)
                        == Some(e.id.to_string().as_str())
                {
                    continue;
                }
                let text = body_text.get_or_insert_with(|| {
                    body(
                        tenant,
                        event.id,
                        &event.name,
                        event.version,
                        Some(event.seq),
                        event.created_at,
                        &event.payload,
                    )
                });
                let id = DeliveryId::new();
                let now = self.now;
                let inserted = tx
                    .insert_hook_delivery(&NewHookDelivery {
                        id,
                        endpoint_id: e.id,
                        event_id: event.id,
                        event_name: &event.name,
                        event_seq: Some(event.seq),
                        body: text,
                        now,
                    })
                    .await?;
                if inserted {
                    jobs::enqueue_attempt(tx, id, now, now).await?;
                }
            }
        }
        Ok(())
    }
}

/// One round of the fan-out: every tenant with an endpoint whose cursor is
/// behind gets one batch. Registered as a poller ([`super::jobs::register`]).
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(poll_having(state, Table::HookEndpoints, BATCH, |now| {
        Fanout { now }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_the_event_in_the_documented_shape() {
        let tenant = TenantId::new();
        let id = EventId::new();
        let data = serde_json::json!({"message_id": "m"});
        let t = Timestamp::from_millis(1_765_015_200_000);
        let text = body(tenant, id, "message.received", 1, Some(42), t, &data);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["id"], id.to_string());
        assert_eq!(v["name"], "message.received");
        assert_eq!(v["version"], 1);
        assert_eq!(v["tenant_id"], tenant.to_string());
        assert_eq!(v["seq"], 42);
        assert_eq!(v["created_at"], "2025-12-06T10:00:00.000Z");
        assert_eq!(v["data"], data);
        assert!(
            text.starts_with(r#"{"id":"#),
            "fields in the documented order"
        );
    }
}
