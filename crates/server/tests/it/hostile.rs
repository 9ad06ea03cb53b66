//! Hostile input to the webhook endpoint, and a hostile Meta during a
//! campaign. Bodies that are truncated, oversized, badly signed, invalid,
//! deeply nested, huge or not UTF-8, with any content type: never a 5xx,
//! never a panic, nothing stored from an unsigned body; a signed body is
//! answered 200 (it came from Meta) and kept, even when it is garbage.

use serde_json::{Value, json};
use std::time::Duration;
use testkit::{APP_SECRET, Auth, Engine, TestApp, WhatsAppTest, each_engine_with_sandbox};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/reference/fixtures");
const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

/// POSTs raw `body` with `headers`; the status, or 0 when the server hung up.
async fn post(app: &TestApp, path: &str, body: Vec<u8>, headers: &[(&str, &[u8])]) -> u16 {
    let mut req = app.client.post(format!("{}{path}", app.url)).body(body);
    for (k, v) in headers {
        req = req.header(*k, reqwest::header::HeaderValue::from_bytes(v).unwrap());
    }
    match req.timeout(Duration::from_secs(60)).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

fn signed(body: &[u8]) -> Vec<u8> {
    whatsapp::sign(APP_SECRET.as_bytes(), body).into_bytes()
}

/// Sends `body` without a usable signature in every way we can think of.
async fn unsigned_variants(app: &TestApp, body: &[u8]) -> Vec<u16> {
    let good = whatsapp::sign(APP_SECRET.as_bytes(), body);
    let hex = good.trim_start_matches("sha256=");
    let flipped = format!(
        "sha256={}{}",
        &hex[..63],
        if hex.ends_with('0') { '1' } else { '0' }
    );
    let headers: Vec<Option<Vec<u8>>> = vec![
        None,
        Some(Vec::new()),
        Some(b"sha256=".to_vec()),
        Some(b"sha256=zz".to_vec()),
        Some(b"sha256=\xff\xfe".to_vec()),
        Some(format!("sha1={hex}").into_bytes()),
        Some(flipped.into_bytes()),
        Some(signed(b"{}")),
        Some(whatsapp::sign(b"not-the-secret", body).into_bytes()),
        Some(format!("sha256={}", "a".repeat(10_000)).into_bytes()),
    ];
    let mut statuses = Vec::new();
    for h in headers {
        let mut hs: Vec<(&str, &[u8])> = vec![("content-type", b"application/json")];
        if let Some(h) = &h {
            hs.push(("x-hub-signature-256", h));
        }
        statuses.push(post(app, "/webhooks/whatsapp", body.to_vec(), &hs).await);
    }
    statuses
}

/// Garbage Meta might (in a bad moment) sign: each must be answered 200,
/// stored, and processed into an "unparseable" record.
fn signed_garbage() -> Vec<(&'static str, Vec<u8>)> {
    let text = fixture("inbound-text.json");
    vec![
        ("truncated", text[..text.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("not json", b"not json {".to_vec()),
        ("nested arrays", vec![b'['; 100_000]),
        ("nested objects", "{\"a\":".repeat(50_000).into_bytes()),
        (
            "nested inside a change",
            [
                br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":"#.as_slice(),
                &vec![b'['; 50_000],
            ]
            .concat(),
        ),
        ("not utf-8", b"{\"object\":\"\xff\xfe\xfd\"}".to_vec()),
        ("binary", (0..=255u8).cycle().take(4096).collect()),
        ("a number", b"12345".to_vec()),
        ("an entry that is a number", br#"{"object":"whatsapp_business_account","entry":5}"#.to_vec()),
    ]
}

/// `{"entry": [<n> empty entries]}`: valid, parseable, and empty.
fn huge_empty_batch(n: usize) -> Vec<u8> {
    let entries = vec![r#"{"id":"1","changes":[]}"#; n].join(",");
    format!(r#"{{"object":"whatsapp_business_account","entry":[{entries}]}}"#).into_bytes()
}

/// One change with `n` messages from `n` customers for our number.
fn huge_message_batch(n: usize) -> Vec<u8> {
    let messages: Vec<Value> = (0..n)
        .map(|i| {
            json!({ "from": format!("1650556{i:04}"), "id": format!("wamid.huge-{i}"),
                         "timestamp": "1749416383", "type": "text", "text": { "body": "hi" } })
        })
        .collect();
    serde_json::to_vec(
        &json!({ "object": "whatsapp_business_account", "entry": [{ "id": WABA, "changes": [{
        "field": "messages", "value": { "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "15550783881", "phone_number_id": PNID },
            "messages": messages } }] }] }),
    )
    .unwrap()
}

/// A body cut off mid-stream: Content-Length promises more than is sent.
async fn truncated_on_the_wire(app: &TestApp, body: &[u8]) {
    let addr = app.url.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let sig = whatsapp::sign(APP_SECRET.as_bytes(), body);
    let head = format!(
        "POST /webhooks/whatsapp HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         x-hub-signature-256: {sig}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body[..body.len() / 3]).await.unwrap();
    s.shutdown().await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(!answer.starts_with("HTTP/1.1 5"), "{answer}");
    assert!(!answer.starts_with("HTTP/1.1 200"), "{answer}");
}

async fn stored(app: &TestApp) -> (i64, i64) {
    let mut sys = app.state.store.system().await.unwrap();
    let pending = sys.count_webhooks("pending").await.unwrap();
    let processed = sys.count_webhooks("processed").await.unwrap();
    sys.commit().await.unwrap();
    (pending, processed)
}

async fn unparseable(app: &TestApp) -> usize {
    let mut sys = app.state.store.system().await.unwrap();
    let page = sys
        .list_unroutable(store::page::PageRequest::new(None, 200))
        .await
        .unwrap();
    sys.commit().await.unwrap();
    page.items
        .iter()
        .filter(|u| u.reason == "unparseable")
        .count()
}

#[tokio::test]
async fn hostile_webhook_bodies_never_break_the_server_or_store_unsigned_data() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("hostile").await;
        wa.connect_number(&t, PNID, WABA).await;
        let oversized = vec![b' '; 5 * 1024 * 1024];
        let huge = huge_empty_batch(100_000);
        let many = huge_message_batch(300);
        let mut unsigned = vec![fixture("inbound-text.json"), oversized.clone(), huge.clone()];
        unsigned.extend(signed_garbage().into_iter().map(|(_, b)| b));
        for body in &unsigned {
            for status in unsigned_variants(&wa, body).await {
                assert!(matches!(status, 401 | 413), "an unsigned body was answered {status}");
            }
        }
        truncated_on_the_wire(&wa, &fixture("inbound-text.json")).await;
        assert_eq!(stored(&wa).await, (0, 0), "nothing unsigned was stored");

        // Oversized is refused even when signed.
        let sig = signed(&oversized);
        assert_eq!(post(&wa, "/webhooks/whatsapp", oversized, &[("x-hub-signature-256", &sig)]).await, 413);
        // Signed garbage is Meta's: answered 200 and kept.
        let garbage = signed_garbage();
        for (what, body) in &garbage {
            let sig = signed(body);
            let status = post(&wa, "/webhooks/whatsapp", body.clone(), &[("x-hub-signature-256", &sig)]).await;
            assert_eq!(status, 200, "signed {what}");
        }
        // Meta always says JSON, but the signature is what counts.
        let text = fixture("inbound-text.json");
        let sig = signed(&text);
        for content_type in [&b"text/plain"[..], b"application/x-www-form-urlencoded", b"multipart/form-data; boundary=x", b"application/json; charset=\xff"] {
            let hs: [(&str, &[u8]); 2] = [("content-type", content_type), ("x-hub-signature-256", &sig)];
            assert_eq!(post(&wa, "/webhooks/whatsapp", text.clone(), &hs).await, 200);
        }
        assert_eq!(post(&wa, "/webhooks/whatsapp", text.clone(), &[("x-hub-signature-256", &sig)]).await, 200);
        for body in [&huge, &many] {
            let sig = signed(body);
            assert_eq!(post(&wa, "/webhooks/whatsapp", body.clone(), &[("x-hub-signature-256", &sig)]).await, 200);
        }
        // Hostile tokens on a tenant's own webhook URL and the verification GET.
        for token in ["x".repeat(8_000), "%00%ff".into(), "..%2F..%2Fetc".into(), "ß漢字".into()] {
            let status = post(&wa, &format!("/webhooks/whatsapp/{token}"), text.clone(), &[("x-hub-signature-256", &sig)]).await;
            assert!(matches!(status, 400 | 404 | 414 | 431), "own-app URL answered {status}");
        }
        let r = wa.get(&format!("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=%FF%FE&hub.challenge={}", "c".repeat(8_000)), Auth::None).await;
        assert_eq!(r.status, 403);

        let accepted = (garbage.len() + 4 + 1 + 2) as i64;
        assert_eq!(stored(&wa).await.0 + stored(&wa).await.1, accepted, "every signed body was stored");
        wa.drain().await;
        assert_eq!(stored(&wa).await, (0, accepted), "every stored body was processed");
        let depths = wa.state.store.queue_depths().await.unwrap();
        assert!(depths.is_empty(), "no job left waiting or failed (a panic would retry): {depths:?}");
        assert_eq!(unparseable(&wa).await, garbage.len(), "signed garbage is kept as unparseable");
        // The messages of the valid bodies are in the inbox, once each.
        let (mut conversations, mut cursor) = (0, String::new());
        loop {
            let path = format!("/api/v1/conversations?limit=200&cursor={cursor}");
            let r = wa.get(&path, Auth::ApiKey(&t.api_key)).await;
            assert_eq!(r.status, 200);
            conversations += r.body["items"].as_array().unwrap().len();
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => break,
            }
        }
        assert_eq!(conversations, 301, "300 customers of the huge batch, one of the fixture");
        assert_eq!(wa.get("/readyz", Auth::None).await.status, 200);
        wa.stop().await;
    })
    .await;
}

/// A campaign while Meta misbehaves: 10 % of sends fail (timeouts that
/// still deliver, 5xx, throughput and transient errors) and every answer is
/// slow. Run by the real background workers: every message ends sent
/// exactly once or failed with a reason, and no job is left.
#[tokio::test]
async fn a_campaign_through_a_faulty_meta_sends_each_message_once() {
    const MESSAGES: usize = 200;
    for engine in [Engine::Sqlite, Engine::Postgres] {
        if engine == Engine::Postgres && testkit::pg_admin_url().is_none() {
            continue;
        }
        let meta = sandbox::SandboxConfig {
            webhook_max_attempts: 40,
            webhook_retry_backoff: Duration::from_millis(100),
            ..Default::default()
        };
        // The test moves the clock by minutes at a time: a lease that long
        // keeps a running job from being taken twice meanwhile.
        let wa = WhatsAppTest::start_with_config(engine, meta, |c| {
            c.graph_timeout_ms = 300;
            c.job_lease_seconds = 3600;
        })
        .await;
        let t = wa.create_tenant("faulty-meta").await;
        wa.connect_number(&t, PNID, WABA).await;
        wa.sandbox
            .add_template(sandbox::TemplateSpec {
                waba_id: WABA.into(),
                name: "sale".into(),
                language: "en_US".into(),
                category: "MARKETING".into(),
                components: None,
                status: "APPROVED".into(),
                parameter_format: None,
            })
            .unwrap();
        let mut ids = Vec::new();
        for n in 0..MESSAGES {
            let body = json!({ "to": format!("1650557{:04}", n % 40), "type": "template", "lane": "bulk",
                               "template": { "name": "sale", "language": { "code": "en_US" },
                                   "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Ana" }] }] } });
            let r = wa
                .post("/api/v1/messages", Auth::ApiKey(&t.api_key), body)
                .await;
            assert_eq!(r.status, 202, "{}", r.body);
            ids.push(
                r.body["id"]
                    .as_str()
                    .unwrap()
                    .parse::<domain::MessageId>()
                    .unwrap(),
            );
        }
        let rate = |code, rate| sandbox::ErrorRate {
            code,
            rate,
            mode: None,
            http_status: None,
        };
        wa.sandbox
            .set_faults(sandbox::Faults {
                seed: Some(11),
                error_rates: vec![rate(130429, 0.03), rate(131000, 0.02)],
                server_error_rate: 0.03,
                server_error_status: 503,
                timeout_rate: 0.02,
                timeout_hold_ms: 450,
                timeout_then_accept: true,
                latency_ms: 5,
                latency_jitter_ms: 60,
                ..Default::default()
            })
            .unwrap();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let workers = server::jobs::Worker::spawn(wa.state.clone(), stopped);
        let tenant: domain::TenantId = t.id.parse().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        // Busy: a job of `queue` runs, or is due on the (frozen) clock.
        let busy = |queue: &'static str| {
            let state = wa.state.clone();
            async move {
                let depths = state.store.queue_depths().await.unwrap();
                let due = state.store.next_due(queue).await.unwrap();
                depths
                    .iter()
                    .any(|d| d.queue == queue && d.status == "running")
                    || due.is_some_and(|t| t <= state.now())
            }
        };
        loop {
            // Let the sends in flight end and Meta's late acceptances and
            // their webhooks arrive: the clock must not outrun them (that is
            // the reconciliation window docs/SENDING.md describes).
            while busy("send").await {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // Meta has said all it will: its counters stay put for a while
            // (longer than a held request), every webhook it built was
            // delivered, and we processed them.
            let mut last = None;
            loop {
                tokio::time::sleep(Duration::from_millis(600)).await;
                let c = wa.sandbox.counters();
                let w = &c.webhooks;
                let settled = w.events == w.bodies && w.delivered + w.dropped >= w.bodies;
                if settled && last.as_ref() == Some(&c) && !busy("webhooks").await {
                    break;
                }
                last = Some(c);
            }
            let mut tx = wa.state.store.tenant(tenant).await.unwrap();
            let mut queued = 0;
            for id in &ids {
                if tx.find_message(*id).await.unwrap().status
                    == domain::messaging::MessageStatus::Queued
                {
                    queued += 1;
                }
            }
            tx.commit().await.unwrap();
            let depths = wa.state.store.queue_depths().await.unwrap();
            if queued == 0 && depths.iter().all(|d| d.queue != "send") {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{queued} still queued: {depths:?}"
            );
            // Past back-offs and the reconciliation period.
            wa.advance(130);
            wa.state.wake_workers();
        }
        stop.send(true).unwrap();
        for w in workers {
            w.await.unwrap();
        }

        let number = &wa.sandbox.counters().numbers[PNID];
        assert!(
            number.rejected.len() >= 2,
            "the faults were exercised: {number:?}"
        );
        assert_eq!(
            number.duplicate_callback_data, 0,
            "no message was sent twice"
        );
        let outbound = wa.sandbox.outbound(Some(PNID));
        testkit::assert_each_sent_once_or_failed(&wa.state.store, tenant, &ids, &outbound).await;
        let depths = wa.state.store.queue_depths().await.unwrap();
        assert!(
            depths.iter().all(|d| d.queue != "send"),
            "send jobs left: {depths:?}"
        );
        wa.stop().await;
    }
}
