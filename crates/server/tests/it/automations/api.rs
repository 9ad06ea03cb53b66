//! The API's rules: definitions checked field by field (and against the
//! workspace's tags, users and attributes) with nothing stored when
//! refused; names unique; who may manage automations; enable, duplicate,
//! delete (cancelling runs under way) and cancel; a dry run that does
//! nothing; runs in the execution log.

use super::{runs, set_tag, workflow};
use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn definitions_are_checked_by_path_and_a_refusal_stores_nothing() {
    each_engine(|app| async move {
        let t = app.create_tenant("flow-checks").await;
        let key = Auth::ApiKey(&t.api_key);
        let post = |body| app.post("/api/v1/workflows", key, body);

        let r = post(json!({ "name": "Bad", "definition": {
            "trigger": {"type": "message_received", "pattern": "(unclosed"},
            "steps": [{"type": "wait", "seconds": 0}, {"type": "assign"}]
        }})).await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"), "{}", r.body);
        let fields: Vec<&str> = r.body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["trigger.pattern", "steps[0].seconds", "steps[1]"], "{}", r.body);

        // Shapes serde refuses name the field too.
        let r = post(json!({ "name": "Bad", "definition": {
            "trigger": {"type": "sunrise"}, "steps": []
        }})).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = post(json!({ "name": "Bad", "definition": {
            "trigger": {"type": "contact_created"}, "steps": [{"type": "send_text", "txt": "x"}]
        }})).await;
        assert_eq!(r.status, 422, "{}", r.body);

        // Things it names must exist in this workspace.
        let r = post(json!({ "name": "Bad", "definition": {
            "trigger": {"type": "tag_added", "tag_id": uuid::Uuid::now_v7()},
            "steps": [{"type": "set_attribute", "key": "plan", "value": "pro"}]
        }})).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["error"]["fields"][0]["field"], json!("definition.trigger.tag_id"), "{}", r.body);
        let list = app.get("/api/v1/workflows", key).await;
        assert_eq!(list.body["items"], json!([]), "nothing stored");

        // A good one, then the same name in another case.
        let ok = json!({ "trigger": {"type": "contact_created"}, "steps": [{"type": "add_note", "text": "Welcome"}] });
        workflow(&app, &t, "Welcome", ok.clone()).await;
        let r = post(json!({ "name": "WELCOME", "definition": ok })).await;
        assert_eq!((r.status, r.code()), (409, "workflow_name_taken"));
        let r = post(json!({ "name": " ", "definition": ok })).await;
        assert_eq!((r.status, r.body["error"]["fields"][0]["field"].as_str()), (422, Some("name")));
    })
    .await;
}

#[tokio::test]
async fn only_owners_admins_and_campaign_keys_manage_automations() {
    each_engine(|app| async move {
        let t = app.create_tenant("flow-roles").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let ok = json!({ "name": "Welcome", "enabled": true, "definition": {
            "trigger": {"type": "contact_created"}, "steps": [{"type": "add_note", "text": "Welcome"}] } });
        let r = app.post("/api/v1/workflows", Auth::Bearer(&agent.token), ok.clone()).await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"), "{}", r.body);
        assert_eq!(app.get("/api/v1/workflow-runs", Auth::Bearer(&agent.token)).await.status, 403);
        let r = app.post("/api/v1/workflows", Auth::Bearer(&t.owner.token), ok).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["enabled"], json!(true));
        assert_eq!(r.body["trigger"], json!("contact_created"));
        let audit = crate::crm_notes::audit_actions(&app, &t, "workflow").await;
        assert_eq!(audit, ["workflow.create"]);
    })
    .await;
}

#[tokio::test]
async fn disable_duplicate_delete_and_cancel() {
    each_engine(|app| async move {
        let t = app.create_tenant("flow-manage").await;
        let key = Auth::ApiKey(&t.api_key);
        let tag = crate::crm_tags::tag(&app, &t, "nurture", "#123456").await;
        let id = workflow(&app, &t, "Nurture", json!({
            "trigger": {"type": "tag_added", "tag_id": tag},
            "steps": [{"type": "wait", "seconds": 86400}, {"type": "add_note", "text": "a day later"}]
        })).await;
        let c = crate::crm_contacts::contact(&app, &t, json!({ "phone": "+15550408001", "name": "Nu" })).await;
        let contact = c["id"].as_str().unwrap().to_owned();

        // Disabled: tagging starts nothing.
        let r = app.patch(&format!("/api/v1/workflows/{id}"), key, json!({ "enabled": false })).await;
        assert_eq!((r.status, &r.body["enabled"], &r.body["version"]), (200, &json!(false), &json!(1)));
        set_tag(&app, &t, &contact, &tag, true).await;
        app.drain().await;
        assert!(runs(&app, &t, &id).await.is_empty());

        // Enabled again: a new tagging starts a waiting run; cancel it.
        app.patch(&format!("/api/v1/workflows/{id}"), key, json!({ "enabled": true })).await;
        set_tag(&app, &t, &contact, &tag, false).await;
        set_tag(&app, &t, &contact, &tag, true).await;
        app.drain().await;
        let waiting = runs(&app, &t, &id).await[0].clone();
        assert_eq!(waiting["status"], json!("waiting"));
        let cancel = format!("/api/v1/workflow-runs/{}/cancel", waiting["id"].as_str().unwrap());
        let r = app.post(&cancel, key, json!({})).await;
        assert_eq!((r.status, &r.body["status"]), (200, &json!("cancelled")), "{}", r.body);
        let r = app.post(&cancel, key, json!({})).await;
        assert_eq!((r.status, r.code()), (409, "run_not_active"));
        app.advance(86400);
        app.drain().await;
        let r = app.get(&format!("/api/v1/notes?contact_id={contact}"), key).await;
        assert_eq!(r.body["items"], json!([]), "a cancelled run does nothing more");

        // Duplicate: a disabled copy with the same definition.
        let r = app.post(&format!("/api/v1/workflows/{id}/duplicate"), key, json!({})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!((&r.body["name"], &r.body["enabled"]), (&json!("Nurture (copy)"), &json!(false)));
        let original = app.get(&format!("/api/v1/workflows/{id}"), key).await.body;
        assert_eq!(r.body["definition"], original["definition"]);

        // Delete: a run under way is cancelled; the runs stay listed.
        set_tag(&app, &t, &contact, &tag, false).await;
        set_tag(&app, &t, &contact, &tag, true).await;
        app.drain().await;
        assert_eq!(runs(&app, &t, &id).await[0]["status"], json!("waiting"));
        assert_eq!(app.delete(&format!("/api/v1/workflows/{id}"), key).await.status, 204);
        assert_eq!(app.get(&format!("/api/v1/workflows/{id}"), key).await.status, 404);
        let left = runs(&app, &t, &id).await;
        assert!(left.iter().all(|r| r["status"] == "cancelled"), "{left:?}");
        let names = crate::crm_notes::event_names(&app, &t).await;
        for name in ["workflow.created", "workflow.updated", "workflow.deleted"] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_shows_the_steps_without_doing_them() {
    each_engine(|app| async move {
        let t = app.create_tenant("flow-dry").await;
        let key = Auth::ApiKey(&t.api_key);
        let vip = crate::crm_tags::tag(&app, &t, "vip", "#654321").await;
        // Made before the workflow: no run of it tags them.
        let c = crate::crm_contacts::contact(
            &app,
            &t,
            json!({ "phone": "+15550409001", "name": "Dry" }),
        )
        .await;
        let id = workflow(
            &app,
            &t,
            "Dry",
            json!({
                "trigger": {"type": "contact_created"},
                "conditions": [{"type": "lacks_tag", "tag_id": vip}],
                "steps": [
                    {"type": "branch", "if": [{"type": "has_tag", "tag_id": vip}],
                     "then": [{"type": "add_note", "text": "vip"}],
                     "else": [{"type": "add_tag", "tag_id": vip}]},
                    {"type": "wait", "seconds": 60},
                    {"type": "add_note", "text": "after a minute"}
                ]
            }),
        )
        .await;
        app.drain().await;
        let before = crate::crm_notes::event_names(&app, &t).await.len();
        let r = app
            .post(
                &format!("/api/v1/workflows/{id}/dry-run"),
                key,
                json!({ "contact_id": c["id"] }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["conditions_hold"], json!(true));
        let steps: Vec<&str> = r.body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["steps[0]", "steps[0].else[0]", "steps[1]", "steps[2]"],
            "{}",
            r.body
        );
        assert_eq!(
            crate::crm_notes::event_names(&app, &t).await.len(),
            before,
            "nothing was done"
        );
        let r = app
            .post(
                &format!("/api/v1/workflows/{id}/dry-run"),
                key,
                json!({ "contact_id": uuid::Uuid::now_v7() }),
            )
            .await;
        assert_eq!(r.status, 422);
    })
    .await;
}
