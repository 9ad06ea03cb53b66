//! Workflows on both engines, through the API and real webhooks from the
//! sandbox: triggers and conditions ([`runs`]), durable waits, versions,
//! crashes and retries ([`durability`]), the loop and rate guards
//! ([`guards`]), and the rules of the API: checks, dry runs, permissions
//! ([`api`]); business hours with their welcome and away messages
//! ([`hours`]).

mod api;
mod auto_tags;
mod durability;
mod guards;
pub(crate) mod hours;
mod runs;
mod triggers;
mod waits;

use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest};

pub const PNID: &str = "106540352242966";
pub const WABA: &str = "102290129340422";

/// Creates workflow `name` with `definition`, enabled; its id.
pub async fn workflow(app: &TestApp, t: &TestTenant, name: &str, definition: Value) -> String {
    let r = app
        .post(
            "/api/v1/workflows",
            Auth::ApiKey(&t.api_key),
            json!({ "name": name, "enabled": true, "definition": definition }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// The runs of workflow `id`, newest first.
pub async fn runs(app: &TestApp, t: &TestTenant, id: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/workflow-runs?workflow_id={id}&limit=200"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Run `id` with its steps.
pub async fn run(app: &TestApp, t: &TestTenant, id: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/workflow-runs/{id}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.clone()
}

/// Puts tag `tag` on contact `contact` (`on`) or takes it off, with the
/// tenant's API key.
pub async fn set_tag(app: &TestApp, t: &TestTenant, contact: &str, tag: &str, on: bool) {
    let path = format!("/api/v1/contacts/{contact}/tags/{tag}");
    let r = if on {
        app.put(&path, Auth::ApiKey(&t.api_key), json!({})).await
    } else {
        app.delete(&path, Auth::ApiKey(&t.api_key)).await
    };
    assert!(r.status == 200 || r.status == 204, "{}", r.body);
}

/// The customer `wa_id` writes `text` to the number; once it is stored
/// and every run it starts has gone as far as it can, the contact's id.
pub async fn customer_writes(wa: &WhatsAppTest, t: &TestTenant, wa_id: &str, text: &str) -> String {
    let before = received_count(wa, t, wa_id).await;
    wa.sandbox.send_text(PNID, wa_id, text).unwrap();
    wa.eventually("the message is stored", || async {
        received_count(wa, t, wa_id).await > before
    })
    .await;
    // The trigger reads the log: a round after the message is stored, then
    // the runs' jobs.
    wa.drain().await;
    contact_id(wa, t, wa_id).await.unwrap()
}

/// How many messages from `wa_id` the tenant has stored.
async fn received_count(app: &TestApp, t: &TestTenant, wa_id: &str) -> usize {
    let Some(contact) = contact_id(app, t, wa_id).await else {
        return 0;
    };
    let r = app
        .get(
            &format!("/api/v1/contacts/{contact}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    let mut n = 0;
    for c in r.body["conversations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let m = app
            .get(
                &format!(
                    "/api/v1/conversations/{}/messages?limit=200",
                    c["id"].as_str().unwrap()
                ),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        n += m.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["direction"] == "in")
            .count();
    }
    n
}

/// The contact with WhatsApp number `wa_id`, if the tenant has one.
pub async fn contact_id(app: &TestApp, t: &TestTenant, wa_id: &str) -> Option<String> {
    let r = app
        .get(
            &format!("/api/v1/contacts?search={wa_id}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .first()
        .map(|c| c["id"].as_str().unwrap().to_owned())
}

/// The texts the sandbox's customer `wa_id` received from the number.
pub fn texts_to(wa: &WhatsAppTest, wa_id: &str) -> Vec<String> {
    wa.sandbox
        .received(PNID, wa_id)
        .iter()
        .filter(|m| m.kind == "text")
        .map(|m| m.content["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Gives `t` a workflow and a run of it (the cross-tenant walk,
/// isolation.rs, probes their routes with real ids): a workflow on a tag,
/// and a contact tagged with it.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let tag = crate::crm_tags::tag(app, t, "automation-seed", "#22aa66").await;
    let id = workflow(
        app,
        t,
        "Seeded workflow",
        json!({
            "trigger": {"type": "tag_added", "tag_id": tag},
            "steps": [{"type": "add_note", "text": "Tagged by the seed"}]
        }),
    )
    .await;
    let phone = format!("+1556{:07}", t.slug.len() * 6_211 % 10_000_000);
    let c = crate::crm_contacts::contact(app, t, json!({ "phone": phone, "name": "Seeded" })).await;
    set_tag(app, t, c["id"].as_str().unwrap(), &tag, true).await;
    app.drain().await;
    assert_eq!(runs(app, t, &id).await.len(), 1);
    let r = app
        .post(
            "/api/v1/auto-tag-rules",
            Auth::ApiKey(&t.api_key),
            json!({ "name": "Seeded rule", "matcher": {"on": "message", "keywords": ["seed"]},
                    "tag_id": tag }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}
