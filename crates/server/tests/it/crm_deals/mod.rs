//! Pipelines and deals (docs/DESIGN.md, "CRM: pipelines and deals"):
//! through the API ([`pipelines`], [`deals`], [`lists`]) and the
//! dashboard without JavaScript ([`settings`], [`pages`]); the board's drag and drop is in
//! `dashboard/browser_deals.rs`.

mod deals;
mod lists;
mod pages;
mod pipelines;
mod settings;

use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant};

/// Gives `t` one of each thing this area makes, so the cross-tenant walk
/// (isolation.rs) probes its routes with real ids: a pipeline with two
/// stages and a deal (with a contact and an owner) in it.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let owner = Auth::Bearer(&t.owner.token);
    let p = create_pipeline(app, owner, "Seeded sales", &["Lead", "Proposal"]).await;
    let contact = contact(app, t, "15550009999", "Seeded customer").await;
    create_deal(
        app,
        owner,
        json!({ "title": "Seeded deal", "pipeline_id": p["id"], "value_minor": 1000,
                "currency": "EUR", "contact_id": contact, "owner_id": t.owner.id }),
    )
    .await;
}

/// Creates a pipeline through the API (201) and answers it.
pub async fn create_pipeline(app: &TestApp, auth: Auth<'_>, name: &str, stages: &[&str]) -> Value {
    let stages: Vec<Value> = stages.iter().map(|s| json!({ "name": s })).collect();
    let r = app
        .post(
            "/api/v1/pipelines",
            auth,
            json!({ "name": name, "stages": stages }),
        )
        .await;
    assert_eq!(r.status, 201, "create pipeline: {}", r.body);
    r.body
}

/// Creates a deal through the API (201) and answers it.
pub async fn create_deal(app: &TestApp, auth: Auth<'_>, body: Value) -> Value {
    let r = app.post("/api/v1/deals", auth, body).await;
    assert_eq!(r.status, 201, "create deal: {}", r.body);
    r.body
}

/// The id of `p`'s stage called `name`.
pub fn stage(p: &Value, name: &str) -> String {
    p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name} in {p}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A contact of `t` (as if the customer `wa_id` had written), by id.
pub async fn contact(app: &TestApp, t: &TestTenant, wa_id: &str, name: &str) -> String {
    let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    let (c, _) = tx
        .upsert_contact(wa_id, None, Some(name), app.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    c.id.to_string()
}

/// `t`'s events so far, oldest first: (name, payload).
pub async fn events(app: &TestApp, t: &TestTenant) -> Vec<(String, Value)> {
    server::events::read_after(&app.state, t.id.parse().unwrap(), 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.payload))
        .collect()
}

/// The actions of `t`'s audit log, oldest first.
pub async fn audit_actions(app: &TestApp, t: &TestTenant) -> Vec<String> {
    let r = app
        .get("/api/v1/audit-log?limit=200", Auth::Bearer(&t.owner.token))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut actions: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    actions.reverse();
    actions
}
