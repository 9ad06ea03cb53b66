//! Triggers from outside the inbox and calls out of it: a schedule fires
//! at its wall-clock times in the tenant's zone (across a daylight-saving
//! jump, missed fires coming as one), and stops when disabled; a POST to
//! a workflow's inbound URL starts a run for the contact it names; a
//! `call_http` step is signed, saves what the answer says into the
//! contact's attributes, fails the run on a refusal, and never reaches a
//! private address when those are not allowed.

use super::{PNID, WABA, run, runs, workflow};
use domain::Timestamp;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use testkit::receiver::{Behaviour, Receiver};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine, each_engine_with_sandbox};

/// The workflow's inbound URL and signing secret.
async fn secrets(app: &TestApp, t: &TestTenant, id: &str) -> (String, String) {
    let r = app
        .get(
            &format!("/api/v1/workflows/{id}/secrets"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = |k: &str| r.body[k].as_str().unwrap().to_owned();
    (s("inbound_url"), s("signing_secret"))
}

/// Whether `request` carries a valid signature by `secret`.
fn signed_by(request: &testkit::receiver::Request, secret: &str) -> bool {
    let sig = request.header("switchboard-signature").unwrap_or_default();
    let t = sig
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .unwrap_or("");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&request.body);
    let expected = hex::encode(mac.finalize().into_bytes());
    sig.split(',')
        .any(|p| p.strip_prefix("v1=") == Some(&expected))
}

async fn workflow_view(app: &TestApp, t: &TestTenant, id: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/workflows/{id}"), Auth::ApiKey(&t.api_key))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.clone()
}

#[tokio::test]
async fn a_schedule_fires_at_its_wall_clock_times_across_a_daylight_saving_jump() {
    each_engine(|app: TestApp| async move {
        let receiver = Receiver::start().await;
        let t = app.create_tenant("flow-cron").await;
        let key = Auth::ApiKey(&t.api_key);
        let r = app
            .patch(
                "/api/v1/tenant",
                key,
                json!({ "time_zone": "America/New_York" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Friday 2027-03-12 12:00 in New York.
        app.clock.set(Timestamp::from_millis(1_804_870_800_000));
        let id = workflow(
            &app,
            &t,
            "Nightly sync",
            json!({
                "trigger": {"type": "schedule", "cron": "30 2 * * *"},
                "steps": [{"type": "call_http", "url": receiver.url("/tick")}]
            }),
        )
        .await;
        let (_, secret) = secrets(&app, &t, &id).await;
        // 02:30 standard time is 07:30 UTC.
        let w = workflow_view(&app, &t, &id).await;
        assert_eq!(w["next_fire_at"], json!("2027-03-13T07:30:00Z"), "{w}");

        // Not a minute early.
        app.clock.set(Timestamp::from_millis(1_804_922_940_000));
        app.drain().await;
        assert!(runs(&app, &t, &id).await.is_empty());
        app.clock.set(Timestamp::from_millis(1_804_923_000_000));
        app.drain().await;
        assert_eq!(runs(&app, &t, &id).await.len(), 1);
        // 02:30 does not exist on 2027-03-14 (02:00 jumps to 03:00): it
        // fires at 03:30 daylight time, 07:30 UTC again.
        let w = workflow_view(&app, &t, &id).await;
        assert_eq!(w["next_fire_at"], json!("2027-03-14T07:30:00Z"), "{w}");
        app.clock.set(Timestamp::from_millis(1_805_009_400_000));
        app.drain().await;
        // Then 02:30 daylight time: 06:30 UTC.
        let w = workflow_view(&app, &t, &id).await;
        assert_eq!(w["next_fire_at"], json!("2027-03-15T06:30:00Z"), "{w}");

        // Three days missed (the server was down): one fire, then on.
        app.clock.set(Timestamp::from_millis(
            1_805_092_200_000 + 3 * 86_400_000 + 60_000,
        ));
        app.drain().await;
        let all = runs(&app, &t, &id).await;
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(
            all.iter().all(|r| r["status"] == json!("completed")),
            "{all:?}"
        );
        assert!(
            all.iter()
                .all(|r| r["trigger_event"] == json!("workflow.schedule_fired"))
        );

        // Each fire called the endpoint once, signed, with its own key.
        let calls = receiver.requests();
        assert_eq!(calls.len(), 3);
        assert!(calls.iter().all(|c| signed_by(c, &secret)));
        let keys: std::collections::HashSet<_> = calls
            .iter()
            .map(|c| c.header("idempotency-key").unwrap().to_owned())
            .collect();
        assert_eq!(keys.len(), 3);
        assert_eq!(
            calls[0].json()["trigger_event"],
            json!("workflow.schedule_fired")
        );

        // Disabled, it fires no more.
        let r = app
            .patch(
                &format!("/api/v1/workflows/{id}"),
                key,
                json!({ "enabled": false }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["next_fire_at"], Value::Null);
        app.advance(7 * 86_400);
        app.drain().await;
        assert_eq!(runs(&app, &t, &id).await.len(), 3);

        // A bad expression is refused by field.
        let r = app
            .post(
                "/api/v1/workflows",
                key,
                json!({ "name": "Bad", "definition": {
                    "trigger": {"type": "schedule", "cron": "61 * * * *"},
                    "steps": [{"type": "stop"}]}}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.to_string().contains("trigger.cron"), "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn an_inbound_post_starts_a_run_for_the_contact_it_names() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("flow-inbound").await;
        let key = Auth::ApiKey(&t.api_key);
        let id = workflow(
            &app,
            &t,
            "Order shipped",
            json!({
                "trigger": {"type": "inbound"},
                "steps": [{"type": "add_note", "text": "The shop says the order shipped"}]
            }),
        )
        .await;
        let c = crate::crm_contacts::contact(
            &app,
            &t,
            json!({ "phone": "+15550409201", "name": "Di" }),
        )
        .await;
        let contact = c["id"].as_str().unwrap();
        let (url, _) = secrets(&app, &t, &id).await;
        let path = url
            .split_once("/hooks/")
            .map(|(_, p)| format!("/hooks/{p}"))
            .unwrap();

        let r = app
            .post(
                &path,
                Auth::None,
                json!({ "order": "A-1009", "phone": "+1 555 0409201" }),
            )
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
        app.drain().await;
        let all = runs(&app, &t, &id).await;
        assert_eq!(all.len(), 1);
        let r1 = run(&app, &t, all[0]["id"].as_str().unwrap()).await;
        assert_eq!(r1["status"], json!("completed"), "{r1}");
        assert_eq!(r1["contact_id"], json!(contact));
        assert_eq!(r1["trigger_event"], json!("workflow.inbound_received"));

        // Refusals change nothing.
        for (body, status) in [
            (json!({ "phone": "+15550409299" }), 422),
            (json!({ "contact_id": "not-an-id" }), 422),
            (json!(["an", "array"]), 422),
        ] {
            let r = app.post(&path, Auth::None, body.clone()).await;
            assert_eq!(r.status, status, "{body}: {}", r.body);
        }
        let r = app
            .post("/hooks/workflows/wfin_nothing", Auth::None, json!({}))
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        // Disabled: 409.
        let r = app
            .patch(
                &format!("/api/v1/workflows/{id}"),
                key,
                json!({ "enabled": false }),
            )
            .await;
        assert_eq!(r.status, 200);
        let r = app.post(&path, Auth::None, json!({})).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.body["error"]["code"], json!("workflow_not_inbound"));
        // Rolled: the old URL is gone, the new one works.
        app.patch(
            &format!("/api/v1/workflows/{id}"),
            key,
            json!({ "enabled": true }),
        )
        .await;
        let rolled = app
            .post(
                &format!("/api/v1/workflows/{id}/secrets/roll"),
                key,
                json!({}),
            )
            .await;
        assert_eq!(rolled.status, 200, "{}", rolled.body);
        assert_eq!(app.post(&path, Auth::None, json!({})).await.status, 404);
        let new_url = rolled.body["inbound_url"].as_str().unwrap();
        let new_path = new_url
            .split_once("/hooks/")
            .map(|(_, p)| format!("/hooks/{p}"))
            .unwrap();
        let r = app.post(&new_path, Auth::None, json!({})).await;
        assert_eq!(r.status, 202, "{}", r.body);
        app.drain().await;
        assert_eq!(runs(&app, &t, &id).await.len(), 2);
        // Another tenant cannot read the secrets.
        let other = app.create_tenant("flow-inbound-other").await;
        let r = app
            .get(
                &format!("/api/v1/workflows/{id}/secrets"),
                Auth::ApiKey(&other.api_key),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn a_call_saves_the_answer_into_attributes_and_a_refusal_fails_the_run() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let receiver = Receiver::start().await;
        let t = wa.create_tenant("flow-call").await;
        wa.connect_number(&t, PNID, WABA).await;
        crate::crm_contacts::attribute(
            &wa,
            &t,
            json!({ "key": "order_status", "label": "Order status", "type": "text" }),
        )
        .await;
        let tag = crate::crm_tags::tag(&wa, &t, "check-order", "#aa6622").await;
        let id = workflow(
            &wa,
            &t,
            "Order lookup",
            json!({
                "trigger": {"type": "tag_added", "tag_id": tag},
                "steps": [
                    {"type": "call_http", "url": receiver.url("/orders"), "method": "POST",
                     "body": {"lookup": "latest"},
                     "save": {"order_status": "/order/status"}},
                    {"type": "branch",
                     "if": [{"type": "attribute", "key": "order_status", "op": "equals", "value": "shipped"}],
                     "then": [{"type": "add_note", "text": "On its way"}]}
                ]
            }),
        )
        .await;
        let (_, secret) = secrets(&wa, &t, &id).await;
        receiver.set(
            Behaviour::status(200)
                .header("Content-Type", "application/json")
                .body(r#"{"order": {"status": "shipped", "eta": "Tuesday"}}"#),
        );
        let c = crate::crm_contacts::contact(
            &wa,
            &t,
            json!({ "phone": "+15550409301", "name": "Ed" }),
        )
        .await;
        let contact = c["id"].as_str().unwrap().to_owned();
        super::set_tag(&wa, &t, &contact, &tag, true).await;
        wa.drain().await;
        let first = runs(&wa, &t, &id).await[0].clone();
        let r = run(&wa, &t, first["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"), "{r}");
        assert_eq!(r["steps"][0]["output"]["saved"]["order_status"], json!("shipped"), "{r}");
        assert_eq!(r["steps"][2]["type"], json!("add_note"), "the branch read it: {r}");
        let c = wa
            .get(&format!("/api/v1/contacts/{contact}"), Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(c.body["contact"]["attributes"]["order_status"], json!("shipped"));
        let calls = receiver.requests();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].method, "POST");
        assert_eq!(calls[0].json(), json!({"lookup": "latest"}));
        assert!(signed_by(&calls[0], &secret));

        // A 500: the run fails at the call, with the code; retried once the
        // endpoint is back, it goes on from there.
        receiver.set(Behaviour::status(500));
        super::set_tag(&wa, &t, &contact, &tag, false).await;
        super::set_tag(&wa, &t, &contact, &tag, true).await;
        wa.drain().await;
        let failed = runs(&wa, &t, &id).await[0].clone();
        assert_eq!(failed["status"], json!("failed"), "{failed}");
        assert!(
            failed["error"].as_str().unwrap().starts_with("http_call_failed: the endpoint answered HTTP 500"),
            "{failed}"
        );
        receiver.set(Behaviour::status(200).body("{}"));
        let r = wa
            .post(
                &format!("/api/v1/workflow-runs/{}/retry", failed["id"].as_str().unwrap()),
                Auth::ApiKey(&t.api_key),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        let r = run(&wa, &t, failed["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"), "{r}");

        // Where private addresses are not allowed, the call never leaves.
        receiver.clear();
        let guarded = wa.another_node(|c| c.webhooks.allow_private = false).await;
        let ip_url = receiver.url("/orders");
        let r = wa
            .patch(
                &format!("/api/v1/workflows/{id}"),
                Auth::ApiKey(&t.api_key),
                json!({ "definition": {
                    "trigger": {"type": "tag_added", "tag_id": tag},
                    "steps": [{"type": "call_http", "url": ip_url}]}}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        super::set_tag(&wa, &t, &contact, &tag, false).await;
        super::set_tag(&wa, &t, &contact, &tag, true).await;
        server::jobs::drain(&guarded).await;
        server::jobs::drain(&guarded).await;
        assert!(receiver.requests().is_empty(), "never reached");
        let refused = runs(&wa, &t, &id).await[0].clone();
        assert_eq!(refused["status"], json!("failed"), "{refused}");
        assert!(refused["error"].as_str().unwrap().contains("may not reach"), "{refused}");
    })
    .await;
}
