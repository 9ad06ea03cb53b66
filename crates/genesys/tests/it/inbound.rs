//! Receipts, customer events and attachments sent to the sandbox through
//! the client: recorded when valid, refused like Genesys when not.

use genesys::GenesysError;
use genesys::wire::{
    Attachment, Content, InboundChannel, InboundEvent, Party, Reason, Receipt, ReceiptChannel,
    Typing, TypingEvent,
};

use crate::common::{CUSTOMER, Env, text_from};

fn status_of(e: &GenesysError) -> u16 {
    match e {
        GenesysError::Status { status, .. } => *status,
        other => panic!("expected a Status error, got {other:?}"),
    }
}

#[tokio::test]
async fn receipts_and_events_are_recorded_or_refused() {
    let env = Env::start().await;
    let s = env.session();
    let integration = env.integration("https://bridge.example.com/a").await.id;
    let mut receipt = Receipt {
        id: "f1c3b2e5a3d84c5d9b1f6f2a9d7c0e11".to_owned(),
        channel: ReceiptChannel {
            to: Party::phone(CUSTOMER),
            time: "2025-06-08T21:00:13.000Z".to_owned(),
        },
        status: "Failed".to_owned(),
        direction: "Outbound".to_owned(),
        is_final_receipt: true,
        reasons: vec![Reason {
            code: genesys::wire::reason_for_whatsapp_code(Some(131_047)).to_owned(),
            message: Some("WhatsApp error 131047".to_owned()),
        }],
    };
    env.client
        .send_receipt(&s, &integration, &receipt)
        .await
        .unwrap();
    let recorded = env.sandbox.receipts();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].integration, integration);
    assert_eq!(recorded[0].body, receipt);
    assert_eq!(recorded[0].body.reasons[0].code, "MessageExpired");

    receipt.status = "Bounced".to_owned();
    let err = env
        .client
        .send_receipt(&s, &integration, &receipt)
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 400);
    assert_eq!(env.sandbox.receipts().len(), 1);

    let mut event = InboundEvent {
        channel: InboundChannel {
            message_id: None,
            from: Party::phone(CUSTOMER),
            time: "2025-06-08T21:04:00.000Z".to_owned(),
            metadata: None,
        },
        events: vec![TypingEvent {
            event_type: "Typing".to_owned(),
            typing: Some(Typing {
                kind: "On".to_owned(),
                duration: None,
            }),
        }],
    };
    env.client
        .send_event(&s, &integration, &event)
        .await
        .unwrap();
    assert_eq!(env.sandbox.events().len(), 1);
    assert_eq!(env.sandbox.events()[0].body, event);

    event.events.clear();
    let err = env
        .client
        .send_event(&s, &integration, &event)
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 400);
    assert_eq!(env.sandbox.events().len(), 1);
}

#[tokio::test]
async fn attachments_are_fetched_when_the_message_arrives() {
    let env = Env::start().await;
    let s = env.session();
    let integration = env.integration("https://bridge.example.com/a").await.id;
    let mut message = text_from(CUSTOMER, None, "This one");
    message.content = vec![
        Content::attachment(Attachment {
            media_type: "Image".to_owned(),
            url: format!("{}/downloads/missing", env.sandbox.base_url()),
            mime: Some("image/jpeg".to_owned()),
            filename: Some("photo.jpg".to_owned()),
            ..Attachment::default()
        }),
        Content::attachment(Attachment {
            media_type: "File".to_owned(),
            url: "http://127.0.0.1:9/nothing-listens-here".to_owned(),
            ..Attachment::default()
        }),
    ];
    env.client
        .send_message(&s, &integration, &message)
        .await
        .unwrap();
    let fetched = &env.sandbox.inbound()[0].fetched;
    assert_eq!(fetched.len(), 2);
    assert_eq!(fetched[0].status, 404);
    assert_eq!(fetched[1].status, 0);

    message.content[0].attachment.as_mut().unwrap().media_type = "Hologram".to_owned();
    let err = env
        .client
        .send_message(&s, &integration, &message)
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 400);
}
