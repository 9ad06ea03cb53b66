//! The booking bot (issue 18): 100 customers book at once, each through
//! the whole conversation (greeting and menu, service, day, time, name,
//! confirmation: seven messages), tapping the bot's buttons and list rows
//! as WhatsApp sends them. The figure is from each customer message's 200
//! to the bot's first reply to it reaching Graph. Customers choose days
//! and times at random among those offered, so some race for a slot and
//! are offered the times again. Graph is a fake in this process that hands
//! each reply to its customer and answers as Meta does.
//!
//! Two passes on one server: at a person's pace (each customer taps one
//! second after the bot's prompt arrives: 100 people booking at once, the
//! target's setting), then as fast as the bot answers (no pause at all: a
//! closed loop that finds the bot's throughput; its latency is then the
//! queue's, by Little's law 100 customers over the messages per second).

use super::{Ctx, post_webhook, step};
use crate::children::{ServerSpec, free_port, start_server};
use crate::load::client;
use crate::report::{Figure, Target};
use crate::seed::{self, SeedNumber, SeedTenant};
use crate::stats::Latencies;
use axum::body::Bytes;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const S: &str = "booking";
const CUSTOMERS: u64 = 100;
/// How long a customer waits for the bot before giving up.
const PATIENCE: Duration = Duration::from_secs(30);

/// Each customer's inbox: the replies the fake Graph received for them.
type Inboxes = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<(Instant, Value)>>>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn fake_graph(inboxes: Inboxes) -> anyhow::Result<String> {
    let port = free_port()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: Bytes| {
        let inboxes = inboxes.clone();
        let counter = counter.clone();
        async move {
            let at = Instant::now();
            let sent: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let to = sent["to"].as_str().unwrap_or_default().to_owned();
            if uri.path().ends_with("/messages")
                && let Some(inbox) = lock(&inboxes).get(&to)
            {
                let _ = inbox.send((at, sent));
            }
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            axum::Json(json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": format!("wamid.bench-booking.{n}")}]
            }))
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://127.0.0.1:{port}"))
}

/// The bot on the tenant's number, open every day all day (so the run
/// never falls outside the hours), half-hour slots, a 30-minute service
/// and ten chairs.
async fn set_up(http: &reqwest::Client, base: &str, t: &SeedTenant) -> anyhow::Result<()> {
    let all_day = json!([{"start": "00:00", "end": "24:00"}]);
    let week: serde_json::Map<String, Value> = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .iter()
    .map(|d| ((*d).to_owned(), all_day.clone()))
    .collect();
    let channel = t.numbers[0].channel_id;
    let calls = [
        (
            "PUT",
            "/api/v1/booking/settings".to_owned(),
            json!({
            "channel_ids": [channel], "time_zone": "UTC", "weekly": week,
            "min_notice_minutes": 0, "slot_minutes": 30, "max_days_ahead": 30 }),
        ),
        (
            "POST",
            "/api/v1/booking/services".to_owned(),
            json!({
            "name": "Haircut", "currency": "EUR", "price_minor": 2500, "duration_minutes": 30 }),
        ),
    ];
    for (method, path, body) in calls {
        let req = if method == "PUT" {
            http.put(format!("{base}{path}"))
        } else {
            http.post(format!("{base}{path}"))
        };
        let r = req.bearer_auth(&t.api_key).json(&body).send().await?;
        anyhow::ensure!(r.status().is_success(), "{path}: {}", r.status());
    }
    for c in 0..10 {
        let r = http
            .post(format!("{base}/api/v1/booking/resources"))
            .bearer_auth(&t.api_key)
            .json(&json!({ "name": format!("Chair {c}") }))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "a chair: {}", r.status());
    }
    Ok(())
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// A customer message as Meta's webhook carries it.
fn body(number: &SeedNumber, who: &str, wamid: &str, message: Value) -> Vec<u8> {
    let mut m = message;
    m["from"] = json!(who);
    m["id"] = json!(wamid);
    m["timestamp"] = json!(unix_now().to_string());
    sandbox::to_meta_bytes(&json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": number.waba_id, "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": number.display, "phone_number_id": number.phone_number_id },
            "contacts": [{ "profile": { "name": "Bench Customer" }, "wa_id": who }],
            "messages": [m]
        }}]}]
    }))
}

/// A tap on option `id` of `prompt` (a button or a list row).
fn tap(prompt: &Value, id: &str) -> Value {
    if prompt["interactive"]["type"] == "list" {
        json!({ "type": "interactive", "interactive": { "type": "list_reply",
            "list_reply": { "id": id, "title": id } } })
    } else {
        json!({ "type": "interactive", "interactive": { "type": "button_reply",
            "button_reply": { "id": id, "title": id } } })
    }
}

/// The option ids of an interactive prompt.
fn options(prompt: &Value) -> Vec<String> {
    let action = &prompt["interactive"]["action"];
    let buttons = action["buttons"].as_array().cloned().unwrap_or_default();
    let rows: Vec<Value> = action["sections"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .flat_map(|s| s["rows"].as_array().cloned().unwrap_or_default())
        .collect();
    buttons
        .iter()
        .map(|b| &b["reply"])
        .chain(rows.iter())
        .filter_map(|o| o["id"].as_str().map(str::to_owned))
        .collect()
}

/// A customer's pick among `n` options at a turn: spread over customers
/// (so they do not all want the first slot) and repeatable.
fn spread(who: &str, turn: usize) -> usize {
    let n: usize = who
        .parse::<u64>()
        .map_or(0, |v| usize::try_from(v % 1_000_003).unwrap_or(0));
    n.wrapping_mul(7).wrapping_add(turn.wrapping_mul(13))
}

/// What one customer saw: each turn's latency, and whether they booked.
struct Outcome {
    turns: Vec<Duration>,
    booked: bool,
    slot_gone: u32,
}

/// One customer books: sends, waits for the bot's prompt, taps, … until
/// the confirmation.
async fn customer(
    http: reqwest::Client,
    base: String,
    number: SeedNumber,
    who: String,
    mut inbox: mpsc::UnboundedReceiver<(Instant, Value)>,
    think: Duration,
) -> Outcome {
    let mut out = Outcome {
        turns: Vec::new(),
        booked: false,
        slot_gone: 0,
    };
    let mut message = json!({ "type": "text", "text": { "body": "hi" } });
    for turn in 0..20 {
        let wamid = format!("wamid.book.{who}.{turn}");
        if !post_webhook(&http, &base, body(&number, &who, &wamid, message.clone())).await {
            return out;
        }
        let answered = Instant::now();
        // The turn's replies: texts, then a prompt (or the confirmation).
        let mut first = None;
        let prompt = loop {
            let Ok(Some((at, sent))) = tokio::time::timeout(PATIENCE, inbox.recv()).await else {
                return out;
            };
            first.get_or_insert(at);
            if sent["type"] == "interactive" {
                break Some(sent);
            }
            let text = sent["text"]["body"].as_str().unwrap_or_default();
            if text.starts_with("Booked!") {
                break None;
            }
            if text.starts_with("Sorry, that time was just taken") {
                out.slot_gone += 1;
            }
        };
        if let Some(f) = first {
            out.turns.push(f.saturating_duration_since(answered));
        }
        let Some(prompt) = prompt else {
            out.booked = true;
            return out;
        };
        let ids = options(&prompt);
        let pick = |prefix: &str| -> Option<String> {
            let matching: Vec<&String> = ids.iter().filter(|i| i.starts_with(prefix)).collect();
            (!matching.is_empty()).then(|| matching[spread(&who, turn) % matching.len()].clone())
        };
        let choice = ["book", "svc:", "day:", "time:", "name:", "confirm"]
            .iter()
            .find_map(|p| pick(p));
        let Some(choice) = choice else {
            return out;
        };
        message = tap(&prompt, &choice);
        tokio::time::sleep(think).await;
    }
    out
}

/// What a pass measured.
struct Pass {
    lat: Latencies,
    booked: u64,
    gone: u64,
    elapsed: Duration,
}

/// `CUSTOMERS` customers (numbered from `first`) book at once, pausing
/// `think` before each tap.
async fn pass(
    http: &reqwest::Client,
    base: &str,
    number: &SeedNumber,
    inboxes: &Inboxes,
    first: u64,
    think: Duration,
) -> Pass {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in first..first + CUSTOMERS {
        let who = format!("4478{i:08}");
        let (tx, rx) = mpsc::unbounded_channel();
        lock(inboxes).insert(who.clone(), tx);
        tasks.push(tokio::spawn(customer(
            http.clone(),
            base.to_owned(),
            number.clone(),
            who,
            rx,
            think,
        )));
    }
    let mut out = Pass {
        lat: Latencies::new(),
        booked: 0,
        gone: 0,
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        if let Ok(o) = task.await {
            for d in o.turns {
                out.lat.record(d);
            }
            out.booked += u64::from(o.booked);
            out.gone += u64::from(o.slot_gone);
        }
    }
    out.elapsed = started.elapsed();
    out
}

pub async fn run(ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    let db = ctx.fresh_db("booking").await?;
    let state = db.state(super::NO_GRAPH).await?;
    let tenants = seed::tenants(&state, 1, 1, 1_000).await?;
    state.store.close().await;
    drop(state);
    let inboxes: Inboxes = Arc::default();
    let graph = fake_graph(inboxes.clone()).await?;
    let server = start_server(&ServerSpec::new(&db, &graph)).await?;
    let http = client(256)?;
    let t = &tenants[0];
    set_up(&http, &server.url, t).await?;
    let number = &t.numbers[0];
    step(format!(
        "{CUSTOMERS} customers book at once, seven messages each, a second between taps"
    ));
    let paced = pass(
        &http,
        &server.url,
        number,
        &inboxes,
        0,
        Duration::from_secs(1),
    )
    .await;
    step(format!(
        "{CUSTOMERS} more, tapping as soon as each prompt arrives"
    ));
    let flat = pass(
        &http,
        &server.url,
        number,
        &inboxes,
        CUSTOMERS,
        Duration::ZERO,
    )
    .await;
    // Never double-booked: each chair holds at most one booking at a time.
    let r = http
        .get(format!("{}/api/v1/bookings?limit=200", server.url))
        .bearer_auth(&t.api_key)
        .send()
        .await?
        .json::<Value>()
        .await?;
    let mut held: HashMap<(String, String), u32> = HashMap::new();
    for b in r["items"].as_array().into_iter().flatten() {
        let key = (
            b["resource_id"].as_str().unwrap_or_default().to_owned(),
            b["starts_at"].as_str().unwrap_or_default().to_owned(),
        );
        *held.entry(key).or_default() += 1;
    }
    let doubled = held.values().filter(|n| **n > 1).count();
    let rss = server.peak_rss_mib().unwrap_or(0.0);
    server.stop().await;
    ctx.done(db).await;
    let throughput = flat.lat.count() as f64 / flat.elapsed.as_secs_f64().max(0.001);
    let booked = paced.booked + flat.booked;
    let gone = paced.gone + flat.gone;
    Ok(vec![
        Figure::new(S, "customers who booked", "customers", booked as f64)
            .target(Target::AtLeast(2.0 * CUSTOMERS as f64)),
        Figure::new(
            S,
            "p50 at a person's pace, 200 → reply handed to Graph",
            "ms",
            paced.lat.p50_ms(),
        ),
        Figure::new(
            S,
            "p99 at a person's pace, 200 → reply handed to Graph",
            "ms",
            paced.lat.p99_ms(),
        )
        .target(Target::AtMost(200.0)),
        Figure::new(
            S,
            "time for all to book at a person's pace",
            "s",
            paced.elapsed.as_secs_f64(),
        ),
        Figure::new(S, "p50 without pauses", "ms", flat.lat.p50_ms()),
        Figure::new(S, "p99 without pauses", "ms", flat.lat.p99_ms()),
        Figure::new(
            S,
            "messages answered per second without pauses",
            "msg/s",
            throughput,
        ),
        Figure::new(
            S,
            "times taken while choosing (offered again)",
            "turns",
            gone as f64,
        ),
        Figure::new(S, "slots booked twice", "slots", doubled as f64).target(Target::AtMost(0.0)),
        Figure::new(S, "server peak RSS", "MiB", rss),
    ])
}
