//! The sandbox's agent: signed outbound webhooks shaped like the fixtures,
//! redeliveries, refusals, typing, attachments, auto-reply and integrations
//! added by hand.

use genesys::SandboxOptions;
use genesys::sandbox::AgentAttachment;
use genesys::signature;
use genesys::wire::OutboundMessage;
use serde_json::{Value, json};

use crate::common::{CUSTOMER, Env, Receiver, SECRET, http, text_from};

#[tokio::test]
async fn agent_replies_are_signed_and_shaped_like_genesys() {
    let env = Env::start().await;
    let receiver = Receiver::start().await;
    let integration = env.integration(&receiver.url).await.id;
    let conversation = env
        .client
        .send_message(
            &env.session(),
            &integration,
            &text_from(CUSTOMER, Some("w1"), "Hi"),
        )
        .await
        .unwrap()
        .conversation_id
        .unwrap();

    let (status, message_id) = env
        .sandbox
        .agent_reply(
            &integration,
            CUSTOMER,
            Some("Yes, it also comes in blue."),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert!(signature::verify(
        SECRET,
        &hit.body,
        hit.header("X-Hub-Signature-256")
    ));
    assert!(!signature::verify(
        "not-the-secret",
        &hit.body,
        hit.header(signature::HEADER)
    ));
    assert_eq!(hit.header("content-type"), Some("application/json"));
    assert_eq!(
        hit.header("x-tenant"),
        Some("acme"),
        "webhookHeaders are sent"
    );

    let raw = hit.json();
    assert_eq!(raw["content"], json!([]));
    assert!(raw.get("events").is_none());
    assert_eq!(
        raw["channel"]["messageId"],
        Value::String(message_id.clone())
    );
    let m: OutboundMessage = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(m.id, message_id);
    assert_eq!(m.id.len(), 32);
    assert_eq!(m.kind, "Text");
    assert_eq!(m.text.as_deref(), Some("Yes, it also comes in blue."));
    assert_eq!(m.channel.id, integration);
    assert_eq!(m.channel.platform.as_deref(), Some("Open"));
    assert_eq!(m.channel.kind.as_deref(), Some("Private"));
    assert_eq!(m.channel.to.id, CUSTOMER);
    assert_eq!(m.channel.to.id_type.as_deref(), Some("Phone"));
    let from = m.channel.from.unwrap();
    assert_eq!(from.nickname.as_deref(), Some("Sandbox Agent"));
    assert_eq!(from.id, integration);
    assert_eq!(from.id_type.as_deref(), Some("Opaque"));
    let time = m.channel.time.unwrap();
    assert_eq!(time.len(), "2025-06-08T21:00:10.512Z".len(), "{time}");
    assert!(time.ends_with('Z') && time.as_bytes()[19] == b'.', "{time}");
    assert_eq!(m.conversation_id.as_deref(), Some(conversation.as_str()));
    assert_eq!(m.direction.as_deref(), Some("Outbound"));
    assert_eq!(m.originating_entity.as_deref(), Some("Human"));
}

#[tokio::test]
async fn redeliveries_repeat_the_exact_body_and_our_status_is_returned() {
    let env = Env::start().await;
    let receiver = Receiver::start().await;
    let integration = env.integration(&receiver.url).await.id;
    receiver.answer_with(503);
    let (status, id) = env
        .sandbox
        .agent_reply(&integration, CUSTOMER, Some("Hello"), None)
        .await
        .unwrap();
    assert_eq!(status, 503);
    receiver.answer_with(200);
    assert_eq!(env.sandbox.redeliver(&id).await.unwrap(), 200);
    let hits = receiver.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].body, hits[1].body);
    assert_eq!(
        hits[0].header(signature::HEADER),
        hits[1].header(signature::HEADER)
    );
    assert!(env.sandbox.redeliver("unknown").await.is_err());
    assert!(
        env.sandbox
            .agent_reply("no-such-integration", CUSTOMER, Some("x"), None)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_reply_signed_with_another_secret_is_refused() {
    let env = Env::start().await;
    let receiver = Receiver::start_checking(Some(SECRET)).await;
    let integration = env.integration(&receiver.url).await.id;
    let status = env
        .sandbox
        .agent_reply_signed_with(&integration, CUSTOMER, "Hi", "stolen-secret")
        .await
        .unwrap();
    assert_eq!(status, 401);
    let (status, _) = env
        .sandbox
        .agent_reply(&integration, CUSTOMER, Some("Hi"), None)
        .await
        .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn typing_is_an_event_like_the_fixture() {
    let env = Env::start().await;
    let receiver = Receiver::start_checking(Some(SECRET)).await;
    let integration = env.integration(&receiver.url).await.id;
    assert_eq!(
        env.sandbox
            .agent_typing(&integration, CUSTOMER)
            .await
            .unwrap(),
        200
    );
    let raw = receiver.hits()[0].json();
    assert_eq!(raw["type"], "Event");
    assert_eq!(raw["channel"]["to"], json!({ "id": CUSTOMER }));
    assert_eq!(
        raw["events"],
        json!([{ "eventType": "Typing", "typing": { "type": "On", "duration": 5000 } }])
    );
    assert!(raw.get("content").is_none() && raw.get("text").is_none());
}

#[tokio::test]
async fn agent_attachments_are_served_and_fetchable() {
    let env = Env::start().await;
    let receiver = Receiver::start().await;
    let integration = env.integration(&receiver.url).await.id;
    let bytes = b"\x89PNG fake image".to_vec();
    let (status, _) = env
        .sandbox
        .agent_reply(
            &integration,
            CUSTOMER,
            None,
            Some(AgentAttachment {
                media_type: "Image".to_owned(),
                mime: "image/png".to_owned(),
                filename: "blue.png".to_owned(),
                bytes: bytes.clone(),
            }),
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    let m: OutboundMessage = serde_json::from_slice(&receiver.hits()[0].body).unwrap();
    assert_eq!(m.text, None);
    let a = m.content[0].attachment.clone().unwrap();
    assert_eq!(m.content[0].content_type, "Attachment");
    assert_eq!(a.media_type, "Image");
    assert_eq!(a.mime.as_deref(), Some("image/png"));
    assert_eq!(a.filename.as_deref(), Some("blue.png"));
    assert_eq!(a.content_size_bytes, Some(bytes.len() as i64));
    assert!(
        a.url
            .starts_with(&format!("{}/downloads/", env.sandbox.base_url()))
    );

    let got = http().get(&a.url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.bytes().await.unwrap().to_vec(), bytes);

    // The customer forwards it back: the sandbox fetches it on receipt.
    let mut message = text_from(CUSTOMER, None, "This one?");
    message.content = vec![genesys::wire::Content::attachment(a.clone())];
    env.client
        .send_message(&env.session(), &integration, &message)
        .await
        .unwrap();
    let fetched = &env.sandbox.inbound()[0].fetched[0];
    assert_eq!((fetched.status, fetched.bytes), (200, bytes.len()));
    assert_eq!(fetched.mime.as_deref(), Some("image/png"));
    assert_eq!(fetched.url, a.url);
}

#[tokio::test]
async fn auto_reply_answers_inbound_texts() {
    let env = Env::with(SandboxOptions {
        auto_reply: true,
        ..SandboxOptions::default()
    })
    .await;
    let receiver = Receiver::start_checking(Some(SECRET)).await;
    let integration = env.integration(&receiver.url).await.id;
    env.client
        .send_message(
            &env.session(),
            &integration,
            &text_from(CUSTOMER, None, "hi"),
        )
        .await
        .unwrap();
    let hits = receiver.wait_for(1).await;
    let m: OutboundMessage = serde_json::from_slice(&hits[0].body).unwrap();
    assert_eq!(m.text.as_deref(), Some("Agent: you said «hi»"));
    assert_eq!(m.channel.to.id, CUSTOMER);
    assert_eq!(
        m.conversation_id,
        env.sandbox.conversation_of(&integration, CUSTOMER)
    );
}

#[tokio::test]
async fn an_integration_added_by_hand_is_usable() {
    let env = Env::start().await;
    let receiver = Receiver::start_checking(Some("ui-secret")).await;
    env.sandbox.add_integration(
        "73cb7fb7-c2db-4996-88f3-0a83a4fea1da",
        &receiver.url,
        "ui-secret",
    );
    let found = env
        .client
        .get_integration(&env.session(), "73cb7fb7-c2db-4996-88f3-0a83a4fea1da")
        .await
        .unwrap();
    assert_eq!(
        found.outbound_notification_webhook_url.as_deref(),
        Some(receiver.url.as_str())
    );
    let (status, _) = env
        .sandbox
        .agent_reply(
            "73cb7fb7-c2db-4996-88f3-0a83a4fea1da",
            CUSTOMER,
            Some("Hi"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    env.sandbox.shutdown().await;
}
