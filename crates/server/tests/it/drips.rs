//! Drip sequences on both engines, through the API and real webhooks from
//! the sandbox: steps at their delays, as a text while the window is open
//! and a template once it closed, quiet hours across daylight-saving
//! changes, and a step sent once however its job is replayed
//! ([`sending`]); exits on a reply, a tag, the goal and an opt-out
//! ([`exits`]); enrolment by hand, list, segment and CSV, edits under way,
//! checks and other tenants ([`enrolment`]).

mod enrolment;
mod exits;
mod sending;

use crate::automations::{PNID, WABA};
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest};

/// Creates a drip with `body` (name and steps at least); the drip.
pub async fn drip(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .post("/api/v1/drips", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body.clone()
}

/// Enrols `contacts` in drip `id`; each one's outcome, in order.
pub async fn enrol(app: &TestApp, t: &TestTenant, id: &str, contacts: &[&str]) -> Vec<String> {
    let r = app
        .post(
            &format!("/api/v1/drips/{id}/subscribers"),
            Auth::ApiKey(&t.api_key),
            json!({ "contact_ids": contacts }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["outcome"].as_str().unwrap().to_owned())
        .collect()
}

/// Drip `id`'s subscribers, newest first.
pub async fn subscribers(app: &TestApp, t: &TestTenant, id: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/drips/{id}/subscribers?limit=200"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// The (newest) subscriber of `contact` in drip `id`, with its history.
pub async fn subscriber(app: &TestApp, t: &TestTenant, id: &str, contact: &str) -> Value {
    let all = subscribers(app, t, id).await;
    let s = all
        .iter()
        .find(|s| s["contact_id"] == json!(contact))
        .unwrap_or_else(|| panic!("no subscriber for {contact} in {all:?}"));
    let r = app
        .get(
            &format!(
                "/api/v1/drips/{id}/subscribers/{}",
                s["id"].as_str().unwrap()
            ),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.clone()
}

/// Each step of a subscriber's history as (outcome, kind).
pub fn history(s: &Value) -> Vec<(String, String)> {
    s["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["outcome"].as_str().unwrap().to_owned(),
                h["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The approved template `offer` (en_US) in the sandbox's account.
pub fn offer_in_sandbox(wa: &WhatsAppTest) {
    wa.sandbox
        .add_template(sandbox::TemplateSpec {
            components: Some(json!([{ "type": "BODY", "text": "Hi {{1}}, {{2}} off today!" }])),
            ..sandbox::TemplateSpec::approved(WABA, "offer", "en_US")
        })
        .unwrap();
}

/// A step sending the template `offer` after `delay` `unit`s.
pub fn offer_step(delay: i64, unit: &str) -> Value {
    json!({ "delay": delay, "unit": unit,
            "template": { "name": "offer", "language": "en_US", "parameters": ["Ana", "10%"] } })
}

/// The kinds (`text`, `template`) of what the sandbox's customer `wa_id`
/// received from the number.
pub fn kinds_to(wa: &WhatsAppTest, wa_id: &str) -> Vec<String> {
    wa.sandbox
        .received(PNID, wa_id)
        .iter()
        .map(|m| m.kind.clone())
        .collect()
}

/// Gives `t` a drip with a subscriber (the cross-tenant walk,
/// isolation.rs, probes their routes with real ids).
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let d = drip(
        app,
        t,
        json!({ "name": "Seeded drip", "steps": [offer_step(1, "days")] }),
    )
    .await;
    let phone = format!("+1557{:07}", t.slug.len() * 7_919 % 10_000_000);
    let c =
        crate::crm_contacts::contact(app, t, json!({ "phone": phone, "name": "Drip seed" })).await;
    let id = d["id"].as_str().unwrap();
    assert_eq!(
        enrol(app, t, id, &[c["id"].as_str().unwrap()]).await,
        ["enrolled"]
    );
}
