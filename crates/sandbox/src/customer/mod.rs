//! Simulated customers: inbound messages of every type, turned into
//! Meta-shaped `messages` webhooks, plus value-level error webhooks.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::app::{App, OpError};
use crate::config::digits;
use crate::graph::errors::webhook_error;
use crate::graph::media;
use crate::state::InboundRecord;
use crate::webhook::{Event, MessagesEvent};

mod types;

pub use types::{
    ContactCard, ContactName, ContactPhone, InboundContent, InboundMedia, InboundMessage,
    InboundReceipt, Referral,
};

fn kind_name(c: &InboundContent) -> &'static str {
    match c {
        InboundContent::Text { .. } => "text",
        InboundContent::Image(_) => "image",
        InboundContent::Video(_) => "video",
        InboundContent::Audio(_) => "audio",
        InboundContent::Document(_) => "document",
        InboundContent::Sticker(_) => "sticker",
        InboundContent::Location { .. } => "location",
        InboundContent::Contacts { .. } => "contacts",
        InboundContent::ButtonReply { .. } | InboundContent::ListReply { .. } => "interactive",
        InboundContent::Button { .. } => "button",
        InboundContent::Reaction { .. } => "reaction",
        InboundContent::Unsupported => "unsupported",
        InboundContent::System { .. } => "system",
    }
}

fn default_mime(kind: &str, m: &InboundMedia) -> &'static str {
    match kind {
        "image" => "image/jpeg",
        "video" => "video/mp4",
        "audio" if m.voice => "audio/ogg; codecs=opus",
        "audio" => "audio/mpeg",
        "sticker" => "image/webp",
        _ => "application/pdf",
    }
}

/// Delivers a customer message to a business number: opens/refreshes the
/// 24 h window, records it and queues the webhook.
pub(crate) fn receive(app: &App, msg: InboundMessage) -> Result<InboundReceipt, OpError> {
    let from = digits(&msg.from);
    if from.is_empty() {
        return Err(OpError::bad_request("from must be a phone number"));
    }
    let kind = kind_name(&msg.content);
    let media_bytes = match &msg.content {
        InboundContent::Image(m)
        | InboundContent::Video(m)
        | InboundContent::Audio(m)
        | InboundContent::Document(m)
        | InboundContent::Sticker(m) => Some(match &m.data_base64 {
            Some(b) => Bytes::from(
                STANDARD
                    .decode(b)
                    .map_err(|e| OpError::bad_request(format!("data_base64: {e}")))?,
            ),
            None => Bytes::from(format!("sandbox {kind} media")),
        }),
        _ => None,
    };

    let mut st = app.lock();
    let Some(number) = st.numbers.get(&msg.phone_number_id) else {
        return Err(OpError::not_found(format!(
            "unknown phone_number_id {}",
            msg.phone_number_id
        )));
    };
    let (waba_id, display) = (number.spec.waba_id.clone(), number.digits.clone());
    if let Some(name) = &msg.profile_name {
        st.customers.entry(from.clone()).or_default().name = name.clone();
    }
    let profile_name = st.customer(&from).name;
    let user_id = st.user_id(&msg.phone_number_id, &from);
    let id = st.new_wamid(&from, true);
    let ts = st.now();

    let default_reply_to = |kinds: &[&str]| {
        st.outbound_for(Some(&msg.phone_number_id), Some(&from))
            .into_iter()
            .rev()
            .find(|m| kinds.contains(&m.kind.as_str()))
            .map(|m| m.id)
    };
    let context_id = match (&msg.context, &msg.content) {
        (Some(c), _) => Some(c.clone()),
        (None, InboundContent::ButtonReply { .. } | InboundContent::ListReply { .. }) => {
            Some(default_reply_to(&["interactive"]).ok_or_else(|| {
                OpError::bad_request(
                    "no interactive message was sent to this customer; pass context",
                )
            })?)
        }
        (None, InboundContent::Button { .. }) => default_reply_to(&["template"]),
        (None, _) => None,
    };

    let mut m = json!({ "from": from, "id": id, "timestamp": ts.to_string(), "type": kind });
    if let Some(u) = &user_id {
        m["from_user_id"] = json!(u);
    }
    let mut context = serde_json::Map::new();
    if let Some(c) = context_id {
        context.insert("from".into(), json!(display));
        context.insert("id".into(), json!(c));
    }
    if msg.forwarded {
        context.insert("forwarded".into(), json!(true));
    }
    if !context.is_empty() {
        m["context"] = Value::Object(context);
    }
    if let Some(r) = &msg.referral {
        m["referral"] = serde_json::to_value(r).unwrap_or(Value::Null);
    }
    match &msg.content {
        InboundContent::Text { body } => m["text"] = json!({ "body": body }),
        InboundContent::Image(md)
        | InboundContent::Video(md)
        | InboundContent::Audio(md)
        | InboundContent::Document(md)
        | InboundContent::Sticker(md) => {
            let mime = md
                .mime_type
                .clone()
                .unwrap_or_else(|| default_mime(kind, md).to_owned());
            let (media_id, sha) =
                media::store(&mut st, &waba_id, media_bytes.unwrap_or_default(), &mime);
            let mut o =
                json!({ "mime_type": mime, "sha256": STANDARD.encode(sha), "id": media_id });
            if let Some(c) = md
                .caption
                .as_ref()
                .filter(|_| matches!(kind, "image" | "video" | "document"))
            {
                o["caption"] = json!(c);
            }
            match kind {
                "document" => {
                    o["filename"] = json!(
                        md.filename
                            .clone()
                            .unwrap_or_else(|| "document.pdf".to_owned())
                    )
                }
                "audio" => o["voice"] = json!(md.voice),
                "sticker" => o["animated"] = json!(md.animated),
                _ => {}
            }
            m[kind] = o;
        }
        InboundContent::Location {
            latitude,
            longitude,
            name,
            address,
            url,
        } => {
            let mut o = json!({ "latitude": latitude, "longitude": longitude });
            for (k, v) in [("name", name), ("address", address), ("url", url)] {
                if let Some(v) = v {
                    o[k] = json!(v);
                }
            }
            m["location"] = o;
        }
        InboundContent::Contacts { contacts } => {
            m["contacts"] = serde_json::to_value(contacts).unwrap_or(Value::Null)
        }
        InboundContent::ButtonReply { id, title } => {
            m["interactive"] =
                json!({ "type": "button_reply", "button_reply": { "id": id, "title": title } });
        }
        InboundContent::ListReply {
            id,
            title,
            description,
        } => {
            let mut r = json!({ "id": id, "title": title });
            if let Some(d) = description {
                r["description"] = json!(d);
            }
            m["interactive"] = json!({ "type": "list_reply", "list_reply": r });
        }
        InboundContent::Button { payload, text } => {
            m["button"] = json!({ "payload": payload, "text": text })
        }
        InboundContent::Reaction { message_id, emoji } => {
            m["reaction"] = json!({ "message_id": message_id, "emoji": emoji });
        }
        InboundContent::Unsupported => m["errors"] = json!([webhook_error(131051, None, false)]),
        InboundContent::System { new_wa_id, body } => {
            let new = digits(new_wa_id);
            let body = body
                .clone()
                .unwrap_or_else(|| format!("User {profile_name} changed from {from} to {new}"));
            m["system"] = json!({ "body": body, "wa_id": new, "type": "user_changed_number" });
        }
    }

    let system = kind == "system";
    if !system {
        st.windows
            .insert((msg.phone_number_id.clone(), from.clone()), ts);
    }
    st.insert_inbound(InboundRecord {
        id: id.clone(),
        phone_number_id: msg.phone_number_id.clone(),
        from: from.clone(),
        kind: kind.to_owned(),
        timestamp: ts,
        read: false,
    });
    st.counters_mut(&msg.phone_number_id).inbound += 1;
    let contacts = if system {
        Vec::new()
    } else {
        let mut contact = json!({ "profile": { "name": profile_name }, "wa_id": from });
        if let Some(u) = user_id {
            contact["user_id"] = json!(u);
        }
        vec![contact]
    };
    let ev = MessagesEvent {
        waba_id,
        phone_number_id: msg.phone_number_id.clone(),
        display_phone_number: display,
        contacts,
        messages: vec![m],
        ..Default::default()
    };
    app.emit(&mut st, Event::Messages(ev));
    Ok(InboundReceipt { id, timestamp: ts })
}

/// Emits a value-level `errors[]` webhook (system error not tied to a message).
pub(crate) fn system_error(
    app: &App,
    phone_number_id: &str,
    code: i64,
    details: Option<&str>,
) -> Result<(), OpError> {
    let mut st = app.lock();
    let Some(n) = st.numbers.get(phone_number_id) else {
        return Err(OpError::not_found(format!(
            "unknown phone_number_id {phone_number_id}"
        )));
    };
    let ev = MessagesEvent {
        waba_id: n.spec.waba_id.clone(),
        phone_number_id: phone_number_id.to_owned(),
        display_phone_number: n.digits.clone(),
        errors: vec![webhook_error(code, details, false)],
        ..Default::default()
    };
    app.emit(&mut st, Event::Messages(ev));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_json_round_trips() {
        let v = json!({"phone_number_id": "1", "from": "+1 650", "type": "location",
            "latitude": 1.5, "longitude": -2.0, "name": "HQ"});
        let m: InboundMessage = serde_json::from_value(v).unwrap();
        assert!(
            matches!(m.content, InboundContent::Location { ref name, .. } if name.as_deref() == Some("HQ"))
        );
        let u: InboundMessage = serde_json::from_value(
            json!({"phone_number_id": "1", "from": "2", "type": "unsupported"}),
        )
        .unwrap();
        assert_eq!(u.content, InboundContent::Unsupported);
        let b: InboundMessage = serde_json::from_value(
            json!({"phone_number_id": "1", "from": "2", "type": "button_reply", "id": "yes", "title": "Yes"}),
        )
        .unwrap();
        assert!(matches!(b.content, InboundContent::ButtonReply { .. }));
    }
}
