//! Message templates on both engines, against the sandbox over real HTTP:
//! the library synced when a number connects and on demand (what Meta no
//! longer has is removed), authoring refused with the fields at fault
//! before Meta sees it, submitted to Meta and deleted there, previews,
//! and permissions. Meta's template webhooks are in [`webhooks`], the
//! dashboard in [`dashboard`].

use crate::channels::{PNID_A, WABA_A};
use crate::crm_notes::{audit_actions, event_names};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine_with_sandbox};

mod dashboard;
mod webhooks;

/// Seeds an approved template straight into the sandbox's account (as if
/// made in WhatsApp Manager).
pub fn meta_template(wa: &WhatsAppTest, name: &str, status: &str, body: &str) -> String {
    let spec = sandbox::TemplateSpec {
        waba_id: WABA_A.into(),
        name: name.into(),
        language: "en_US".into(),
        category: "UTILITY".into(),
        components: Some(json!([
            { "type": "BODY", "text": body, "example": { "body_text": [["Ana", "#1042"]] } },
            { "type": "FOOTER", "text": "Acme" }
        ])),
        status: status.into(),
        parameter_format: None,
    };
    wa.sandbox.add_template(spec).unwrap().id
}

/// The library as the API lists it (one page).
pub async fn library(app: &TestApp, t: &TestTenant, query: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/templates{query}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

pub fn names(items: &[Value]) -> Vec<String> {
    let mut n: Vec<String> = items
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect();
    n.sort();
    n
}

/// A valid template to author.
pub fn order_update(channel: &str) -> Value {
    json!({
        "channel_id": channel,
        "name": "order_update",
        "language": "en_US",
        "category": "utility",
        "header": { "format": "text", "text": "Order {{1}}", "example": "#1234" },
        "body": { "text": "Hi {{1}}, your order ships on {{2}}.", "examples": { "1": "Ana", "2": "May 3" } },
        "footer": "Reply STOP to opt out",
        "buttons": [
            { "type": "quick_reply", "text": "Track" },
            { "type": "url", "text": "Details", "url": "https://ex.com/o/{{1}}", "example": "https://ex.com/o/1234" }
        ]
    })
}

/// Gives `t` one template (straight into the library, without Meta), so
/// the cross-tenant walk (isolation.rs) probes the routes with a real id.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let now = app.state.now();
    let template = store::templates::Template {
        id: domain::TemplateId::new(),
        waba_id: "100000000000001".into(),
        meta_id: Some("900000000000001".into()),
        name: "seeded_template".into(),
        language: "en_US".into(),
        category: "UTILITY".into(),
        status: "APPROVED".into(),
        parameter_format: Some("POSITIONAL".into()),
        components: json!([{ "type": "BODY", "text": "Hello {{1}}", "example": { "body_text": [["Ana"]] } }]),
        quality: None,
        rejected_reason: None,
        synced_at: Some(now),
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    tx.upsert_template(&template).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(library(app, t, "").await.len(), 1);
}

#[tokio::test]
async fn the_library_is_read_from_meta_on_connect_and_again_on_demand() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("tpl-sync").await;
        let channel = wa.connect_number(&t, PNID_A, WABA_A).await;
        meta_template(
            &wa,
            "order_ready",
            "APPROVED",
            "Hi {{1}}, order {{2}} is ready.",
        );
        meta_template(
            &wa,
            "promo_may",
            "PENDING",
            "Hi {{1}}, code {{2}} saves 10%.",
        );
        assert!(
            library(&wa, &t, "").await.is_empty(),
            "read in the background"
        );
        wa.drain().await;

        let items = library(&wa, &t, "").await;
        assert_eq!(names(&items), ["order_ready", "promo_may"]);
        let ready = items.iter().find(|i| i["name"] == "order_ready").unwrap();
        assert_eq!(ready["status"], json!("approved"));
        assert_eq!(ready["category"], json!("utility"));
        assert_eq!(ready["waba_id"], json!(WABA_A));
        assert!(ready["meta_id"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(
            ready["preview"]["body"],
            json!("Hi Ana, order #1042 is ready.")
        );
        assert_eq!(ready["preview"]["footer"], json!("Acme"));
        assert_eq!(ready["variables"].as_array().unwrap().len(), 2);
        let approved = library(&wa, &t, "?status=approved").await;
        assert_eq!(names(&approved), ["order_ready"]);
        let of_number = library(&wa, &t, &format!("?channel_id={channel}")).await;
        assert_eq!(of_number.len(), 2);
        assert!(library(&wa, &t, "?waba_id=1").await.is_empty());
        let events = event_names(&wa, &t).await;
        assert_eq!(
            events
                .iter()
                .filter(|e| *e == "template_library.synced")
                .count(),
            1
        );

        // Meta changes behind our back: one template deleted in WhatsApp
        // Manager, one added; a sync brings the library in step.
        let token = format!("token-{PNID_A}");
        wa.state
            .graph
            .delete_template(WABA_A, &token, "promo_may", None)
            .await
            .unwrap();
        meta_template(
            &wa,
            "welcome",
            "APPROVED",
            "Welcome {{1}}, your code is {{2}}.",
        );
        wa.advance(1);
        let agent = wa.add_user(&t, Role::Agent, "agent").await;
        let r = wa
            .post(
                "/api/v1/templates/sync",
                Auth::Bearer(&agent.token),
                json!({}),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        let r = wa
            .post(
                "/api/v1/templates/sync",
                Auth::ApiKey(&t.api_key),
                json!({ "channel_id": channel }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let account = &r.body["accounts"][0];
        assert_eq!(
            (
                &account["added"],
                &account["removed"],
                &account["updated"],
                &account["total"]
            ),
            (&json!(1), &json!(1), &json!(0), &json!(2)),
            "{}",
            r.body
        );
        assert_eq!(account["channel_id"], json!(channel));
        assert_eq!(
            names(&library(&wa, &t, "").await),
            ["order_ready", "welcome"]
        );
        // Nothing changed at Meta: nothing changes here.
        let r = wa
            .post(
                "/api/v1/templates/sync",
                Auth::Bearer(&t.owner.token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["accounts"][0]["added"], json!(0));
        assert_eq!(r.body["accounts"][0]["removed"], json!(0));
        // The sync on connect, by the system, and the two asked for.
        assert_eq!(
            audit_actions(&wa, &t, "template").await,
            ["template.sync"; 3]
        );
        let r = wa
            .post(
                "/api/v1/templates/sync",
                Auth::ApiKey(&t.api_key),
                json!({ "channel_id": domain::ChannelId::new() }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);

        // Disconnecting the account's last number removes its library.
        let r = wa
            .delete(
                &format!("/api/v1/channels/{channel}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
        wa.drain().await;
        assert!(library(&wa, &t, "").await.is_empty());
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn authoring_is_checked_submitted_to_meta_previewed_and_deleted_there() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("tpl-author").await;
        let channel = wa.connect_number(&t, PNID_A, WABA_A).await;
        wa.drain().await;
        let key = Auth::ApiKey(&t.api_key);

        // Meta's rules, before Meta: every field at fault at once.
        let mut bad = order_update(&channel);
        bad["name"] = json!("Order Update");
        bad["body"] = json!({ "text": "Hi {{1}}, order {{3}} ships.", "examples": { "1": "Ana" } });
        bad["footer"] = json!("Reply {{1}}");
        bad["buttons"] = json!([
            { "type": "url", "text": "A", "url": "https://a.io" },
            { "type": "url", "text": "B", "url": "https://b.io/{{1}}" },
            { "type": "url", "text": "C", "url": "https://c.io" }
        ]);
        let r = wa.post("/api/v1/templates", key, bad).await;
        assert_eq!(
            (r.status, r.code()),
            (422, "validation_failed"),
            "{}",
            r.body
        );
        let fields: Vec<&str> = r.body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "body.text",
                "footer",
                "buttons",
                "buttons[1].example"
            ],
            "{}",
            r.body
        );
        let mut named = order_update(&channel);
        named["parameter_format"] = json!("named");
        let r = wa.post("/api/v1/templates", key, named).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.text.contains("header.text") && r.text.contains("body.text"),
            "{}",
            r.text
        );
        let mut elsewhere = order_update(&channel);
        elsewhere["channel_id"] = json!(domain::ChannelId::new());
        let r = wa.post("/api/v1/templates", key, elsewhere).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["error"]["fields"][0]["field"], json!("channel_id"));
        assert!(
            wa.sandbox.templates(Some(WABA_A)).is_empty(),
            "Meta saw none of them"
        );

        // Agents may not author; owners and keys may.
        let agent = wa.add_user(&t, Role::Agent, "agent").await;
        let r = wa
            .post(
                "/api/v1/templates",
                Auth::Bearer(&agent.token),
                order_update(&channel),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        let r = wa
            .post("/api/v1/templates", key, order_update(&channel))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["status"], json!("pending"));
        assert_eq!(r.body["parameter_format"], json!("positional"));
        let meta_id = r.body["meta_id"].as_str().unwrap().to_owned();
        let at_meta = wa.sandbox.templates(Some(WABA_A));
        assert_eq!(at_meta.len(), 1);
        assert_eq!(at_meta[0].id, meta_id);
        assert_eq!(at_meta[0].name, "order_update");
        assert_eq!(
            at_meta[0].components[1],
            json!({ "type": "BODY", "text": "Hi {{1}}, your order ships on {{2}}.",
                    "example": { "body_text": [["Ana", "May 3"]] } })
        );
        let r = wa
            .post("/api/v1/templates", key, order_update(&channel))
            .await;
        assert_eq!((r.status, r.code()), (409, "template_exists"));

        // Anyone reads it; previews fill in values, examples elsewhere.
        let viewer = wa.add_user(&t, Role::Viewer, "viewer").await;
        let r = wa
            .get(
                &format!("/api/v1/templates/{id}"),
                Auth::Bearer(&viewer.token),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["preview"]["header"], json!("Order #1234"));
        let values = json!({ "body": { "1": "Rita" }, "buttons": { "1": "77" } });
        let r = wa
            .post(
                &format!("/api/v1/templates/{id}/preview"),
                Auth::Bearer(&agent.token),
                values.clone(),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["body"], json!("Hi Rita, your order ships on May 3."));
        assert_eq!(r.body["header"], json!("Order #1234"));
        assert_eq!(r.body["footer"], json!("Reply STOP to opt out"));
        assert_eq!(r.body["buttons"][1]["target"], json!("https://ex.com/o/77"));
        let r = wa
            .post(
                &format!("/api/v1/templates/{id}/preview"),
                Auth::Bearer(&viewer.token),
                values,
            )
            .await;
        assert_eq!(r.status, 403);

        // Deleted at Meta, then here.
        let r = wa
            .delete(
                &format!("/api/v1/templates/{id}"),
                Auth::Bearer(&agent.token),
            )
            .await;
        assert_eq!(r.status, 403);
        let r = wa.delete(&format!("/api/v1/templates/{id}"), key).await;
        assert_eq!(r.status, 204, "{}", r.body);
        assert!(wa.sandbox.templates(Some(WABA_A)).is_empty());
        let r = wa.get(&format!("/api/v1/templates/{id}"), key).await;
        assert_eq!(r.status, 404);
        let events = event_names(&wa, &t).await;
        assert!(
            events.contains(&"template.submitted".to_owned()),
            "{events:?}"
        );
        assert!(
            events.contains(&"template.deleted".to_owned()),
            "{events:?}"
        );
        assert_eq!(
            audit_actions(&wa, &t, "template").await,
            ["template.delete", "template.create", "template.sync"]
        );
        wa.stop().await;
    })
    .await;
}
