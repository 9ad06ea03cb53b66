//! Fidelity test: emit every kind of webhook and compare with the fixtures.

use sandbox::{
    ContactCard, ContactName, ContactPhone, Faults, InboundContent, InboundMedia, InboundMessage,
    NumberSpec, Referral, TemplateSpec, TemplateStatusUpdate, WebhookFaults,
};
use serde_json::json;

use crate::common::*;
use crate::shape::assert_fits;

fn inbound(content: InboundContent) -> InboundMessage {
    let mut m = InboundMessage::new(PNID, CUSTOMER, content);
    m.profile_name = Some("Sheena Nelson".into());
    m
}

#[tokio::test]
async fn every_emitted_webhook_fits_the_reference_fixtures() {
    let env = Env::start().await;
    let sb = &env.sb;
    let media = |caption: Option<&str>| InboundMedia {
        caption: caption.map(str::to_owned),
        ..Default::default()
    };

    // Inbound messages of every type with a fixture.
    let first = sb
        .send_inbound(inbound(InboundContent::Text { body: "Hi".into() }))
        .unwrap()
        .id;
    assert_fits("text", &env.rx.wait_body(&first).await, &["inbound-text"]);
    let ours = wamid(&env.send(text(CUSTOMER, "Which colour?")).await.1);
    let mut reply = inbound(InboundContent::Text {
        body: "Blue".into(),
    });
    reply.context = Some(ours.clone());
    let cases: Vec<(&str, InboundMessage, &[&str])> = vec![
        ("reply", reply, &["inbound-text-reply-context"]),
        (
            "image",
            inbound(InboundContent::Image(media(Some("This one")))),
            &["inbound-image"],
        ),
        (
            "document",
            inbound(InboundContent::Document(InboundMedia {
                filename: Some("a.pdf".into()),
                ..media(Some("c"))
            })),
            &["inbound-document"],
        ),
        (
            "voice",
            inbound(InboundContent::Audio(InboundMedia {
                voice: true,
                ..media(None)
            })),
            &["inbound-audio-voice"],
        ),
        (
            "location",
            inbound(InboundContent::Location {
                latitude: 37.48,
                longitude: -122.14,
                name: Some("HQ".into()),
                address: Some("1 Hacker Way".into()),
                url: Some("https://www.meta.com".into()),
            }),
            &["inbound-location"],
        ),
        (
            "contacts",
            inbound(InboundContent::Contacts {
                contacts: vec![ContactCard {
                    name: ContactName {
                        formatted_name: "Ana Lopez".into(),
                        first_name: Some("Ana".into()),
                        last_name: Some("Lopez".into()),
                    },
                    phones: vec![ContactPhone {
                        phone: "+1 415".into(),
                        wa_id: Some("1415".into()),
                        kind: Some("CELL".into()),
                    }],
                }],
            }),
            &["inbound-contacts"],
        ),
        (
            "reaction",
            inbound(InboundContent::Reaction {
                message_id: ours.clone(),
                emoji: "\u{1F44D}".into(),
            }),
            &["inbound-reaction"],
        ),
        (
            "unsupported",
            inbound(InboundContent::Unsupported),
            &["inbound-unsupported"],
        ),
        (
            "system",
            inbound(InboundContent::System {
                new_wa_id: "16505559876".into(),
                body: None,
            }),
            &["inbound-system-number-change"],
        ),
    ];
    for (what, msg, fixtures) in cases {
        let id = sb.send_inbound(msg).unwrap().id;
        assert_fits(what, &env.rx.wait_body(&id).await, fixtures);
    }
    // No video fixture: a video carries the same keys as an image.
    let id = sb
        .send_inbound(inbound(InboundContent::Video(media(Some("clip")))))
        .unwrap()
        .id;
    let mut video = env.rx.wait_body(&id).await;
    let msg = &mut video["entry"][0]["changes"][0]["value"]["messages"][0];
    let content = msg.as_object_mut().unwrap().remove("video").unwrap();
    msg["image"] = content;
    msg["type"] = json!("image");
    assert_fits("video", &video, &["inbound-image"]);
    let mut ad = inbound(InboundContent::Text {
        body: "I saw your ad".into(),
    });
    ad.referral = Some(Referral {
        source_url: "https://fb.me/x".into(),
        source_id: "1".into(),
        source_type: "ad".into(),
        headline: Some("Sale".into()),
        body: Some("20% off".into()),
        media_type: Some("image".into()),
        image_url: Some("https://x/ad.jpg".into()),
        ctwa_clid: Some("ARA".into()),
        ..Referral::default()
    });
    let id = sb.send_inbound(ad).unwrap().id;
    assert_fits(
        "referral",
        &env.rx.wait_body(&id).await,
        &["inbound-referral-ctwa"],
    );

    // Interactive replies and template quick replies.
    let buttons = json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "interactive", "interactive": {
        "type": "button", "body": {"text": "Reschedule?"}, "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]}}});
    assert_eq!(env.send(buttons).await.0, 200);
    let id = sb
        .send_inbound(inbound(InboundContent::ButtonReply {
            id: "y".into(),
            title: "Yes".into(),
        }))
        .unwrap()
        .id;
    assert_fits(
        "button_reply",
        &env.rx.wait_body(&id).await,
        &["inbound-interactive-button-reply"],
    );
    let id = sb
        .send_inbound(inbound(InboundContent::ListReply {
            id: "slot-2".into(),
            title: "12-18".into(),
            description: Some("PM".into()),
        }))
        .unwrap()
        .id;
    assert_fits(
        "list_reply",
        &env.rx.wait_body(&id).await,
        &["inbound-interactive-list-reply"],
    );
    let tpl = env.seed_template("order_update");
    assert_eq!(
        env.send(template(CUSTOMER, "order_update", &["Ana"]))
            .await
            .0,
        200
    );
    let id = sb
        .send_inbound(inbound(InboundContent::Button {
            payload: "STOP".into(),
            text: "Stop".into(),
        }))
        .unwrap()
        .id;
    assert_fits(
        "button",
        &env.rx.wait_body(&id).await,
        &["inbound-template-quick-reply-button"],
    );

    // Statuses: sent / delivered / read with biz_opaque_callback_data.
    let mut body = text(CUSTOMER, "tracked");
    body["biz_opaque_callback_data"] = json!("genesys-msg:1");
    let tracked = wamid(&env.send(body).await.1);
    env.rx.wait_status(&tracked, "read").await;
    for (status, fixture) in [
        ("sent", "status-sent"),
        ("delivered", "status-delivered"),
        ("read", "status-read"),
    ] {
        let hit = env.rx.accepted().into_iter().find(|b| {
            b["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] == tracked.as_str()
                && b["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == status
        });
        assert_fits(status, &hit.unwrap(), &[fixture]);
    }
    // Failed 131047 (window closed) and 131026 (unreachable).
    let closed = wamid(&env.send(text("14155550777", "outside window")).await.1);
    env.rx.wait_status(&closed, "failed").await;
    assert_fits(
        "failed-131047",
        &env.rx.wait_body(&closed).await,
        &["status-failed-131047"],
    );
    sb.set_customer(
        "14155550888",
        sandbox::CustomerProfile {
            reachable: false,
            ..Default::default()
        },
    );
    sb.send_text(PNID, "14155550888", "hi").unwrap();
    let gone = wamid(&env.send(text("14155550888", "x")).await.1);
    env.rx.wait_status(&gone, "failed").await;
    let body = env
        .rx
        .accepted()
        .into_iter()
        .find(|b| b.to_string().contains(&gone))
        .unwrap();
    assert_fits("failed-131026", &body, &["status-failed-131026"]);

    // Template status updates.
    sb.set_template_status(&tpl, TemplateStatusUpdate::new("APPROVED"))
        .unwrap();
    assert_fits(
        "approved",
        &env.rx.wait_body("\"APPROVED\"").await,
        &["template-status-update-approved"],
    );
    let mut spec = TemplateSpec::approved(WABA, "summer_promo", "en");
    spec.status = "PENDING".into();
    let promo = sb.add_template(spec).unwrap().id;
    let update = TemplateStatusUpdate {
        status: "REJECTED".into(),
        reason: Some("INVALID_FORMAT".into()),
        rejection_info: Some(json!({"reason": "r", "recommendation": "x"})),
    };
    sb.set_template_status(&promo, update).unwrap();
    assert_fits(
        "rejected",
        &env.rx.wait_body("\"REJECTED\"").await,
        &["template-status-update-rejected"],
    );

    // Value-level errors.
    sb.emit_system_error(PNID, 131000, Some("Internal error processing the request."))
        .unwrap();
    assert_fits(
        "errors",
        &env.rx.wait_body("Internal error processing").await,
        &["value-level-errors"],
    );

    // A batch mixing messages and statuses of two WABAs.
    sb.add_number(NumberSpec::new(
        "113982746610537",
        "209381726354821",
        "tok-b",
    ))
    .unwrap();
    sb.pause_webhooks();
    sb.send_text(PNID, CUSTOMER, "batched 1").unwrap();
    sb.send_text("113982746610537", "447700900123", "batched 2")
        .unwrap();
    let batched = wamid(&env.send(text(CUSTOMER, "batched status")).await.1);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    sb.set_faults(Faults {
        webhook: WebhookFaults {
            batch_max: 50,
            ..Default::default()
        },
        ..Faults::default()
    })
    .unwrap();
    sb.resume_webhooks();
    let batch = env.rx.wait_body("batched 2").await;
    assert!(batch["entry"].as_array().unwrap().len() >= 2, "{batch:#}");
    let _ = batched;
    assert_fits(
        "batch",
        &batch,
        &[
            "multi-entry-batch-two-numbers",
            "inbound-text",
            "status-sent",
            "status-delivered",
            "status-read",
        ],
    );

    // And everything ever delivered fits the union of all fixtures.
    let all = [
        "inbound-audio-voice",
        "inbound-contacts",
        "inbound-document",
        "inbound-image",
        "inbound-interactive-button-reply",
        "inbound-interactive-list-reply",
        "inbound-location",
        "inbound-reaction",
        "inbound-referral-ctwa",
        "inbound-system-number-change",
        "inbound-template-quick-reply-button",
        "inbound-text-reply-context",
        "inbound-text",
        "inbound-unsupported",
        "multi-entry-batch-two-numbers",
        "status-delivered",
        "status-failed-131026",
        "status-failed-131047",
        "status-read",
        "status-sent",
        "template-status-update-approved",
        "template-status-update-rejected",
        "value-level-errors",
    ];
    let hits = env.rx.hits();
    assert!(hits.iter().all(|h| h.signature_ok));
    // (The video body was checked above against the image fixture.)
    for h in hits
        .into_iter()
        .filter(|h| !contains(&h.body, "\"video\":{"))
    {
        assert_fits("any", &h.json, &all);
    }
}
