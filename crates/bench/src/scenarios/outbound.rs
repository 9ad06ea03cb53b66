//! Outbound: campaigns run through the HTTP API as an integrator runs
//! them. Every number (one tenant each) is capped in the sandbox and in
//! its channel settings; its tenant's recipients are seeded as tagged
//! contacts ([`crate::seed_audience`]); the tenant's API key then syncs
//! the template library, sets the number's messaging-limit tier, creates
//! a campaign for the tag and starts it ([`super::campaign_api`]).
//!
//! The sandbox's counters (polled every 20 ms) give each number's rate
//! from its first to its last accepted send, every throughput error
//! (130429) our pacing caused, and duplicate sends; afterwards its message
//! log gives recipients sent to twice. Once a number's sends are all in,
//! its campaign's stats are polled (every [`api::WATCH`]) until every
//! recipient is at least delivered: how long after the last send the
//! status webhooks were all applied. Meanwhile another tenant reads its
//! inbox; the baseline answers the same reads at the same time, under the
//! same machine load.

use super::campaign_api::{self as api, Progress, Run, TEMPLATE, watcher};
use super::{Ctx, Outbound, get_json, step};
use crate::children::{ServerSpec, free_port, start_baseline, start_sandbox, start_server};
use crate::db::APP_SECRET;
use crate::load::{LoadResult, client, open_loop_until};
use crate::report::{Figure, Target};
use crate::seed::{self, SeedTenant};
use anyhow::Context as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const READ_RATE: f64 = 50.0;

/// Status webhooks the sandbox has on their way at once: Meta sends many
/// at once (its guidance allows a median of 250 ms per webhook while asking
/// for three statuses a message), not one after the other.
const WEBHOOKS_AT_ONCE: usize = 64;

fn sandbox_args(tenants: &[SeedTenant], rate: i64, webhook_url: &str) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "--webhook-url".into(),
        webhook_url.into(),
        "--app-secret".into(),
        APP_SECRET.into(),
        "--rate-limit".into(),
        rate.to_string(),
        "--no-auto-read".into(),
        "--webhook-concurrency".into(),
        WEBHOOKS_AT_ONCE.to_string(),
    ];
    for n in tenants.iter().flat_map(|t| &t.numbers) {
        a.push("--number".into());
        a.push(format!(
            "{}:{}:{}:+{}",
            n.phone_number_id, n.waba_id, n.token, n.display
        ));
        a.push("--template".into());
        a.push(format!(
            "{}:{TEMPLATE}:{}:MARKETING",
            n.waba_id,
            api::LANGUAGE
        ));
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

pub async fn run(ctx: &Ctx, s: &'static str, shape: Outbound) -> anyhow::Result<Vec<Figure>> {
    let db = ctx.fresh_db(s).await?;
    let state = db.state(super::NO_GRAPH).await?;
    let mut tenants = seed::tenants(&state, shape.numbers + 1, 1, shape.rate).await?;
    let other = tenants.pop().ok_or_else(|| anyhow::anyhow!("no tenants"))?;
    seed::inbox(&state, std::slice::from_ref(&other), 20, 10).await?;
    let total = (shape.numbers * shape.per_number) as u64;
    step(format!(
        "seeding {total} contacts over {} tenants, {} msg/s per number",
        shape.numbers, shape.rate
    ));
    let t = Instant::now();
    let tags = crate::seed_audience::tagged(&state, &tenants, shape.per_number).await?;
    step(format!("seeded in {:.1} s", t.elapsed().as_secs_f64()));
    state.store.close().await;
    drop(state);

    let port = free_port()?;
    let mut all = tenants.clone();
    all.push(other.clone());
    let sandbox = start_sandbox(&sandbox_args(
        &all,
        shape.rate,
        &format!("http://127.0.0.1:{port}/webhooks/whatsapp"),
    ))
    .await?;
    let baseline = start_baseline().await?;
    let http = client(4)?;
    let mut spec = ServerSpec::new(&db, &sandbox.url);
    spec.port = Some(port);
    let server = start_server(&spec).await?;

    let tier = api::tier_for(shape.per_number, shape.rate);
    step(format!("creating {} campaigns ({tier})", tenants.len()));
    let mut runs = Vec::with_capacity(tenants.len());
    for (tenant, tag) in tenants.iter().zip(&tags) {
        let n = tenant.numbers.first().context("a tenant without numbers")?;
        let channel = n.channel_id.to_string();
        let key = &tenant.api_key;
        let id = api::prepare(&http, &server.url, key, &channel, tier, &tag.to_string()).await?;
        runs.push(Run {
            pnid: n.phone_number_id.clone(),
            key: key.clone(),
            id,
        });
    }

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

    step("starting them");
    let start = Instant::now();
    let mut recipients = 0;
    for r in &runs {
        recipients += api::start(&http, &server.url, &r.key, &r.id).await?;
    }
    let started = start.elapsed().as_secs_f64();
    let p = Arc::new(Mutex::new(Progress::default()));
    let watch = watcher(server.url.clone(), runs.clone(), p.clone(), stop.clone());

    let per_number = shape.per_number as u64;
    let timeout = ctx.sizes.out_time_limit;
    let mut counters = sandbox::Counters::default();
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
        let all_settled = {
            let mut p = p.lock().unwrap_or_else(|e| e.into_inner());
            for r in &runs {
                let accepted = counters.numbers.get(&r.pnid).map_or(0, |n| n.accepted);
                if accepted > 0 {
                    p.first.entry(r.pnid.clone()).or_insert(now);
                }
                if accepted >= per_number {
                    p.done.entry(r.pnid.clone()).or_insert(now);
                }
            }
            p.settled.len() == runs.len()
        };
        if all_settled || start.elapsed() > timeout {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let end = Instant::now();
    stop.store(true, Ordering::Relaxed);
    let (ours_reads, base_reads) = (ours_reads.await?, base_reads.await?);
    watch.await?;
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    let mut finished = 0;
    let (mut failed, mut undelivered) = (0, 0);
    let p = std::mem::take(&mut *p.lock().unwrap_or_else(|e| e.into_inner()));
    for r in &runs {
        let st = api::status(&http, &server.url, &r.key, &r.id).await;
        finished += u32::from(st.as_deref() == Some("finished"));
        let last = match p.settled.contains_key(&r.pnid) {
            true => p.stats.get(&r.pnid).cloned(),
            false => api::stats(&http, &server.url, &r.key, &r.id).await,
        };
        let last = last.unwrap_or_default();
        failed += last.failed + last.skipped;
        undelivered += last.undelivered() - last.failed - last.skipped;
    }
    let mut repeated = 0;
    for r in &runs {
        repeated += api::repeated_recipients(&http, &sandbox.url, &r.pnid).await?;
    }
    server.stop().await;
    sandbox.stop().await;
    baseline.stop().await;
    ctx.done(db).await;

    let mut rates = Vec::new();
    let (mut accepted, mut throttled, mut other_rejections, mut duplicates) = (0, 0, 0, 0);
    let mut lag: f64 = 0.0;
    for r in &runs {
        let c = counters.numbers.get(&r.pnid).cloned().unwrap_or_default();
        accepted += c.accepted;
        duplicates += c.duplicate_callback_data;
        for (code, n) in &c.rejected {
            if code == "130429" {
                throttled += n
            } else {
                other_rejections += n
            }
        }
        let from = p.first.get(&r.pnid).copied().unwrap_or(start);
        let to = p.done.get(&r.pnid).copied().unwrap_or(end);
        let secs = to.duration_since(from).as_secs_f64().max(0.001);
        rates.push(c.accepted.min(per_number) as f64 / secs);
        let applied = p.settled.get(&r.pnid).copied().unwrap_or(end);
        lag = lag.max(applied.duration_since(to).as_secs_f64());
    }
    let first = p.first.values().min().copied().unwrap_or(end);
    let sent_all = p.done.len() == runs.len();
    let last_send = p.done.values().max().copied().unwrap_or(end);
    let send_secs = last_send.duration_since(first).as_secs_f64();
    let all_applied = p.settled.len() == runs.len();
    let cap = shape.rate as f64;
    let min_rate = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let mean_rate = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    step(format!(
        "{recipients} recipients (started in {started:.1} s); sent {accepted}/{total} in \
         {send_secs:.1} s; statuses applied {lag:.1} s after the last send; \
         {throttled} throughput errors; {finished}/{} finished",
        runs.len()
    ));
    let mut figures = vec![
        Figure::new(
            s,
            "slowest number's rate (cap as baseline)",
            "msg/s",
            min_rate.min(f64::MAX),
        )
        .baseline(cap)
        .target(Target::AtLeast(cap * 0.95)),
    ];
    if runs.len() > 1 {
        figures.push(Figure::new(s, "mean rate per number", "msg/s", mean_rate).baseline(cap));
    }
    figures.extend([
        Figure::new(
            s,
            "throughput errors (130429) from our pacing",
            "errors",
            throttled as f64,
        )
        .target(Target::AtMost(0.0)),
        Figure::new(
            s,
            "messages sent before the time limit",
            "msgs",
            accepted as f64,
        )
        .target(Target::AtLeast(total as f64)),
        Figure::new(s, "other send errors", "errors", other_rejections as f64),
        Figure::new(
            s,
            "duplicate sends seen by the sandbox",
            "msgs",
            duplicates as f64,
        )
        .target(Target::AtMost(0.0)),
        Figure::new(
            s,
            "recipients sent to more than once",
            "recipients",
            repeated as f64,
        )
        .target(Target::AtMost(0.0)),
        Figure::new(
            s,
            "campaigns finished (API)",
            "campaigns",
            f64::from(finished),
        )
        .target(Target::AtLeast(runs.len() as f64)),
        Figure::new(
            s,
            "recipients failed or skipped (campaign stats)",
            "recipients",
            failed as f64,
        )
        .target(Target::AtMost(0.0)),
        Figure::new(
            s,
            format!(
                "time to send {total} messages{}",
                if sent_all { "" } else { " (timed out)" }
            ),
            "s",
            send_secs,
        )
        .baseline(per_number as f64 / cap),
        Figure::new(
            s,
            format!(
                "status webhooks all applied, after the last send{}",
                if all_applied {
                    String::new()
                } else {
                    format!(" ({} recipients not yet)", undelivered)
                }
            ),
            "s",
            lag,
        )
        // "As they come": within the bound the ingest backlog has.
        .target(Target::AtMost(10.0)),
        Figure::new(
            s,
            "other tenant's inbox reads, p99",
            "ms",
            ours_reads.latencies.p99_ms(),
        )
        .baseline(base_reads.latencies.p99_ms())
        .target(Target::AtMost(50.0)),
        Figure::new(
            s,
            "other tenant's failed reads",
            "req",
            ours_reads.errors as f64,
        ),
        Figure::new(s, "server peak RSS", "MiB", rss).target(Target::AtMost(100.0)),
    ]);
    Ok(figures)
}
