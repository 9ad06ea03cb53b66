//! Outbound webhooks: customers' messages arrive through the public path
//! (signed inbound WhatsApp webhooks, a few messages per body as Meta
//! batches under load) at a fixed event rate, open loop; each becomes a
//! `message.received` event that Switchboard delivers to a receiver in
//! this process (answering 200 at once). Measured: delivered events per
//! second, and the latency from the inbound webhook's 200 to the
//! delivery's arrival (matched through the API afterwards: the delivery
//! names our message id, the inbound body its wamid), and from the event's
//! `created_at` to the arrival (the outbound pipeline alone). Baseline: the
//! same rate of requests sent straight to the receiver.

use super::{Ctx, NO_GRAPH, get_json, post_webhook, step};
use crate::children::{Process, ServerSpec, start_server};
use crate::db::BenchDb;
use crate::load::{LoadResult, client, open_loop};
use crate::report::{Figure, Target};
use crate::seed::{self, SeedNumber, SeedTenant};
use crate::stats::Latencies;
use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const S: &str = "outbound webhooks";
/// Messages per inbound body.
pub(super) const BATCH: usize = 5;
/// Customers per tenant (conversations to page through afterwards).
const CUSTOMERS: usize = 10;

/// One delivery as it arrived.
struct Arrival {
    message_id: String,
    event_id: String,
    created_at: String,
    at: Instant,
    wall: SystemTime,
}

type Arrivals = Arc<Mutex<Vec<Arrival>>>;

/// The receiver: records and answers 200 at once.
async fn start_receiver(arrivals: Arrivals) -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/{*path}",
        axum::routing::post(move |body: Bytes| {
            let arrivals = arrivals.clone();
            async move {
                let (at, wall) = (Instant::now(), SystemTime::now());
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let text = |p: &str| {
                    v.pointer(p)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned()
                };
                if let Ok(mut a) = arrivals.lock() {
                    a.push(Arrival {
                        message_id: text("/data/message_id"),
                        event_id: text("/id"),
                        created_at: text("/created_at"),
                        at,
                        wall,
                    });
                }
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

pub(super) fn customer(t: usize, c: usize) -> String {
    format!("4478{t:04}{c:04}")
}

/// A Meta-shaped body with `wamids.len()` texts from one customer.
pub(super) fn body(number: &SeedNumber, customer: &str, wamids: &[String]) -> Vec<u8> {
    let messages: Vec<Value> = wamids
        .iter()
        .map(|w| {
            json!({ "from": customer, "id": w, "timestamp": "1767225600",
                          "type": "text", "text": { "body": "Where is my order?" } })
        })
        .collect();
    sandbox::to_meta_bytes(&json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": number.waba_id, "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": number.display, "phone_number_id": number.phone_number_id },
            "contacts": [{ "profile": { "name": "Bench Customer" }, "wa_id": customer }],
            "messages": messages
        }}]}]
    }))
}

/// Every item of a paginated API list.
async fn all_pages(http: &reqwest::Client, base: &str, path: &str, key: &str) -> Vec<Value> {
    let (mut items, mut cursor) = (Vec::new(), String::new());
    loop {
        let Some(page) =
            get_json(http, base, &format!("{path}limit=200&cursor={cursor}"), key).await
        else {
            return items;
        };
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => return items,
        }
    }
}

/// Our message id → wamid, for every stored message of `tenant`.
async fn wamids(
    http: &reqwest::Client,
    base: &str,
    tenant: &SeedTenant,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for c in all_pages(http, base, "/api/v1/conversations?", &tenant.api_key).await {
        let id = c["id"].as_str().unwrap_or_default();
        let path = format!("/api/v1/conversations/{id}/messages?");
        for m in all_pages(http, base, &path, &tenant.api_key).await {
            if let (Some(id), Some(w)) = (m["id"].as_str(), m["wamid"].as_str()) {
                out.insert(id.to_owned(), w.to_owned());
            }
        }
    }
    out
}

/// One endpoint per tenant, each with the body `endpoint(t)`.
/// A fresh database of `sizes.hooks_tenants` tenants (one number each)
/// and a server on it that may deliver webhooks to plain-http local
/// receivers.
pub(super) async fn seeded_server(
    ctx: &Ctx,
    scenario: &str,
) -> anyhow::Result<(BenchDb, Vec<SeedTenant>, Process)> {
    let db = ctx.fresh_db(scenario).await?;
    let state = db.state(NO_GRAPH).await?;
    let tenants = seed::tenants(&state, ctx.sizes.hooks_tenants, 1, 80).await?;
    state.store.close().await;
    drop(state);
    let mut spec = ServerSpec::new(&db, NO_GRAPH);
    spec.env = vec![
        ("SWITCHBOARD_WEBHOOKS_ALLOW_HTTP", "1".into()),
        ("SWITCHBOARD_WEBHOOKS_ALLOW_PRIVATE", "1".into()),
    ];
    let server = start_server(&spec).await?;
    Ok((db, tenants, server))
}

/// Waits until `arrivals` holds `expected` items, or 30 s.
pub(super) async fn wait_for<T>(arrivals: &Mutex<Vec<T>>, expected: usize) {
    let end = Instant::now();
    let count = || arrivals.lock().map(|a| a.len()).unwrap_or(0);
    while count() < expected && end.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(super) async fn create_endpoints(
    http: &reqwest::Client,
    base: &str,
    tenants: &[SeedTenant],
    endpoint: impl Fn(usize) -> Value,
) -> anyhow::Result<()> {
    for (t, tenant) in tenants.iter().enumerate() {
        let r = http
            .post(format!("{base}/api/v1/webhook-endpoints"))
            .bearer_auth(&tenant.api_key)
            .json(&endpoint(t))
            .send()
            .await?;
        anyhow::ensure!(
            r.status() == 201,
            "creating an endpoint: {} {}",
            r.status(),
            r.text().await.unwrap_or_default()
        );
    }
    Ok(())
}

/// The scenario's load: `sizes.hooks_rate` customer messages a second,
/// `BATCH` per signed inbound body, over `tenants`, open loop, for
/// `sizes.hooks_load`; what the load generator saw, and when each wamid
/// (`wamid.<prefix>.…`) was answered 200.
pub(super) async fn inbound_load(
    ctx: &Ctx,
    http: &reqwest::Client,
    base: &str,
    tenants: &[SeedTenant],
    what: &str,
    prefix: &'static str,
) -> (LoadResult, HashMap<String, Instant>) {
    let sizes = &ctx.sizes;
    let bodies_per_s = sizes.hooks_rate / BATCH as f64;
    step(format!(
        "{:.0} {what}/s ({bodies_per_s:.0} inbound bodies/s of {BATCH}) for {:?} over {} tenants",
        sizes.hooks_rate,
        sizes.hooks_load,
        tenants.len()
    ));
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let load = {
        let (http, base, tenants, sent) = (
            http.clone(),
            base.to_owned(),
            Arc::new(tenants.to_vec()),
            sent.clone(),
        );
        open_loop(bodies_per_s, sizes.hooks_load, 256, move |i| {
            let (http, base, tenants, sent) =
                (http.clone(), base.clone(), tenants.clone(), sent.clone());
            async move {
                let t = (i as usize) % tenants.len();
                let Some(number) = tenants[t].numbers.first() else {
                    return false;
                };
                let c = (i as usize / tenants.len()) % CUSTOMERS;
                let ids: Vec<String> = (0..BATCH)
                    .map(|j| format!("wamid.{prefix}.{i}.{j}"))
                    .collect();
                let ok = post_webhook(&http, &base, body(number, &customer(t, c), &ids)).await;
                if ok {
                    let now = Instant::now();
                    if let Ok(mut s) = sent.lock() {
                        s.extend(ids.into_iter().map(|w| (w, now)));
                    }
                }
                ok
            }
        })
        .await
    };
    let sent = sent.lock().map(|s| s.clone()).unwrap_or_default();
    (load, sent)
}

/// The baseline of a forwarding scenario: `body` posted straight to `url`
/// (the receiver's `/direct`) at `rate` per second for `duration`, as if
/// Switchboard were not in between.
pub(super) async fn direct_baseline(
    http: &reqwest::Client,
    url: String,
    rate: f64,
    duration: Duration,
    body: String,
) -> LoadResult {
    let http = http.clone();
    open_loop(rate, duration, 256, move |_| {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        async move {
            http.post(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
        }
    })
    .await
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let sizes = &ctx.sizes;
    let (db, tenants, server) = seeded_server(ctx, "webhooks").await?;
    let arrivals: Arrivals = Arc::default();
    let receiver = start_receiver(arrivals.clone()).await?;
    let http = client(64)?;
    create_endpoints(
        &http,
        &server.url,
        &tenants,
        |t| json!({ "url": format!("{receiver}/t{t}"), "events": ["message.received"] }),
    )
    .await?;
    let (load, sent) = inbound_load(ctx, &http, &server.url, &tenants, "events", "hook").await;
    let expected = sent.len();
    step(format!(
        "{expected} events accepted ({} bodies refused); waiting for deliveries",
        load.errors
    ));
    wait_for(&arrivals, expected).await;
    let rss = server.peak_rss_mib().unwrap_or(0.0);

    step("matching deliveries to messages through the API");
    let mut ids = HashMap::new();
    for tenant in &tenants {
        ids.extend(wamids(&http, &server.url, tenant).await);
    }
    server.stop().await;

    let (mut change, mut pipeline) = (Latencies::new(), Latencies::new());
    let mut seen = HashSet::new();
    let (mut first, mut last): (Option<Instant>, Option<Instant>) = (None, None);
    let arrived = std::mem::take(&mut *arrivals.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    for a in &arrived {
        if !seen.insert(a.event_id.clone()) {
            continue;
        }
        if let Some(t0) = ids.get(&a.message_id).and_then(|w| sent.get(w)) {
            change.record(a.at.saturating_duration_since(*t0));
            first = Some(first.map_or(*t0, |f| f.min(*t0)));
        }
        last = Some(last.map_or(a.at, |l| l.max(a.at)));
        if let Ok(created) = time::OffsetDateTime::parse(
            &a.created_at,
            &time::format_description::well_known::Rfc3339,
        ) {
            let wall = time::OffsetDateTime::from(a.wall);
            pipeline.record((wall - created).try_into().unwrap_or(Duration::ZERO));
        }
    }
    let delivered = seen.len();
    let duplicates = arrived.len() - delivered;
    let span = match (first, last) {
        (Some(f), Some(l)) => l.saturating_duration_since(f).as_secs_f64(),
        _ => 0.0,
    };
    let rate = if span > 0.0 {
        delivered as f64 / span
    } else {
        0.0
    };
    step(format!(
        "{delivered} of {expected} delivered ({duplicates} duplicates), {rate:.0}/s"
    ));

    // Baseline: the same rate of deliveries sent straight to the receiver.
    let sample = json!({ "id": "0193a5c4-0000-7000-8000-000000000000", "name": "message.received",
                         "data": { "message_id": "baseline" } })
    .to_string();
    let base = direct_baseline(
        &http,
        format!("{receiver}/direct"),
        sizes.hooks_rate,
        sizes.hooks_load,
        sample,
    )
    .await;
    ctx.done(db).await;
    let lost = expected.saturating_sub(delivered);
    Ok(vec![
        Figure::new(S, "events delivered per second", "events/s", rate)
            .baseline(base.rate())
            .target(Target::AtLeast(sizes.hooks_rate * 0.95)),
        Figure::new(
            S,
            "p50, inbound 200 → delivery arrives",
            "ms",
            change.p50_ms(),
        )
        .baseline(base.latencies.p50_ms()),
        Figure::new(
            S,
            "p99, inbound 200 → delivery arrives",
            "ms",
            change.p99_ms(),
        )
        .baseline(base.latencies.p99_ms())
        .target(Target::AtMost(500.0)),
        Figure::new(
            S,
            "p99, event recorded → delivery arrives",
            "ms",
            pipeline.p99_ms(),
        ),
        Figure::new(S, "events not delivered within 30 s", "events", lost as f64)
            .target(Target::AtMost(0.0)),
        Figure::new(S, "duplicate deliveries", "events", duplicates as f64),
        Figure::new(S, "server peak RSS", "MiB", rss).target(Target::AtMost(300.0)),
    ])
}
