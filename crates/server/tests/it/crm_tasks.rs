//! Tasks, on both engines: create, filter (assignee, status, overdue,
//! link), change, complete, reopen and delete through the API, with
//! events, audit entries and `task_assigned` notifications; reminders
//! that come exactly once when a task comes due, whatever the number of
//! workers or restarts (the clock is moved, never slept on); and the
//! dashboard's task pages and contact block.

use crate::crm_notes::{audit_actions, conversation, event_names, notifications};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, each_engine};

mod dashboard;

/// `seconds` from the app's now, as the API writes times.
fn at(app: &TestApp, seconds: i64) -> String {
    app.state.now().plus_seconds(seconds).to_rfc3339()
}

async fn create(app: &TestApp, auth: Auth<'_>, body: Value) -> Value {
    let r = app.post("/api/v1/tasks", auth, body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

fn ids(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

/// The ids `GET /api/v1/tasks?{q}` lists, sorted.
async fn list(app: &TestApp, q: &str, who: Auth<'_>) -> Vec<String> {
    let r = app.get(&format!("/api/v1/tasks?{q}"), who).await;
    assert_eq!(r.status, 200, "{q}: {}", r.body);
    ids(&r.body)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// `auth`'s notifications of `kind`.
async fn of_kind(app: &TestApp, auth: Auth<'_>, kind: &str) -> Vec<Value> {
    notifications(app, auth)
        .await
        .into_iter()
        .filter(|n| n["kind"] == json!(kind))
        .collect()
}

#[tokio::test]
async fn tasks_are_filtered_changed_completed_and_deleted_with_events() {
    each_engine(|app| async move {
        let t = app.create_tenant("tasks-api").await;
        let owner = Auth::Bearer(&t.owner.token);
        let alice = app.add_user(&t, Role::Agent, "alice").await;
        let bob = app.add_user(&t, Role::Agent, "bob").await;
        let viewer = app.add_user(&t, Role::Viewer, "vic").await;
        let (contact, conv) = conversation(&app, &t, "15550200001", "Gina").await;
        let deal = uuid::Uuid::now_v7().to_string();

        let call = create(
            &app,
            owner,
            json!({
                "title": " Call Gina ",
                "description": "About the refund",
                "due_at": at(&app, 300),
                "assignee_user_id": alice.id,
                "contact_id": contact,
            }),
        )
        .await;
        assert_eq!(call["title"], json!("Call Gina"));
        assert_eq!(call["status"], json!("open"));
        assert_eq!(call["overdue"], json!(false));
        assert_eq!(call["contact_id"], json!(contact));
        assert_eq!(call["created_by_user_id"], json!(t.owner.id));
        let call_id = call["id"].as_str().unwrap().to_owned();
        let assigned = of_kind(&app, Auth::Bearer(&alice.token), "task_assigned").await;
        assert_eq!(assigned.len(), 1, "told of it");
        assert_eq!(assigned[0]["task_id"], json!(call_id));
        assert_eq!(assigned[0]["link"], json!(format!("/app/tasks/{call_id}")));

        // Her own task: nobody to tell.
        let body = json!({
            "title": "Reply in thread",
            "assignee_user_id": alice.id,
            "conversation_id": conv,
        });
        let mine = create(&app, Auth::Bearer(&alice.token), body).await;
        let mine_id = mine["id"].as_str().unwrap().to_owned();
        assert_eq!(
            of_kind(&app, Auth::Bearer(&alice.token), "task_assigned")
                .await
                .len(),
            1
        );
        let body = json!({ "title": "Send quote", "deal_id": deal });
        let pitch = create(&app, Auth::ApiKey(&t.api_key), body).await;
        assert_eq!(pitch["deal_id"], json!(deal), "a deal id is kept as given");
        assert!(pitch["created_by_api_key_id"].is_string());
        let pitch_id = pitch["id"].as_str().unwrap().to_owned();

        let alice_auth = Auth::Bearer(&alice.token);
        assert_eq!(
            list(&app, "assignee=me", alice_auth).await,
            sorted(vec![call_id.clone(), mine_id.clone()])
        );
        assert_eq!(
            list(&app, &format!("assignee={}", alice.id), owner)
                .await
                .len(),
            2
        );
        assert_eq!(
            list(&app, &format!("contact_id={contact}"), owner).await,
            sorted(vec![call_id.clone(), mine_id.clone()]),
            "linked to the contact or to its conversation"
        );
        assert_eq!(
            list(&app, &format!("conversation_id={conv}"), owner).await,
            vec![mine_id.clone()]
        );
        assert_eq!(
            list(&app, &format!("deal_id={deal}"), owner).await,
            vec![pitch_id.clone()]
        );
        assert!(list(&app, "overdue=true", owner).await.is_empty());
        let r = app
            .get("/api/v1/tasks?assignee=me", Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(
            (r.status, r.code()),
            (422, "validation_failed"),
            "an API key is nobody"
        );

        // (Access tokens live 15 minutes: the tests move the clock less.)
        app.advance(301);
        assert_eq!(
            list(&app, "overdue=true", owner).await,
            vec![call_id.clone()]
        );
        let path = format!("/api/v1/tasks/{call_id}");
        assert_eq!(app.get(&path, owner).await.body["overdue"], json!(true));

        // Complete, reopen, edit, reassign.
        let r = app
            .patch(
                &path,
                Auth::Bearer(&alice.token),
                json!({ "status": "done" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["status"], json!("done"));
        assert!(r.body["completed_at"].is_string());
        assert_eq!(r.body["overdue"], json!(false));
        assert_eq!(
            list(&app, "status=done", owner).await,
            vec![call_id.clone()]
        );
        assert!(list(&app, "overdue=true", owner).await.is_empty());
        let r = app.patch(&path, owner, json!({ "status": "open" })).await;
        assert_eq!(r.body["completed_at"], Value::Null);
        let body = json!({ "title": "Call Gina back", "assignee_user_id": bob.id });
        let r = app.patch(&path, owner, body).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            of_kind(&app, Auth::Bearer(&bob.token), "task_assigned")
                .await
                .len(),
            1
        );
        let r = app
            .patch(&path, owner, json!({ "title": "Call Gina back" }))
            .await;
        assert_eq!(r.status, 200, "no change, no event");
        let r = app
            .patch(&path, owner, json!({ "conversation_id": conv }))
            .await;
        assert_eq!(
            (
                r.body["contact_id"].clone(),
                r.body["conversation_id"].clone()
            ),
            (Value::Null, json!(conv))
        );
        let body = json!({ "due_at": null, "description": null, "assignee_user_id": null });
        let r = app.patch(&path, owner, body).await;
        assert_eq!(
            (
                r.body["due_at"].clone(),
                r.body["description"].clone(),
                r.body["assignee_user_id"].clone()
            ),
            (Value::Null, Value::Null, Value::Null)
        );

        // Refusals.
        let nobody = uuid::Uuid::now_v7().to_string();
        for (body, field) in [
            (json!({ "title": "  " }), "title"),
            (json!({ "title": "t".repeat(201) }), "title"),
            (
                json!({ "title": "x", "description": "d".repeat(5001) }),
                "description",
            ),
            (
                json!({ "title": "x", "assignee_user_id": nobody }),
                "assignee_user_id",
            ),
            (json!({ "title": "x", "contact_id": nobody }), "contact_id"),
            (
                json!({ "title": "x", "conversation_id": nobody }),
                "conversation_id",
            ),
            (
                json!({ "title": "x", "contact_id": contact, "deal_id": deal }),
                "contact_id",
            ),
        ] {
            let r = app.post("/api/v1/tasks", owner, body).await;
            assert_eq!(
                (r.status, r.code()),
                (422, "validation_failed"),
                "{}",
                r.body
            );
            assert_eq!(
                r.body["error"]["fields"][0]["field"],
                json!(field),
                "{}",
                r.body
            );
        }
        let r = app
            .patch(&path, owner, json!({ "status": "finished" }))
            .await;
        assert_eq!(r.status, 422);
        let r = app
            .post(
                "/api/v1/tasks",
                Auth::Bearer(&viewer.token),
                json!({ "title": "x" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        assert_eq!(
            app.get(&path, Auth::Bearer(&viewer.token)).await.status,
            200
        );

        let r = app.delete(&path, owner).await;
        assert_eq!(r.status, 204);
        assert_eq!(app.get(&path, owner).await.status, 404);
        assert!(
            of_kind(&app, Auth::Bearer(&bob.token), "task_assigned")
                .await
                .is_empty(),
            "gone with it"
        );

        // (`task.due` comes when the workers' poller sees the call come due.)
        let names: Vec<String> = event_names(&app, &t)
            .await
            .into_iter()
            .filter(|n| n.starts_with("task.") && n != "task.due")
            .collect();
        assert_eq!(
            names,
            [
                "task.created",
                "task.created",
                "task.created",
                "task.completed",
                "task.updated",
                "task.updated",
                "task.updated",
                "task.updated",
                "task.deleted"
            ]
        );
        let audit = audit_actions(&app, &t, "task").await;
        for action in ["task.create", "task.update", "task.complete", "task.delete"] {
            assert!(audit.contains(&action.to_owned()), "{action} in {audit:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_task_coming_due_reminds_its_assignee_exactly_once() {
    each_engine(|app| async move {
        let t = app.create_tenant("tasks-due").await;
        let owner = Auth::Bearer(&t.owner.token);
        let alice = app.add_user(&t, Role::Agent, "alice").await;
        let mine = Auth::Bearer(&alice.token);
        // Due in 5 minutes, already late, done before it is due.
        let due_in = |title: &str, seconds: i64| {
            json!({ "title": title, "due_at": at(&app, seconds), "assignee_user_id": alice.id })
        };
        let task = create(&app, owner, due_in("Renew contract", 300)).await;
        let id = task["id"].as_str().unwrap().to_owned();
        create(&app, owner, due_in("Already late", -60)).await;
        let done = create(&app, owner, due_in("Done early", 200)).await;
        let done = format!("/api/v1/tasks/{}", done["id"].as_str().unwrap());
        let r = app.patch(&done, owner, json!({ "status": "done" })).await;
        assert_eq!(r.status, 200);
        create(&app, owner, json!({ "title": "Nobody's", "due_at": at(&app, 300) })).await;

        app.drain().await;
        assert!(of_kind(&app, mine, "task_due").await.is_empty(), "not due yet");

        // Due: two nodes race for it; one reminder, one event.
        app.advance(301);
        let other = app.another_node(|_| {}).await;
        tokio::join!(server::jobs::drain(&app.state), server::jobs::drain(&other));
        let got = of_kind(&app, mine, "task_due").await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["task_id"], json!(id));
        assert_eq!(got[0]["title"], json!("Task due: Renew contract"));
        let count = |names: Vec<String>| names.iter().filter(|n| *n == "task.due").count();
        assert_eq!(count(event_names(&app, &t).await), 2, "Renew contract and the unassigned one");
        // Alice is emailed once too (kept for the operator: no SMTP here).
        app.drain().await;
        let op = app.operator_token().await;
        let outbox = app.get("/api/v1/operator/emails", Auth::Bearer(&op)).await.body;
        let emailed: Vec<&str> = outbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "task_reminder" && m["to"] == json!(alice.email))
            .map(|m| m["subject"].as_str().unwrap())
            .collect();
        assert_eq!(emailed, ["Due: Renew contract"], "{outbox}");

        // A restarted node finds nothing more to do.
        let restarted = app.another_node(|_| {}).await;
        server::jobs::drain(&restarted).await;
        app.drain().await;
        assert_eq!(of_kind(&app, mine, "task_due").await.len(), 1);
        assert_eq!(count(event_names(&app, &t).await), 2);

        // A new due time arms it again.
        let path = format!("/api/v1/tasks/{id}");
        let r = app.patch(&path, owner, json!({ "due_at": at(&app, 300) })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        app.drain().await;
        assert_eq!(of_kind(&app, mine, "task_due").await.len(), 1);
        app.advance(301);
        app.drain().await;
        assert_eq!(of_kind(&app, mine, "task_due").await.len(), 2);
        assert_eq!(count(event_names(&app, &t).await), 3);
        assert_eq!(audit_actions(&app, &t, "task.due").await.len(), 3);
    })
    .await;
}
