//! Webhook events, Meta-shaped bodies (with batching), the exact byte
//! encoding (non-ASCII escaped as `\uXXXX`) and `X-Hub-Signature-256`.

pub(crate) mod deliver;

use std::fmt::Write as _;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::state::Template;

/// One webhook event before it is put into a body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    /// `field: "messages"`: inbound messages, statuses or value-level errors.
    Messages(MessagesEvent),
    /// `field: "message_template_status_update"`.
    Template {
        waba_id: String,
        time: i64,
        value: Value,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct MessagesEvent {
    pub waba_id: String,
    pub phone_number_id: String,
    /// Digits only, as in `metadata.display_phone_number`.
    pub display_phone_number: String,
    pub contacts: Vec<Value>,
    pub messages: Vec<Value>,
    pub statuses: Vec<Value>,
    pub errors: Vec<Value>,
}

impl MessagesEvent {
    fn kind(&self) -> &'static str {
        if !self.messages.is_empty() {
            "messages"
        } else if !self.statuses.is_empty() {
            "statuses"
        } else {
            "errors"
        }
    }
}

/// Change accumulated while building a body.
enum ChangeAcc {
    Messages {
        key: (String, &'static str),
        ev: MessagesEvent,
    },
    Template(Value),
}

struct EntryAcc {
    waba_id: String,
    template: bool,
    time: Option<i64>,
    changes: Vec<ChangeAcc>,
}

/// Builds one `whatsapp_business_account` body from one or more events:
/// one `entry` per WABA (template updates in their own entry with `time`),
/// one `change` per (phone number, messages|statuses|errors) with the items
/// of several events merged into its `value`.
pub(crate) fn build_body(events: &[Event]) -> Value {
    let mut entries: Vec<EntryAcc> = Vec::new();
    for ev in events {
        let (waba_id, template, time) = match ev {
            Event::Messages(m) => (&m.waba_id, false, None),
            Event::Template { waba_id, time, .. } => (waba_id, true, Some(*time)),
        };
        let idx = match entries
            .iter()
            .position(|e| &e.waba_id == waba_id && e.template == template)
        {
            Some(i) => i,
            None => {
                entries.push(EntryAcc {
                    waba_id: waba_id.clone(),
                    template,
                    time,
                    changes: Vec::new(),
                });
                entries.len() - 1
            }
        };
        let Some(entry) = entries.get_mut(idx) else {
            continue;
        };
        match ev {
            Event::Template { value, .. } => entry.changes.push(ChangeAcc::Template(value.clone())),
            Event::Messages(m) => {
                let key = (m.phone_number_id.clone(), m.kind());
                let existing = entry.changes.iter_mut().find_map(|c| match c {
                    ChangeAcc::Messages { key: k, ev } if *k == key => Some(ev),
                    _ => None,
                });
                match existing {
                    Some(acc) => {
                        for c in &m.contacts {
                            if !acc
                                .contacts
                                .iter()
                                .any(|x| x.get("wa_id") == c.get("wa_id"))
                            {
                                acc.contacts.push(c.clone());
                            }
                        }
                        acc.messages.extend(m.messages.iter().cloned());
                        acc.statuses.extend(m.statuses.iter().cloned());
                        acc.errors.extend(m.errors.iter().cloned());
                    }
                    None => entry
                        .changes
                        .push(ChangeAcc::Messages { key, ev: m.clone() }),
                }
            }
        }
    }
    let entries: Vec<Value> = entries.into_iter().map(entry_json).collect();
    json!({ "object": "whatsapp_business_account", "entry": entries })
}

fn entry_json(e: EntryAcc) -> Value {
    let changes: Vec<Value> = e
        .changes
        .into_iter()
        .map(|c| match c {
            ChangeAcc::Template(value) => {
                json!({ "value": value, "field": "message_template_status_update" })
            }
            ChangeAcc::Messages { ev, .. } => {
                json!({ "value": messages_value(ev), "field": "messages" })
            }
        })
        .collect();
    let mut entry = json!({ "id": e.waba_id, "changes": changes });
    if let Some(t) = e.time {
        entry["time"] = json!(t);
    }
    entry
}

fn messages_value(ev: MessagesEvent) -> Value {
    let mut v = Map::new();
    v.insert("messaging_product".into(), json!("whatsapp"));
    v.insert(
        "metadata".into(),
        json!({ "display_phone_number": ev.display_phone_number, "phone_number_id": ev.phone_number_id }),
    );
    for (key, items) in [
        ("contacts", ev.contacts),
        ("messages", ev.messages),
        ("statuses", ev.statuses),
        ("errors", ev.errors),
    ] {
        if !items.is_empty() {
            v.insert(key.into(), Value::Array(items));
        }
    }
    Value::Object(v)
}

/// `message_template_status_update` value.
pub(crate) fn template_update_value(
    t: &Template,
    event: &str,
    reason: &str,
    rejection_info: Option<&Value>,
) -> Value {
    // Meta sends the id as a JSON number here (a string everywhere else).
    let id =
        t.id.parse::<u64>()
            .map(Value::from)
            .unwrap_or_else(|_| json!(t.id));
    let mut v = json!({
        "event": event,
        "message_template_id": id,
        "message_template_name": t.name,
        "message_template_language": t.language,
        "reason": reason,
        "message_template_category": t.category,
    });
    if let Some(info) = rejection_info {
        v["rejection_info"] = info.clone();
    }
    v
}

/// Serialises like Meta: compact JSON with every non-ASCII character escaped
/// as `\uXXXX` (lowercase hex, UTF-16 surrogate pairs).
pub fn to_meta_bytes(v: &Value) -> Vec<u8> {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + 16);
    let mut buf = [0u16; 2];
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut buf) {
                // Writing into a String cannot fail.
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out.into_bytes()
}

/// `sha256=<lowercase hex HMAC-SHA256(body, app_secret)>`.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        }
        // HMAC accepts keys of any length; keep a harmless fallback anyway.
        Err(_) => String::from("sha256="),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_reference_vectors() {
        assert_eq!(
            sign(
                "test-app-secret",
                br#"{"object":"whatsapp_business_account","entry":[]}"#
            ),
            "sha256=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc"
        );
        let body = to_meta_bytes(&json!({"text": {"body": "caf\u{e9}"}}));
        assert_eq!(body, br#"{"text":{"body":"caf\u00e9"}}"#.to_vec());
        assert_eq!(
            sign("test-app-secret", &body),
            "sha256=f6db9e7dfb83206dcac1b6966d517f41f1bb57f35cd7a4d62b84ee838293da60"
        );
        assert_eq!(
            to_meta_bytes(&json!("\u{1f44d}")),
            br#""\ud83d\udc4d""#.to_vec()
        );
    }

    fn msg_event(waba: &str, pnid: &str, status: Option<&str>) -> Event {
        let mut ev = MessagesEvent {
            waba_id: waba.into(),
            phone_number_id: pnid.into(),
            display_phone_number: "1555".into(),
            ..Default::default()
        };
        match status {
            Some(s) => ev.statuses.push(json!({ "id": "wamid.x", "status": s })),
            None => {
                ev.contacts
                    .push(json!({ "wa_id": "1", "profile": {"name": "A"} }));
                ev.messages.push(json!({ "id": "wamid.y" }));
            }
        }
        Event::Messages(ev)
    }

    #[test]
    fn batches_merge_per_waba_number_and_kind() {
        let body = build_body(&[
            msg_event("w1", "p1", None),
            msg_event("w1", "p1", None),
            msg_event("w1", "p1", Some("sent")),
            msg_event("w2", "p2", Some("delivered")),
        ]);
        let entries = body["entry"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        let changes = entries[0]["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0]["value"]["messages"].as_array().unwrap().len(), 2);
        assert_eq!(changes[0]["value"]["contacts"].as_array().unwrap().len(), 1);
        assert_eq!(changes[1]["value"]["statuses"][0]["status"], "sent");
        assert_eq!(entries[1]["id"], "w2");
    }
}
