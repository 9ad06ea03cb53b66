//! The demo's CRM and campaigns, set up through the API as a team would.

use super::CUSTOMERS;
use anyhow::Context;
use serde_json::{Value, json};

/// The demo's CRM, set up through the API as a team would: tags, quick
/// replies, a custom field, a regular customer with a note-worthy deal
/// and a task, and a segment of VIPs.
pub(super) async fn seed_crm<F, Fut>(call: &F, key: &str) -> anyhow::Result<()>
where
    F: Fn(reqwest::Method, &str, Option<&str>, Value) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Value>>,
{
    let post = |path: &'static str, body: Value| call(reqwest::Method::POST, path, Some(key), body);
    let vip = post(
        "/api/v1/tags",
        json!({ "name": "VIP", "colour": "#e11d48" }),
    )
    .await?;
    post(
        "/api/v1/tags",
        json!({ "name": "Catering", "colour": "#2563eb" }),
    )
    .await?;
    post(
        "/api/v1/quick-replies",
        json!({ "shortcut": "hours", "title": "Opening hours",
                "body": "Hi {{contact.first_name}}! We're open 7am–6pm, Sundays 8am–2pm." }),
    )
    .await?;
    post(
        "/api/v1/quick-replies",
        json!({ "shortcut": "thanks", "title": "Thank you",
                "body": "Thanks {{contact.first_name}}, see you soon! — {{agent.first_name}}" }),
    )
    .await?;
    post(
        "/api/v1/contact-attributes",
        json!({ "key": "favourite_drink", "label": "Favourite drink", "type": "text" }),
    )
    .await?;
    let (wa_id, name) = CUSTOMERS[0];
    let ana = post(
        "/api/v1/contacts",
        json!({ "phone": format!("+{wa_id}"), "name": name,
                "attributes": { "favourite_drink": "Flat white, oat milk" } }),
    )
    .await?;
    let ana_id = ana["id"].as_str().context("contact id")?.to_owned();
    let vip_id = vip["id"].as_str().context("tag id")?;
    call(
        reqwest::Method::PUT,
        &format!("/api/v1/contacts/{ana_id}/tags/{vip_id}"),
        Some(key),
        json!({}),
    )
    .await?;
    let pipeline = post(
        "/api/v1/pipelines",
        json!({ "name": "Catering", "stages": [
            { "name": "Enquiry" }, { "name": "Quote sent" }, { "name": "Confirmed" } ] }),
    )
    .await?;
    let deal = post(
        "/api/v1/deals",
        json!({ "title": "Office breakfast for 20", "value_minor": 48_000, "currency": "EUR",
                "pipeline_id": pipeline["id"], "stage_id": pipeline["stages"][1]["id"],
                "contact_id": ana_id }),
    )
    .await?;
    post(
        "/api/v1/tasks",
        json!({ "title": "Call Ana about the breakfast menu", "deal_id": deal["id"] }),
    )
    .await?;
    let segment = post(
        "/api/v1/segments",
        json!({ "name": "VIPs", "rules": [{ "field": "tag", "op": "has", "value": vip_id }] }),
    )
    .await?;
    // A draft campaign to the VIPs, with a template read from Meta.
    post("/api/v1/templates/sync", json!({})).await?;
    let get = |path: &'static str| call(reqwest::Method::GET, path, Some(key), Value::Null);
    let templates = get("/api/v1/templates?status=approved").await?;
    let template = templates["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"] == "we_miss_you")
        .context("the demo's template")?;
    let channels = get("/api/v1/channels").await?;
    post(
        "/api/v1/campaigns",
        json!({ "name": "Win back our VIPs", "channel_id": channels["items"][0]["id"],
                "template_id": template["id"],
                "variables": [{ "parameter": "1", "text": "{{contact.first_name}}", "fallback": "there" }],
                "audience": { "segment_id": segment["id"] } }),
    )
    .await?;
    Ok(())
}
