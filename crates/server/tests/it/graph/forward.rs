//! Meta-format webhook forwarding: a Cloud-API endpoint passes Meta's
//! handshake before it is saved, then receives Meta's own webhooks for its
//! tenant's numbers only, in Meta's envelope, signed `X-Hub-Signature-256`
//! under its app secret, through the outbound-webhook machinery.

use super::{CUSTOMER, PNID, WABA};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use testkit::receiver::{Behaviour, Receiver};
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

const OTHER_PNID: &str = "106540352242999";
const OTHER_WABA: &str = "102290129340999";
const SECRET: &str = "bot-app-secret-0123456789";
const TOKEN: &str = "bot-verify-token";

fn hub_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Creates a Cloud-API endpoint at `url`; the answer.
async fn create(wa: &WhatsAppTest, key: &str, body: Value) -> testkit::Resp {
    wa.post("/api/v1/webhook-endpoints", Auth::ApiKey(key), body)
        .await
}

/// Lets the starter plan (every test tenant's) have two numbers.
async fn two_numbers_a_plan(wa: &WhatsAppTest) {
    let op = wa.operator_token().await;
    let limits = json!({ "limits": { "messages_per_month": 1000, "agents": 5, "numbers": 2, "contacts": 100 } });
    let r = wa
        .patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// The POSTs (webhooks) the receiver got.
fn posts(r: &Receiver) -> Vec<testkit::receiver::Request> {
    r.requests()
        .into_iter()
        .filter(|q| q.method == "POST")
        .collect()
}

#[tokio::test]
async fn a_bot_gets_meta_s_webhooks_for_its_tenant_s_numbers_only_signed_with_its_app_secret() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fwd-a").await;
        let other = wa.create_tenant("fwd-b").await;
        wa.connect_number(&t, PNID, WABA).await;
        wa.connect_number(&other, OTHER_PNID, OTHER_WABA).await;
        let bot = Receiver::start().await;
        bot.set(Behaviour::MetaHandshake {
            verify_token: TOKEN.into(),
        });

        // A wrong verify token fails the handshake and saves nothing.
        let r = create(&wa, &t.api_key, json!({ "url": bot.url("/webhook"), "format": "cloud_api",
                                                 "verify_token": "not-the-bot-s", "secret": SECRET }))
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.code(), "webhook_verification_failed", "{}", r.body);
        let listed = wa.get("/api/v1/webhook-endpoints", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(listed.body["items"], json!([]), "{}", listed.body);

        let r = create(&wa, &t.api_key, json!({ "url": bot.url("/webhook"), "format": "cloud_api",
                                                 "verify_token": TOKEN, "secret": SECRET }))
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["secret"], SECRET);
        assert_eq!(r.body["endpoint"]["format"], "cloud_api");
        assert_eq!(r.body["endpoint"]["events"], json!([]));
        let handshake = bot.requests().pop().unwrap();
        assert_eq!(handshake.method, "GET");
        assert!(handshake.path.starts_with("/webhook?"), "{}", handshake.path);
        assert!(handshake.path.contains("hub.mode=subscribe"), "{}", handshake.path);

        // One customer writes to each tenant's number.
        let mine = wa.sandbox.send_text(PNID, CUSTOMER, "hello tenant a").unwrap();
        wa.sandbox.send_text(OTHER_PNID, "16505550000", "hello tenant b").unwrap();
        wa.eventually("the bot gets the customer's message", || async {
            posts(&bot).iter().any(|q| String::from_utf8_lossy(&q.body).contains(&mine))
        })
        .await;
        // The other tenant's conversation is stored by now too; none of it
        // reached this bot.
        wa.eventually("the other tenant has its message", || async {
            let r = wa.get("/api/v1/conversations", Auth::ApiKey(&other.api_key)).await;
            r.body["items"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
        let all = posts(&bot);
        for q in &all {
            let text = String::from_utf8_lossy(&q.body);
            assert!(!text.contains(OTHER_PNID) && !text.contains("hello tenant b"), "{text}");
            assert_eq!(q.header("x-hub-signature-256"), Some(hub_signature(SECRET, &q.body).as_str()));
            assert_eq!(q.header("content-type"), Some("application/json"));
        }
        let webhook = all
            .iter()
            .find(|q| String::from_utf8_lossy(&q.body).contains(&mine))
            .unwrap()
            .json();
        assert_eq!(webhook["object"], "whatsapp_business_account");
        assert_eq!(webhook["entry"][0]["id"], WABA);
        let change = &webhook["entry"][0]["changes"][0];
        assert_eq!(change["field"], "messages");
        assert_eq!(change["value"]["messaging_product"], "whatsapp");
        assert_eq!(change["value"]["metadata"]["phone_number_id"], PNID);
        assert_eq!(change["value"]["contacts"][0]["wa_id"], CUSTOMER);
        assert_eq!(change["value"]["messages"][0]["id"], mine.as_str());
        assert_eq!(change["value"]["messages"][0]["text"]["body"], "hello tenant a");

        // The statuses of what the tenant sends reach the bot too.
        let sent = wa
            .post("/api/v1/messages", Auth::ApiKey(&t.api_key),
                  json!({ "to": CUSTOMER, "type": "text", "text": { "body": "hi from the inbox" } }))
            .await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        wa.eventually("a status webhook reaches the bot", || async {
            posts(&bot).iter().any(|q| q.json()["entry"][0]["changes"][0]["value"]["statuses"].is_array())
        })
        .await;

        // The delivery log shows them, under Meta's field names.
        let id = r.body["endpoint"]["id"].as_str().unwrap().to_owned();
        let log = wa
            .get(&format!("/api/v1/webhook-endpoints/{id}/deliveries"), Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(log.status, 200, "{}", log.body);
        let names: Vec<&str> = log.body["items"].as_array().unwrap().iter().filter_map(|d| d["event"].as_str()).collect();
        assert!(names.contains(&"whatsapp.messages"), "{names:?} {}", log.body);
    })
    .await;
}

#[tokio::test]
async fn a_bot_endpoint_for_one_number_gets_only_that_number_s_webhooks() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fwd-one").await;
        two_numbers_a_plan(&wa).await;
        let first = wa.connect_number(&t, PNID, WABA).await;
        wa.connect_number(&t, OTHER_PNID, WABA).await;
        let bot = Receiver::start().await;
        bot.set(Behaviour::MetaHandshake {
            verify_token: TOKEN.into(),
        });
        let r = create(
            &wa,
            &t.api_key,
            json!({ "url": bot.url("/"), "format": "cloud_api", "verify_token": TOKEN,
                                                 "channel_ids": [first] }),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let secret = r.body["secret"].as_str().unwrap().to_owned();
        assert_eq!(r.body["endpoint"]["channel_ids"], json!([first]));

        wa.sandbox
            .send_text(OTHER_PNID, CUSTOMER, "to the second number")
            .unwrap();
        let wanted = wa
            .sandbox
            .send_text(PNID, CUSTOMER, "to the first number")
            .unwrap();
        wa.eventually("the first number's message arrives", || async {
            posts(&bot)
                .iter()
                .any(|q| String::from_utf8_lossy(&q.body).contains(&wanted))
        })
        .await;
        // Both messages are stored; the bot has only the first number's.
        wa.eventually("both conversations exist", || async {
            let r = wa
                .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
                .await;
            r.body["items"].as_array().is_some_and(|a| a.len() == 2)
        })
        .await;
        for q in posts(&bot) {
            let text = String::from_utf8_lossy(&q.body);
            assert!(!text.contains("to the second number"), "{text}");
            assert_eq!(
                q.header("x-hub-signature-256"),
                Some(hub_signature(&secret, &q.body).as_str())
            );
        }
    })
    .await;
}

#[tokio::test]
async fn cloud_settings_are_checked_and_belong_to_cloud_endpoints_only() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fwd-rules").await;
        let other = wa.create_tenant("fwd-rules-b").await;
        let theirs = wa.connect_number(&other, OTHER_PNID, OTHER_WABA).await;
        let bot = Receiver::start().await;
        bot.set(Behaviour::MetaHandshake { verify_token: TOKEN.into() });
        let url = bot.url("/");
        for (body, field) in [
            (json!({ "url": url, "format": "cloud_api" }), "verify_token"),
            (json!({ "url": url, "format": "cloud_api", "verify_token": TOKEN, "secret": "short" }), "secret"),
            (json!({ "url": url, "format": "cloud_api", "verify_token": TOKEN, "channel_ids": [theirs] }), "channel_ids"),
            (json!({ "url": url, "events": ["*"], "verify_token": TOKEN }), "format"),
            (json!({ "url": url }), "events"),
        ] {
            let r = create(&wa, &t.api_key, body.clone()).await;
            assert_eq!(r.status, 422, "{body}: {}", r.body);
            assert!(r.text.contains(field), "{body}: {}", r.body);
        }
        assert!(bot.requests().is_empty(), "nothing invalid reached the handshake");

        let r = create(&wa, &t.api_key, json!({ "url": url, "format": "cloud_api", "verify_token": TOKEN })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["endpoint"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/webhook-endpoints/{id}");
        let r = wa.patch(&path, Auth::ApiKey(&t.api_key), json!({ "events": ["*"] })).await;
        assert_eq!(r.status, 422, "{}", r.body);
        // A new verify token runs the handshake again: the bot's old one
        // no longer matches, so the change is refused and nothing changes.
        let r = wa.patch(&path, Auth::ApiKey(&t.api_key), json!({ "verify_token": "changed" })).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.code(), "webhook_verification_failed", "{}", r.body);
        bot.set(Behaviour::MetaHandshake { verify_token: "changed".into() });
        let r = wa.patch(&path, Auth::ApiKey(&t.api_key), json!({ "verify_token": "changed" })).await;
        assert_eq!(r.status, 200, "{}", r.body);

        // The other tenant cannot see or change it.
        let r = wa.get(&path, Auth::ApiKey(&other.api_key)).await;
        assert_eq!(r.status, 404, "{}", r.body);

        // A test delivery carries Meta's sample, signed Meta's way.
        let r = wa.post(&format!("{path}/test"), Auth::ApiKey(&t.api_key), json!({})).await;
        assert!((200..300).contains(&r.status), "{}", r.body);
        wa.eventually("the test delivery arrives", || async { !posts(&bot).is_empty() }).await;
        let q = posts(&bot).pop().unwrap();
        assert_eq!(q.json()["entry"][0]["changes"][0]["field"], "messages");
        assert!(q.header("x-hub-signature-256").is_some_and(|s| s.starts_with("sha256=")));
    })
    .await;
}
