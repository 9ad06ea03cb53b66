//! Several nodes, one deployment (docs/DEPLOYMENT.md): two `serve` nodes
//! answering HTTP only and one `worker`, real processes of the binary on
//! one PostgreSQL and one object store (moto's S3). Each node lists all
//! three as live. A customer's photo
//! fetched by a worker is served by both `serve` nodes; a stream opened on
//! one node shows what was done on the other; sign-in throttling counts
//! across both; killing a `serve` node and the worker mid-flood of
//! webhooks loses and duplicates nothing.

use crate::crash::{
    Flood, PNID, assert_every_batch_processed_once, batch, meta, send_batches, start,
    tenant_with_number,
};
use base64::Engine as _;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use testkit::process::ServerProcess;
use testkit::{Auth, Engine};

const CUSTOMER: &str = "16505550100";

/// The settings every node of the deployment shares: HTTP only (the
/// worker node does the background work) and media in the test bucket.
fn shared_settings() -> Vec<(&'static str, String)> {
    let s3 = testkit::s3_config(&format!("multi-node-{}", uuid::Uuid::now_v7()));
    vec![
        ("SWITCHBOARD_HTTP_ONLY", "1".into()),
        ("SWITCHBOARD_MEDIA_STORE", "s3".into()),
        ("SWITCHBOARD_S3_BUCKET", s3.bucket),
        ("SWITCHBOARD_S3_ENDPOINT", s3.endpoint.unwrap_or_default()),
        ("SWITCHBOARD_S3_REGION", s3.region.unwrap_or_default()),
        (
            "SWITCHBOARD_S3_ACCESS_KEY_ID",
            s3.access_key_id.unwrap_or_default(),
        ),
        (
            "SWITCHBOARD_S3_SECRET_ACCESS_KEY",
            s3.secret_access_key
                .map(|s| s.expose().to_owned())
                .unwrap_or_default(),
        ),
        ("SWITCHBOARD_S3_PREFIX", s3.prefix.unwrap_or_default()),
    ]
}

/// The newest message of the tenant's first conversation, read on `node`.
async fn newest_message(node: &ServerProcess, key: &str) -> Value {
    let (_, convs) = node.get("/api/v1/conversations", Auth::ApiKey(key)).await;
    let Some(id) = convs["items"][0]["id"].as_str() else {
        return Value::Null;
    };
    let path = format!("/api/v1/conversations/{id}/messages");
    let (_, msgs) = node.get(&path, Auth::ApiKey(key)).await;
    msgs["items"][0].clone()
}

/// The bytes `node` serves at `url` to API key `key`.
async fn media_bytes(node: &ServerProcess, url: &str, key: &str) -> Vec<u8> {
    let r = node
        .client
        .get(format!("{}{url}", node.url))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{url} on {}", node.url);
    r.bytes().await.unwrap().to_vec()
}

/// Files under a node's local media directory.
fn local_media_files(node: &ServerProcess) -> usize {
    let mut count = 0;
    let mut dirs = vec![node.dir.join("media")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                dirs.push(entry.path());
            } else {
                count += 1;
            }
        }
    }
    count
}

/// Signs the operator in on `node` with a wrong password; the status.
async fn wrong_operator_password(node: &ServerProcess) -> (u16, Value) {
    node.post(
        "/api/v1/operator/login",
        Auth::None,
        &json!({ "email": "operator@switchboard.local", "password": "not-the-password" }),
    )
    .await
}

#[tokio::test]
async fn two_serve_nodes_and_a_worker_share_media_streams_throttling_and_work() {
    if !testkit::engines().contains(&Engine::Postgres) {
        eprintln!("several nodes share PostgreSQL only; no PostgreSQL here");
        return;
    }
    let meta = meta(Duration::from_millis(50)).await;
    let settings = shared_settings();
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut a = start(Engine::Postgres, &meta, &settings).await;
    let b = a.join("serve", &[]).await;
    let mut worker = a.join("worker", &[]).await;
    let (_tenant, key) = tenant_with_number(&a, &meta, 80).await;

    // Every node reports itself: node B lists both `serve` nodes (HTTP
    // only) and the worker, all live.
    let (status, login) = b
        .post(
            "/api/v1/operator/login",
            Auth::None,
            &json!({ "email": "operator@switchboard.local", "password": a.operator_password }),
        )
        .await;
    assert_eq!(status, 200, "operator login on node B: {login}");
    let operator = login["access_token"].as_str().unwrap().to_owned();
    b.eventually(
        "node B lists two serve nodes and a worker, live",
        || async {
            let (status, nodes) = b
                .get("/api/v1/operator/nodes", Auth::Bearer(&operator))
                .await;
            assert_eq!(status, 200, "{nodes}");
            let live: Vec<(&str, bool)> = nodes["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["live"] == json!(true))
                .map(|n| (n["kind"].as_str().unwrap(), n["runs_jobs"] == json!(true)))
                .collect();
            live == [("serve", false), ("serve", false), ("worker", true)]
        },
    )
    .await;

    // A flood of webhooks across both nodes; node A and the worker are
    // killed mid-flood, a new worker takes over. Nothing lost, nothing twice.
    const BATCHES: usize = 120;
    let (bodies, wamids): (Vec<_>, Vec<_>) = (0..BATCHES).map(batch).unzip();
    let bodies = Arc::new(bodies);
    let flood = Arc::new(Flood::default());
    flood.pending.lock().unwrap().extend((0..BATCHES).rev());
    let urls = vec![
        format!("{}/webhooks/whatsapp", a.url),
        format!("{}/webhooks/whatsapp", b.url),
    ];
    let stop = Arc::new(AtomicBool::new(false));
    let mut senders = send_batches(urls, bodies, flood.clone(), stop).await;
    while flood.acked() < 40 {
        assert!(!senders.is_empty(), "the flood ended before the kill point");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    a.kill();
    worker.kill();
    eprintln!(
        "killed node A and the worker after {} batches",
        flood.acked()
    );
    let _worker = b.join("worker", &[]).await;
    while senders.join_next().await.is_some() {}
    assert_eq!(flood.acked(), BATCHES, "node B took every batch in the end");
    assert_every_batch_processed_once(&b, &key, &wamids).await;
    a.restart().await;

    // A photo arrives at node A; the worker fetches it into the bucket.
    let photo: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
    let media = sandbox::InboundMedia {
        mime_type: Some("image/png".into()),
        data_base64: Some(base64::engine::general_purpose::STANDARD.encode(&photo)),
        ..Default::default()
    };
    let image = sandbox::InboundContent::Image(media);
    meta.send_inbound(sandbox::InboundMessage::new(PNID, CUSTOMER, image))
        .unwrap();
    a.eventually("the worker stores the photo", || async {
        newest_message(&a, &key).await["media"]["status"] == json!("stored")
    })
    .await;
    let url = newest_message(&b, &key).await["media"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(media_bytes(&a, &url, &key).await, photo, "node A serves it");
    assert_eq!(media_bytes(&b, &url, &key).await, photo, "node B serves it");
    for node in [&a, &b] {
        assert_eq!(
            local_media_files(node),
            0,
            "no node keeps media on its disk"
        );
    }

    // A stream opened on node A shows a reply sent through node B.
    let mut stream = a
        .client
        .get(format!("{}/api/v1/events", a.url))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let reply = json!({ "to": CUSTOMER, "type": "text", "text": { "body": "Lovely photo" } });
    let (status, sent) = b.post("/api/v1/messages", Auth::ApiKey(&key), &reply).await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["id"].as_str().unwrap().to_owned();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !(seen.contains("event: message.sent") && seen.contains(&id)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "node A's stream never showed the reply sent through node B: {seen}"
        );
        if let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(200), stream.chunk()).await
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    drop(stream);

    // Wrong passwords on both nodes count together: three are free (per
    // account and address), the fourth asks for a wait. Counted per node,
    // the first wait would come at the seventh.
    let mut first_refusal = None;
    for attempt in 1..=8 {
        let node = if attempt % 2 == 1 { &a } else { &b };
        let (status, body) = wrong_operator_password(node).await;
        if status == 429 {
            assert_eq!(body["error"]["code"], json!("too_many_attempts"), "{body}");
            first_refusal = Some(attempt);
            break;
        }
        assert_eq!(status, 401, "{body}");
    }
    // The fourth, unless a second passed between two tries (then the
    // wait, doubling, still comes before either node alone would ask).
    let first_refusal = first_refusal.expect("throttled within eight tries");
    eprintln!("first sign-in refused at try {first_refusal}");
    assert!(first_refusal <= 6, "first refused at try {first_refusal}");

    meta.shutdown().await;
}
