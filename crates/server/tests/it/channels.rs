//! WhatsApp channels end to end, against the sandbox over real HTTP:
//! registration, signed ingress, routing, the inbox, statuses, sending.

use serde_json::{Value, json};
use testkit::{APP_SECRET, Auth, TestApp, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/reference/fixtures");
pub(crate) const PNID_A: &str = "106540352242922";
pub(crate) const WABA_A: &str = "102290129340398";
const PNID_B: &str = "113982746610537";
const WABA_B: &str = "209381726354821";
const CUSTOMER: &str = "16505551234";

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

/// POSTs `body` to the platform webhook, signed with `secret`.
pub(crate) async fn post_webhook(app: &TestApp, body: &[u8], secret: Option<&str>) -> u16 {
    let mut req = app
        .client
        .post(format!("{}/webhooks/whatsapp", app.url))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = secret {
        req = req.header("x-hub-signature-256", whatsapp::sign(s.as_bytes(), body));
    }
    req.send().await.unwrap().status().as_u16()
}

pub(crate) async fn conversations(app: &TestApp, t: &TestTenant) -> Vec<Value> {
    let r = app
        .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

pub(crate) async fn messages(app: &TestApp, t: &TestTenant, conversation: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn deliveries(app: &TestApp) -> i64 {
    let mut sys = app.state.store.system().await.unwrap();
    let n = sys.count_webhooks("pending").await.unwrap()
        + sys.count_webhooks("processed").await.unwrap();
    sys.commit().await.unwrap();
    n
}

#[tokio::test]
async fn a_customer_message_reaches_the_inbox_through_a_signed_webhook() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("chan-inbound").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        wa.sandbox
            .send_text(PNID_A, CUSTOMER, "Does it come in blue?")
            .unwrap();
        let app = &wa.app;
        app.eventually("the message is in the inbox", || async {
            !conversations(app, &t).await.is_empty()
        })
        .await;
        let convs = conversations(app, &t).await;
        assert_eq!(convs.len(), 1);
        assert_eq!(convs[0]["unread_count"], json!(1));
        assert_eq!(convs[0]["window_open"], json!(true));
        let msgs = messages(app, &t, convs[0]["id"].as_str().unwrap()).await;
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0]["direction"], json!("in"));
        assert_eq!(
            msgs[0]["content"]["text"]["body"],
            json!("Does it come in blue?")
        );
        let contacts = app
            .get("/api/v1/contacts?search=1650555", Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(contacts.body["items"][0]["wa_id"], json!(CUSTOMER));
        // `%` and `_` are literal characters, not wildcards.
        for search in ["%25", "_", "%5C"] {
            let found = app
                .get(
                    &format!("/api/v1/contacts?search={search}"),
                    Auth::ApiKey(&t.api_key),
                )
                .await;
            assert_eq!(found.body["items"], json!([]), "contacts, search {search}");
        }
        // Conversations are searchable by the contact too.
        for (search, expected) in [
            ("1650555", 1),
            ("nobody-like-this", 0),
            ("%25", 0),
            ("_", 0),
        ] {
            let found = app
                .get(
                    &format!("/api/v1/conversations?search={search}"),
                    Auth::ApiKey(&t.api_key),
                )
                .await;
            assert_eq!(found.status, 200, "{}", found.body);
            assert_eq!(
                found.body["items"].as_array().unwrap().len(),
                expected,
                "search {search}"
            );
        }
        // Marking read clears the unread count.
        let id = convs[0]["id"].as_str().unwrap();
        let r = app
            .post(
                &format!("/api/v1/conversations/{id}/read"),
                Auth::ApiKey(&t.api_key),
                json!({}),
            )
            .await;
        assert_eq!(r.body["unread_count"], json!(0));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_batch_with_two_tenants_numbers_lands_in_two_tenants() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let a = wa.create_tenant("chan-batch-a").await;
        let b = wa.create_tenant("chan-batch-b").await;
        wa.connect_number(&a, PNID_A, WABA_A).await;
        wa.connect_number(&b, PNID_B, WABA_B).await;
        let body = fixture("multi-entry-batch-two-numbers.json");
        assert_eq!(post_webhook(&wa, &body, Some(APP_SECRET)).await, 200);
        wa.drain().await;
        let (ca, cb) = (conversations(&wa, &a).await, conversations(&wa, &b).await);
        assert_eq!(ca.len(), 1, "A got its message");
        assert_eq!(cb.len(), 1, "B got its message");
        assert_ne!(ca[0]["contact_id"], cb[0]["contact_id"]);
        let ma = messages(&wa, &a, ca[0]["id"].as_str().unwrap()).await;
        let mb = messages(&wa, &b, cb[0]["id"].as_str().unwrap()).await;
        assert_ne!(
            ma[0]["wamid"], mb[0]["wamid"],
            "each tenant has only its own message"
        );
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_wrong_or_missing_signature_stores_nothing() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("chan-sig").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let body = fixture("inbound-text.json");
        assert_eq!(post_webhook(&wa, &body, Some("not-the-secret")).await, 401);
        assert_eq!(post_webhook(&wa, &body, None).await, 401);
        let mut tampered = body.clone();
        tampered.extend_from_slice(b" ");
        let sig = whatsapp::sign(APP_SECRET.as_bytes(), &body);
        let r = wa
            .client
            .post(format!("{}/webhooks/whatsapp", wa.url))
            .header("x-hub-signature-256", sig)
            .body(tampered)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(deliveries(&wa).await, 0, "nothing stored");
        wa.drain().await;
        assert!(conversations(&wa, &t).await.is_empty());
        // Oversized bodies are refused before anything else.
        let huge = vec![b' '; server::channels::ingest::WEBHOOK_BODY_LIMIT + 1];
        assert_eq!(post_webhook(&wa, &huge, Some(APP_SECRET)).await, 413);
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_duplicate_delivery_stores_one_message() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("chan-dup").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let body = fixture("inbound-text.json");
        for _ in 0..3 {
            assert_eq!(post_webhook(&wa, &body, Some(APP_SECRET)).await, 200);
        }
        wa.drain().await;
        let convs = conversations(&wa, &t).await;
        assert_eq!(convs.len(), 1);
        assert_eq!(convs[0]["unread_count"], json!(1), "counted once");
        assert_eq!(
            messages(&wa, &t, convs[0]["id"].as_str().unwrap())
                .await
                .len(),
            1
        );
        assert_eq!(deliveries(&wa).await, 3, "every delivery was stored");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn unknown_numbers_are_answered_kept_and_given_to_nobody() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("chan-unknown").await;
        let body = fixture("inbound-text.json");
        assert_eq!(post_webhook(&wa, &body, Some(APP_SECRET)).await, 200);
        wa.drain().await;
        assert!(conversations(&wa, &t).await.is_empty());
        let op = wa.operator_token().await;
        let r = wa
            .get("/api/v1/operator/unroutable", Auth::Bearer(&op))
            .await;
        let items = r.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", r.body);
        assert_eq!(items[0]["phone_number_id"], json!(PNID_A));
        assert_eq!(items[0]["reason"], json!("unknown_number"));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_subscription_check_needs_the_right_verify_token() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let url = |token: &str| format!("{}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={token}", wa.url);
        let ok = wa.client.get(url("platform-verify-token")).send().await.unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.text().await.unwrap(), "1158201444");
        let bad = wa.client.get(url("guess")).send().await.unwrap();
        assert_eq!(bad.status(), 403);
        wa.stop().await;
    })
    .await;
}

/// A tenant with number A, suspended by the operator (whose token is
/// returned too).
pub(crate) async fn suspended_tenant(wa: &WhatsAppTest, slug: &str) -> (TestTenant, String) {
    let t = wa.create_tenant(slug).await;
    wa.connect_number(&t, PNID_A, WABA_A).await;
    let op = wa.operator_token().await;
    let r = wa
        .post(
            &format!("/api/v1/operator/tenants/{}/suspend", t.id),
            Auth::Bearer(&op),
            json!({ "reason": "audit" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (t, op)
}

#[tokio::test]
async fn a_suspended_tenants_traffic_is_held_and_applied_on_reactivation() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let (t, op) = suspended_tenant(&wa, "chan-held").await;
        assert_eq!(
            post_webhook(&wa, &fixture("inbound-text.json"), Some(APP_SECRET)).await,
            200
        );
        wa.drain().await;
        let r = wa
            .post(
                &format!("/api/v1/operator/tenants/{}/reactivate", t.id),
                Auth::Bearer(&op),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200);
        // Nothing was visible (or reachable) while suspended; now it is there.
        wa.drain().await;
        let convs = conversations(&wa, &t).await;
        assert_eq!(convs.len(), 1, "held message applied on reactivation");
        wa.stop().await;
    })
    .await;
}

/// Opens `GET /api/v1/events` as `api_key`, optionally resuming after an id.
async fn open_events(wa: &WhatsAppTest, api_key: &str, after: Option<&str>) -> reqwest::Response {
    let mut req = wa
        .client
        .get(format!("{}/api/v1/events", wa.url))
        .header("x-api-key", api_key);
    if let Some(id) = after {
        req = req.header("last-event-id", id);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    res
}

/// Reads what `stream` sends until `done` holds for it or `wait` passes.
async fn read_events(
    wa: &WhatsAppTest,
    stream: &mut reqwest::Response,
    wait: std::time::Duration,
    done: impl Fn(&str) -> bool,
) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    while !done(&seen) && tokio::time::Instant::now() < deadline {
        wa.drain().await;
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(std::time::Duration::from_millis(100), stream.chunk()).await
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    seen
}

#[tokio::test]
async fn the_event_stream_shows_new_messages_live_to_their_tenant_only() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("chan-sse").await;
        let other = wa.create_tenant("chan-sse-other").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let mut mine = open_events(&wa, &t.api_key, None).await;
        let mut theirs = open_events(&wa, &other.api_key, None).await;

        wa.sandbox.send_text(PNID_A, CUSTOMER, "live?").unwrap();
        let seen = read_events(&wa, &mut mine, std::time::Duration::from_secs(10), |s| {
            s.contains("event: message.received")
        })
        .await;
        assert!(
            seen.contains("event: message.received"),
            "no live event: {seen}"
        );
        assert!(seen.contains("\"conversation_id\""), "{seen}");

        // The other tenant's live stream stays silent, and resuming it from
        // the first tenant's event id shows nothing of theirs either.
        let silent = read_events(
            &wa,
            &mut theirs,
            std::time::Duration::from_millis(600),
            |_| false,
        )
        .await;
        assert!(!silent.contains("message.received"), "{silent}");
        let first_id = seen
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .expect("events carry ids")
            .to_owned();
        let mut resumed = open_events(&wa, &other.api_key, Some(&first_id)).await;
        let silent = read_events(
            &wa,
            &mut resumed,
            std::time::Duration::from_millis(600),
            |_| false,
        )
        .await;
        assert!(!silent.contains("message."), "{silent}");

        // The owner resuming from before the message (`0`: the start of
        // the log) gets it again, and events carry their number in the log.
        assert!(first_id.parse::<i64>().is_ok_and(|n| n > 0), "{first_id}");
        let mut again = open_events(&wa, &t.api_key, Some("0")).await;
        let replay = read_events(&wa, &mut again, std::time::Duration::from_secs(5), |s| {
            s.contains("event: message.received")
        })
        .await;
        assert!(replay.contains("event: message.received"), "{replay}");
        drop((mine, theirs, resumed, again));
        wa.stop().await;
    })
    .await;
}
