//! Outbound: a campaign of template messages queued over several numbers
//! (one tenant each), every number capped in the sandbox; the server drains
//! the queue under its own pacing. The sandbox's counters (polled every
//! 20 ms) give each number's rate and every throughput error (130429) our
//! pacing caused. Meanwhile another tenant reads its inbox; the baseline
//! answers the same reads at the same time, under the same machine load.

use super::{Ctx, get_json, step};
use crate::children::{ServerSpec, free_port, start_baseline, start_sandbox, start_server};
use crate::db::APP_SECRET;
use crate::load::{LoadResult, client, open_loop_until};
use crate::report::{Figure, Target};
use crate::seed::{self, SeedTenant};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const S: &str = "outbound";
const TEMPLATE: &str = "bench_promo";
const READ_RATE: f64 = 50.0;

fn sandbox_args(tenants: &[SeedTenant], rate: i64, webhook_url: &str) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "--webhook-url".into(),
        webhook_url.into(),
        "--app-secret".into(),
        APP_SECRET.into(),
        "--rate-limit".into(),
        rate.to_string(),
        "--no-auto-read".into(),
    ];
    for n in tenants.iter().flat_map(|t| &t.numbers) {
        a.push("--number".into());
        a.push(format!(
            "{}:{}:{}:+{}",
            n.phone_number_id, n.waba_id, n.token, n.display
        ));
        a.push("--template".into());
        a.push(format!("{}:{TEMPLATE}:en_US:MARKETING", n.waba_id));
    }
    a
}

/// Reads of `tenant`'s inbox at a steady rate until `stop`.
fn reader(
    base: String,
    tenant: SeedTenant,
    conv: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<LoadResult> {
    tokio::spawn(async move {
        let Ok(http) = client(16) else {
            return LoadResult::default();
        };
        open_loop_until(READ_RATE, Duration::from_secs(3_600), stop, 64, move |i| {
            let (http, base, key) = (http.clone(), base.clone(), tenant.api_key.clone());
            let path = if i % 2 == 0 {
                "/api/v1/conversations?limit=20".to_owned()
            } else {
                format!("/api/v1/conversations/{conv}/messages?limit=20")
            };
            async move { get_json(&http, &base, &path, &key).await.is_some() }
        })
        .await
    })
}

struct Progress {
    first: BTreeMap<String, Instant>,
    done: BTreeMap<String, Instant>,
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let z = &ctx.sizes;
    let db = ctx.fresh_db("outbound").await?;
    let state = db.state(super::NO_GRAPH).await?;
    let mut tenants = seed::tenants(&state, z.out_numbers + 1, 1, z.out_rate).await?;
    let other = tenants.pop().ok_or_else(|| anyhow::anyhow!("no tenants"))?;
    seed::inbox(&state, std::slice::from_ref(&other), 20, 10).await?;
    step(format!(
        "queueing {} messages over {} numbers",
        z.out_numbers * z.out_per_number,
        z.out_numbers
    ));
    let total = seed::campaign(&state, &tenants, z.out_per_number, TEMPLATE).await? as u64;
    state.store.close().await;
    drop(state);

    let port = free_port()?;
    let mut all = tenants.clone();
    all.push(other.clone());
    let sandbox = start_sandbox(&sandbox_args(
        &all,
        z.out_rate,
        &format!("http://127.0.0.1:{port}/webhooks/whatsapp"),
    ))
    .await?;
    let baseline = start_baseline().await?;
    let http = client(4)?;
    let mut spec = ServerSpec::new(&db, &sandbox.url);
    spec.port = Some(port);
    let server = start_server(&spec).await?;
    let start = Instant::now();
    let conv = get_json(
        &http,
        &server.url,
        "/api/v1/conversations?limit=1",
        &other.api_key,
    )
    .await
    .and_then(|p| p["items"][0]["id"].as_str().map(str::to_owned))
    .unwrap_or_default();
    let stop = Arc::new(AtomicBool::new(false));
    let ours_reads = reader(
        server.url.clone(),
        other.clone(),
        conv.clone(),
        stop.clone(),
    );
    let base_reads = reader(baseline.url.clone(), other.clone(), conv, stop.clone());

    let per_number = z.out_per_number as u64;
    let timeout = z.out_time_limit;
    let mut p = Progress {
        first: BTreeMap::new(),
        done: BTreeMap::new(),
    };
    let mut counters = sandbox::Counters::default();
    let campaign: Vec<String> = tenants
        .iter()
        .flat_map(|t| t.numbers.iter().map(|n| n.phone_number_id.clone()))
        .collect();
    loop {
        if let Ok(r) = http
            .get(format!("{}/_sandbox/counters", sandbox.url))
            .send()
            .await
            && let Ok(c) = r.json::<sandbox::Counters>().await
        {
            counters = c;
        }
        let now = Instant::now();
        for pnid in &campaign {
            let accepted = counters.numbers.get(pnid).map_or(0, |n| n.accepted);
            if accepted > 0 {
                p.first.entry(pnid.clone()).or_insert(now);
            }
            if accepted >= per_number {
                p.done.entry(pnid.clone()).or_insert(now);
            }
        }
        if p.done.len() == campaign.len() || start.elapsed() > timeout {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let end = Instant::now();
    stop.store(true, Ordering::Relaxed);
    let (ours_reads, base_reads) = (ours_reads.await?, base_reads.await?);
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    server.stop().await;
    sandbox.stop().await;
    baseline.stop().await;
    ctx.done(db).await;

    let mut rates = Vec::new();
    let (mut accepted, mut throttled, mut other_rejections, mut duplicates) = (0, 0, 0, 0);
    for pnid in &campaign {
        let c = counters.numbers.get(pnid).cloned().unwrap_or_default();
        accepted += c.accepted;
        duplicates += c.duplicate_callback_data;
        for (code, n) in &c.rejected {
            if code == "130429" {
                throttled += n
            } else {
                other_rejections += n
            }
        }
        let from = p.first.get(pnid).copied().unwrap_or(start);
        let to = p.done.get(pnid).copied().unwrap_or(end);
        let secs = to.duration_since(from).as_secs_f64().max(0.001);
        rates.push(c.accepted.min(per_number) as f64 / secs);
    }
    let first = p.first.values().min().copied().unwrap_or(start);
    let drained = p.done.len() == campaign.len();
    let drain_secs = p
        .done
        .values()
        .max()
        .copied()
        .unwrap_or(end)
        .duration_since(first)
        .as_secs_f64();
    let cap = z.out_rate as f64;
    let min_rate = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let mean_rate = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    step(format!(
        "sent {accepted}/{total} in {drain_secs:.1} s; {throttled} throughput errors"
    ));
    Ok(vec![
        Figure::new(
            S,
            "slowest number's rate (cap as baseline)",
            "msg/s",
            min_rate.min(f64::MAX),
        )
        .baseline(cap)
        .target(Target::AtLeast(cap * 0.95)),
        Figure::new(S, "mean rate per number", "msg/s", mean_rate).baseline(cap),
        Figure::new(
            S,
            "throughput errors (130429) from our pacing",
            "errors",
            throttled as f64,
        )
        .target(Target::AtMost(0.0)),
        Figure::new(
            S,
            "messages sent before the time limit",
            "msgs",
            accepted as f64,
        )
        .target(Target::AtLeast(total as f64)),
        Figure::new(S, "other send errors", "errors", other_rejections as f64),
        Figure::new(
            S,
            "duplicate sends seen by the sandbox",
            "msgs",
            duplicates as f64,
        )
        .target(Target::AtMost(0.0)),
        Figure::new(
            S,
            format!(
                "time to drain {total} messages{}",
                if drained { "" } else { " (timed out)" }
            ),
            "s",
            drain_secs,
        )
        .baseline(per_number as f64 / cap),
        Figure::new(
            S,
            "other tenant's inbox reads, p99",
            "ms",
            ours_reads.latencies.p99_ms(),
        )
        .baseline(base_reads.latencies.p99_ms())
        .target(Target::AtMost(50.0)),
        Figure::new(
            S,
            "other tenant's failed reads",
            "req",
            ours_reads.errors as f64,
        ),
        Figure::new(S, "server peak RSS", "MiB", rss).target(Target::AtMost(300.0)),
    ])
}
