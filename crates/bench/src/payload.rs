//! Meta-shaped webhook bodies for the ingest scenario: a deterministic mix
//! of message types and statuses, some batched (several changes or entries
//! in one body, as Meta does under load), spread over many tenants' numbers,
//! each with a unique wamid, and signed like Meta signs them.

use crate::seed::SeedNumber;
use serde_json::{Value, json};

/// A message or status item for `number`, chosen by `seq`.
fn item(seq: u64, customer: &str) -> (&'static str, Value) {
    let wamid = format!("wamid.bench.{seq:012}");
    let ts = (1_767_225_600 + seq % 86_400).to_string();
    let msg = |kind: &str, body: Value| {
        let mut m = json!({ "from": customer, "id": wamid, "timestamp": ts, "type": kind });
        if let (Some(obj), Value::Object(extra)) = (m.as_object_mut(), body) {
            obj.extend(extra);
        }
        ("messages", m)
    };
    match seq % 10 {
        0..=2 => msg(
            "text",
            json!({ "text": { "body": format!("Hi, is order {seq} ready for pick-up today?") } }),
        ),
        3 => msg(
            "image",
            json!({ "image": { "caption": "This one", "mime_type": "image/jpeg",
                "sha256": "WnqA3kqYhNYs7ujGqNpyIufQ/hUW6fQ6rqr7sP9WFSc=", "id": format!("10{seq:012}") } }),
        ),
        4 => msg(
            "interactive",
            json!({ "interactive": { "type": "button_reply",
                "button_reply": { "id": "confirm", "title": "Confirm" } } }),
        ),
        5 => msg(
            "location",
            json!({ "location": { "latitude": 52.52, "longitude": 13.405, "name": "Shop", "address": "Main St 1" } }),
        ),
        6 => msg(
            "reaction",
            json!({ "reaction": { "message_id": format!("wamid.bench.{:012}", seq / 2), "emoji": "\u{1f44d}" } }),
        ),
        s => {
            let status = ["sent", "delivered", "read"][(s - 7) as usize];
            (
                "statuses",
                json!({
                    "id": wamid, "status": status, "timestamp": ts, "recipient_id": customer,
                    "conversation": { "id": format!("conv{seq}"), "origin": { "type": "marketing" } },
                    "pricing": { "billable": true, "pricing_model": "PMP", "category": "marketing", "type": "regular" }
                }),
            )
        }
    }
}

fn change(number: &SeedNumber, seq: u64, items: u64) -> Value {
    let customer = format!("4915{:09}", seq % 1_000_000_000);
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": number.display, "phone_number_id": number.phone_number_id },
    });
    for j in 0..items {
        let (field, v) = item(seq * 4 + j, &customer);
        if field == "messages" && value.get("contacts").is_none() {
            value["contacts"] =
                json!([{ "profile": { "name": "Bench Customer" }, "wa_id": customer }]);
        }
        match value.get_mut(field).and_then(Value::as_array_mut) {
            Some(list) => list.push(v),
            None => value[field] = json!([v]),
        }
    }
    json!({ "value": value, "field": "messages" })
}

/// Body number `seq`: usually one event; every fourth body carries three
/// items for one number, every tenth a second entry for another number.
pub fn webhook_body(numbers: &[SeedNumber], seq: u64) -> Vec<u8> {
    if numbers.is_empty() {
        return b"{}".to_vec();
    }
    let pick = |k: u64| &numbers[(k.wrapping_mul(2_654_435_761) % numbers.len() as u64) as usize];
    let first = pick(seq);
    let items = if seq.is_multiple_of(4) { 3 } else { 1 };
    let mut entries = vec![json!({ "id": first.waba_id, "changes": [change(first, seq, items)] })];
    if seq % 10 == 5 {
        let second = pick(seq + 1);
        entries.push(
            json!({ "id": second.waba_id, "changes": [change(second, seq + 1_000_000_000, 1)] }),
        );
    }
    sandbox::to_meta_bytes(&json!({ "object": "whatsapp_business_account", "entry": entries }))
}

/// How many events (messages and statuses) the bodies carry on average:
/// the mix repeats every 20 bodies.
pub fn events_per_body() -> f64 {
    let events = |seq: u64| {
        let first = if seq.is_multiple_of(4) { 3 } else { 1 };
        first + u64::from(seq % 10 == 5)
    };
    (0..20).map(events).sum::<u64>() as f64 / 20.0
}

/// A single text message from `customer` to `number` with `wamid`, sent
/// on 2026-01-01.
pub fn text_body(number: &SeedNumber, customer: &str, wamid: &str, text: &str) -> Vec<u8> {
    text_body_at(number, customer, wamid, text, 1_767_225_600)
}

/// [`text_body`] sent at `unix_seconds` (a recent time opens the
/// customer's 24-hour window, as a real message does).
pub fn text_body_at(
    number: &SeedNumber,
    customer: &str,
    wamid: &str,
    text: &str,
    unix_seconds: i64,
) -> Vec<u8> {
    sandbox::to_meta_bytes(&json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": number.waba_id, "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": number.display, "phone_number_id": number.phone_number_id },
            "contacts": [{ "profile": { "name": "Bench Customer" }, "wa_id": customer }],
            "messages": [{ "from": customer, "id": wamid, "timestamp": unix_seconds.to_string(),
                           "type": "text", "text": { "body": text } }]
        }}]}]
    }))
}

/// `X-Hub-Signature-256` for `body`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    sandbox::sign(app_secret, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ChannelId;

    fn numbers() -> Vec<SeedNumber> {
        (0..3)
            .map(|t| {
                let (pnid, waba, display) = crate::seed::number_ids(t, 0);
                SeedNumber {
                    channel_id: ChannelId::new(),
                    phone_number_id: pnid,
                    waba_id: waba,
                    display,
                    token: "t".into(),
                }
            })
            .collect()
    }

    #[test]
    fn bodies_parse_as_meta_webhooks_with_mixed_events() {
        let ns = numbers();
        let (mut messages, mut statuses) = (0, 0);
        let mut wamids = std::collections::HashSet::new();
        for seq in 0..40 {
            let body = webhook_body(&ns, seq);
            let parsed = whatsapp::parse_webhook(&body).expect("a valid webhook");
            for ev in parsed.events() {
                match ev {
                    whatsapp::WebhookEvent::Message { message, .. } => {
                        messages += 1;
                        assert!(wamids.insert(message.id.clone()), "unique wamids");
                    }
                    whatsapp::WebhookEvent::Status { .. } => statuses += 1,
                    _ => panic!("only messages and statuses are generated"),
                }
            }
        }
        assert!(messages > 40 && statuses > 10, "{messages} / {statuses}");
        // 40 bodies: two rounds of the mix.
        assert_eq!(f64::from(messages + statuses), 40.0 * events_per_body());
        let sig = signature("s", &webhook_body(&ns, 1));
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
    }
}
