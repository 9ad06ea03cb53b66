//! Meta's webhooks forwarded to bots (issue 21): the load of the outbound
//! webhooks scenario (signed inbound WhatsApp webhooks of a few messages
//! each, open loop, over several tenants), each tenant with one Cloud API
//! endpoint instead of an events endpoint. The receiver answers Meta's
//! handshake and records every wamid of every forwarded body. Measured:
//! forwarded messages per second, and the latency from the inbound
//! webhook's 200 to the forwarded body's arrival (matched by wamid, no API
//! needed). Baseline: the same rate of bodies sent straight to the
//! receiver.

use super::webhooks::{
    BATCH, body, create_endpoints, customer, direct_baseline, inbound_load, seeded_server, wait_for,
};
use super::{Ctx, step};
use crate::load::client;
use crate::report::{Figure, Target};
use crate::stats::Latencies;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const S: &str = "webhooks forwarded to bots";
const VERIFY: &str = "bench-verify";

/// Each forwarded wamid, with when it arrived.
type Arrivals = Arc<Mutex<Vec<(String, Instant)>>>;

/// The bot: answers Meta's handshake, records every message id of every
/// forwarded body and answers 200 at once.
async fn start_bot(arrivals: Arrivals) -> anyhow::Result<String> {
    let handshake = |Query(q): Query<HashMap<String, String>>| async move {
        match (q.get("hub.verify_token"), q.get("hub.challenge")) {
            (Some(t), Some(c)) if t == VERIFY => (StatusCode::OK, c.clone()),
            _ => (StatusCode::FORBIDDEN, String::new()),
        }
    };
    let receive = move |body: Bytes| {
        let arrivals = arrivals.clone();
        async move {
            let at = Instant::now();
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let mut ids = Vec::new();
            for entry in v["entry"].as_array().into_iter().flatten() {
                for change in entry["changes"].as_array().into_iter().flatten() {
                    for m in change["value"]["messages"].as_array().into_iter().flatten() {
                        if let Some(id) = m["id"].as_str() {
                            ids.push((id.to_owned(), at));
                        }
                    }
                }
            }
            if let Ok(mut a) = arrivals.lock() {
                a.extend(ids);
            }
            StatusCode::OK
        }
    };
    let app = axum::Router::new().route("/{*path}", axum::routing::get(handshake).post(receive));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let sizes = &ctx.sizes;
    let (db, tenants, server) = seeded_server(ctx, "bots").await?;
    let arrivals: Arrivals = Arc::default();
    let bot = start_bot(arrivals.clone()).await?;
    let http = client(64)?;
    create_endpoints(
        &http,
        &server.url,
        &tenants,
        |t| json!({ "url": format!("{bot}/t{t}"), "format": "cloud_api", "verify_token": VERIFY }),
    )
    .await?;
    let (load, sent) = inbound_load(ctx, &http, &server.url, &tenants, "messages", "bot").await;
    let expected = sent.len();
    step(format!(
        "{expected} messages accepted ({} bodies refused); waiting for the bots",
        load.errors
    ));
    wait_for(&arrivals, expected).await;
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    server.stop().await;

    let arrived = std::mem::take(&mut *arrivals.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    let mut latency = Latencies::new();
    let mut seen = std::collections::HashSet::new();
    let (mut first, mut last): (Option<Instant>, Option<Instant>) = (None, None);
    for (wamid, at) in &arrived {
        if !seen.insert(wamid.clone()) {
            continue;
        }
        if let Some(t0) = sent.get(wamid) {
            latency.record(at.saturating_duration_since(*t0));
            first = Some(first.map_or(*t0, |f| f.min(*t0)));
        }
        last = Some(last.map_or(*at, |l| l.max(*at)));
    }
    let forwarded = seen.len();
    let duplicates = arrived.len() - forwarded;
    let span = match (first, last) {
        (Some(f), Some(l)) => l.saturating_duration_since(f).as_secs_f64(),
        _ => 0.0,
    };
    let rate = if span > 0.0 {
        forwarded as f64 / span
    } else {
        0.0
    };
    step(format!(
        "{forwarded} of {expected} forwarded ({duplicates} duplicates), {rate:.0}/s"
    ));

    // Baseline: the same bodies at the same rate, straight to the bot.
    let bodies_per_s = sizes.hooks_rate / BATCH as f64;
    let sample = String::from_utf8_lossy(&body(
        &tenants[0].numbers[0],
        &customer(0, 0),
        &["wamid.baseline".to_owned()],
    ))
    .into_owned();
    let base = direct_baseline(
        &http,
        format!("{bot}/direct"),
        bodies_per_s,
        sizes.hooks_load,
        sample,
    )
    .await;
    ctx.done(db).await;
    let lost = expected.saturating_sub(forwarded);
    Ok(vec![
        Figure::new(S, "messages forwarded per second", "messages/s", rate)
            .target(Target::AtLeast(sizes.hooks_rate * 0.95)),
        Figure::new(S, "p50, inbound 200 → bot has it", "ms", latency.p50_ms())
            .baseline(base.latencies.p50_ms()),
        Figure::new(S, "p99, inbound 200 → bot has it", "ms", latency.p99_ms())
            .baseline(base.latencies.p99_ms())
            .target(Target::AtMost(500.0)),
        Figure::new(
            S,
            "messages not forwarded within 30 s",
            "messages",
            lost as f64,
        )
        .target(Target::AtMost(0.0)),
        Figure::new(S, "duplicate forwards", "messages", duplicates as f64),
        Figure::new(S, "server peak RSS", "MiB", rss).target(Target::AtMost(300.0)),
    ])
}
