//! The CRM at size (issue 14): one tenant with many contacts and messages
//! (100,000 and 1,000,000 in the full run), then contact-list pages,
//! contact searches, segment counts and message searches at a steady
//! rate, each measured on its own.

use super::{Ctx, NO_GRAPH, get_json, step};
use crate::children::{ServerSpec, start_server};
use crate::load::{LoadResult, client, open_loop};
use crate::report::{Figure, Target};
use crate::seed;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const S: &str = "CRM";

/// Requests per second of what a whole team does all day: contact list
/// pages and message searches.
const BUSY: f64 = 40.0;
/// Requests per second of what one person does now and then: a contact
/// search typed in, a segment counted while it is edited. Each scans the
/// tenant's contacts, so this measures how long one takes, not a queue.
const NOW_AND_THEN: f64 = 5.0;

/// `GET`s the paths in turn at `rate` for the scenario's read time.
async fn measure(
    ctx: &Ctx,
    base: &str,
    key: &str,
    rate: f64,
    paths: Vec<String>,
) -> anyhow::Result<LoadResult> {
    let http = client(32)?;
    let (base, key, paths) = (base.to_owned(), key.to_owned(), Arc::new(paths));
    Ok(open_loop(rate, ctx.sizes.reads_load, 128, move |i| {
        let path = paths[i as usize % paths.len()].clone();
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        async move { get_json(&http, &base, &path, &key).await.is_some() }
    })
    .await)
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let contacts = ctx.sizes.crm_contacts;
    let per_contact = 10;
    let db = ctx.fresh_db("crm").await?;
    let state = db.state(NO_GRAPH).await?;
    let tenants = seed::tenants(&state, 1, 1, 80).await?;
    let total = contacts * per_contact;
    step(format!("storing {contacts} contacts and {total} messages"));
    let t = Instant::now();
    crate::seed_bulk::inbox(&state, &db.database_url, &tenants, contacts, per_contact).await?;
    step(format!("stored in {:.0} s", t.elapsed().as_secs_f64()));
    state.store.close().await;
    drop(state);

    let server = start_server(&ServerSpec::new(&db, NO_GRAPH)).await?;
    let tenant = &tenants[0];
    let key = tenant.api_key.as_str();
    let http = client(4)?;
    let segment = create_segment(&http, &server.url, key).await;

    let pages: Vec<String> = vec!["/api/v1/contacts?limit=50".to_owned()];
    let searches: Vec<String> = (0..50)
        .map(|i| {
            format!(
                "/api/v1/contacts?limit=50&search=customer%20{}",
                i * 37 % contacts
            )
        })
        .collect();
    // Rare (a conversation's number), middling (a topic: 1/16 of all
    // messages) and everywhere ("message").
    let mut words: Vec<String> = (0..20)
        .map(|i| {
            format!(
                "/api/v1/search/messages?limit=50&q={}",
                i * 4_099 % contacts
            )
        })
        .collect();
    words.extend(crate::seed_bulk::TOPICS.iter().map(|t| {
        format!(
            "/api/v1/search/messages?limit=50&q={}",
            t.replace(' ', "%20")
        )
    }));
    words.push("/api/v1/search/messages?limit=50&q=message".to_owned());

    step(format!(
        "{BUSY} req/s (lists, message search) or {NOW_AND_THEN} req/s (contact search, \
         segment count) for {:?} each",
        ctx.sizes.reads_load
    ));
    let list = measure(ctx, &server.url, key, BUSY, pages).await?;
    let found = measure(ctx, &server.url, key, NOW_AND_THEN, searches).await?;
    let search = measure(ctx, &server.url, key, BUSY, words).await?;
    let count = match &segment {
        Some(id) => Some(
            measure(
                ctx,
                &server.url,
                key,
                NOW_AND_THEN,
                vec![format!("/api/v1/segments/{id}/count")],
            )
            .await?,
        ),
        None => None,
    };
    server.stop().await;
    ctx.done(db).await;

    let mut figures = vec![
        Figure::new(
            S,
            format!("contact list p99 ({contacts} contacts, {BUSY} req/s)"),
            "ms",
            list.latencies.p99_ms(),
        )
        .target(Target::AtMost(50.0)),
        Figure::new(
            S,
            format!("contact search p99 ({NOW_AND_THEN} req/s)"),
            "ms",
            found.latencies.p99_ms(),
        ),
        Figure::new(
            S,
            format!("message search p99 ({total} messages, {BUSY} req/s)"),
            "ms",
            search.latencies.p99_ms(),
        )
        .target(Target::AtMost(100.0)),
        Figure::new(S, "message search p50", "ms", search.latencies.p50_ms()),
    ];
    if let Some(count) = &count {
        figures.push(
            Figure::new(
                S,
                format!("segment count p99 ({NOW_AND_THEN} req/s)"),
                "ms",
                count.latencies.p99_ms(),
            )
            .target(Target::AtMost(50.0)),
        );
    }
    let errors = list.errors + found.errors + search.errors + count.map_or(0, |c| c.errors);
    figures.push(Figure::new(S, "failed reads", "req", errors as f64).target(Target::AtMost(0.0)));
    Ok(figures)
}

/// A segment of opted-in contacts created in the last year who wrote in
/// the last 30 days (`None` if the server has no segments).
async fn create_segment(http: &reqwest::Client, base: &str, key: &str) -> Option<String> {
    let body = json!({
        "name": "Recent writers",
        "any": false,
        "rules": [
            { "field": "opted_out", "op": "is", "value": false },
            { "field": "last_inbound_at", "op": "within_days", "value": 30 },
        ],
    });
    let r = http
        .post(format!("{base}/api/v1/segments"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .ok()?;
    if r.status() != 201 {
        step(format!(
            "no segment: {} {}",
            r.status(),
            r.text().await.unwrap_or_default()
        ));
        return None;
    }
    let v: serde_json::Value = r.json().await.ok()?;
    let id = v["id"].as_str()?.to_owned();
    get_json(http, base, &format!("/api/v1/segments/{id}/count"), key).await?;
    Some(id)
}
