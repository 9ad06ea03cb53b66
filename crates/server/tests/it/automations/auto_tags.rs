//! Auto-tag rules: in order, a customer's keyword or a contact's field
//! puts a tag on; a matching rule may stop the rest; the workflows of the
//! same pass see the tag; disabled rules and other messages change
//! nothing; rules are checked like workflows.

use super::{PNID, WABA, customer_writes, runs, workflow};
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine, each_engine_with_sandbox};

async fn rule(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .post("/api/v1/auto-tag-rules", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body.clone()
}

/// The names of contact `id`'s tags, sorted.
async fn tags_of(app: &TestApp, t: &TestTenant, id: &str) -> Vec<String> {
    let r = app
        .get(
            &format!("/api/v1/contacts/{id}/tags"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut names: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn keywords_tag_in_order_a_match_may_stop_the_rest_and_workflows_see_the_tag() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("autotag-message").await;
        wa.connect_number(&t, PNID, WABA).await;
        let catering = crate::crm_tags::tag(&wa, &t, "catering", "#111111").await;
        let lead = crate::crm_tags::tag(&wa, &t, "lead", "#222222").await;
        let urgent = crate::crm_tags::tag(&wa, &t, "urgent", "#333333").await;
        let first = rule(&wa, &t, json!({ "name": "Catering", "matcher": {"on": "message", "keywords": ["catering"]}, "tag_id": catering, "stop": true })).await;
        rule(&wa, &t, json!({ "name": "Any lead", "matcher": {"on": "message", "pattern": "cater|event|party"}, "tag_id": lead })).await;
        rule(&wa, &t, json!({ "name": "Urgent", "matcher": {"on": "message", "keywords": ["asap"]}, "tag_id": urgent, "enabled": false })).await;
        // A workflow of the same pass that needs the tag.
        let flow = workflow(&wa, &t, "Catering note", json!({
            "trigger": {"type": "message_received"},
            "conditions": [{"type": "has_tag", "tag_id": catering}],
            "steps": [{"type": "add_note", "text": "Catering lead"}]
        })).await;

        let c = customer_writes(&wa, &t, "15550410001", "hello").await;
        assert!(tags_of(&wa, &t, &c).await.is_empty());
        assert!(runs(&wa, &t, &flow).await.is_empty());

        // "Catering" matches the first rule, which stops the second; the
        // disabled third does nothing.
        customer_writes(&wa, &t, "15550410001", "Do you do CATERING for a party asap?").await;
        assert_eq!(tags_of(&wa, &t, &c).await, ["catering"]);
        assert_eq!(runs(&wa, &t, &flow).await.len(), 1, "the workflow saw the tag in the same pass");

        // Another customer: only the pattern matches.
        let d = customer_writes(&wa, &t, "15550410002", "planning an event").await;
        assert_eq!(tags_of(&wa, &t, &d).await, ["lead"]);

        let r = wa.get(&format!("/api/v1/auto-tag-rules/{}", first["id"].as_str().unwrap()), Auth::ApiKey(&t.api_key)).await;
        assert_eq!(r.body["matches"], json!(1), "{}", r.body);
        assert!(r.body["last_matched_at"].is_string());
        let audit = crate::crm_notes::audit_actions(&wa, &t, "contact.tag").await;
        assert_eq!(audit.len(), 2, "each tag by the system is audited");
    })
    .await;
}

#[tokio::test]
async fn contact_rules_tag_on_create_and_on_change() {
    each_engine(|app| async move {
        let t = app.create_tenant("autotag-contact").await;
        let key = Auth::ApiKey(&t.api_key);
        crate::crm_contacts::attribute(&app, &t, json!({ "key": "plan", "label": "Plan", "type": "choice", "options": ["free", "pro"] })).await;
        let pro = crate::crm_tags::tag(&app, &t, "pro", "#444444").await;
        rule(&app, &t, json!({ "name": "Pro plan", "matcher": {"on": "contact", "conditions": [
            {"type": "attribute", "key": "plan", "op": "equals", "value": "pro"}]}, "tag_id": pro })).await;

        let a = crate::crm_contacts::contact(&app, &t, json!({ "phone": "+15550411001", "name": "Ann", "attributes": {"plan": "pro"} })).await;
        let b = crate::crm_contacts::contact(&app, &t, json!({ "phone": "+15550411002", "name": "Bob", "attributes": {"plan": "free"} })).await;
        app.drain().await;
        assert_eq!(tags_of(&app, &t, a["id"].as_str().unwrap()).await, ["pro"]);
        assert!(tags_of(&app, &t, b["id"].as_str().unwrap()).await.is_empty());

        let r = app.patch(&format!("/api/v1/contacts/{}", b["id"].as_str().unwrap()), key, json!({ "attributes": {"plan": "pro"} })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        app.drain().await;
        assert_eq!(tags_of(&app, &t, b["id"].as_str().unwrap()).await, ["pro"]);
    })
    .await;
}

#[tokio::test]
async fn rules_are_checked_and_managed_like_workflows() {
    each_engine(|app| async move {
        let t = app.create_tenant("autotag-api").await;
        let key = Auth::ApiKey(&t.api_key);
        let tag = crate::crm_tags::tag(&app, &t, "x", "#555555").await;
        let post = |body| app.post("/api/v1/auto-tag-rules", key, body);
        let r = post(json!({ "name": "Empty", "matcher": {"on": "message"}, "tag_id": tag })).await;
        assert_eq!((r.status, r.body["error"]["fields"][0]["field"].as_str()), (422, Some("matcher")), "{}", r.body);
        let r = post(json!({ "name": "Bad", "matcher": {"on": "message", "pattern": "(("}, "tag_id": tag })).await;
        assert_eq!(r.body["error"]["fields"][0]["field"], json!("matcher.pattern"), "{}", r.body);
        let r = post(json!({ "name": "Gone", "matcher": {"on": "message", "keywords": ["a"]}, "tag_id": uuid::Uuid::now_v7() })).await;
        assert_eq!((r.status, r.body["error"]["fields"][0]["field"].as_str()), (422, Some("tag_id")), "{}", r.body);
        let r = post(json!({ "name": "Msg", "matcher": {"on": "contact", "conditions": [{"type": "message_contains", "text": "a"}]}, "tag_id": tag })).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(app.get("/api/v1/auto-tag-rules", key).await.body["items"], json!([]), "nothing stored");

        let a = rule(&app, &t, json!({ "name": "A", "matcher": {"on": "message", "keywords": ["a"]}, "tag_id": tag })).await;
        let b = rule(&app, &t, json!({ "name": "B", "matcher": {"on": "message", "keywords": ["b"]}, "tag_id": tag })).await;
        assert_eq!((a["position"].as_i64(), b["position"].as_i64()), (Some(1), Some(2)));
        let r = post(json!({ "name": "a", "matcher": {"on": "message", "keywords": ["a"]}, "tag_id": tag })).await;
        assert_eq!((r.status, r.code()), (409, "auto_tag_rule_name_taken"));
        // Move B first.
        let path = format!("/api/v1/auto-tag-rules/{}", b["id"].as_str().unwrap());
        let r = app.patch(&path, key, json!({ "position": 0, "enabled": false })).await;
        assert_eq!((r.status, &r.body["enabled"]), (200, &json!(false)), "{}", r.body);
        let list = app.get("/api/v1/auto-tag-rules", key).await.body;
        let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["B", "A"]);
        assert_eq!(app.delete(&path, key).await.status, 204);
        assert_eq!(app.get(&path, key).await.status, 404);
        let names = crate::crm_notes::event_names(&app, &t).await;
        for name in ["auto_tag_rule.created", "auto_tag_rule.updated", "auto_tag_rule.deleted"] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
        let agent = app.add_user(&t, domain::Role::Agent, "agent").await;
        assert_eq!(app.get("/api/v1/auto-tag-rules", Auth::Bearer(&agent.token)).await.status, 403);
    })
    .await;
}
