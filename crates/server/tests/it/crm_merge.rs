//! Duplicates and merging, through the API on both engines: suggestions by
//! phone, email and name (case-insensitive), and a merge that keeps one
//! contact with the other's conversations (two on the same number made
//! one), messages, attributes (the kept values win), tags, notes, tasks,
//! deals and timeline, then deletes the other — in one step, audited,
//! with a `contact.merged` event.

use crate::crm_contacts::{attribute, contact, events};
use domain::{ChannelId, ContactId, ConversationId, MessageId, TenantId};
use serde_json::{Value, json};
use store::inbox::{NewInbound, NewOutbound};
use testkit::{Auth, TestApp, TestTenant, each_engine};

/// A conversation of `contact` on number `channel` with `n` customer
/// messages, made in the store as the inbox would; its id.
async fn conversation(
    app: &TestApp,
    t: &TestTenant,
    contact: &str,
    channel: ChannelId,
    n: usize,
) -> String {
    let tenant: TenantId = t.id.parse().unwrap();
    let contact: ContactId = contact.parse().unwrap();
    let now = app.state.now();
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    let (conv, _) = tx.upsert_conversation(contact, channel, now).await.unwrap();
    for _ in 0..n {
        let wamid = format!("wamid.{}", uuid::Uuid::now_v7().simple());
        let content = json!({ "type": "text", "text": { "body": "hello" } });
        let m = NewInbound {
            conversation: conv.id,
            channel,
            wamid: &wamid,
            kind: "text",
            content: &content,
            reply_to_wamid: None,
            provider_time: now,
            now,
        };
        tx.insert_inbound_message(m).await.unwrap();
        tx.note_inbound(conv.id, now, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    conv.id.to_string()
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_merge_keeps_one_contact_with_everything_of_the_other() {
    each_engine(|app| async move {
        let t = app.create_tenant("contact-merge").await;
        let owner = Auth::Bearer(&t.owner.token);
        attribute(&app, &t, json!({ "key": "plan", "label": "Plan", "type": "text" })).await;
        attribute(&app, &t, json!({ "key": "city", "label": "City", "type": "text" })).await;
        let kept = contact(&app, &t, json!({ "phone": "+14155550001", "name": "Ana Lima", "email": "ana@example.com", "attributes": { "plan": "pro" } })).await;
        let other = contact(&app, &t, json!({ "phone": "+351912345678", "name": "ANA LIMA", "email": "Ana@Example.COM", "language": "pt_BR", "attributes": { "plan": "free", "city": "Porto" } })).await;
        let stranger = contact(&app, &t, json!({ "phone": "+14155550003", "name": "Bo", "email": "bo@example.com" })).await;
        let (k, o) = (kept["id"].as_str().unwrap().to_owned(), other["id"].as_str().unwrap().to_owned());

        let r = app.get(&format!("/api/v1/contacts/{k}/duplicates"), owner).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(ids(&r.body), std::slice::from_ref(&o), "not {}", stranger["id"]);
        assert_eq!(r.body["items"][0]["reasons"], json!(["email", "name"]));

        let (x, y) = (ChannelId::new(), ChannelId::new());
        let kx = conversation(&app, &t, &k, x, 1).await;
        let ox = conversation(&app, &t, &o, x, 2).await;
        let oy = conversation(&app, &t, &o, y, 1).await;
        // The other was written to (from the WhatsApp app: sent, not
        // in flight); the kept one never was.
        let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
        let content = json!({ "type": "text", "text": { "body": "Your order is ready" } });
        tx.insert_echo_message(store::inbox::NewEcho {
            conversation: oy.parse().unwrap(),
            channel: y,
            wamid: "wamid.echo.merge",
            kind: "text",
            content: &content,
            provider_time: app.state.now(),
            now: app.state.now(),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let tag = crate::crm_tags::tag(&app, &t, "Porto", "#0891b2").await;
        for path in [format!("/api/v1/contacts/{o}/tags/{tag}"), format!("/api/v1/conversations/{ox}/tags/{tag}")] {
            assert_eq!(app.put(&path, owner, json!({})).await.status, 204, "{path}");
        }
        for on in [json!({ "contact_id": o }), json!({ "conversation_id": ox })] {
            let mut body = on.clone();
            body["body"] = json!("Prefers mornings");
            assert_eq!(app.post("/api/v1/notes", owner, body).await.status, 201, "{on}");
        }
        let r = app.post("/api/v1/tasks", owner, json!({ "title": "Call back", "contact_id": o })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let task = r.body["id"].as_str().unwrap().to_owned();
        let r = app.post("/api/v1/pipelines", owner, json!({ "name": "Sales", "stages": [{ "name": "New" }] })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let pipeline = r.body["id"].as_str().unwrap().to_owned();
        let r = app.post("/api/v1/deals", owner, json!({ "title": "Oat milk", "pipeline_id": pipeline, "currency": "EUR", "contact_id": o })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let deal = r.body["id"].as_str().unwrap().to_owned();

        let merge = format!("/api/v1/contacts/{k}/merge");
        let r = app.post(&merge, owner, json!({ "other": k })).await;
        assert_eq!((r.status, r.body["error"]["fields"][0]["field"].clone()), (422, json!("other")));
        let r = app.post(&merge, owner, json!({ "other": ContactId::new() })).await;
        assert_eq!(r.status, 422);
        let r = app.post(&format!("/api/v1/contacts/{}/merge", ContactId::new()), owner, json!({ "other": o })).await;
        assert_eq!(r.status, 404);

        let r = app.post(&merge, owner, json!({ "other": o })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!((r.body["conversations_moved"].clone(), r.body["conversations_combined"].clone(), r.body["messages_moved"].clone()), (json!(1), json!(1), json!(4)), "3 inbound and the echo");
        let c = &r.body["contact"];
        assert_eq!((c["name"].clone(), c["wa_id"].clone(), c["language"].clone()), (json!("Ana Lima"), json!("14155550001"), json!("pt_BR")));
        assert_eq!(c["attributes"], json!({ "plan": "pro", "city": "Porto" }), "the kept values win, the other's fill gaps");

        assert_eq!(app.get(&format!("/api/v1/contacts/{o}"), owner).await.status, 404);
        assert_eq!(app.get(&format!("/api/v1/conversations/{ox}"), owner).await.status, 404);
        let detail = app.get(&format!("/api/v1/contacts/{k}"), owner).await.body;
        let mut convs: Vec<String> = detail["conversations"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
        convs.sort();
        let mut want = vec![kx.clone(), oy.clone()];
        want.sort();
        assert_eq!(convs, want);
        let r = app.get(&format!("/api/v1/conversations/{kx}"), owner).await;
        assert_eq!(r.body["unread_count"], json!(3));
        let r = app.get(&format!("/api/v1/conversations/{kx}/messages"), owner).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 3);
        assert_eq!(ids(&app.get(&format!("/api/v1/contacts/{k}/tags"), owner).await.body).len(), 1);
        let r = app.get(&format!("/api/v1/conversations/{kx}"), owner).await;
        assert!(r.text.contains(&tag), "the conversation's tag moved: {}", r.body);
        assert_eq!(ids(&app.get(&format!("/api/v1/notes?contact_id={k}"), owner).await.body).len(), 2);
        assert_eq!(app.get(&format!("/api/v1/tasks/{task}"), owner).await.body["contact_id"], json!(k));
        assert_eq!(app.get(&format!("/api/v1/deals/{deal}"), owner).await.body["contact_id"], json!(k));
        let r = app.get(&format!("/api/v1/contacts/{k}/timeline?limit=200"), owner).await;
        let created = r.body["items"].as_array().unwrap().iter().filter(|e| e["event"] == json!("contact.created")).count();
        assert_eq!(created, 2, "the other's history is on the kept contact's timeline");

        // Segments see the merged contact's activity: the other's outbound
        // message is now the kept contact's.
        let written = json!({ "any": false, "rules": [
            { "field": "last_outbound_at", "op": "within_days", "value": 1 } ] });
        let r = app.post("/api/v1/segments/preview", owner, written).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["count"], json!(1), "{}", r.body);
        assert_eq!(r.body["sample"][0]["id"], json!(k), "{}", r.body);

        let all = events(&app, &t).await;
        let merged = all.iter().find(|(n, _)| n == "contact.merged").map(|(_, p)| p.clone()).unwrap();
        assert_eq!((merged["contact_id"].clone(), merged["merged_contact_id"].clone()), (json!(k), json!(o)));
        let r = app.get("/api/v1/audit-log?action=contact.merge", owner).await;
        assert_eq!(r.body["items"][0]["details"]["merged_contact_id"], json!(o));
        assert_eq!(r.body["items"][0]["details"]["dropped_phone"], json!("+35••••••••78"));
    })
    .await;
}

#[tokio::test]
async fn a_contact_with_a_queued_message_is_not_merged_away() {
    each_engine(|app| async move {
        let t = app.create_tenant("merge-busy").await;
        let owner = Auth::Bearer(&t.owner.token);
        let kept = contact(&app, &t, json!({ "phone": "+14155550011", "name": "Cy" })).await;
        let other = contact(&app, &t, json!({ "phone": "+14155550012", "name": "Cy" })).await;
        let (k, o) = (kept["id"].as_str().unwrap(), other["id"].as_str().unwrap());
        let channel = ChannelId::new();
        let conv: ConversationId = conversation(&app, &t, o, channel, 0).await.parse().unwrap();
        let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
        let content = json!({ "type": "text", "text": { "body": "on its way" } });
        let now = app.state.now();
        tx.insert_outbound_message(NewOutbound {
            id: MessageId::new(),
            conversation: conv,
            channel,
            kind: "text",
            content: &content,
            reply_to_wamid: None,
            sent_by: "system",
            now,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let r = app
            .post(
                &format!("/api/v1/contacts/{k}/merge"),
                owner,
                json!({ "other": o }),
            )
            .await;
        assert_eq!((r.status, r.code()), (409, "contact_busy"), "{}", r.body);
        assert_eq!(
            app.get(&format!("/api/v1/contacts/{o}"), owner)
                .await
                .status,
            200
        );
    })
    .await;
}
