//! Crash test of outbound webhooks: the real `switchboard serve` binary,
//! killed with SIGKILL while deliveries to a real receiver are in flight,
//! restarted on the same database. Every `message.received` event reaches
//! the receiver at least once, each always with its one event id, and no
//! message's event is lost.

use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use testkit::process::ServerProcess;
use testkit::receiver::{Behaviour, Receiver};
use testkit::{APP_SECRET, Auth};

const BINARY: &str = env!("CARGO_BIN_EXE_switchboard");
const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const TOKEN: &str = "hook-crash-token";

/// Posts the signed inbound webhook of message `n` until it is answered
/// 200 (Meta retries too).
async fn customer_writes(server: &ServerProcess, n: usize) {
    let body = crate::webhooks::inbound_body(
        PNID,
        WABA,
        &format!("1650555{:04}", n % 40),
        &format!("wamid.hook-crash-{n}"),
    );
    loop {
        let sent = server
            .client
            .post(format!("{}/webhooks/whatsapp", server.url))
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                whatsapp::sign(APP_SECRET.as_bytes(), &body),
            )
            .body(body.clone())
            .send()
            .await;
        if sent.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn crash_while_delivering_loses_no_event_and_keeps_each_events_id() {
    const MESSAGES: usize = 120;
    const KILL_AFTER: [usize; 2] = [20, 70];
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        let meta = sandbox::Sandbox::start(sandbox::SandboxConfig {
            app_secret: APP_SECRET.to_owned(),
            ..Default::default()
        })
        .await
        .expect("sandbox starts");
        let receiver = Receiver::start().await;
        // Slow answers keep deliveries in flight when the kill lands.
        receiver.set(Behaviour::Hold(Duration::from_millis(30)));
        let env = [
            ("SWITCHBOARD_GRAPH_BASE_URL", meta.base_url()),
            ("SWITCHBOARD_META_APP_SECRET", APP_SECRET.to_owned()),
            ("SWITCHBOARD_JOB_LEASE_SECONDS", "2".to_owned()),
            ("SWITCHBOARD_WEBHOOKS_ALLOW_HTTP", "1".to_owned()),
            ("SWITCHBOARD_WEBHOOKS_ALLOW_PRIVATE", "1".to_owned()),
        ];
        let mut server = ServerProcess::start(std::path::Path::new(BINARY), engine, &env).await;
        let (_, key) = server.create_tenant("hook-crash").await;
        meta.add_number(sandbox::NumberSpec::new(PNID, WABA, TOKEN))
            .unwrap();
        let (status, body) = server
            .post(
                "/api/v1/channels",
                Auth::ApiKey(&key),
                &json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": TOKEN }),
            )
            .await;
        assert_eq!(status, 201, "connect number: {body}");
        let (status, body) = server
            .post(
                "/api/v1/webhook-endpoints",
                Auth::ApiKey(&key),
                &json!({ "url": receiver.url("/crash"), "events": ["message.received"] }),
            )
            .await;
        assert_eq!(status, 201, "create endpoint: {body}");

        let mut n = 0;
        for kill_at in KILL_AFTER {
            // Messages keep coming while deliveries are under way.
            while received_count(&receiver) < kill_at && n < MESSAGES {
                customer_writes(&server, n).await;
                n += 1;
                if n % 4 == 0 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            while received_count(&receiver) < kill_at {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            server.kill();
            eprintln!(
                "killed after {} deliveries arrived, {n} messages written",
                received_count(&receiver)
            );
            server.restart().await;
        }
        while n < MESSAGES {
            customer_writes(&server, n).await;
            n += 1;
        }
        receiver.set(Behaviour::status(200));

        // Every message's event arrives, in the end, each with one id.
        server
            .eventually("every message.received reached the receiver", || async {
                distinct_messages(&receiver).len() >= MESSAGES
            })
            .await;
        let messages = distinct_messages(&receiver);
        let ids_per_message: HashMap<&String, usize> =
            messages.iter().map(|(m, ids)| (m, ids.len())).collect();
        assert!(
            ids_per_message.values().all(|n| *n == 1),
            "each message has one event id on every attempt: {ids_per_message:?}"
        );
        let event_ids: HashSet<_> = messages.values().flatten().collect();
        assert_eq!(event_ids.len(), MESSAGES, "one event per message");
        let copies = crate::webhooks::received(&receiver.requests()).len();
        eprintln!("{copies} requests for {MESSAGES} events (at least once)");
        assert!(copies >= MESSAGES);
        // The inbox agrees: every message is stored once.
        let inbox = server.inbox_wamids(&key).await;
        assert_eq!(inbox.len(), MESSAGES);
        assert_eq!(server.starts(), 1 + KILL_AFTER.len());
        meta.shutdown().await;
    }
}

fn received_count(receiver: &Receiver) -> usize {
    crate::webhooks::received(&receiver.requests()).len()
}

/// For each stored message (by its `message_id`), the event ids it arrived with.
fn distinct_messages(receiver: &Receiver) -> HashMap<String, HashSet<String>> {
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for r in crate::webhooks::received(&receiver.requests()) {
        let body = r.json();
        let message = body["data"]["message_id"].as_str().unwrap_or("").to_owned();
        let id = body["id"].as_str().unwrap_or("").to_owned();
        out.entry(message).or_default().insert(id);
    }
    out
}
