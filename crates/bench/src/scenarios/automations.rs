//! Automations (issue 17): from an inbound message's 200 to the
//! workflow's reply being handed to Graph. Ten tenants, each with one
//! number and 100 enabled workflows on `message_received` (each with its
//! own keyword; the one whose keyword the messages carry replies with a
//! text), take 200 messages a second between them, each from a new
//! customer (so every message also makes a contact and a conversation,
//! and no pair rate slows a reply). Graph is a fake in this process that
//! notes when each reply arrives and answers as Meta does.

use super::{Ctx, post_webhook, step};
use crate::children::{ServerSpec, free_port, start_server};
use crate::load::{client, open_loop};
use crate::payload::text_body_at;
use crate::report::{Figure, Target};
use crate::seed::{self, SeedTenant};
use crate::stats::Latencies;
use axum::body::Bytes;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const S: &str = "automations";
const TENANTS: usize = 10;
const WORKFLOWS: usize = 100;
const RATE: f64 = 200.0;
const REPLY: &str = "We are open from 9:00 to 17:00, Monday to Saturday.";

/// When each customer's message was answered 200, and when the reply to
/// them reached Graph.
#[derive(Default)]
struct Times {
    answered: HashMap<String, Instant>,
    replied: HashMap<String, Instant>,
}

type Shared = Arc<Mutex<Times>>;

fn lock(t: &Shared) -> std::sync::MutexGuard<'_, Times> {
    t.lock().unwrap_or_else(|p| p.into_inner())
}

/// The fake Graph: every `POST …/messages` is noted by recipient and
/// answered with Meta's success shape.
async fn fake_graph(times: Shared) -> anyhow::Result<String> {
    let port = free_port()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: Bytes| {
        let times = times.clone();
        let counter = counter.clone();
        async move {
            let at = Instant::now();
            let sent: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let to = sent["to"].as_str().unwrap_or_default().to_owned();
            if uri.path().ends_with("/messages") && sent["text"]["body"] == REPLY {
                lock(&times).replied.entry(to.clone()).or_insert(at);
            }
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            axum::Json(json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": format!("wamid.bench-auto.{n}")}]
            }))
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://127.0.0.1:{port}"))
}

/// The 100 workflows of one tenant, through the API.
async fn workflows(http: &reqwest::Client, base: &str, t: &SeedTenant) -> anyhow::Result<()> {
    for w in 0..WORKFLOWS {
        let (keyword, steps) = if w == 0 {
            (
                "hours".to_owned(),
                json!([{"type": "send_text", "text": REPLY}]),
            )
        } else {
            (
                format!("topic{w}"),
                json!([{"type": "add_note", "text": format!("Asked about topic {w}")}]),
            )
        };
        let body = json!({
            "name": format!("Workflow {w}"),
            "enabled": true,
            "definition": {
                "trigger": {"type": "message_received", "keywords": [keyword]},
                "conditions": [{"type": "conversation_status", "status": "open"}],
                "steps": steps
            }
        });
        let r = http
            .post(format!("{base}/api/v1/workflows"))
            .bearer_auth(&t.api_key)
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(r.status() == 201, "creating a workflow: {}", r.status());
    }
    Ok(())
}

fn customer(i: u64) -> String {
    format!("4479{i:08}")
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let db = ctx.fresh_db("automations").await?;
    let state = db.state(super::NO_GRAPH).await?;
    let tenants = seed::tenants(&state, TENANTS, 1, 1_000).await?;
    state.store.close().await;
    drop(state);
    let times: Shared = Arc::default();
    let graph = fake_graph(times.clone()).await?;
    let server = start_server(&ServerSpec::new(&db, &graph)).await?;
    let http = client(256)?;
    step(format!(
        "{WORKFLOWS} workflows in each of {TENANTS} tenants"
    ));
    for t in &tenants {
        workflows(&http, &server.url, t).await?;
    }
    let load = ctx.sizes.automations_load;
    step(format!(
        "{RATE} inbound messages/s for {} s, each from a new customer",
        load.as_secs()
    ));
    let tenants = Arc::new(tenants);
    let (base, sent_times) = (server.url.clone(), times.clone());
    let result = open_loop(RATE, load, 512, move |i| {
        let (http, base, tenants, times) = (
            http.clone(),
            base.clone(),
            tenants.clone(),
            sent_times.clone(),
        );
        async move {
            let t = &tenants[usize::try_from(i).unwrap_or(0) % TENANTS];
            let Some(number) = t.numbers.first() else {
                return false;
            };
            let who = customer(i);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
            let body = text_body_at(
                number,
                &who,
                &format!("wamid.auto.{i}"),
                "Hi! What are your opening hours on Saturday?",
                now,
            );
            let ok = post_webhook(&http, &base, body).await;
            if ok {
                lock(&times).answered.insert(who, Instant::now());
            }
            ok
        }
    })
    .await;
    let expected = result.ok;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && (lock(&times).replied.len() as u64) < expected {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    server.stop().await;
    ctx.done(db).await;

    let mut lat = Latencies::new();
    let mut missing = 0u64;
    {
        let t = lock(&times);
        for (who, answered) in &t.answered {
            match t.replied.get(who) {
                Some(r) => lat.record(r.saturating_duration_since(*answered)),
                None => missing += 1,
            }
        }
    }
    Ok(vec![
        Figure::new(S, "inbound messages answered 200", "msgs", expected as f64),
        Figure::new(S, "inbound rate achieved", "msg/s", result.rate()),
        Figure::new(S, "p50, 200 → reply handed to Graph", "ms", lat.p50_ms()),
        Figure::new(S, "p99, 200 → reply handed to Graph", "ms", lat.p99_ms())
            .target(Target::AtMost(100.0)),
        Figure::new(S, "replies missing after 60 s", "msgs", missing as f64)
            .target(Target::AtMost(0.0)),
        Figure::new(S, "server peak RSS", "MiB", rss),
    ])
}
