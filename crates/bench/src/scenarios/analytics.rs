//! Analytics at size (issue 22): twenty tenants with a year of history
//! (10,000,000 stored messages in the full run, 1,000,000 in `--quick`),
//! bulk seeded in SQL ([`super::seed_analytics`]), the counts then rebuilt
//! from those stored rows by the server's own rebuild (what the consumer
//! does the first time it meets a workspace); then every analytics report,
//! as JSON and as CSV, over the last 7, 30 and 90 days and a year, for
//! random tenants at a steady rate. The target: p99 ≤ 100 ms for any call.

use super::seed_analytics::{self, MESSAGES_PER_EPISODE};
use super::{Ctx, NO_GRAPH, get_json, step};
use crate::children::{ServerSpec, start_server};
use crate::load::{client, open_loop};
use crate::report::{Figure, Target};
use crate::seed::{self, SeedTenant};
use crate::stats::Latencies;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const S: &str = "analytics";
const TARGET_MS: f64 = 100.0;

/// The calls measured: each report as JSON, and two as CSV.
const CALLS: [(&str, &str); 7] = [
    ("messages", "/api/v1/analytics/messages"),
    ("response times", "/api/v1/analytics/response-times"),
    ("campaigns", "/api/v1/analytics/campaigns"),
    ("automations", "/api/v1/analytics/automations"),
    ("bookings", "/api/v1/analytics/bookings"),
    ("messages CSV", "/api/v1/analytics/messages.csv"),
    ("response times CSV", "/api/v1/analytics/response-times.csv"),
];

/// The spans asked for, in days up to today (a year is the API's longest
/// span, 366 days, so it covers the whole seeded year).
const SPANS: [(&str, i64); 4] = [
    ("7 days", 7),
    ("30 days", 30),
    ("90 days", 90),
    ("a year", 366),
];

/// A reproducible spread of request indexes over tenants.
fn pick(i: u64, n: usize) -> usize {
    (i.wrapping_mul(11_400_714_819_323_198_485) >> 33) as usize % n.max(1)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `to - (days - 1)` and `to` (today, UTC: the tenants' zone), as the API
/// takes them.
fn span(days: i64) -> anyhow::Result<String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let to = time::OffsetDateTime::now_utc().date();
    let from = to - time::Duration::days(days - 1);
    Ok(format!(
        "from={}&to={}",
        from.format(&fmt)?,
        to.format(&fmt)?
    ))
}

/// `GET {base}{path}` with the key: answered 200 with its whole body.
async fn get_ok(http: &reqwest::Client, base: &str, path: &str, key: &str) -> bool {
    match http
        .get(format!("{base}{path}"))
        .bearer_auth(key)
        .send()
        .await
    {
        Ok(r) if r.status() == 200 => r.bytes().await.is_ok_and(|b| !b.is_empty()),
        _ => false,
    }
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let z = &ctx.sizes;
    let episodes = z.analytics_episodes;
    let db = ctx.fresh_db("analytics").await?;
    let state = db.state(NO_GRAPH).await?;
    let tenants = seed::tenants(&state, z.analytics_tenants, 2, 80).await?;
    let total = z.analytics_tenants * episodes * MESSAGES_PER_EPISODE;
    step(format!(
        "storing {total} messages ({episodes} conversation episodes a tenant) for {} tenants",
        z.analytics_tenants
    ));
    let t = Instant::now();
    let stored = seed_analytics::seed(
        &db.database_url,
        &tenants,
        episodes,
        state.now().as_millis(),
    )
    .await?;
    let seeding = t.elapsed();
    step(format!(
        "stored {stored} in {:.0} s ({:.0} messages/s)",
        seeding.as_secs_f64(),
        stored as f64 / seeding.as_secs_f64().max(0.001)
    ));
    let t = Instant::now();
    for tenant in &tenants {
        server::analytics::rebuild::rebuild_tenant(&state, tenant.id).await?;
    }
    let rebuild = t.elapsed();
    step(format!(
        "counts rebuilt from the stored messages in {:.0} s",
        rebuild.as_secs_f64()
    ));
    state.store.close().await;
    drop(state);
    seed_analytics::settle(&db.database_url).await?;

    let server = start_server(&ServerSpec::new(&db, NO_GRAPH)).await?;
    check(&server.url, &tenants[0], episodes).await?;
    let spans: Vec<String> = SPANS
        .iter()
        .map(|(_, d)| span(*d))
        .collect::<anyhow::Result<_>>()?;
    step(format!(
        "{} req/s for {:?}: {} calls × {} spans, random tenants",
        z.analytics_rate,
        z.analytics_load,
        CALLS.len(),
        SPANS.len()
    ));
    let cells = Arc::new(Mutex::new(vec![
        Latencies::new();
        CALLS.len() * SPANS.len()
    ]));
    let http = client(64)?;
    let (base, keys, spans) = (
        server.url.clone(),
        Arc::new(
            tenants
                .iter()
                .map(|t| t.api_key.clone())
                .collect::<Vec<_>>(),
        ),
        Arc::new(spans),
    );
    let recorded = cells.clone();
    let all = open_loop(z.analytics_rate, z.analytics_load, 64, move |i| {
        let call = i as usize % CALLS.len();
        let span = (i as usize / CALLS.len()) % SPANS.len();
        let key = keys[pick(i, keys.len())].clone();
        let path = format!("{}?{}", CALLS[call].1, spans[span]);
        let (http, base, recorded) = (http.clone(), base.clone(), recorded.clone());
        async move {
            let t = Instant::now();
            let ok = get_ok(&http, &base, &path, &key).await;
            if ok {
                lock(&recorded)[call * SPANS.len() + span].record(t.elapsed());
            }
            ok
        }
    })
    .await;
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    server.stop().await;
    ctx.done(db).await;

    let cells = lock(&cells).clone();
    let merged = |which: &dyn Fn(usize, usize) -> bool| {
        let mut l = Latencies::new();
        for c in 0..CALLS.len() {
            for s in 0..SPANS.len() {
                if which(c, s) {
                    l.merge(&cells[c * SPANS.len() + s]);
                }
            }
        }
        l
    };
    for (c, (name, _)) in CALLS.iter().enumerate() {
        let row: Vec<String> = (0..SPANS.len())
            .map(|s| {
                let l = &cells[c * SPANS.len() + s];
                format!("{:.1}/{:.1}", l.p50_ms(), l.p99_ms())
            })
            .collect();
        step(format!(
            "{name:>20} p50/p99 ms (7, 30, 90, 366 days): {}",
            row.join("  ")
        ));
    }
    let mut figures = vec![
        Figure::new(
            S,
            format!(
                "bulk seeding ({stored} messages, {} tenants)",
                tenants.len()
            ),
            "s",
            seeding.as_secs_f64(),
        ),
        Figure::new(
            S,
            "rebuild of every tenant's counts from its messages",
            "s",
            rebuild.as_secs_f64(),
        ),
    ];
    for (c, (name, _)) in CALLS.iter().enumerate() {
        let l = merged(&|cc, _| cc == c);
        figures.push(
            Figure::new(S, format!("{name} p99 (all spans)"), "ms", l.p99_ms())
                .target(Target::AtMost(TARGET_MS)),
        );
    }
    for (s, (name, _)) in SPANS.iter().enumerate() {
        let l = merged(&|_, ss| ss == s);
        figures.push(
            Figure::new(S, format!("{name}: p99 (all calls)"), "ms", l.p99_ms())
                .target(Target::AtMost(TARGET_MS)),
        );
    }
    figures.extend([
        Figure::new(
            S,
            format!(
                "any call p50 ({} req/s, from each request's due time)",
                z.analytics_rate
            ),
            "ms",
            all.latencies.p50_ms(),
        ),
        Figure::new(S, "any call p99", "ms", all.latencies.p99_ms())
            .target(Target::AtMost(TARGET_MS)),
        Figure::new(S, "failed calls", "req", all.errors as f64).target(Target::AtMost(0.0)),
        Figure::new(S, "server peak RSS", "MiB", rss),
    ]);
    Ok(figures)
}

/// The year's reports of one tenant hold what was stored: every message
/// counted (but the few campaign messages sent the day before the year),
/// every episode measured, campaigns, runs and bookings present.
async fn check(base: &str, tenant: &SeedTenant, episodes: usize) -> anyhow::Result<()> {
    let http = client(2)?;
    let year = span(366)?;
    let get = |what: &'static str| {
        let (http, key) = (http.clone(), tenant.api_key.clone());
        let path = format!("/api/v1/analytics/{what}?{year}");
        async move {
            get_json(&http, base, &path, &key)
                .await
                .ok_or_else(|| anyhow::anyhow!("GET {path} failed"))
        }
    };
    let m = get("messages").await?;
    let r = get("response-times").await?;
    let c = get("campaigns").await?;
    let a = get("automations").await?;
    let b = get("bookings").await?;
    let n = |v: &serde_json::Value| v.as_i64().unwrap_or(0);
    let counted = n(&m["totals"]["messages_in"]) + n(&m["totals"]["messages_out"]);
    let stored = (episodes * MESSAGES_PER_EPISODE) as i64;
    step(format!(
        "one tenant's year: {counted} messages counted of {stored} stored, {} conversations \
         measured, {} campaigns, {} runs completed, {} bookings",
        n(&r["conversations"]),
        c["campaigns"].as_array().map_or(0, Vec::len),
        n(&a["totals"]["completed"]),
        n(&b["totals"]["total"]),
    ));
    if counted < stored * 99 / 100 || counted > stored || n(&r["conversations"]) == 0 {
        anyhow::bail!("the rebuilt counts do not match the stored messages");
    }
    Ok(())
}
