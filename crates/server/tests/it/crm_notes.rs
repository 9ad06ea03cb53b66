//! Private notes and in-app notifications, on both engines: notes on a
//! conversation and on a contact (never a message), `@mentions` notifying
//! teammates once, who may change a note, the notification list of the
//! signed-in user (API keys have none), events and audit entries, and the
//! notes inline in the dashboard's thread and on the contact page.

use domain::{ChannelId, ConversationId, Role, TenantId};
use serde_json::{Value, json};
use store::inbox::NewInbound;
use testkit::{Auth, TestApp, TestTenant, each_engine};

mod dashboard;

/// A contact (`wa_id`, named `name`) and a conversation with them, made in
/// the store as the inbox would; their ids.
pub async fn conversation(
    app: &TestApp,
    t: &TestTenant,
    wa_id: &str,
    name: &str,
) -> (String, String) {
    let tenant: TenantId = t.id.parse().unwrap();
    let now = app.state.now();
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    let (contact, _) = tx
        .upsert_contact(wa_id, None, Some(name), now)
        .await
        .unwrap();
    let (conv, _) = tx
        .upsert_conversation(contact.id, ChannelId::new(), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (contact.id.to_string(), conv.id.to_string())
}

/// A customer's text message in `conversation`, stored now.
pub async fn inbound(app: &TestApp, t: &TestTenant, conversation: &str, text: &str) {
    let tenant: TenantId = t.id.parse().unwrap();
    let id: ConversationId = conversation.parse().unwrap();
    let now = app.state.now();
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    let conv = tx.find_conversation(id).await.unwrap();
    let content = json!({ "type": "text", "text": { "body": text } });
    let wamid = format!("wamid.{}", uuid::Uuid::now_v7().simple());
    tx.insert_inbound_message(NewInbound {
        conversation: id,
        channel: conv.channel_id,
        wamid: &wamid,
        kind: "text",
        content: &content,
        reply_to_wamid: None,
        provider_time: now,
        now,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The names of `t`'s events, oldest first.
pub async fn event_names(app: &TestApp, t: &TestTenant) -> Vec<String> {
    let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    let events = tx.events_after(0, 10_000).await.unwrap();
    tx.commit().await.unwrap();
    events.into_iter().map(|e| e.name).collect()
}

/// The audit log's actions of `family` (`note`) or exactly `family`
/// (`task.due`), newest first.
pub async fn audit_actions(app: &TestApp, t: &TestTenant, family: &str) -> Vec<String> {
    let r = app
        .get(
            &format!("/api/v1/audit-log?limit=200&action={family}"),
            Auth::Bearer(&t.owner.token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Writes a note as `auth`; the answer's body.
pub async fn note(app: &TestApp, auth: Auth<'_>, body: Value) -> Value {
    let r = app.post("/api/v1/notes", auth, body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

/// `auth`'s notifications, newest first.
pub async fn notifications(app: &TestApp, auth: Auth<'_>) -> Vec<Value> {
    let r = app.get("/api/v1/me/notifications", auth).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Gives `t` one of each thing this area makes, so the cross-tenant walk
/// (isolation.rs) probes its routes with real ids: a note on a
/// conversation, a task about its contact, and (the task being assigned
/// to the owner by an API key) a notification of the owner's.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let (contact, conv) = conversation(app, t, "15550109999", "Noted Customer").await;
    note(
        app,
        Auth::Bearer(&t.owner.token),
        json!({ "conversation_id": conv, "body": "Seeded note" }),
    )
    .await;
    let task = json!({
        "title": "Seeded task",
        "assignee_user_id": t.owner.id,
        "contact_id": contact,
    });
    let r = app
        .post("/api/v1/tasks", Auth::ApiKey(&t.api_key), task)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        notifications(app, Auth::Bearer(&t.owner.token)).await.len(),
        1
    );
}

#[tokio::test]
async fn notes_stay_private_and_mentions_notify_each_teammate_once() {
    each_engine(|app| async move {
        let t = app.create_tenant("notes-api").await;
        let owner = Auth::Bearer(&t.owner.token);
        let key = Auth::ApiKey(&t.api_key);
        let alice = app.add_user(&t, Role::Agent, "alice").await;
        let bob = app.add_user(&t, Role::Agent, "bob").await;
        let viewer = app.add_user(&t, Role::Viewer, "vic").await;
        let (contact, conv) = conversation(&app, &t, "15550100001", "Dana Customer").await;

        let text = "  @Alice please call back. cc @nobody, me: @owner  ";
        let n1 = note(
            &app,
            owner,
            json!({ "conversation_id": conv, "body": text }),
        )
        .await;
        assert_eq!(
            n1["body"],
            json!("@Alice please call back. cc @nobody, me: @owner")
        );
        assert_eq!(n1["conversation_id"], json!(conv));
        assert_eq!(
            n1["contact_id"],
            json!(contact),
            "the conversation's contact"
        );
        assert_eq!(n1["author"]["user_id"], json!(t.owner.id));
        assert_eq!(n1["mentioned_user_ids"], json!([alice.id, t.owner.id]));
        let n1_id = n1["id"].as_str().unwrap().to_owned();

        // Never a message: nothing queued, nothing in the conversation.
        let msgs = app
            .get(&format!("/api/v1/conversations/{conv}/messages"), key)
            .await;
        assert_eq!(msgs.status, 200, "{}", msgs.body);
        assert_eq!(msgs.body["items"], json!([]));

        // Alice is told; the author is not, even naming themself.
        let got = notifications(&app, Auth::Bearer(&alice.token)).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["kind"], json!("mention"));
        assert_eq!(got[0]["note_id"], json!(n1_id));
        assert_eq!(
            got[0]["link"],
            json!(format!("/app/inbox/{conv}#note-{n1_id}"))
        );
        assert_eq!(got[0]["read_at"], Value::Null);
        let title = got[0]["title"].as_str().unwrap();
        assert!(
            title.contains("Dana Customer") && title.contains("call back"),
            "{title}"
        );
        assert!(notifications(&app, owner).await.is_empty());

        // A note on the contact, by an API key, shows with the contact's.
        let n2 = note(
            &app,
            key,
            json!({ "contact_id": contact, "body": "VIP. @alice" }),
        )
        .await;
        assert_eq!(n2["conversation_id"], Value::Null);
        assert!(n2["author"]["api_key_id"].is_string(), "{n2}");
        assert_eq!(n2["author"]["user_id"], Value::Null);
        let n2_id = n2["id"].as_str().unwrap().to_owned();
        assert_eq!(
            notifications(&app, Auth::Bearer(&alice.token)).await.len(),
            2
        );
        let ids = |v: Value| -> Vec<String> {
            let items = v["items"].as_array().unwrap();
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let r = app
            .get(&format!("/api/v1/notes?contact_id={contact}"), owner)
            .await;
        assert_eq!(ids(r.body), [n2_id.clone(), n1_id.clone()], "newest first");
        let r = app
            .get(&format!("/api/v1/notes?conversation_id={conv}"), owner)
            .await;
        assert_eq!(ids(r.body), vec![n1_id.clone()]);
        let r = app
            .get(
                &format!("/api/v1/notes/{n1_id}"),
                Auth::Bearer(&viewer.token),
            )
            .await;
        assert_eq!(r.status, 200, "a viewer reads notes");

        // Only the author, an owner or an admin changes a note.
        let path1 = format!("/api/v1/notes/{n1_id}");
        let r = app
            .patch(&path1, Auth::Bearer(&alice.token), json!({ "body": "x" }))
            .await;
        assert_eq!((r.status, r.code()), (403, "not_author"), "{}", r.body);
        let body = json!({ "contact_id": contact, "body": "x" });
        let r = app
            .post("/api/v1/notes", Auth::Bearer(&viewer.token), body)
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        // An edit notifies only those newly mentioned.
        let r = app
            .patch(&path1, owner, json!({ "body": "@alice and now @bob" }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["mentioned_user_ids"], json!([alice.id, bob.id]));
        assert_eq!(
            notifications(&app, Auth::Bearer(&alice.token)).await.len(),
            2
        );
        assert_eq!(notifications(&app, Auth::Bearer(&bob.token)).await.len(), 1);
        let path2 = format!("/api/v1/notes/{n2_id}");
        let r = app
            .patch(&path2, key, json!({ "body": "VIP customer" }))
            .await;
        assert_eq!(r.status, 200, "the key that wrote it: {}", r.body);
        let r = app.delete(&path2, Auth::Bearer(&alice.token)).await;
        assert_eq!((r.status, r.code()), (403, "not_author"));
        let r = app.delete(&path2, owner).await;
        assert_eq!(r.status, 204, "an owner may: {}", r.body);
        assert_eq!(app.get(&path2, owner).await.status, 404);
        let left = notifications(&app, Auth::Bearer(&alice.token)).await;
        assert_eq!(left.len(), 1, "its notification went with it");
        assert_eq!(left[0]["note_id"], json!(n1_id));

        // Refusals.
        for (body, field) in [
            (json!({ "conversation_id": conv, "body": "   " }), "body"),
            (
                json!({ "conversation_id": conv, "body": "n".repeat(10_001) }),
                "body",
            ),
            (
                json!({ "conversation_id": conv, "contact_id": contact, "body": "x" }),
                "conversation_id",
            ),
            (json!({ "body": "x" }), "conversation_id"),
            (
                json!({ "conversation_id": uuid::Uuid::now_v7(), "body": "x" }),
                "conversation_id",
            ),
            (
                json!({ "contact_id": uuid::Uuid::now_v7(), "body": "x" }),
                "contact_id",
            ),
        ] {
            let r = app.post("/api/v1/notes", owner, body).await;
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
        let longest = json!({ "contact_id": contact, "body": "n".repeat(10_000) });
        let r = app.post("/api/v1/notes", owner, longest).await;
        assert_eq!(r.status, 201, "10,000 characters fit");

        let names = event_names(&app, &t).await;
        let notes: Vec<&String> = names.iter().filter(|n| n.starts_with("note.")).collect();
        let (c, u, d) = ("note.created", "note.updated", "note.deleted");
        assert_eq!(notes, [c, c, u, u, d, c]);
        let audit = audit_actions(&app, &t, "note").await;
        assert_eq!(audit.iter().filter(|a| *a == "note.create").count(), 3);
        assert_eq!(audit.iter().filter(|a| *a == "note.delete").count(), 1);
    })
    .await;
}

#[tokio::test]
async fn notifications_are_the_callers_own_and_api_keys_have_none() {
    each_engine(|app| async move {
        let t = app.create_tenant("notes-inbox").await;
        let alice = app.add_user(&t, Role::Agent, "alice").await;
        let bob = app.add_user(&t, Role::Agent, "bob").await;
        let (_, conv) = conversation(&app, &t, "15550100002", "Eve").await;
        let me = Auth::Bearer(&alice.token);
        for text in ["@alice one", "@alice two", "@alice three"] {
            note(
                &app,
                Auth::Bearer(&t.owner.token),
                json!({ "conversation_id": conv, "body": text }),
            )
            .await;
        }
        let r = app.get("/api/v1/me/notifications/unread-count", me).await;
        assert_eq!(r.body, json!({ "unread": 3 }));
        let all = notifications(&app, me).await;
        let newest = all[0]["id"].as_str().unwrap().to_owned();
        assert!(
            all[0]["title"].as_str().unwrap().contains("three"),
            "newest first"
        );

        // Bob cannot touch Alice's; an API key has no notifications.
        let read = format!("/api/v1/me/notifications/{newest}/read");
        let r = app.post(&read, Auth::Bearer(&bob.token), json!({})).await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let key = Auth::ApiKey(&t.api_key);
        for path in [
            "/api/v1/me/notifications",
            "/api/v1/me/notifications/unread-count",
        ] {
            let r = app.get(path, key).await;
            assert_eq!((r.status, r.code()), (403, "user_required"), "{path}");
        }
        let r = app
            .post("/api/v1/me/notifications/read-all", key, json!({}))
            .await;
        assert_eq!((r.status, r.code()), (403, "user_required"));
        let r = app.post(&read, key, json!({})).await;
        assert_eq!((r.status, r.code()), (403, "user_required"));
        let nowhere = format!("/api/v1/me/notifications/{}/read", uuid::Uuid::now_v7());
        assert_eq!(app.post(&nowhere, me, json!({})).await.status, 404);

        let r = app.post(&read, me, json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let first_read = r.body["read_at"].clone();
        assert!(first_read.is_string());
        app.advance(60);
        let r = app.post(&read, me, json!({})).await;
        assert_eq!(
            r.body["read_at"], first_read,
            "reading again changes nothing"
        );
        let r = app.get("/api/v1/me/notifications?unread=true", me).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
        let r = app
            .post("/api/v1/me/notifications/read-all", me, json!({}))
            .await;
        assert_eq!(r.body, json!({ "marked": 2 }));
        let r = app.get("/api/v1/me/notifications/unread-count", me).await;
        assert_eq!(r.body, json!({ "unread": 0 }));
        assert_eq!(
            notifications(&app, me).await.len(),
            3,
            "read ones stay listed"
        );
    })
    .await;
}
