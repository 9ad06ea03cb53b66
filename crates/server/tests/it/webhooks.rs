//! Outbound webhooks (docs/WEBHOOKS.md) against a real HTTP receiver:
//! shared helpers, the signature (checked by the documentation's own
//! Python snippet run with `python3`, and by the Rust snippet's logic
//! re-implemented here, never by the code under test) and delivery of
//! inbound messages. Endpoint management is in `webhooks_endpoints.rs`,
//! retries and the log in `webhooks_retries.rs`, replay, secret rolling,
//! fairness and the health and execution pages in `webhooks_replay.rs`.

use serde_json::{Value, json};
use std::time::Duration;
use testkit::receiver::{Receiver, Request};
use testkit::{APP_SECRET, Auth, TestApp, TestTenant, WhatsAppTest, each_engine_with_sandbox};

pub(crate) const PNID_A: &str = "106540352242922";
pub(crate) const WABA_A: &str = "102290129340398";
pub(crate) const PNID_B: &str = "113982746610537";
pub(crate) const WABA_B: &str = "209381726354821";

/// The documented request headers' names.
const SIGNATURE: &str = "switchboard-signature";

/// The server's clock as Unix seconds.
pub(crate) fn now(app: &TestApp) -> i64 {
    use domain::Clock as _;
    app.clock.now().as_unix_seconds()
}

/// Creates an endpoint as the tenant's owner; returns (id, secret).
pub(crate) async fn create_endpoint(
    app: &TestApp,
    t: &TestTenant,
    url: &str,
    events: &[&str],
) -> (String, String) {
    let r = app
        .post(
            "/api/v1/webhook-endpoints",
            Auth::Bearer(&t.owner.token),
            json!({ "url": url, "events": events, "description": "test receiver" }),
        )
        .await;
    assert_eq!(r.status, 201, "create endpoint: {}", r.body);
    (endpoint_id(&r.body), secret_of(&r.body))
}

/// The endpoint's id in a create/get answer (flat, or under `endpoint`).
pub(crate) fn endpoint_id(body: &Value) -> String {
    body["id"]
        .as_str()
        .or_else(|| body["endpoint"]["id"].as_str())
        .unwrap_or_else(|| panic!("no endpoint id in {body}"))
        .to_owned()
}

/// The one-time secret in a create/roll answer.
pub(crate) fn secret_of(body: &Value) -> String {
    body["secret"]
        .as_str()
        .or_else(|| body["endpoint"]["secret"].as_str())
        .unwrap_or_else(|| panic!("no secret in {body}"))
        .to_owned()
}

/// A Meta-shaped webhook with one text from `customer` to `pnid`.
pub(crate) fn inbound_body(pnid: &str, waba: &str, customer: &str, wamid: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "object": "whatsapp_business_account",
        "entry": [{ "id": waba, "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "15550783881", "phone_number_id": pnid },
            "contacts": [{ "profile": { "name": "Hook Test" }, "wa_id": customer }],
            "messages": [{ "from": customer, "id": wamid, "timestamp": "1749416383",
                           "type": "text", "text": { "body": format!("hello {wamid}") } }] } }] }] }))
    .unwrap()
}

/// A customer writes to `pnid` (a signed platform webhook, answered 200):
/// after the webhook job runs, a `message.received` event exists.
pub(crate) async fn customer_writes(app: &TestApp, pnid: &str, waba: &str, wamid: &str) {
    let body = inbound_body(pnid, waba, "16505551234", wamid);
    let status = crate::channels::post_webhook(app, &body, Some(APP_SECRET)).await;
    assert_eq!(status, 200, "the inbound webhook is accepted");
}

/// A tenant with number A connected and an endpoint at `receiver`
/// subscribed to `events`; returns (tenant, endpoint id, secret).
pub(crate) async fn tenant_with_endpoint(
    wa: &WhatsAppTest,
    slug: &str,
    receiver: &Receiver,
    events: &[&str],
) -> (TestTenant, String, String) {
    let t = wa.create_tenant(slug).await;
    wa.connect_number(&t, PNID_A, WABA_A).await;
    let (id, secret) = create_endpoint(wa, &t, &receiver.url("/hooks"), events).await;
    (t, id, secret)
}

/// The deliveries of an endpoint (`query` like `status=dead&`).
pub(crate) async fn deliveries(
    app: &TestApp,
    t: &TestTenant,
    endpoint: &str,
    query: &str,
) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/webhook-endpoints/{endpoint}/deliveries?{query}"),
            // The key: the owner's access token expires while the clock moves.
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "delivery log: {}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

/// The `message.received` requests among `requests`.
pub(crate) fn received(requests: &[Request]) -> Vec<&Request> {
    requests
        .iter()
        .filter(|r| r.json()["name"] == json!("message.received"))
        .collect()
}

/// docs/WEBHOOKS.md's Python `verify`, taken from the page itself and run
/// by `python3` on the raw body. With `now`, Python's clock is set to it
/// (the server's clock is moved by the tests); otherwise the real time.
pub(crate) fn python_verifies(secret: &str, header: &str, body: &[u8], now: Option<i64>) -> bool {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/WEBHOOKS.md"
    ))
    .unwrap();
    let after = doc.split("Python:").nth(1).expect("a Python section");
    let snippet = after
        .split("```python")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a python block");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("verify.py");
    let body_file = dir.path().join("body");
    std::fs::write(
        &script,
        format!(
            "{snippet}\n\nimport sys\nif len(sys.argv) > 4:\n    _now = float(sys.argv[4])\n    time.time = lambda: _now\n\
             with open(sys.argv[3], 'rb') as f:\n    sys.exit(0 if verify(sys.argv[1], sys.argv[2], f.read()) else 1)\n"
        ),
    )
    .unwrap();
    std::fs::write(&body_file, body).unwrap();
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(&script).arg(secret).arg(header).arg(&body_file);
    if let Some(n) = now {
        cmd.arg(n.to_string());
    }
    let out = cmd.output().expect("python3 runs");
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "the snippet crashed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.status.success()
}

// The documentation's Rust `verify`, word for word (a test below keeps
// docs/WEBHOOKS.md and this file the same), so the snippet compiles and
// is exercised here.
include!("webhooks_doc_verify.rs");

pub(crate) fn rust_verifies(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    verify(secret, header, body, now)
}

#[test]
fn the_documented_rust_verifier_is_the_one_tested_here() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/WEBHOOKS.md"
    ))
    .unwrap();
    let block = doc
        .split("```rust\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a rust block");
    assert_eq!(block.trim(), include_str!("webhooks_doc_verify.rs").trim());
}

/// The request's signature header.
pub(crate) fn signature(r: &Request) -> &str {
    r.header(SIGNATURE)
        .unwrap_or_else(|| panic!("no {SIGNATURE} in {:?}", r.headers))
}

/// Requires `r` to verify with `secret` by the documented Python snippet
/// at the server's time `now`.
pub(crate) fn assert_signed(r: &Request, secret: &str, now: i64) {
    assert!(
        python_verifies(secret, signature(r), &r.body, Some(now)),
        "the documented Python snippet accepts the request: {}",
        signature(r)
    );
}

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn an_inbound_message_becomes_one_signed_post_with_the_documented_shape() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let receiver = Receiver::start().await;
        let (t, endpoint, secret) =
            tenant_with_endpoint(&wa, "hook-shape", &receiver, &["message.*"]).await;
        customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-shape-1").await;
        wa.drain().await;
        wa.drain().await;
        let got = receiver.wait_for(1, WAIT).await;
        let msgs = received(&got);
        assert_eq!(msgs.len(), 1, "one POST for one message: {got:?}");
        let r = msgs[0];
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/hooks");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("user-agent"), Some("Switchboard-Webhooks/1"));
        assert_eq!(r.header("switchboard-event"), Some("message.received"));
        let body = r.json();
        assert_eq!(body["name"], json!("message.received"));
        assert_eq!(body["tenant_id"], json!(t.id));
        assert_eq!(body["version"], json!(1));
        assert!(body["seq"].as_i64().is_some_and(|s| s > 0), "{body}");
        assert!(body["id"].as_str().is_some_and(|s| !s.is_empty()), "{body}");
        assert!(body["created_at"].is_string(), "{body}");
        assert_eq!(body["data"]["kind"], json!("text"));
        assert!(body["data"]["message_id"].is_string(), "{body}");
        // The delivery header names the delivery in the log.
        let log = deliveries(&wa, &t, &endpoint, "").await;
        let delivery = r.header("switchboard-delivery").expect("delivery header");
        assert!(
            log.iter().any(|d| d["id"] == json!(delivery)),
            "{delivery} in {log:?}"
        );

        // The signature, checked independently: the docs' Python snippet
        // on the real clock (the server's clock has not moved) and the
        // Rust snippet's logic.
        let header = signature(r);
        assert!(python_verifies(&secret, header, &r.body, None));
        assert!(rust_verifies(&secret, header, &r.body, now(&wa)));
        // …and both refuse a wrong secret, a changed body, an old request.
        let t_sig: i64 = header
            .split(',')
            .find_map(|p| p.strip_prefix("t="))
            .and_then(|v| v.parse().ok())
            .expect("t=");
        assert!(!python_verifies("whsec_wrong", header, &r.body, None));
        assert!(!rust_verifies("whsec_wrong", header, &r.body, t_sig));
        let mut tampered = r.body.clone();
        tampered.extend_from_slice(b" ");
        assert!(!python_verifies(&secret, header, &tampered, None));
        assert!(!rust_verifies(&secret, header, &tampered, t_sig));
        assert!(python_verifies(&secret, header, &r.body, Some(t_sig + 299)));
        assert!(!python_verifies(
            &secret,
            header,
            &r.body,
            Some(t_sig + 301)
        ));
        assert!(!python_verifies(
            &secret,
            header,
            &r.body,
            Some(t_sig - 301)
        ));
        assert!(!rust_verifies(&secret, header, &r.body, t_sig + 301));

        // Nothing more arrives: one event, one delivery.
        wa.drain().await;
        assert_eq!(received(&receiver.requests()).len(), 1);
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn only_subscribed_events_and_only_events_after_creation_are_delivered() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let conversations_only = Receiver::start().await;
        let (t, _, _) =
            tenant_with_endpoint(&wa, "hook-subs", &conversations_only, &["conversation.*"]).await;
        customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-subs-1").await;
        wa.drain().await;
        wa.drain().await;
        // An endpoint created after that message never gets its event.
        let later = Receiver::start().await;
        create_endpoint(&wa, &t, &later.url("/later"), &["*"]).await;
        wa.drain().await;
        let exact = Receiver::start().await;
        create_endpoint(&wa, &t, &exact.url("/exact"), &["message.received"]).await;
        customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-subs-2").await;
        wa.drain().await;
        wa.drain().await;

        let conv = conversations_only.requests();
        assert!(
            received(&conv).is_empty(),
            "conversation.* gets no message.received"
        );
        assert!(
            conv.iter().all(|r| r.json()["name"]
                .as_str()
                .unwrap()
                .starts_with("conversation.")),
            "{conv:?}"
        );
        assert!(
            !conv.is_empty(),
            "the first message opened a conversation (conversation.opened)"
        );
        let later = later.requests();
        let later_msgs = received(&later);
        assert_eq!(later_msgs.len(), 1, "only the second message: {later:?}");
        let exact = exact.requests();
        assert_eq!(exact.len(), 1, "exact name, exact events: {exact:?}");
        assert_eq!(later_msgs[0].json()["id"], exact[0].json()["id"]);
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_test_event_goes_to_that_endpoint_only() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let one = Receiver::start().await;
        let other = Receiver::start().await;
        let (t, endpoint, secret) = tenant_with_endpoint(&wa, "hook-test", &one, &["*"]).await;
        create_endpoint(&wa, &t, &other.url("/other"), &["*"]).await;
        let r = wa
            .post(
                &format!("/api/v1/webhook-endpoints/{endpoint}/test"),
                Auth::Bearer(&t.owner.token),
                json!({}),
            )
            .await;
        assert!(
            r.status == 202 || r.status == 201 || r.status == 200,
            "{}",
            r.body
        );
        wa.drain().await;
        wa.drain().await;
        let got = one.wait_for(1, WAIT).await;
        let tests: Vec<_> = got
            .iter()
            .filter(|r| r.json()["name"] == json!("webhook.test"))
            .collect();
        assert_eq!(tests.len(), 1, "{got:?}");
        assert_eq!(tests[0].header("switchboard-event"), Some("webhook.test"));
        assert_signed(tests[0], &secret, now(&wa));
        assert!(
            other
                .requests()
                .iter()
                .all(|r| r.json()["name"] != json!("webhook.test")),
            "the other endpoint gets no test event"
        );
        wa.stop().await;
    })
    .await;
}

/// The address is checked again when each attempt connects: a name that
/// passed when the endpoint was saved but now resolves to a loopback
/// address (DNS rebinding; here `localhost`, saved where private targets
/// were allowed, delivered by a node where they are not) is never reached.
#[tokio::test]
async fn an_endpoint_whose_name_now_resolves_to_a_private_address_is_not_reached() {
    for engine in testkit::engines() {
        let wa = WhatsAppTest::start(engine).await;
        let receiver = Receiver::start().await;
        let t = wa.create_tenant("hook-rebind").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let url = format!("http://localhost:{}/hooks", receiver.port());
        let (endpoint, _) = create_endpoint(&wa, &t, &url, &["message.received"]).await;
        let guarded = wa.another_node(|c| c.webhooks.allow_private = false).await;
        customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-rebind").await;
        server::jobs::drain(&guarded).await;
        server::jobs::drain(&guarded).await;
        assert!(receiver.requests().is_empty(), "never reached");
        let log = deliveries(&wa, &t, &endpoint, "").await;
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0]["status"], json!("pending"), "retried later: {log:?}");
        assert!(
            log[0]["last_error"].as_str().is_some_and(|e| !e.is_empty()),
            "the refusal is logged: {log:?}"
        );
        wa.stop().await;
    }
}
