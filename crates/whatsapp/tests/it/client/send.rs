//! Message sends: exact bodies, paths, headers and local validation.

use axum::http::header;
use serde_json::json;
use whatsapp::outgoing::{MediaBody, MediaKind, SendOptions};
use whatsapp::shared::Location;
use whatsapp::{GraphClient, GraphError, OutgoingMessage, Recipient};

use super::{PHONE_ID, Server, TOKEN, assert_bearer, send_ok};
use crate::outgoing::{
    reference_buttons, reference_buttons_json, reference_list, reference_list_json,
    reference_template, reference_template_json,
};

#[tokio::test]
async fn sends_every_message_kind_with_exact_bodies() {
    let server = Server::start().await;
    let client = server.client();
    let to = "16505551234";
    let none = SendOptions::default();
    let opts = SendOptions {
        reply_to: Some("wamid.QUOTED".into()),
        biz_opaque_callback_data: Some("msg-7".into()),
    };

    server.reply_json(200, send_ok("wamid.T1"));
    let r = client
        .send_text(PHONE_ID, TOKEN, to, "See https://example.com", true, &opts)
        .await
        .unwrap();
    assert_eq!(r.message_id(), Some("wamid.T1"));
    let req = server.last();
    assert_eq!(req.method, "POST");
    assert_eq!(req.uri, format!("/v23.0/{PHONE_ID}/messages"));
    assert_bearer(&req);
    assert!(
        req.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        req.json(),
        json!({"messaging_product":"whatsapp","recipient_type":"individual","to":to,"type":"text",
               "text":{"preview_url":true,"body":"See https://example.com"},
               "context":{"message_id":"wamid.QUOTED"},"biz_opaque_callback_data":"msg-7"})
    );

    let doc = MediaBody::link("https://files.example.com/inv.pdf")
        .with_filename("inv.pdf")
        .with_caption("Invoice");
    client
        .send_media(PHONE_ID, TOKEN, to, MediaKind::Document, doc, &none)
        .await
        .unwrap();
    assert_eq!(
        server.last().json(),
        json!({"messaging_product":"whatsapp","recipient_type":"individual","to":to,"type":"document",
               "document":{"link":"https://files.example.com/inv.pdf","filename":"inv.pdf","caption":"Invoice"}})
    );
    for (kind, name) in [
        (MediaKind::Image, "image"),
        (MediaKind::Video, "video"),
        (MediaKind::Audio, "audio"),
        (MediaKind::Sticker, "sticker"),
    ] {
        client
            .send_media(
                PHONE_ID,
                TOKEN,
                to,
                kind,
                MediaBody::id("1479537139650973"),
                &none,
            )
            .await
            .unwrap();
        let body = server.last().json();
        assert_eq!(body["type"], name);
        assert_eq!(body[name], json!({"id":"1479537139650973"}));
    }

    client
        .send_template(PHONE_ID, TOKEN, to, reference_template(), &none)
        .await
        .unwrap();
    assert_eq!(server.last().json(), reference_template_json());
    client
        .send_interactive(PHONE_ID, TOKEN, to, reference_buttons(), &none)
        .await
        .unwrap();
    assert_eq!(server.last().json(), reference_buttons_json());
    client
        .send_interactive(PHONE_ID, TOKEN, to, reference_list(), &none)
        .await
        .unwrap();
    assert_eq!(server.last().json(), reference_list_json());

    client
        .send_reaction(PHONE_ID, TOKEN, to, "wamid.HBgL...", "\u{1F44D}", &none)
        .await
        .unwrap();
    assert_eq!(
        server.last().json(),
        json!({"messaging_product":"whatsapp","recipient_type":"individual","to":to,
               "type":"reaction","reaction":{"message_id":"wamid.HBgL...","emoji":"\u{1F44D}"}})
    );
    let mut loc = Location::new(37.4847, -122.1473);
    loc.name = Some("Meta HQ".into());
    client
        .send_location(PHONE_ID, TOKEN, to, loc, &opts)
        .await
        .unwrap();
    let body = server.last().json();
    assert_eq!(
        body["location"],
        json!({"latitude":37.4847,"longitude":-122.1473,"name":"Meta HQ"})
    );
    assert_eq!(body["biz_opaque_callback_data"], "msg-7");
    client
        .send_contacts(PHONE_ID, TOKEN, to, vec![Default::default()], &none)
        .await
        .unwrap();
    assert_eq!(server.last().json()["contacts"], json!([{}]));

    let bsuid = Recipient::UserId("US.13491208655302741918".into());
    client
        .send_text(PHONE_ID, TOKEN, bsuid, "hi", false, &none)
        .await
        .unwrap();
    let body = server.last().json();
    assert_eq!(body["recipient"], "US.13491208655302741918");
    assert!(body.get("to").is_none());

    server.reply_json(200, json!({"success": true}));
    client
        .mark_as_read(PHONE_ID, TOKEN, "wamid.IN", true)
        .await
        .unwrap();
    assert_eq!(
        server.last().json(),
        json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN",
               "typing_indicator":{"type":"text"}})
    );
    server.reply_json(200, json!({"success": true}));
    client
        .mark_as_read(PHONE_ID, TOKEN, "wamid.IN", false)
        .await
        .unwrap();
    assert!(server.last().json().get("typing_indicator").is_none());

    for r in server.requests() {
        assert_bearer(&r);
    }
}

#[tokio::test]
async fn template_send_with_message_status() {
    let server = Server::start().await;
    server.reply_json(
        200,
        json!({"messaging_product":"whatsapp",
        "contacts":[{"input":"+1 650-555-1234","wa_id":"16505551234"}],
        "messages":[{"id":"wamid.X","message_status":"held_for_quality_assessment"}]}),
    );
    let msg = OutgoingMessage::template("+1 650-555-1234", reference_template());
    let r = server.client().send(PHONE_ID, TOKEN, &msg).await.unwrap();
    assert_eq!(r.contacts[0].input, "+1 650-555-1234");
    assert_eq!(r.wa_id(), Some("16505551234"));
    assert_eq!(
        r.messages[0].message_status.as_deref(),
        Some("held_for_quality_assessment")
    );
}

#[tokio::test]
async fn local_validation_sends_nothing() {
    let server = Server::start().await;
    let client = server.client();
    let none = SendOptions::default();
    let both = MediaBody {
        id: Some("1".into()),
        link: Some("https://x".into()),
        ..MediaBody::default()
    };
    let err = client
        .send_media(PHONE_ID, TOKEN, "1", MediaKind::Image, both, &none)
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::InvalidInput(_)));
    let long = SendOptions {
        biz_opaque_callback_data: Some("x".repeat(513)),
        ..none.clone()
    };
    assert!(
        client
            .send_text(PHONE_ID, TOKEN, "1", "x", false, &long)
            .await
            .is_err()
    );
    assert!(
        client
            .send_text(PHONE_ID, "bad token\n", "1", "x", false, &none)
            .await
            .is_err()
    );
    assert!(
        client
            .send_text(PHONE_ID, "", "1", "x", false, &none)
            .await
            .is_err()
    );
    assert!(
        client
            .send_text("", TOKEN, "1", "x", false, &none)
            .await
            .is_err()
    );
    assert!(
        client
            .send_text("..", TOKEN, "1", "x", false, &none)
            .await
            .is_err()
    );
    assert!(server.requests().is_empty());
    // The token never shows up in errors.
    let err = client
        .send_text(PHONE_ID, "bad token\n", "1", "x", false, &none)
        .await
        .unwrap_err();
    assert!(!format!("{err:?} {err}").contains("bad token"));
}

#[tokio::test]
async fn path_segments_are_encoded_and_prefix_kept() {
    let server = Server::start().await;
    let client = GraphClient::builder()
        .base_url(format!("{}/graph/", server.base))
        .api_version("v25.0")
        .build()
        .unwrap();
    assert_eq!(client.api_version(), "v25.0");
    client
        .send_text("12/../34", TOKEN, "1", "x", false, &SendOptions::default())
        .await
        .unwrap();
    assert_eq!(server.last().uri, "/graph/v25.0/12%2F..%2F34/messages");
    assert!(
        GraphClient::builder()
            .base_url("not a url")
            .build()
            .is_err()
    );
    assert!(GraphClient::builder().base_url("ftp://x").build().is_err());
    assert!(
        GraphClient::builder()
            .api_version("v1/../x")
            .build()
            .is_err()
    );
    let default = GraphClient::new().unwrap();
    assert_eq!(default.base_url().as_str(), "https://graph.facebook.com/");
    assert_eq!(default.api_version(), "v23.0");
}
