//! Inbound end to end: from the webhook's 200 to the message being returned
//! by `GET /api/v1/conversations/{id}/messages`, polled every millisecond
//! (so figures are good to about a millisecond). A few tenants write at once.
//! The baseline's figure is what the same read costs when the answer is
//! already there: one GET after the 200.

use super::{Ctx, NO_GRAPH, get_json, post_webhook, step};
use crate::children::{ServerSpec, start_baseline, start_server};
use crate::load::client;
use crate::payload::text_body;
use crate::report::{Figure, Target};
use crate::seed::{self, SeedTenant};
use crate::stats::Latencies;
use anyhow::Context as _;
use std::time::{Duration, Instant};

const S: &str = "inbound end to end";
const LOOPS: usize = 4;

fn customer(t: usize) -> String {
    format!("4477{t:08}")
}

/// Sends one message and waits until the API returns it; `None` on timeout.
async fn one(
    http: &reqwest::Client,
    base: &str,
    tenant: &SeedTenant,
    t: usize,
    conv: &str,
    n: u64,
) -> Option<Duration> {
    let number = tenant.numbers.first()?;
    let wamid = format!("wamid.e2e.{t}.{n}");
    let body = text_body(number, &customer(t), &wamid, "Is the shop open on Sunday?");
    if !post_webhook(http, base, body).await {
        return None;
    }
    let t0 = Instant::now();
    // Another loop may write to the same tenant at once: look at the newest few.
    let path = format!("/api/v1/conversations/{conv}/messages?limit=5");
    while t0.elapsed() < Duration::from_secs(10) {
        if let Some(page) = get_json(http, base, &path, &tenant.api_key).await
            && page["items"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|m| m["wamid"].as_str() == Some(wamid.as_str()))
            })
        {
            return Some(t0.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

/// Starts each tenant's conversation and returns its id.
async fn open_conversation(
    http: &reqwest::Client,
    base: &str,
    tenant: &SeedTenant,
    t: usize,
) -> anyhow::Result<String> {
    let number = tenant.numbers.first().context("no number")?;
    let body = text_body(
        number,
        &customer(t),
        &format!("wamid.e2e.{t}.first"),
        "Hello",
    );
    anyhow::ensure!(
        post_webhook(http, base, body).await,
        "warm-up webhook refused"
    );
    for _ in 0..2_000 {
        if let Some(page) =
            get_json(http, base, "/api/v1/conversations?limit=1", &tenant.api_key).await
            && let Some(id) = page["items"][0]["id"].as_str()
        {
            return Ok(id.to_owned());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    anyhow::bail!("the first message never showed up")
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let db = ctx.fresh_db("inbound").await?;
    let state = db.state(NO_GRAPH).await?;
    let tenants = seed::tenants(&state, ctx.sizes.e2e_tenants, 1, 80).await?;
    state.store.close().await;
    drop(state);
    let server = start_server(&ServerSpec::new(&db, NO_GRAPH)).await?;
    let baseline = start_baseline().await?;
    let http = client(LOOPS * 2)?;
    let mut convs = Vec::with_capacity(tenants.len());
    for (t, tenant) in tenants.iter().enumerate() {
        convs.push(open_conversation(&http, &server.url, tenant, t).await?);
    }
    step(format!(
        "{} messages, {LOOPS} tenants writing at once",
        ctx.sizes.e2e_samples
    ));
    let per_loop = ctx.sizes.e2e_samples.div_ceil(LOOPS);
    let mut tasks = Vec::new();
    for l in 0..LOOPS {
        let (http, base, tenants, convs) = (
            http.clone(),
            server.url.clone(),
            tenants.clone(),
            convs.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut lost) = (Latencies::new(), 0u64);
            for i in 0..per_loop {
                let t = (l + i * LOOPS) % tenants.len();
                match one(&http, &base, &tenants[t], t, &convs[t], i as u64).await {
                    Some(d) => lat.record(d),
                    None => lost += 1,
                }
            }
            (lat, lost)
        }));
    }
    let (mut ours, mut lost) = (Latencies::new(), 0);
    for t in tasks {
        let (l, n) = t.await?;
        ours.merge(&l);
        lost += n;
    }
    let rss = server.peak_rss_mib().unwrap_or(0.0);

    // Baseline: the 200, then one read that already has the answer.
    let mut base = Latencies::new();
    for i in 0..ctx.sizes.e2e_samples {
        let t = i % tenants.len();
        let Some(number) = tenants[t].numbers.first() else {
            continue;
        };
        let body = text_body(
            number,
            &customer(t),
            &format!("wamid.base.{i}"),
            "Is the shop open?",
        );
        if post_webhook(&http, &baseline.url, body).await {
            let t0 = Instant::now();
            if get_json(
                &http,
                &baseline.url,
                "/api/v1/conversations/x/messages?limit=5",
                "k",
            )
            .await
            .is_some()
            {
                base.record(t0.elapsed());
            }
        }
    }
    server.stop().await;
    baseline.stop().await;
    ctx.done(db).await;
    Ok(vec![
        Figure::new(S, "p50, 200 → visible in the API", "ms", ours.p50_ms())
            .baseline(base.p50_ms()),
        Figure::new(S, "p99, 200 → visible in the API", "ms", ours.p99_ms())
            .baseline(base.p99_ms())
            .target(Target::AtMost(25.0)),
        Figure::new(S, "messages never visible within 10 s", "msgs", lost as f64)
            .target(Target::AtMost(0.0)),
        Figure::new(S, "server peak RSS", "MiB", rss).target(Target::AtMost(100.0)),
    ])
}
