//! API reads over a full database: many tenants with many stored messages
//! (seeded as the webhook worker stores them), then conversation-list and
//! message-page requests of random tenants at a steady rate, on our server
//! and on the baseline.

use super::{Ctx, NO_GRAPH, get_json, step};
use crate::children::{ServerSpec, start_baseline, start_server};
use crate::load::{LoadResult, client, open_loop};
use crate::report::{Figure, Target};
use crate::seed::{self, SeedTenant};
use std::sync::Arc;
use std::time::Instant;

const S: &str = "API reads";

/// A reproducible spread of request indexes over tenants.
fn pick(i: u64, n: usize) -> usize {
    (i.wrapping_mul(11_400_714_819_323_198_485) >> 33) as usize % n.max(1)
}

async fn load(
    ctx: &Ctx,
    base: &str,
    targets: &Arc<Vec<(SeedTenant, Vec<String>)>>,
    messages: bool,
) -> anyhow::Result<LoadResult> {
    let http = client(64)?;
    let (base, targets) = (base.to_owned(), targets.clone());
    Ok(
        open_loop(ctx.sizes.reads_rate, ctx.sizes.reads_load, 256, move |i| {
            let (tenant, convs) = &targets[pick(i, targets.len())];
            let path = match convs.get(pick(i ^ 0x5bd1e995, convs.len())) {
                Some(c) if messages => format!("/api/v1/conversations/{c}/messages?limit=50"),
                _ => "/api/v1/conversations?limit=50".to_owned(),
            };
            let (http, base, key) = (http.clone(), base.clone(), tenant.api_key.clone());
            async move { get_json(&http, &base, &path, &key).await.is_some() }
        })
        .await,
    )
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let z = &ctx.sizes;
    let db = ctx.fresh_db("reads").await?;
    let state = db.state(NO_GRAPH).await?;
    let tenants = seed::tenants(&state, z.reads_tenants, 1, 80).await?;
    let total = z.reads_tenants * z.reads_conversations * z.reads_per_conversation;
    step(format!(
        "storing {total} messages for {} tenants",
        z.reads_tenants
    ));
    let t = Instant::now();
    seed::inbox(
        &state,
        &tenants,
        z.reads_conversations,
        z.reads_per_conversation,
    )
    .await?;
    step(format!("stored in {:.0} s", t.elapsed().as_secs_f64()));
    state.store.close().await;
    drop(state);

    let server = start_server(&ServerSpec::new(&db, NO_GRAPH)).await?;
    let baseline = start_baseline().await?;
    let http = client(8)?;
    let mut targets = Vec::with_capacity(tenants.len());
    for tenant in tenants {
        let convs: Vec<String> = get_json(
            &http,
            &server.url,
            "/api/v1/conversations?limit=50",
            &tenant.api_key,
        )
        .await
        .and_then(|p| {
            p["items"].as_array().map(|a| {
                a.iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default();
        targets.push((tenant, convs));
    }
    let targets = Arc::new(targets);
    step(format!(
        "{} req/s for {:?} each: conversation lists, then message pages",
        z.reads_rate, z.reads_load
    ));
    let list = load(ctx, &server.url, &targets, false).await?;
    let page = load(ctx, &server.url, &targets, true).await?;
    let base_list = load(ctx, &baseline.url, &targets, false).await?;
    let base_page = load(ctx, &baseline.url, &targets, true).await?;
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    server.stop().await;
    baseline.stop().await;
    ctx.done(db).await;
    Ok(vec![
        Figure::new(
            S,
            format!("conversation list p50 ({total} messages stored)"),
            "ms",
            list.latencies.p50_ms(),
        )
        .baseline(base_list.latencies.p50_ms()),
        Figure::new(S, "conversation list p99", "ms", list.latencies.p99_ms())
            .baseline(base_list.latencies.p99_ms())
            .target(Target::AtMost(20.0)),
        Figure::new(S, "message page p50", "ms", page.latencies.p50_ms())
            .baseline(base_page.latencies.p50_ms()),
        Figure::new(S, "message page p99", "ms", page.latencies.p99_ms())
            .baseline(base_page.latencies.p99_ms())
            .target(Target::AtMost(20.0)),
        Figure::new(S, "failed reads", "req", (list.errors + page.errors) as f64)
            .target(Target::AtMost(0.0)),
        Figure::new(S, "server peak RSS", "MiB", rss).target(Target::AtMost(100.0)),
    ])
}
