use super::*;
use serde_json::json;

fn agent(body: serde_json::Value) -> wire::OutboundMessage {
    let mut m = json!({
        "id": "f1c3b2e5a3d84c5d9b1f6f2a9d7c0e11",
        "channel": { "id": "73cb7fb7-c2db-4996-88f3-0a83a4fea1da", "platform": "Open",
                     "type": "Private", "to": { "id": "16505551234", "idType": "Phone" } },
        "direction": "Outbound", "type": "Text", "content": []
    });
    for (k, v) in body.as_object().unwrap() {
        m[k] = v.clone();
    }
    serde_json::from_value(m).unwrap()
}

fn attachment(kind: &str, name: &str) -> serde_json::Value {
    json!({ "contentType": "Attachment", "attachment": { "mediaType": kind,
        "url": format!("https://api-downloads.example/{name}"), "mime": "image/jpeg",
        "filename": name } })
}

#[test]
fn a_text_is_a_text() {
    let out = outgoing(&agent(json!({ "text": "  Hello there  " }))).unwrap();
    assert_eq!(out.len(), 1);
    let OutgoingContent::Text { text } = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(text.body, "Hello there");
}

#[test]
fn the_text_rides_on_the_first_attachment_that_takes_a_caption() {
    let m = agent(json!({ "text": "Here it is",
        "content": [attachment("Image", "a.jpg"), attachment("File", "b.pdf")] }));
    let out = outgoing(&m).unwrap();
    assert_eq!(out.len(), 2);
    let OutgoingContent::Image { image } = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(image.caption.as_deref(), Some("Here it is"));
    assert_eq!(
        image.link.as_deref(),
        Some("https://api-downloads.example/a.jpg")
    );
    let OutgoingContent::Document { document } = &out[1] else {
        panic!("{out:?}")
    };
    assert_eq!(document.caption, None);
    assert_eq!(document.filename.as_deref(), Some("b.pdf"));
}

#[test]
fn audio_takes_no_caption_so_the_text_goes_first() {
    let m = agent(json!({ "text": "Listen", "content": [attachment("Audio", "v.ogg")] }));
    let out = outgoing(&m).unwrap();
    assert!(matches!(&out[0], OutgoingContent::Text { text } if text.body == "Listen"));
    assert!(matches!(&out[1], OutgoingContent::Audio { audio } if audio.caption.is_none()));
}

#[test]
fn quick_replies_become_reply_buttons_within_whatsapp_limits() {
    let q = |t: &str| json!({ "contentType": "QuickReply", "quickReply": { "text": t, "payload": t.to_lowercase(), "action": "Message" } });
    let m = agent(
        json!({ "type": "Structured", "text": "Which one?", "content": [q("Yes"), q("No")] }),
    );
    let out = outgoing(&m).unwrap();
    assert_eq!(out.len(), 1);
    assert!(matches!(&out[0], OutgoingContent::Interactive { .. }));
    let four = agent(json!({ "type": "Structured", "text": "Pick",
        "content": [q("A"), q("B"), q("C"), q("D")] }));
    assert_eq!(
        outgoing(&four).unwrap_err().reason,
        "InvalidMessageStructure"
    );
}

#[test]
fn what_whatsapp_cannot_carry_is_refused_with_a_reason() {
    let card =
        agent(json!({ "type": "Structured", "content": [{ "contentType": "Card", "card": {} }] }));
    assert_eq!(outgoing(&card).unwrap_err().reason, "UnsupportedMessage");
    let empty = agent(json!({ "text": "   " }));
    assert_eq!(
        outgoing(&empty).unwrap_err().reason,
        "InvalidMessageStructure"
    );
    let long = agent(json!({ "text": "x".repeat(4097) }));
    assert_eq!(
        outgoing(&long).unwrap_err().reason,
        "InvalidMessageStructure"
    );
}

#[test]
fn refusals_map_to_genesys_receipt_reasons() {
    assert_eq!(
        refusal_reason("outside_customer_service_window"),
        "MessageExpired"
    );
    assert_eq!(refusal_reason("contact_opted_out"), "RecipientOptedOut");
    assert_eq!(refusal_reason("quota_exceeded"), "RateLimited");
    assert_eq!(refusal_reason("channel_restricted"), "MessageNotAllowed");
    assert_eq!(refusal_reason("invalid"), "InvalidMessageStructure");
    assert_eq!(refusal_reason("something_new"), "GeneralError");
}

#[test]
fn locations_contacts_and_reactions_read_as_text() {
    let location = json!({ "type": "location", "location": { "latitude": 38.7, "longitude": -9.1, "name": "Shop" } });
    let text = words("location", &location).unwrap();
    assert!(
        text.contains("Shop") && text.contains("38.7, -9.1"),
        "{text}"
    );
    let contacts = json!({ "contacts": [{ "name": { "formatted_name": "Ana" }, "phones": [{ "phone": "+1 650 555 0101" }] }] });
    assert_eq!(
        words("contacts", &contacts).unwrap(),
        "Contact: Ana +1 650 555 0101"
    );
    let reaction = json!({ "reaction": { "message_id": "wamid.x", "emoji": "👍" } });
    assert_eq!(words("reaction", &reaction).unwrap(), "Reacted 👍");
    assert_eq!(
        words("text", &json!({ "text": { "body": "hi" } })).unwrap(),
        "hi"
    );
}

#[test]
fn media_types_follow_genesys_names() {
    assert_eq!(media_type("image", Some("image/jpeg")), "Image");
    assert_eq!(media_type("sticker", Some("image/webp")), "Image");
    assert_eq!(media_type("document", Some("application/pdf")), "File");
    assert_eq!(media_type("audio", None), "Audio");
}

#[test]
fn a_text_longer_than_a_caption_goes_on_its_own_before_the_image() {
    let long = "x".repeat(1500);
    let m = agent(json!({ "text": long, "content": [attachment("Image", "a.jpg")] }));
    let out = outgoing(&m).unwrap();
    assert_eq!(out.len(), 2);
    assert!(matches!(&out[0], OutgoingContent::Text { text } if text.body.len() == 1500));
    assert!(matches!(&out[1], OutgoingContent::Image { image } if image.caption.is_none()));
}
