//! The demo's automations, set up through the API as a team would: the
//! simulated customers' questions about catering and opening hours get
//! answered, a new VIP gets a note for the team a minute later, and
//! complaints about deliveries are tagged.

use anyhow::Context;
use serde_json::{Value, json};

/// Three workflows over the demo's tags (made by [`super::crm`]) and an
/// auto-tag rule.
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
    Ok(())
}
