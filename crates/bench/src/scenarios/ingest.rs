//! Webhook ingest: signed, mixed batches for many tenants' numbers. First
//! the highest rate (closed loop), checked afterwards by counting the stored
//! deliveries (every 200 must be a row); then latency at half that rate
//! (open loop), with the baseline given the very same load.

use super::{Ctx, NO_GRAPH, post_webhook, step};
use crate::children::{ServerSpec, start_baseline, start_server};
use crate::db::EngineChoice;
use crate::load::{LoadResult, client, closed_loop, open_loop};
use crate::payload::{events_per_body, webhook_body};
use crate::report::{Figure, Target};
use crate::seed::{self, SeedNumber};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use store::Store;

const S: &str = "webhook ingest";

async fn flood(
    base: &str,
    numbers: &Arc<Vec<SeedNumber>>,
    seq: &Arc<AtomicU64>,
    ctx: &Ctx,
) -> anyhow::Result<LoadResult> {
    let http = client(ctx.sizes.ingest_connections)?;
    let (base, numbers, seq) = (base.to_owned(), numbers.clone(), seq.clone());
    Ok(closed_loop(
        ctx.sizes.ingest_connections,
        ctx.sizes.ingest_load,
        move |_| {
            let body = webhook_body(&numbers, seq.fetch_add(1, Ordering::Relaxed));
            let (http, base) = (http.clone(), base.clone());
            async move { post_webhook(&http, &base, body).await }
        },
    )
    .await)
}

async fn paced(
    base: &str,
    rate: f64,
    numbers: &Arc<Vec<SeedNumber>>,
    seq: &Arc<AtomicU64>,
    ctx: &Ctx,
) -> anyhow::Result<LoadResult> {
    let http = client(256)?;
    let (base, numbers, seq) = (base.to_owned(), numbers.clone(), seq.clone());
    Ok(open_loop(rate, ctx.sizes.ingest_load, 1024, move |_| {
        let body = webhook_body(&numbers, seq.fetch_add(1, Ordering::Relaxed));
        let (http, base) = (http.clone(), base.clone());
        async move { post_webhook(&http, &base, body).await }
    })
    .await)
}

async fn stored(store: &Store) -> anyhow::Result<(i64, i64)> {
    let mut sys = store.system().await?;
    let pending = sys.count_webhooks("pending").await?;
    let processed = sys.count_webhooks("processed").await?;
    sys.commit().await?;
    Ok((pending, processed))
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let db = ctx.fresh_db("ingest").await?;
    step(format!(
        "seeding {} tenants with one number each",
        ctx.sizes.ingest_tenants
    ));
    let state = db.state(NO_GRAPH).await?;
    let tenants = seed::tenants(&state, ctx.sizes.ingest_tenants, 1, 80).await?;
    state.store.close().await;
    drop(state);
    let numbers: Arc<Vec<SeedNumber>> =
        Arc::new(tenants.into_iter().flat_map(|t| t.numbers).collect());
    let seq = Arc::new(AtomicU64::new(0));

    let server = start_server(&ServerSpec::new(&db, NO_GRAPH)).await?;
    let baseline = start_baseline().await?;

    step("warming up");
    let mut warm = ctx.clone();
    warm.sizes.ingest_load = Duration::from_secs(1);
    let warm_ours = flood(&server.url, &numbers, &seq, &warm).await?;
    flood(&baseline.url, &numbers, &seq, &warm).await?;

    step(format!(
        "highest rate: {} connections for {:?}",
        ctx.sizes.ingest_connections, ctx.sizes.ingest_load
    ));
    let max = flood(&server.url, &numbers, &seq, ctx).await?;
    // How long the workers take to route what the flood left, before the
    // baseline's flood takes the CPU (bounded wait).
    let check = Store::connect(&db.database_url).await?;
    let backlog = stored(&check).await?.0;
    step(format!("{backlog} bodies left to route after the flood"));
    let t = Instant::now();
    let limit = Duration::from_secs(if ctx.sizes.ingest_load.as_secs() > 10 {
        300
    } else {
        30
    });
    let mut left = backlog;
    while left > 0 && t.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = stored(&check).await?.0;
    }
    let routing = t.elapsed().as_secs_f64();
    let routed_rate = (backlog - left) as f64 * events_per_body() / routing;
    let base_max = flood(&baseline.url, &numbers, &seq, ctx).await?;
    let half = (max.rate() / 2.0).max(1.0);
    step(format!(
        "ours {:.0}/s, baseline {:.0}/s; latency at {half:.0}/s",
        max.rate(),
        base_max.rate()
    ));
    let lat = paced(&server.url, half, &numbers, &seq, ctx).await?;
    let base_lat = paced(&baseline.url, half, &numbers, &seq, ctx).await?;

    // Every 200 must be a stored delivery.
    let answered = (warm_ours.ok + max.ok + lat.ok) as i64;
    let (pending, processed) = stored(&check).await?;
    let not_stored = (answered - pending - processed).max(0);
    step(format!(
        "{answered} answered 200, {} stored ({pending} still to process)",
        pending + processed
    ));
    check.close().await;
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    server.stop().await;
    baseline.stop().await;
    ctx.done(db).await;

    let share = if base_max.rate() > 0.0 {
        100.0 * max.rate() / base_max.rate()
    } else {
        0.0
    };
    Ok(vec![
        Figure::new(S, "highest rate, every 200 stored", "req/s", max.rate())
            .baseline(base_max.rate())
            .target(Target::AtLeast(10_000.0)),
        Figure::new(S, "rate as share of baseline", "%", share).target(Target::AtLeast(match ctx
            .engine
        {
            EngineChoice::Sqlite => 30.0,
            EngineChoice::Postgres { .. } => 40.0,
        })),
        Figure::new(
            S,
            "answered 200 but not stored",
            "bodies",
            not_stored as f64,
        )
        .target(Target::AtMost(0.0)),
        Figure::new(
            S,
            "errors (non-200) during the flood",
            "req",
            max.errors as f64,
        ),
        Figure::new(
            S,
            format!("p50 at half rate ({half:.0}/s)"),
            "ms",
            lat.latencies.p50_ms(),
        )
        .baseline(base_lat.latencies.p50_ms()),
        Figure::new(
            S,
            format!("p99 at half rate ({half:.0}/s)"),
            "ms",
            lat.latencies.p99_ms(),
        )
        .baseline(base_lat.latencies.p99_ms())
        .target(Target::AtMost(25.0)),
        Figure::new(
            S,
            "bodies left to route after the flood",
            "bodies",
            backlog as f64,
        ),
        Figure::new(S, "time to route them into the inbox", "s", routing)
            .target(Target::AtMost(10.0)),
        Figure::new(
            S,
            "events routed per second after the flood",
            "events/s",
            routed_rate,
        )
        .target(Target::AtLeast(match ctx.engine {
            EngineChoice::Sqlite => 5_000.0,
            EngineChoice::Postgres { .. } => 2_000.0,
        })),
        Figure::new(S, "server peak RSS", "MiB", rss).target(Target::AtMost(100.0)),
    ])
}
