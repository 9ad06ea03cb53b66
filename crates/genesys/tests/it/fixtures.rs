//! Every recorded fixture (copied from `shared/reference/fixtures/genesys`
//! into `tests/fixtures`) read into the wire types, key fields checked, and
//! written back to the same JSON.

use genesys::wire::{
    InboundEvent, InboundMessage, InboundMessageResponse, OutboundMessage, Receipt,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

macro_rules! fixture {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/",
                $name
            )),
        )
    };
}

const ALL: [(&str, &str); 9] = [
    fixture!("inbound-attachment-request.json"),
    fixture!("inbound-message-request.json"),
    fixture!("inbound-message-response.json"),
    fixture!("inbound-receipt-delivered.json"),
    fixture!("inbound-receipt-failed.json"),
    fixture!("inbound-typing-event-request.json"),
    fixture!("outbound-attachment-image.json"),
    fixture!("outbound-text.json"),
    fixture!("outbound-typing-event.json"),
];

fn get(name: &str) -> &'static str {
    ALL.iter().find(|(n, _)| *n == name).unwrap().1
}

/// Parses, then checks that serialising gives the fixture's JSON back.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let raw = get(name);
    let typed: T = serde_json::from_str(raw).unwrap();
    let original: Value = serde_json::from_str(raw).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), original, "{name}");
    typed
}

#[test]
fn the_copies_match_the_shared_reference() {
    let dir = std::path::Path::new("/work/shared/reference/fixtures/genesys");
    if !dir.is_dir() {
        return; // Only on machines that have the shared reference.
    }
    for (name, copy) in ALL {
        let shared = std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(shared, copy, "{name} drifted from the shared reference");
    }
}

#[test]
fn inbound_message_requests() {
    let m: InboundMessage = round_trip("inbound-message-request.json");
    assert_eq!(m.channel.from.id, "16505551234");
    assert_eq!(m.channel.from.id_type.as_deref(), Some("Phone"));
    assert_eq!(m.channel.from.nickname.as_deref(), Some("Sheena Nelson"));
    assert_eq!(m.channel.time, "2025-06-08T20:59:43.000Z");
    assert!(
        m.channel
            .message_id
            .as_deref()
            .unwrap()
            .starts_with("wamid.")
    );
    let attrs = &m.channel.metadata.as_ref().unwrap().custom_attributes;
    assert_eq!(attrs["phoneNumberId"], "106540352242922");
    assert_eq!(attrs["wabaId"], "102290129340398");
    assert_eq!(m.text.as_deref(), Some("Does it come in another color?"));
    assert!(m.content.is_empty());

    let m: InboundMessage = round_trip("inbound-attachment-request.json");
    assert_eq!(m.text.as_deref(), Some("This one"));
    assert_eq!(m.content.len(), 1);
    assert_eq!(m.content[0].content_type, "Attachment");
    let a = m.content[0].attachment.as_ref().unwrap();
    assert_eq!(a.media_type, "Image");
    assert_eq!(a.mime.as_deref(), Some("image/jpeg"));
    assert_eq!(a.filename.as_deref(), Some("1003383421387256.jpg"));
    assert!(a.url.starts_with("https://bridge.example.com/media/"));
}

#[test]
fn inbound_message_response() {
    let r: InboundMessageResponse =
        serde_json::from_str(get("inbound-message-response.json")).unwrap();
    assert_eq!(r.id, "5b1a9f0e8c7d4e3fa2b1c0d9e8f7a6b5");
    assert_eq!(
        r.conversation_id.as_deref(),
        Some("d06cb41e-f938-4dcf-b823-c8af1a39d7e5")
    );
}

#[test]
fn receipts() {
    let r: Receipt = round_trip("inbound-receipt-delivered.json");
    assert_eq!(r.id, "f1c3b2e5a3d84c5d9b1f6f2a9d7c0e11");
    assert_eq!(r.status, "Delivered");
    assert_eq!(r.direction, "Outbound");
    assert!(r.is_final_receipt);
    assert_eq!(r.channel.to.id, "16505551234");
    assert!(r.reasons.is_empty());

    let r: Receipt = round_trip("inbound-receipt-failed.json");
    assert_eq!(r.status, "Failed");
    assert_eq!(r.reasons.len(), 1);
    assert_eq!(r.reasons[0].code, "MessageExpired");
    assert!(r.reasons[0].message.as_deref().unwrap().contains("131047"));
}

#[test]
fn inbound_typing_event() {
    let e: InboundEvent = round_trip("inbound-typing-event-request.json");
    assert_eq!(e.channel.from.id, "16505551234");
    assert_eq!(e.channel.message_id, None);
    assert_eq!(e.events.len(), 1);
    assert_eq!(e.events[0].event_type, "Typing");
    let typing = e.events[0].typing.as_ref().unwrap();
    assert_eq!(typing.kind, "On");
    assert_eq!(typing.duration, None);
}

#[test]
fn outbound_text_and_attachment() {
    let m: OutboundMessage = round_trip("outbound-text.json");
    assert_eq!(m.id, "f1c3b2e5a3d84c5d9b1f6f2a9d7c0e11");
    assert_eq!(m.kind, "Text");
    assert_eq!(m.channel.id, "73cb7fb7-c2db-4996-88f3-0a83a4fea1da");
    assert_eq!(m.channel.platform.as_deref(), Some("Open"));
    assert_eq!(m.channel.kind.as_deref(), Some("Private"));
    assert_eq!(m.channel.to.id, "16505551234");
    let from = m.channel.from.as_ref().unwrap();
    assert_eq!(from.nickname.as_deref(), Some("Acme WhatsApp"));
    assert_eq!(from.id_type.as_deref(), Some("Opaque"));
    assert_eq!(
        m.conversation_id.as_deref(),
        Some("d06cb41e-f938-4dcf-b823-c8af1a39d7e5")
    );
    assert_eq!(m.direction.as_deref(), Some("Outbound"));
    assert_eq!(m.originating_entity.as_deref(), Some("Human"));
    assert_eq!(m.text.as_deref(), Some("Yes, it also comes in blue."));
    assert!(m.content.is_empty() && m.events.is_empty());

    let m: OutboundMessage = round_trip("outbound-attachment-image.json");
    assert_eq!(m.text.as_deref(), Some("Here is the blue one"));
    let a = m.content[0].attachment.as_ref().unwrap();
    assert_eq!(
        a.id.as_deref(),
        Some("8b36304e-ad42-4e7d-ac35-978a019514eb")
    );
    assert_eq!(a.media_type, "Image");
    assert_eq!(a.content_size_bytes, Some(48_211));
    assert_eq!(a.filename.as_deref(), Some("blue.jpg"));
}

#[test]
fn outbound_typing_event() {
    let raw = get("outbound-typing-event.json");
    let m: OutboundMessage = serde_json::from_str(raw).unwrap();
    assert_eq!(m.kind, "Event");
    assert_eq!(m.channel.to.id_type, None);
    assert_eq!(m.events[0].event_type, "Typing");
    let typing = m.events[0].typing.as_ref().unwrap();
    assert_eq!((typing.kind.as_str(), typing.duration), ("On", Some(5000)));
    // Written back, only the empty `content` the fixture leaves out is added.
    let mut written = serde_json::to_value(&m).unwrap();
    assert_eq!(written["content"], serde_json::json!([]));
    written.as_object_mut().unwrap().remove("content");
    assert_eq!(written, serde_json::from_str::<Value>(raw).unwrap());
}
