//! Wire-type rules beyond the fixtures: both nickname spellings, unknown
//! fields, other content kinds, conversation state and receipt reasons.

use genesys::wire::{
    Conversation, OutboundMessage, Participant, Party, TokenResponse, reason_for_whatsapp_code,
};
use serde_json::json;

#[test]
fn nickname_is_read_in_both_spellings_and_unknown_fields_are_ignored() {
    let p: Party = serde_json::from_value(json!({
        "id": "1", "idType": "Opaque", "nickName": "Acme", "image": "https://x", "email": "a@b"
    }))
    .unwrap();
    assert_eq!(p.nickname.as_deref(), Some("Acme"));
    let written = serde_json::to_value(&p).unwrap();
    assert_eq!(
        written,
        json!({ "id": "1", "idType": "Opaque", "nickname": "Acme" })
    );
}

#[test]
fn structured_content_keeps_its_fields() {
    let body = json!({
        "id": "m1",
        "channel": { "id": "i1", "to": { "id": "16505551234" }, "futureField": 1 },
        "type": "Structured",
        "text": "Pick one",
        "content": [{ "contentType": "QuickReply",
                      "quickReply": { "text": "Yes", "payload": "yes", "action": "Message" } }],
        "somethingNew": true
    });
    let m: OutboundMessage = serde_json::from_value(body).unwrap();
    assert_eq!(m.content[0].content_type, "QuickReply");
    assert!(m.content[0].attachment.is_none());
    assert_eq!(m.content[0].other["quickReply"]["payload"], "yes");
    let back = serde_json::to_value(&m).unwrap();
    assert_eq!(back["content"][0]["quickReply"]["text"], "Yes");
    assert!(back.get("somethingNew").is_none());
}

#[test]
fn a_conversation_ends_when_every_participant_left() {
    let p = |state: &str| Participant {
        purpose: Some("agent".to_owned()),
        state: Some(state.to_owned()),
    };
    let c = |participants| Conversation {
        id: "c".to_owned(),
        participants,
    };
    assert!(!c(vec![]).ended());
    assert!(!c(vec![p("connected"), p("disconnected")]).ended());
    assert!(c(vec![p("disconnected"), p("terminated")]).ended());
    assert!(!c(vec![Participant::default()]).ended());
}

#[test]
fn whatsapp_error_codes_become_receipt_reasons() {
    let cases = [
        (Some(131_047), "MessageExpired"),
        (Some(130_429), "RateLimited"),
        (Some(131_056), "RateLimited"),
        (Some(131_048), "RateLimited"),
        (Some(80_007), "RateLimited"),
        (Some(131_026), "InvalidDestination"),
        (Some(131_021), "InvalidDestination"),
        (Some(131_030), "InvalidDestination"),
        (Some(131_050), "RecipientOptedOut"),
        (Some(130_472), "MessageNotAllowed"),
        (Some(131_051), "UnsupportedMessage"),
        (Some(131_052), "MediaTypeNotAllowed"),
        (Some(131_053), "InvalidMediaContentLength"),
        (Some(132_000), "InvalidMessageStructure"),
        (Some(132_012), "InvalidMessageStructure"),
        (Some(132_016), "InvalidMessageStructure"),
        (Some(131_000), "ServerError"),
        (Some(131_016), "ServerError"),
        (Some(1), "ServerError"),
        (Some(2), "ServerError"),
        (Some(131_031), "GeneralError"),
        (Some(-5), "GeneralError"),
        (None, "GeneralError"),
    ];
    for (code, reason) in cases {
        assert_eq!(reason_for_whatsapp_code(code), reason, "{code:?}");
    }
}

#[test]
fn the_token_answer_is_snake_case() {
    let t: TokenResponse = serde_json::from_value(json!({
        "access_token": "abc", "token_type": "bearer", "expires_in": 86399
    }))
    .unwrap();
    assert_eq!((t.access_token.as_str(), t.expires_in), ("abc", 86_399));
}
