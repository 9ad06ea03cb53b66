//! The demo's automations, set up through the API as a team would: the
//! simulated customers' questions about catering and opening hours get
//! answered, a table booking waits for the customer's answer, a new VIP
//! gets a note for the team a minute later, complaints about deliveries
//! are tagged, the café's opening hours send an away message, and a
//! "Come back soon" drip writes to a few customers over a week until they
//! become VIPs.

use anyhow::Context;
use serde_json::{Value, json};

/// Four workflows over the demo's tags (made by [`super::crm`]), an
/// auto-tag rule, business hours and a drip with two customers enrolled.
pub(super) async fn seed_automations<F, Fut>(call: &F, key: &str) -> anyhow::Result<()>
where
    F: Fn(reqwest::Method, &str, Option<&str>, Value) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Value>>,
{
    let tags = call(reqwest::Method::GET, "/api/v1/tags", Some(key), Value::Null).await?;
    let tag = |name: &str| {
        tags["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["name"] == name)
            .map(|t| t["id"].clone())
            .with_context(|| format!("the demo's {name} tag"))
    };
    let (catering, vip) = (tag("Catering")?, tag("VIP")?);
    for (name, definition) in [
        (
            "Catering enquiries",
            json!({
                "trigger": {"type": "message_received", "keywords": ["catering"]},
                "steps": [
                    {"type": "add_tag", "tag_id": catering},
                    {"type": "send_text", "text": "Thanks for thinking of us! Our catering team will reply within the hour."},
                    {"type": "add_note", "text": "Catering enquiry: send the menu and a quote."}
                ]
            }),
        ),
        (
            "Opening hours",
            json!({
                "trigger": {"type": "message_received", "keywords": ["open", "opening hours"]},
                "steps": [
                    {"type": "branch", "if": [{"type": "has_tag", "tag_id": vip}],
                     "then": [{"type": "send_text", "text": "We're open 7am–6pm, Sundays 8am–2pm. Your usual will be ready!"}],
                     "else": [{"type": "send_text", "text": "We're open 7am–6pm, Sundays 8am–2pm."}]}
                ]
            }),
        ),
        (
            "Table bookings",
            json!({
                "trigger": {"type": "message_received", "keywords": ["table", "book"]},
                "steps": [
                    {"type": "send_text", "text": "Happy to keep a table for you! For how many people, and when?"},
                    {"type": "wait_for_reply", "seconds": 3600,
                     "replied": [{"type": "add_note", "text": "Table request: confirm it with the customer."}],
                     "timeout": [{"type": "add_note", "text": "Table request with no answer: follow up."}]}
                ]
            }),
        ),
        (
            "New VIP",
            json!({
                "trigger": {"type": "tag_added", "tag_id": vip},
                "steps": [
                    {"type": "wait", "seconds": 60},
                    {"type": "add_note", "text": "New VIP: offer a pastry on the house at their next visit."}
                ]
            }),
        ),
    ] {
        call(
            reqwest::Method::POST,
            "/api/v1/workflows",
            Some(key),
            json!({ "name": name, "enabled": true, "definition": definition }),
        )
        .await?;
    }
    // An auto-tag rule: complaints about deliveries get a tag of their own.
    let delivery = call(
        reqwest::Method::POST,
        "/api/v1/tags",
        Some(key),
        json!({ "name": "Delivery issue", "colour": "#d97706" }),
    )
    .await?;
    call(
        reqwest::Method::POST,
        "/api/v1/auto-tag-rules",
        Some(key),
        json!({ "name": "Late deliveries",
                "matcher": {"on": "message", "keywords": ["delivery", "hasn't arrived"]},
                "tag_id": delivery["id"] }),
    )
    .await?;
    // Opening hours, with an away message outside them.
    let day = |from: &str, to: &str| json!([{ "start": from, "end": to }]);
    call(
        reqwest::Method::PUT,
        "/api/v1/business-hours",
        Some(key),
        json!({
            "weekly": {
                "monday": day("07:00", "18:00"), "tuesday": day("07:00", "18:00"),
                "wednesday": day("07:00", "18:00"), "thursday": day("07:00", "18:00"),
                "friday": day("07:00", "18:00"), "saturday": day("07:00", "18:00"),
                "sunday": day("08:00", "14:00")
            },
            "away_message": "We're closed right now; we open at 7am (8am on Sundays) and will answer then."
        }),
    )
    .await?;
    seed_drip(call, key, &vip).await
}

/// The "Come back soon" drip (a text while a customer's window is open,
/// the `we_miss_you` template otherwise; quiet at night; a VIP tag is
/// its goal), with the first two contacts enrolled.
async fn seed_drip<F, Fut>(call: &F, key: &str, vip: &Value) -> anyhow::Result<()>
where
    F: Fn(reqwest::Method, &str, Option<&str>, Value) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Value>>,
{
    let miss_you =
        |name: &str| json!({ "name": "we_miss_you", "language": "en_US", "parameters": [name] });
    let drip = call(
        reqwest::Method::POST,
        "/api/v1/drips",
        Some(key),
        json!({ "name": "Come back soon",
                "steps": [
                    {"delay": 1, "unit": "hours", "text": "Thanks for stopping by! Show this message for 10% off your next visit.",
                     "template": miss_you("there")},
                    {"delay": 3, "unit": "days", "template": miss_you("friend")},
                    {"delay": 4, "unit": "days", "text": "Our seasonal menu is out: come and taste it!",
                     "template": miss_you("friend")}
                ],
                "exit": {"on_reply": true, "goal_tag_id": vip},
                "quiet_hours": {"start": "21:00", "end": "08:00"} }),
    )
    .await?;
    let contacts = call(
        reqwest::Method::GET,
        "/api/v1/contacts?limit=2",
        Some(key),
        Value::Null,
    )
    .await?;
    let ids: Vec<Value> = contacts["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["id"].clone())
        .collect();
    if !ids.is_empty() {
        let id = drip["id"].as_str().context("the demo drip's id")?;
        call(
            reqwest::Method::POST,
            &format!("/api/v1/drips/{id}/subscribers"),
            Some(key),
            json!({ "contact_ids": ids }),
        )
        .await?;
    }
    Ok(())
}
