//! Crash tests: the real `switchboard serve` binary as a child process,
//! killed with SIGKILL at several points of a webhook flood and of a large
//! send, restarted on the same database. Every webhook answered 200 is
//! stored and processed exactly once; every queued message is sent exactly
//! once (the sandbox counts what it received) or failed with a reason;
//! nothing is left stuck.

use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use testkit::process::ServerProcess;
use testkit::{APP_SECRET, Auth, Engine};

const BINARY: &str = env!("CARGO_BIN_EXE_switchboard");
pub(crate) const PNID: &str = "106540352242922";
pub(crate) const WABA: &str = "102290129340398";
const TOKEN: &str = "crash-token";

/// A sandbox that keeps retrying webhooks like Meta does (Meta retries for
/// days; the default test sandbox gives up after under a second, which a
/// restart outlasts), reporting each status step after `status_delay`.
pub(crate) async fn meta(status_delay: Duration) -> sandbox::Sandbox {
    sandbox::Sandbox::start(sandbox::SandboxConfig {
        app_secret: APP_SECRET.to_owned(),
        status_delay,
        auto_read: false,
        webhook_max_attempts: 40,
        webhook_retry_backoff: Duration::from_millis(100),
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

/// Starts the binary against `meta`, with a short job lease (so a restart
/// takes over the dead process's jobs quickly) and `extra` settings.
pub(crate) async fn start(
    engine: Engine,
    meta: &sandbox::Sandbox,
    extra: &[(&str, &str)],
) -> ServerProcess {
    let mut env = vec![
        ("SWITCHBOARD_GRAPH_BASE_URL", meta.base_url()),
        ("SWITCHBOARD_META_APP_SECRET", APP_SECRET.to_owned()),
        ("SWITCHBOARD_JOB_LEASE_SECONDS", "2".to_owned()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let server = ServerProcess::start(std::path::Path::new(BINARY), engine, &env).await;
    meta.set_webhook(
        Some(format!("{}/webhooks/whatsapp", server.url)),
        APP_SECRET.to_owned(),
    );
    server
}

/// A tenant with the sandbox's number connected; returns (tenant id, key).
pub(crate) async fn tenant_with_number(
    server: &ServerProcess,
    meta: &sandbox::Sandbox,
    rate: u32,
) -> (String, String) {
    let (tenant, key) = server.create_tenant("crash").await;
    let mut spec = sandbox::NumberSpec::new(PNID, WABA, TOKEN);
    spec.rate_limit = Some(1000);
    meta.add_number(spec).unwrap();
    let (status, body) = server
        .post(
            "/api/v1/channels",
            Auth::ApiKey(&key),
            &json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": TOKEN,
                     "rate_limit": rate }),
        )
        .await;
    assert_eq!(status, 201, "connect number: {body}");
    (tenant, key)
}

/// A Meta-shaped batch: two changes (two customers), two texts each.
pub(crate) fn batch(n: usize) -> (Vec<u8>, Vec<String>) {
    let mut wamids = Vec::new();
    let changes: Vec<Value> = (0..2)
        .map(|c| {
            let customer = format!("1650555{:04}", (n * 2 + c) % 24);
            let messages: Vec<Value> = (0..2)
                .map(|m| {
                    let id = format!("wamid.crash-{n}-{c}-{m}");
                    wamids.push(id.clone());
                    json!({ "from": customer, "id": id, "timestamp": "1749416383", "type": "text",
                            "text": { "body": format!("question {n}.{c}.{m}") } })
                })
                .collect();
            json!({ "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "15550783881", "phone_number_id": PNID },
                "contacts": [{ "profile": { "name": "Crash Test" }, "wa_id": customer }],
                "messages": messages } })
        })
        .collect();
    let body = json!({ "object": "whatsapp_business_account",
                       "entry": [{ "id": WABA, "changes": changes }] });
    (serde_json::to_vec(&body).unwrap(), wamids)
}

/// Batches not yet answered 200, and those that were.
#[derive(Default)]
pub(crate) struct Flood {
    pub(crate) pending: Mutex<Vec<usize>>,
    acked: Mutex<HashSet<usize>>,
}

impl Flood {
    pub(crate) fn acked(&self) -> usize {
        self.acked.lock().unwrap().len()
    }
}

/// Sends the pending batches from 12 concurrent tasks until none is left
/// or `stop` is set, batch `n` to `urls[n % len]` (nodes behind a load
/// balancer). A batch not answered 200 goes back to pending (Meta retries
/// it later), and that task's next try goes to the next node.
pub(crate) async fn send_batches(
    urls: Vec<String>,
    bodies: Arc<Vec<Vec<u8>>>,
    flood: Arc<Flood>,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinSet<()> {
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (urls, bodies, flood, stop) =
            (urls.clone(), bodies.clone(), flood.clone(), stop.clone());
        senders.spawn(async move {
            let client = reqwest::Client::new();
            let mut failures = 0;
            while !stop.load(Ordering::SeqCst) {
                let Some(n) = flood.pending.lock().unwrap().pop() else {
                    return;
                };
                let body = bodies[n].clone();
                let url = &urls[(n + failures) % urls.len()];
                let res = client
                    .post(url)
                    .header("content-type", "application/json")
                    .header(
                        "x-hub-signature-256",
                        whatsapp::sign(APP_SECRET.as_bytes(), &body),
                    )
                    .body(body)
                    .send()
                    .await;
                match res.map(|r| r.status().as_u16()) {
                    Ok(200) => {
                        flood.acked.lock().unwrap().insert(n);
                    }
                    Ok(s) => {
                        assert!(s < 500 || s == 503, "webhook answered {s}");
                        failures += 1;
                        flood.pending.lock().unwrap().push(n);
                    }
                    Err(_) => {
                        failures += 1;
                        flood.pending.lock().unwrap().push(n);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
        });
    }
    senders
}

/// Waits until every stored delivery is processed (read through
/// `server`), then requires each of `wamids` (a list per batch) in the
/// inbox of API key `key` exactly once, and nothing else there.
pub(crate) async fn assert_every_batch_processed_once(
    server: &ServerProcess,
    key: &str,
    wamids: &[Vec<String>],
) {
    let store = server.store().await;
    server
        .eventually("every stored delivery is processed", || async {
            let mut sys = store.system().await.unwrap();
            let pending = sys.count_webhooks("pending").await.unwrap();
            sys.commit().await.unwrap();
            pending == 0 && testkit::process::queue_settled(&store, "webhooks").await
        })
        .await;
    let mut sys = store.system().await.unwrap();
    let processed = sys.count_webhooks("processed").await.unwrap();
    sys.commit().await.unwrap();
    assert!(
        processed >= wamids.len() as i64,
        "{processed} deliveries processed"
    );
    store.close().await;

    let inbox = server.inbox_wamids(key).await;
    let expected: HashSet<&String> = wamids.iter().flatten().collect();
    for wamid in &expected {
        assert_eq!(inbox.get(*wamid), Some(&1), "{wamid} is in the inbox once");
    }
    assert_eq!(inbox.len(), expected.len(), "nothing else is in the inbox");
}

#[tokio::test]
async fn crash_during_a_webhook_flood_loses_and_duplicates_nothing() {
    const BATCHES: usize = 240;
    const KILL_AFTER_ACKS: [usize; 3] = [15, 70, 150];
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        let meta = meta(Duration::from_millis(50)).await;
        let mut server = start(engine, &meta, &[]).await;
        let (_tenant, key) = tenant_with_number(&server, &meta, 80).await;
        let (bodies, wamids): (Vec<_>, Vec<_>) = (0..BATCHES).map(batch).unzip();
        let bodies = Arc::new(bodies);
        let flood = Arc::new(Flood::default());
        flood.pending.lock().unwrap().extend((0..BATCHES).rev());
        let url = format!("{}/webhooks/whatsapp", server.url);

        for kill_at in KILL_AFTER_ACKS {
            let stop = Arc::new(AtomicBool::new(false));
            let mut senders = send_batches(
                vec![url.clone()],
                bodies.clone(),
                flood.clone(),
                stop.clone(),
            )
            .await;
            while flood.acked() < kill_at {
                assert!(!senders.is_empty(), "the flood ended before the kill point");
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            server.kill();
            stop.store(true, Ordering::SeqCst);
            while senders.join_next().await.is_some() {}
            eprintln!("killed after {} acknowledged batches", flood.acked());
            server.restart().await;
        }
        // Meta redelivers whatever was not acknowledged.
        let stop = Arc::new(AtomicBool::new(false));
        let mut senders =
            send_batches(vec![url.clone()], bodies.clone(), flood.clone(), stop).await;
        while senders.join_next().await.is_some() {}
        assert_eq!(
            flood.acked(),
            BATCHES,
            "every batch is acknowledged in the end"
        );

        assert_every_batch_processed_once(&server, &key, &wamids).await;
        assert_eq!(server.starts(), 1 + KILL_AFTER_ACKS.len());
        meta.shutdown().await;
    }
}

#[tokio::test]
async fn crash_during_a_large_send_sends_each_message_once() {
    const MESSAGES: usize = 300;
    const KILL_AFTER_SENT: [usize; 3] = [40, 120, 210];
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        // Meta's statuses come later than the restarted node takes over the
        // dead one's jobs (its 2 s lease), so the sends that were in flight
        // are settled by reconciliation: their proof arrives within the
        // reconciliation period, and nothing is sent twice.
        let meta = meta(Duration::from_millis(2500)).await;
        let settings = [
            ("SWITCHBOARD_RECONCILE_SECONDS", "12"),
            ("SWITCHBOARD_WORKER_CONCURRENCY", "8"),
        ];
        let mut server = start(engine, &meta, &settings).await;
        let (tenant, key) = tenant_with_number(&server, &meta, 100).await;
        meta.add_template(sandbox::TemplateSpec {
            waba_id: WABA.into(),
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components: None,
            status: "APPROVED".into(),
            parameter_format: None,
        })
        .unwrap();
        // Meta answers slowly while the campaign is queued, so the kills
        // below land while most of it is still to be sent.
        // Like Meta, the sandbox puts the statuses that queue up into batches
        // (one POST each), so its webhooks keep pace with a campaign.
        let batched = sandbox::WebhookFaults {
            batch_max: 100,
            ..Default::default()
        };
        meta.set_faults(sandbox::Faults {
            latency_ms: 1000,
            webhook: batched.clone(),
            ..Default::default()
        })
        .unwrap();
        let ids = Arc::new(Mutex::new(Vec::new()));
        let mut queuers = tokio::task::JoinSet::new();
        for q in 0..6 {
            let (url, key, ids) = (server.url.clone(), key.clone(), ids.clone());
            queuers.spawn(async move {
                let client = reqwest::Client::new();
                for n in (q..MESSAGES).step_by(6) {
                    let body = json!({ "to": format!("1650555{:04}", n % 50), "type": "template",
                        "template": { "name": "order_update", "language": { "code": "en_US" },
                            "components": [{ "type": "body", "parameters": [{ "type": "text", "text": format!("#{n}") }] }] } });
                    let r = client.post(format!("{url}/api/v1/messages")).header("x-api-key", &key).timeout(Duration::from_secs(30))
                        .json(&body).send().await.unwrap();
                    assert_eq!(r.status(), 202);
                    let m: Value = r.json().await.unwrap();
                    ids.lock().unwrap().push(m["id"].as_str().unwrap().parse::<domain::MessageId>().unwrap());
                }
            });
        }
        while let Some(done) = queuers.join_next().await {
            done.unwrap();
        }
        meta.set_faults(sandbox::Faults {
            webhook: batched,
            ..Default::default()
        })
        .unwrap();

        for kill_at in KILL_AFTER_SENT {
            server
                .eventually("sends reach the kill point", || async {
                    meta.outbound(Some(PNID)).len() >= kill_at
                })
                .await;
            // Meta holds its webhooks while we are down and delivers them once
            // we are back (it retries for days; the sandbox's short
            // exponential retries would otherwise stand for a delay longer
            // than the reconciliation period, the window docs/SENDING.md
            // describes).
            meta.pause_webhooks();
            server.kill();
            eprintln!("killed after {} sends", meta.outbound(Some(PNID)).len());
            server.restart().await;
            meta.resume_webhooks();
        }

        let store = server.store().await;
        let tenant: domain::TenantId = tenant.parse().unwrap();
        let ids = ids.lock().unwrap().clone();
        server
            .eventually(
                "every message is settled and the send queue is empty",
                || async {
                    let mut tx = store.tenant(tenant).await.unwrap();
                    let mut queued = 0;
                    for id in &ids {
                        if tx.find_message(*id).await.unwrap().status
                            == domain::messaging::MessageStatus::Queued
                        {
                            queued += 1;
                        }
                    }
                    tx.commit().await.unwrap();
                    queued == 0 && testkit::process::queue_settled(&store, "send").await
                },
            )
            .await;

        let outbound = meta.outbound(Some(PNID));
        let mut seen = HashMap::new();
        for o in &outbound {
            *seen.entry(o.biz_opaque_callback_data.clone()).or_insert(0) += 1;
        }
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "sent twice: {twice:?}");
        let counters = meta.counters();
        assert_eq!(
            counters.numbers[PNID].duplicate_callback_data, 0,
            "no message was sent twice"
        );
        testkit::assert_each_sent_once_or_failed(&store, tenant, &ids, &outbound).await;
        assert_eq!(
            outbound.len(),
            MESSAGES,
            "every message went out (none failed here)"
        );
        store.close().await;
        meta.shutdown().await;
    }
}
