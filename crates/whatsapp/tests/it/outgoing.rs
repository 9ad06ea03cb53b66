//! Outgoing bodies serialise to the reference's JSON (§2.1) and read back.

use serde_json::{Value, json};
use whatsapp::outgoing::{
    Currency, DateTime, Interactive, ListRow, ListSection, MarkReadRequest, MediaBody, MediaKind,
    MessagesRequest, ReplyButton, Template, TemplateComponent, TemplateParameter,
};
use whatsapp::shared::{ContactCard, ContactName, ContactPhone, Location};
use whatsapp::{OutgoingMessage, Recipient, SendResponse};

const TO: &str = "16505551234";

/// Adds the `recipient_type` the reference examples leave implicit.
fn with_individual(mut v: Value) -> Value {
    v["recipient_type"] = json!("individual");
    v
}

/// `message` serialises to `expected`, and `expected` reads back as `message`.
fn assert_wire(message: &OutgoingMessage, expected: Value) {
    assert_eq!(serde_json::to_value(message).unwrap(), expected);
    let back: OutgoingMessage = serde_json::from_value(expected.clone()).unwrap();
    assert_eq!(&back, message);
    match serde_json::from_value::<MessagesRequest>(expected).unwrap() {
        MessagesRequest::Send(m) => assert_eq!(&m, message),
        other => panic!("{other:?}"),
    }
}

pub fn reference_template() -> Template {
    Template::new("order_update", "en_US")
        .with_component(TemplateComponent::header(vec![TemplateParameter::Image {
            image: MediaBody::link("https://example.com/p.jpg"),
        }]))
        .with_component(TemplateComponent::body(vec![
            TemplateParameter::text("Jessica"),
            TemplateParameter::Currency {
                currency: Currency {
                    fallback_value: "$100.99".into(),
                    code: "USD".into(),
                    amount_1000: 100990,
                },
            },
            TemplateParameter::DateTime {
                date_time: DateTime {
                    fallback_value: "February 25, 1977".into(),
                },
            },
        ]))
        .with_component(TemplateComponent::quick_reply(0, "STOP_PROMOS"))
        .with_component(TemplateComponent::url_button(1, "order/12345"))
}

pub fn reference_template_json() -> Value {
    with_individual(
        json!({"messaging_product":"whatsapp","to":"16505551234","type":"template",
        "template":{
          "name":"order_update",
          "language":{"code":"en_US"},
          "components":[
            {"type":"header","parameters":[{"type":"image","image":{"link":"https://example.com/p.jpg"}}]},
            {"type":"body","parameters":[
               {"type":"text","text":"Jessica"},
               {"type":"currency","currency":{"fallback_value":"$100.99","code":"USD","amount_1000":100990}},
               {"type":"date_time","date_time":{"fallback_value":"February 25, 1977"}}]},
            {"type":"button","sub_type":"quick_reply","index":"0",
             "parameters":[{"type":"payload","payload":"STOP_PROMOS"}]},
            {"type":"button","sub_type":"url","index":"1",
             "parameters":[{"type":"text","text":"order/12345"}]}
          ]}}),
    )
}

pub fn reference_buttons() -> Interactive {
    Interactive::buttons(
        "Reschedule your delivery?",
        vec![
            ReplyButton::new("resched-yes", "Yes"),
            ReplyButton::new("resched-no", "No"),
        ],
    )
    .with_header_text("Delivery")
    .with_footer("Acme Logistics")
}

pub fn reference_buttons_json() -> Value {
    with_individual(
        json!({"messaging_product":"whatsapp","to":"16505551234","type":"interactive",
     "interactive":{"type":"button",
       "header":{"type":"text","text":"Delivery"},
       "body":{"text":"Reschedule your delivery?"},
       "footer":{"text":"Acme Logistics"},
       "action":{"buttons":[
         {"type":"reply","reply":{"id":"resched-yes","title":"Yes"}},
         {"type":"reply","reply":{"id":"resched-no","title":"No"}}]}}}),
    )
}

pub fn reference_list() -> Interactive {
    Interactive::list(
        "Choose a delivery slot",
        "Pick a slot",
        vec![ListSection::new(
            "Tomorrow",
            vec![
                ListRow::new("slot-1", "08:00-12:00").with_description("Morning"),
                ListRow::new("slot-2", "12:00-18:00").with_description("Afternoon"),
            ],
        )],
    )
    .with_header_text("Shipping")
    .with_footer("Times are local")
}

pub fn reference_list_json() -> Value {
    with_individual(
        json!({"messaging_product":"whatsapp","to":"16505551234","type":"interactive",
     "interactive":{"type":"list",
       "header":{"type":"text","text":"Shipping"},
       "body":{"text":"Choose a delivery slot"},
       "footer":{"text":"Times are local"},
       "action":{"button":"Pick a slot","sections":[
         {"title":"Tomorrow","rows":[
           {"id":"slot-1","title":"08:00-12:00","description":"Morning"},
           {"id":"slot-2","title":"12:00-18:00","description":"Afternoon"}]}]}}}),
    )
}

#[test]
fn text() {
    let m = OutgoingMessage::text(TO, "See https://example.com").with_preview_url(true);
    assert_wire(
        &m,
        json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
               "type":"text","text":{"preview_url":true,"body":"See https://example.com"}}),
    );
    let reply = OutgoingMessage::text(TO, "ok")
        .with_reply_to("wamid.Q")
        .with_callback_data("our-42");
    assert_wire(
        &reply,
        json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
               "type":"text","text":{"preview_url":false,"body":"ok"},
               "context":{"message_id":"wamid.Q"},"biz_opaque_callback_data":"our-42"}),
    );
}

#[test]
fn bsuid_recipient_replaces_to() {
    let m = OutgoingMessage::text(Recipient::UserId("US.13491208655302741918".into()), "hi");
    assert_wire(
        &m,
        json!({"messaging_product":"whatsapp","recipient_type":"individual",
               "recipient":"US.13491208655302741918","type":"text",
               "text":{"preview_url":false,"body":"hi"}}),
    );
    assert_eq!(
        m.target(),
        Some(Recipient::UserId("US.13491208655302741918".into()))
    );
}

#[test]
fn media() {
    let image = OutgoingMessage::media(
        TO,
        MediaKind::Image,
        MediaBody::id("1479537139650973").with_caption("Your receipt"),
    );
    assert_wire(
        &image,
        with_individual(
            json!({"messaging_product":"whatsapp","to":"16505551234","type":"image",
            "image":{"id":"1479537139650973","caption":"Your receipt"}}),
        ),
    );
    let doc = OutgoingMessage::media(
        TO,
        MediaKind::Document,
        MediaBody::link("https://files.example.com/inv.pdf")
            .with_filename("inv.pdf")
            .with_caption("Invoice"),
    );
    assert_wire(
        &doc,
        with_individual(
            json!({"messaging_product":"whatsapp","to":"16505551234","type":"document",
            "document":{"link":"https://files.example.com/inv.pdf","filename":"inv.pdf","caption":"Invoice"}}),
        ),
    );
    for (kind, name) in [
        (MediaKind::Video, "video"),
        (MediaKind::Audio, "audio"),
        (MediaKind::Sticker, "sticker"),
    ] {
        let m = OutgoingMessage::media(TO, kind, MediaBody::id("9"));
        let mut expected =
            with_individual(json!({"messaging_product":"whatsapp","to":TO,"type":name}));
        expected[name] = json!({"id":"9"});
        assert_wire(&m, expected);
    }
    let voice = OutgoingMessage::media(TO, MediaKind::Audio, MediaBody::id("7").with_voice(true));
    assert_eq!(
        serde_json::to_value(&voice).unwrap()["audio"],
        json!({"id":"7","voice":true})
    );
}

#[test]
fn template_matches_reference() {
    assert_wire(
        &OutgoingMessage::template(TO, reference_template()),
        reference_template_json(),
    );
    // Named parameters and a numeric index are accepted when reading.
    let named = json!({"messaging_product":"whatsapp","to":TO,"type":"template","template":{
        "name":"t","language":{"code":"en","policy":"deterministic"},"components":[
        {"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Ana"}]},
        {"type":"button","sub_type":"quick_reply","index":0,"parameters":[{"type":"payload","payload":"P"}]}]}});
    let m: OutgoingMessage = serde_json::from_value(named).unwrap();
    let whatsapp::outgoing::OutgoingContent::Template { template } = &m.content else {
        panic!()
    };
    assert_eq!(
        template.components[0].parameters[0],
        TemplateParameter::named("first_name", "Ana")
    );
    assert_eq!(template.components[1].index.as_deref(), Some("0"));
}

#[test]
fn interactive_matches_reference() {
    assert_wire(
        &OutgoingMessage::interactive(TO, reference_buttons()),
        reference_buttons_json(),
    );
    assert_wire(
        &OutgoingMessage::interactive(TO, reference_list()),
        reference_list_json(),
    );
    // Other interactive kinds keep their action fields.
    let cta = json!({"messaging_product":"whatsapp","recipient_type":"individual","to":TO,
        "type":"interactive","interactive":{"type":"cta_url","body":{"text":"Open"},
        "action":{"name":"cta_url","parameters":{"display_text":"Go","url":"https://ex.com"}}}});
    let m: OutgoingMessage = serde_json::from_value(cta.clone()).unwrap();
    assert_eq!(serde_json::to_value(&m).unwrap(), cta);
}

#[test]
fn reaction_location_contacts() {
    assert_wire(
        &OutgoingMessage::reaction(TO, "wamid.HBgL...", "\u{1F44D}"),
        json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
               "type":"reaction","reaction":{"message_id":"wamid.HBgL...","emoji":"\u{1F44D}"}}),
    );
    let mut loc = Location::new(37.4847, -122.1473);
    loc.name = Some("Meta HQ".into());
    loc.address = Some("1 Hacker Way, Menlo Park, CA".into());
    assert_wire(
        &OutgoingMessage::location(TO, loc),
        with_individual(
            json!({"messaging_product":"whatsapp","to":"16505551234","type":"location",
            "location":{"latitude":37.4847,"longitude":-122.1473,"name":"Meta HQ","address":"1 Hacker Way, Menlo Park, CA"}}),
        ),
    );
    let card = ContactCard {
        name: Some(ContactName {
            formatted_name: "Ana Lopez".into(),
            first_name: Some("Ana".into()),
            ..ContactName::default()
        }),
        phones: vec![ContactPhone {
            phone: Some("+14155550123".into()),
            wa_id: Some("14155550123".into()),
            kind: Some("WORK".into()),
        }],
        ..ContactCard::default()
    };
    assert_wire(
        &OutgoingMessage::contacts(TO, vec![card]),
        with_individual(
            json!({"messaging_product":"whatsapp","to":TO,"type":"contacts",
            "contacts":[{"name":{"formatted_name":"Ana Lopez","first_name":"Ana"},
            "phones":[{"phone":"+14155550123","wa_id":"14155550123","type":"WORK"}]}]}),
        ),
    );
}

#[test]
fn mark_read_and_request_dispatch() {
    let plain =
        json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.HBgL..."});
    assert_eq!(
        serde_json::to_value(MarkReadRequest::new("wamid.HBgL...", false)).unwrap(),
        plain
    );
    let typing = json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.HBgL...",
                        "typing_indicator":{"type":"text"}});
    assert_eq!(
        serde_json::to_value(MarkReadRequest::new("wamid.HBgL...", true)).unwrap(),
        typing
    );
    assert!(matches!(
        serde_json::from_value::<MessagesRequest>(typing).unwrap(),
        MessagesRequest::MarkRead(r) if r.typing_indicator.is_some()
    ));
    // Invalid sends are rejected when read.
    for bad in [
        json!({"messaging_product":"whatsapp","to":TO,"type":"text"}),
        json!({"messaging_product":"whatsapp","to":TO,"type":"hologram","hologram":{}}),
        json!({"to":TO,"type":"text","text":{"body":"x"}}),
    ] {
        assert!(
            serde_json::from_value::<MessagesRequest>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn send_response() {
    let body = json!({
      "messaging_product": "whatsapp",
      "contacts": [ { "input": "+1 650-555-1234", "wa_id": "16505551234" } ],
      "messages": [ { "id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", "message_status": "accepted" } ]
    });
    let r: SendResponse = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(
        r.message_id(),
        Some("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA")
    );
    assert_eq!(r.wa_id(), Some("16505551234"));
    assert_eq!(r.contacts[0].input, "+1 650-555-1234");
    assert_eq!(r.messages[0].message_status.as_deref(), Some("accepted"));
    assert_eq!(serde_json::to_value(&r).unwrap(), body);
}
