//! The booking bot on both engines: the catalogue, availability and
//! bookings through the API ([`api`]), capacity under concurrent bookings
//! ([`race`]), and the whole conversation driven by sandbox customers
//! with interactive replies ([`bot`]), and workflows on bookings
//! ([`workflows`]). Clocks are moved, never waited on.

mod api;
mod bot;
mod race;
mod workflows;

use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest};

pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;

/// Moves the server's clock (and the sandbox's, if there is one) to the
/// next Monday at least a day away, 00:00 UTC; that Monday's day number
/// since the epoch.
pub fn to_monday(app: &TestApp) -> i64 {
    let now = app.state.now().as_millis() / 1000;
    // Day 0 (1 January 1970) was a Thursday: Mondays are days 4, 11, …
    let mut day = now / DAY + 2;
    while (day + 3) % 7 != 0 {
        day += 1;
    }
    app.advance(day * DAY - now);
    day
}

/// Moves both clocks of `wa` forward.
pub fn advance(wa: &WhatsAppTest, secs: i64) {
    wa.advance(secs);
    wa.sandbox
        .advance_clock(std::time::Duration::from_secs(secs.unsigned_abs()));
}

/// Day number `day` as `YYYY-MM-DD`.
pub fn date(day: i64) -> String {
    jiff::Timestamp::from_second(day * DAY)
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string()
}

/// `day` at `hour`:`minute` UTC, RFC 3339.
pub fn at(day: i64, hour: i64, minute: i64) -> String {
    jiff::Timestamp::from_second(day * DAY + hour * HOUR + minute * 60)
        .unwrap()
        .to_string()
}

/// Weekdays 09:00–12:00.
pub fn mornings() -> Value {
    let r = json!([{"start": "09:00", "end": "12:00"}]);
    json!({ "monday": r, "tuesday": r, "wednesday": r, "thursday": r, "friday": r })
}

/// Sets the booking settings (200); the answer.
pub async fn settings(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .put("/api/v1/booking/settings", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 200, "settings: {}", r.body);
    r.body.clone()
}

/// Creates a service (201); the answer.
pub async fn service(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .post("/api/v1/booking/services", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 201, "service: {}", r.body);
    r.body.clone()
}

/// Creates a resource (201); the answer.
pub async fn resource(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .post("/api/v1/booking/resources", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 201, "resource: {}", r.body);
    r.body.clone()
}

/// Creates a contact; its id.
pub async fn contact(app: &TestApp, t: &TestTenant, phone: &str, name: &str) -> String {
    let c = crate::crm_contacts::contact(app, t, json!({ "phone": phone, "name": name })).await;
    c["id"].as_str().unwrap().to_owned()
}

/// The times of `service`'s free slots on `date`.
pub async fn times(app: &TestApp, t: &TestTenant, service: &str, date: &str) -> Vec<String> {
    let r = app
        .get(
            &format!("/api/v1/availability?service={service}&date={date}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "availability: {}", r.body);
    r.body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["time"].as_str().unwrap().to_owned())
        .collect()
}

/// Gives `t` one of each thing this area makes, so the cross-tenant walk
/// (isolation.rs) probes its routes with real ids: settings, a service, a
/// resource and a booking.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    settings(
        app,
        t,
        json!({ "time_zone": "UTC", "min_notice_minutes": 0 }),
    )
    .await;
    let s = service(
        app,
        t,
        json!({ "name": "Seeded cut", "currency": "EUR",
        "price_minor": 2500, "duration_minutes": 30 }),
    )
    .await;
    resource(app, t, json!({ "name": "Seeded chair" })).await;
    let phone = format!("+1558{:07}", t.slug.len() * 6_007 % 10_000_000);
    let c = contact(app, t, &phone, "Seeded booker").await;
    let starts = jiff::Timestamp::from_millisecond(app.state.now().as_millis())
        .unwrap()
        .checked_add(jiff::SignedDuration::from_hours(24 * 400))
        .unwrap();
    let r = app
        .post(
            "/api/v1/bookings",
            Auth::ApiKey(&t.api_key),
            json!({ "service_id": s["id"], "contact_id": c, "starts_at": starts.to_string(),
                    "notify": false }),
        )
        .await;
    assert_eq!(r.status, 201, "seed booking: {}", r.body);
}
