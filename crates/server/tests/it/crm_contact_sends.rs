//! Contacts against the sandbox, on both engines: "message this contact"
//! (a template starts the conversation on the chosen number, text only
//! while the window is open, the conversation reused), the timeline of
//! what was sent and received, and erasing a contact with their
//! conversations, messages and media files (refused while a send is
//! queued, audited with the number masked).

use crate::crm_contacts::{contact, events};
use base64::Engine as _;
use domain::{ChannelId, ContactId, MessageId, Role, TenantId};
use serde_json::{Value, json};
use store::inbox::NewOutbound;
use testkit::{Auth, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const PNID: &str = "106540352242933";
const WABA: &str = "102290129340399";
const CUSTOMER: &str = "16505550177";

fn add_template(wa: &WhatsAppTest) {
    wa.sandbox
        .add_template(sandbox::TemplateSpec {
            waba_id: WABA.into(),
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components: None,
            status: "APPROVED".into(),
            parameter_format: None,
        })
        .unwrap();
}

async fn contact_detail(wa: &WhatsAppTest, t: &TestTenant, id: &str) -> Value {
    wa.get(&format!("/api/v1/contacts/{id}"), Auth::ApiKey(&t.api_key))
        .await
        .body
}

#[tokio::test]
async fn messaging_a_contact_starts_the_conversation_with_a_template_then_reuses_it() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("contact-message").await;
        let key = Auth::ApiKey(&t.api_key);
        let channel = wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let c = contact(&wa, &t, json!({ "phone": format!("+{CUSTOMER}"), "name": "Ana" })).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/contacts/{id}/messages");

        let r = wa.post(&path, key, json!({ "channel_id": channel, "text": "Hi Ana" })).await;
        assert_eq!((r.status, r.code()), (422, "outside_customer_service_window"), "{}", r.body);
        for body in [json!({}), json!({ "text": "x", "template": { "name": "order_update", "language": "en_US" } })] {
            let r = wa.post(&path, key, body.clone()).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{body}");
        }
        let r = wa.post(&format!("/api/v1/contacts/{}/messages", ContactId::new()), key, json!({ "text": "x" })).await;
        assert_eq!(r.status, 404);

        let template = json!({ "channel_id": channel, "template": { "name": "order_update", "language": "en_US", "parameters": ["Ana"] } });
        let r = wa.post(&path, key, template).await;
        assert_eq!(r.status, 202, "{}", r.body);
        assert_eq!(r.body["kind"], json!("template"));
        let conversation = r.body["conversation_id"].as_str().unwrap().to_owned();
        wa.eventually("the template reaches the customer", || async { wa.sandbox.received(PNID, CUSTOMER).len() == 1 }).await;
        let detail = contact_detail(&wa, &t, &id).await;
        assert_eq!(detail["conversations"][0]["id"], json!(conversation));
        assert_eq!(detail["conversations"][0]["channel_id"], json!(channel));

        // Once they write, text goes, in the same conversation.
        wa.sandbox.send_text(PNID, CUSTOMER, "what order?").unwrap();
        wa.eventually("the window opens", || async { contact_detail(&wa, &t, &id).await["conversations"][0]["window_open"] == json!(true) }).await;
        let r = wa.post(&path, key, json!({ "text": "Your oat milk order" })).await;
        assert_eq!(r.status, 202, "{}", r.body);
        assert_eq!(r.body["conversation_id"], json!(conversation));
        wa.eventually("the text reaches the customer", || async { wa.sandbox.received(PNID, CUSTOMER).len() == 2 }).await;

        // The timeline tells it, without delivery receipts.
        let r = wa.get(&format!("/api/v1/contacts/{id}/timeline"), key).await;
        // (Their first message may also bring their WhatsApp profile name:
        // a `contact.updated`.)
        let items: Vec<&Value> = r.body["items"].as_array().unwrap().iter().filter(|e| e["event"] != json!("contact.updated")).collect();
        let names: Vec<&str> = items.iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(names, ["message.queued", "message.received", "message.queued", "conversation.opened", "contact.created"], "{}", r.body);
        assert_eq!(items[1]["summary"], json!("Received a text message"));

        // Opted out: nothing goes.
        wa.patch(&format!("/api/v1/contacts/{id}"), key, json!({ "opted_out": true })).await;
        let r = wa.post(&path, key, json!({ "text": "one more thing" })).await;
        assert_eq!((r.status, r.code()), (422, "contact_opted_out"));
    })
    .await;
}

/// The files under the tenant's media directory.
fn media_files(wa: &WhatsAppTest, t: &TestTenant) -> usize {
    let dir = wa.state.config.media_dir().join(&t.id);
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn erasing_a_contact_removes_their_conversations_messages_and_media_files() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("contact-erase").await;
        let owner = Auth::Bearer(&t.owner.token);
        wa.connect_number(&t, PNID, WABA).await;
        let photo: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
        let media = sandbox::InboundMedia {
            mime_type: Some("image/png".into()),
            data_base64: Some(base64::engine::general_purpose::STANDARD.encode(&photo)),
            ..Default::default()
        };
        wa.sandbox
            .send_inbound(sandbox::InboundMessage::new(
                PNID,
                CUSTOMER,
                sandbox::InboundContent::Image(media),
            ))
            .unwrap();
        wa.sandbox
            .send_text(PNID, CUSTOMER, "here is my receipt")
            .unwrap();
        wa.eventually("the photo is stored", || async {
            media_files(&wa, &t) == 1
        })
        .await;
        let convs = wa.get("/api/v1/conversations", owner).await;
        let conversation = convs.body["items"][0]["id"].as_str().unwrap().to_owned();
        let id = convs.body["items"][0]["contact_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let msgs = format!("/api/v1/conversations/{conversation}/messages");
        wa.eventually("both messages are in", || async {
            wa.get(&msgs, owner).await.body["items"]
                .as_array()
                .map_or(0, Vec::len)
                == 2
        })
        .await;
        let url = wa.get(&msgs, owner).await.body["items"][1]["media"]["url"]
            .as_str()
            .unwrap()
            .to_owned();

        // Another contact, with a message still queued: not yet.
        let busy = contact(&wa, &t, json!({ "phone": "+14155550188" })).await;
        let busy_id: ContactId = busy["id"].as_str().unwrap().parse().unwrap();
        let tenant: TenantId = t.id.parse().unwrap();
        let mut tx = wa.state.store.tenant(tenant).await.unwrap();
        let now = wa.state.now();
        let channel: ChannelId = tx.list_channels().await.unwrap()[0].id;
        let (conv, _) = tx.upsert_conversation(busy_id, channel, now).await.unwrap();
        let content = json!({ "type": "text", "text": { "body": "queued" } });
        tx.insert_outbound_message(NewOutbound {
            id: MessageId::new(),
            conversation: conv.id,
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
        let r = wa
            .delete(&format!("/api/v1/contacts/{busy_id}"), owner)
            .await;
        assert_eq!((r.status, r.code()), (409, "contact_busy"), "{}", r.body);

        // Agents work contacts but do not erase them.
        let agent = wa.add_user(&t, Role::Agent, "agent").await;
        let one = format!("/api/v1/contacts/{id}");
        assert_eq!(
            wa.delete(&one, Auth::Bearer(&agent.token)).await.status,
            403
        );
        let r = wa.delete(&one, owner).await;
        assert_eq!(r.status, 204, "{}", r.body);
        for gone in [
            one.clone(),
            format!("/api/v1/conversations/{conversation}"),
            msgs.clone(),
            url.clone(),
        ] {
            assert_eq!(wa.get(&gone, owner).await.status, 404, "{gone}");
        }
        assert_eq!(media_files(&wa, &t), 0, "the file is gone too");
        assert_eq!(
            wa.get("/api/v1/conversations", owner).await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "only the busy one's"
        );

        let all = events(&wa, &t).await;
        assert!(
            all.iter()
                .any(|(n, p)| n == "contact.deleted" && p["contact_id"] == json!(id))
        );
        let r = wa
            .get("/api/v1/audit-log?action=contact.delete", owner)
            .await;
        let details = &r.body["items"][0]["details"];
        assert_eq!(details["phone"], json!("+16•••••••77"), "{}", r.body);
        assert_eq!(
            (
                details["conversations"].clone(),
                details["messages"].clone(),
                details["media_files"].clone()
            ),
            (json!(1), json!(2), json!(1))
        );
        assert!(!r.text.contains(CUSTOMER));
    })
    .await;
}
