//! The demo's booking bot, set up through the API as a business would: on
//! the café's third number, customers book a barista class, a cupping or
//! a latte-art session with Rosa (who takes four people at a time), pay on
//! the day or by link, and ask about parking. Two bookings are already in
//! the calendar. Nobody simulated writes to this number: it is the one a
//! person tries the bot on from the sandbox (the banner shows how).

use anyhow::Context;
use serde_json::{Value, json};

/// Settings, three services, Rosa, and two bookings tomorrow.
pub(super) async fn seed_booking<F, Fut>(
    call: &F,
    key: &str,
    channel: &Value,
    now: jiff::Timestamp,
) -> anyhow::Result<()>
where
    F: Fn(reqwest::Method, &str, Option<&str>, Value) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Value>>,
{
    let days = json!([{"start": "10:00", "end": "16:00"}]);
    call(
        reqwest::Method::PUT,
        "/api/v1/booking/settings",
        Some(key),
        json!({
            "channel_ids": [channel],
            "greeting": "Hi! This is Demo Coffee's workshop desk. I can book you a class.",
            "weekly": { "monday": days, "tuesday": days, "wednesday": days,
                        "thursday": days, "friday": days, "saturday": days },
            "slot_minutes": 30, "min_notice_minutes": 60, "max_days_ahead": 21,
            "buffer_minutes": 15, "reminder_minutes": [1440],
            "payment": { "on_site": true, "payment_link": "https://pay.example.com/demo-coffee" },
            "responses": [
                { "keywords": ["parking"], "reply": "There is free parking behind the café." },
                { "keywords": ["vegan", "oat"], "reply": "Every class has oat and soy milk." }
            ],
        }),
    )
    .await?;
    let mut services = Vec::new();
    for (name, icon, minutes, price, description) in [
        (
            "Barista class",
            "☕",
            90,
            4500,
            "Espresso basics, milk and cleaning",
        ),
        (
            "Coffee cupping",
            "🫘",
            60,
            2000,
            "Taste four single origins",
        ),
        ("Latte art", "🎨", 60, 3000, "Hearts, tulips and rosettas"),
    ] {
        let s = call(
            reqwest::Method::POST,
            "/api/v1/booking/services",
            Some(key),
            json!({ "name": name, "icon": icon, "duration_minutes": minutes,
                    "price_minor": price, "currency": "EUR", "description": description,
                    "category": "Workshops" }),
        )
        .await?;
        services.push(s["id"].clone());
    }
    call(
        reqwest::Method::POST,
        "/api/v1/booking/resources",
        Some(key),
        json!({ "name": "Rosa", "kind": "staff", "capacity": 4, "service_ids": services }),
    )
    .await?;
    // Two customers already booked tomorrow at 11:00 (or the next open day).
    let mut day = now.checked_add(jiff::SignedDuration::from_hours(24))?;
    for _ in 0..7 {
        let wd = jiff::tz::TimeZone::UTC.to_datetime(day).weekday();
        if wd != jiff::civil::Weekday::Sunday {
            break;
        }
        day = day.checked_add(jiff::SignedDuration::from_hours(24))?;
    }
    let date = jiff::tz::TimeZone::UTC.to_datetime(day).date();
    let starts = jiff::tz::TimeZone::UTC.to_timestamp(date.at(11, 0, 0, 0))?;
    for (phone, name) in [("+15551230001", "Ana Souza"), ("+15551230003", "Chen Wei")] {
        let contact = call(
            reqwest::Method::POST,
            "/api/v1/contacts",
            Some(key),
            json!({ "phone": phone, "name": name }),
        )
        .await;
        let id = match contact {
            Ok(c) => c["id"].clone(),
            // A contact the CRM's seed made already.
            Err(_) => {
                let found = call(
                    reqwest::Method::GET,
                    &format!("/api/v1/contacts?search={}", phone.trim_start_matches('+')),
                    Some(key),
                    Value::Null,
                )
                .await?;
                found["items"][0]["id"].clone()
            }
        };
        anyhow::ensure!(id.is_string(), "the demo's contact {name}");
        call(
            reqwest::Method::POST,
            "/api/v1/bookings",
            Some(key),
            json!({ "service_id": services[0], "contact_id": id, "starts_at": starts.to_string(),
                    "channel_id": channel, "notify": false }),
        )
        .await
        .context("a demo booking")?;
    }
    Ok(())
}
