//! Analytics on both engines, end to end: customers write through the
//! sandbox (signed webhooks, real HTTP), people answer and resolve through
//! the API, campaigns and workflows run, bookings are made and moved; the
//! jobs and the `analytics` consumer are drained, never waited on; the
//! clocks (the server's and the sandbox's) are moved to the instants each
//! test names, and every figure a report answers is worked out by hand in
//! the test.
//!
//! - [`messages`]: messages by the workspace's local day and hour, number
//!   and kind, against the span before; a new time zone recounts them.
//! - [`response`]: first response and resolution times, per agent, with
//!   the breaches of the targets; an automation's answer is not one.
//! - [`outcomes`]: campaigns and templates, bookings.
//! - [`api`]: the span's and the targets' refusals, who may read, CSV.
//! - [`isolation`]: one workspace's reports show nothing of another's.

mod api;
mod isolation;
mod messages;
mod operator;
mod outcomes;
mod response;

use serde_json::{Value, json};
use std::time::Duration;
use testkit::{Auth, TestApp, TestTenant, TestUser, WhatsAppTest};

pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;
pub const MINUTE: i64 = 60;

/// The day number (since the epoch) of a Monday at least two days after
/// the server's clock.
pub fn next_monday(app: &TestApp) -> i64 {
    let mut day = app.state.now().as_millis() / 1000 / DAY + 3;
    // Day 0 (1 January 1970) was a Thursday: Mondays are days 4, 11, …
    while (day + 3) % 7 != 0 {
        day += 1;
    }
    day
}

/// Moves the server's clock to `at` (Unix seconds, exactly) and the
/// sandbox's by as much, so Meta's timestamps and the 24-hour window agree
/// with ours. Clocks only go forward.
pub fn set_clocks(wa: &WhatsAppTest, at: i64) {
    let now = wa.state.now().as_millis();
    let target = at * 1000;
    assert!(target >= now, "the clocks only move forward");
    wa.clock.set(domain::Timestamp::from_millis(target));
    wa.sandbox
        .advance_clock(Duration::from_millis((target - now) as u64));
}

/// `day` at `hour`:`minute` UTC, in Unix seconds.
pub fn instant(day: i64, hour: i64, minute: i64) -> i64 {
    day * DAY + hour * HOUR + minute * MINUTE
}

/// A fresh access token for `user` (tokens expire as the clock moves).
pub async fn sign_in(app: &TestApp, t: &TestTenant, user: &TestUser) -> String {
    let r = app.login(&t.slug, &user.email, &user.password, None).await;
    assert_eq!(r.status, 200, "login: {}", r.body);
    r.body["access_token"].as_str().unwrap().to_owned()
}

/// `t`'s events, oldest first: (name, payload).
pub async fn events(app: &TestApp, t: &TestTenant) -> Vec<(String, Value)> {
    crate::crm_contacts::events(app, t).await
}

/// A customer sends `msg` through the sandbox; once it is stored and
/// every job and consumer has run, its conversation's id.
pub async fn customer_sends(
    wa: &WhatsAppTest,
    t: &TestTenant,
    msg: sandbox::InboundMessage,
) -> String {
    let received = |ev: &[(String, Value)]| -> Vec<Value> {
        let of = ev.iter().filter(|(n, _)| n == "message.received");
        of.map(|(_, p)| p.clone()).collect()
    };
    let before = received(&events(wa, t).await).len();
    wa.sandbox.send_inbound(msg).unwrap();
    wa.eventually("the customer's message is stored", || async {
        received(&events(wa, t).await).len() > before
    })
    .await;
    wa.drain().await;
    let all = received(&events(wa, t).await);
    assert_eq!(all.len(), before + 1, "one message, stored once");
    all[before]["conversation_id"].as_str().unwrap().to_owned()
}

/// The customer `from` writes `text` to number `pnid`; its conversation.
pub async fn customer_writes(
    wa: &WhatsAppTest,
    t: &TestTenant,
    pnid: &str,
    from: &str,
    text: &str,
) -> String {
    customer_sends(wa, t, sandbox::InboundMessage::text(pnid, from, text)).await
}

/// Answers `conversation` with a text as `auth` (202), then drains.
pub async fn reply(app: &TestApp, auth: Auth<'_>, conversation: &str, text: &str) {
    let body = json!({ "conversation_id": conversation, "type": "text", "text": { "body": text } });
    let r = app.post("/api/v1/messages", auth, body).await;
    assert_eq!(r.status, 202, "reply: {}", r.body);
    app.drain().await;
}

/// Changes `conversation` (status, assignee) with `t`'s key (200).
pub async fn update_conversation(app: &TestApp, t: &TestTenant, conversation: &str, body: Value) {
    let path = format!("/api/v1/conversations/{conversation}");
    let r = app.patch(&path, Auth::ApiKey(&t.api_key), body).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    app.drain().await;
}

/// Lets every workspace on the starter plan (every test tenant's) connect
/// two numbers.
pub async fn two_numbers(app: &TestApp) {
    let op = app.operator_token().await;
    let limits = json!({ "limits": { "messages_per_month": 10_000, "agents": 5, "numbers": 2,
        "contacts": 100 } });
    let r = app
        .patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Sets `t`'s time zone (200).
pub async fn set_zone(app: &TestApp, t: &TestTenant, zone: &str) {
    let body = json!({ "time_zone": zone });
    let r = app
        .patch("/api/v1/tenant", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 200, "time zone: {}", r.body);
    assert_eq!(r.body["time_zone"], json!(zone));
}

/// `GET /api/v1/analytics/{report}?from=…&to=…` as `auth` (200); the body.
pub async fn report(app: &TestApp, auth: Auth<'_>, report: &str, from: &str, to: &str) -> Value {
    let path = format!("/api/v1/analytics/{report}?from={from}&to={to}");
    let r = app.get(&path, auth).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.body
}

/// `GET /api/v1/analytics/{report}.csv?from=…&to=…` as `auth` (200, CSV);
/// its lines, split at commas (no value here has one).
pub async fn csv(
    app: &TestApp,
    auth: Auth<'_>,
    report: &str,
    from: &str,
    to: &str,
) -> Vec<Vec<String>> {
    let path = format!("/api/v1/analytics/{report}.csv?from={from}&to={to}");
    let r = app.get(&path, auth).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    let kind = r.headers["content-type"].to_str().unwrap();
    assert_eq!(kind, "text/csv; charset=utf-8", "{path}");
    r.text
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// The row of `rows` whose `key` is `value`.
pub fn row<'a>(rows: &'a Value, key: &str, value: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == json!(value))
        .unwrap_or_else(|| panic!("no row with {key} = {value} in {rows}"))
}

/// Gives `t` targets of its own, so the cross-tenant walk (isolation.rs)
/// can tell that B's calls changed none of A's.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let body = json!({ "first_response_minutes": 17, "resolution_minutes": 170 });
    let r = app
        .put("/api/v1/analytics/targets", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 200, "targets: {}", r.body);
}
