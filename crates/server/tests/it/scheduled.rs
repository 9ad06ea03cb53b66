//! Scheduled messages on both engines: firing once at their time through
//! the sending rules in force then ([`firing`]), the rules of scheduling,
//! changing and cancelling them and the tenant's time zone ([`rules`]),
//! and the dashboard over plain HTTP ([`pages`]).

mod firing;
mod pages;
mod rules;

use domain::{ChannelId, ContactId, ScheduledMessageId, TenantId};
use serde_json::{Value, json};
use store::scheduled::{ScheduledMessage, ScheduledStatus};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest};

pub const PNID: &str = "106540352242955";
pub const WABA: &str = "102290129340411";
pub const CUSTOMER: &str = "16505550142";

/// An approved `order_update` (`Hello {{1}}`) in the sandbox's WABA.
pub fn add_template(wa: &WhatsAppTest) {
    wa.sandbox
        .add_template(sandbox::TemplateSpec {
            waba_id: WABA.into(),
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components: None,
            status: "APPROVED".into(),
            parameter_format: None,
        })
        .unwrap();
}

/// A contact with WhatsApp number `wa_id`; their id.
pub async fn contact(app: &TestApp, t: &TestTenant, wa_id: &str, name: &str) -> String {
    let c = crate::crm_contacts::contact(
        app,
        t,
        json!({ "phone": format!("+{wa_id}"), "name": name }),
    )
    .await;
    c["id"].as_str().unwrap().to_owned()
}

/// RFC 3339 of the app's clock `s` seconds from now.
pub fn in_seconds(app: &TestApp, s: i64) -> String {
    app.state.now().plus_seconds(s).to_rfc3339()
}

/// The template body of `order_update` for `name`.
pub fn template(name: &str) -> Value {
    json!({ "name": "order_update", "language": "en_US", "parameters": [name] })
}

/// Schedules `body` with `t`'s API key; the scheduled message.
pub async fn schedule(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .post("/api/v1/scheduled-messages", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body.clone()
}

/// Scheduled message `id` as the API shows it.
pub async fn scheduled(app: &TestApp, t: &TestTenant, id: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/scheduled-messages/{id}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.clone()
}

/// How many of `t`'s events are called `name`.
pub async fn count_events(app: &TestApp, t: &TestTenant, name: &str) -> usize {
    crate::crm_notes::event_names(app, t)
        .await
        .iter()
        .filter(|n| *n == name)
        .count()
}

/// Gives `t` one scheduled message (stored by hand: the cross-tenant walk
/// of isolation.rs has no Meta to connect a number through), so the walk
/// probes this area's routes with a real id.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let wa_id = format!("1555{:07}", t.slug.len() * 6121 % 10_000_000);
    let (contact, _) = crate::crm_notes::conversation(app, t, &wa_id, "Seed Scheduled").await;
    let tenant: TenantId = t.id.parse().unwrap();
    let now = app.state.now();
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    tx.insert_scheduled_message(&ScheduledMessage {
        id: ScheduledMessageId::new(),
        contact_id: contact.parse::<ContactId>().unwrap(),
        channel_id: ChannelId::new(),
        content: json!({ "type": "text", "text": "Seeded" }),
        send_at: now.plus_seconds(86_400),
        status: ScheduledStatus::Scheduled,
        message_id: None,
        failure_code: None,
        failure_reason: None,
        created_by_user_id: None,
        created_by_api_key_id: None,
        finished_at: None,
        created_at: now,
        updated_at: now,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}
