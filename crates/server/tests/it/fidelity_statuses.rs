//! WhatsApp fidelity for statuses: `played`, late and repeated statuses
//! kept in the history and reported, and statuses that come together in
//! one body or one batch applied as if one after the other.

use crate::channels::{PNID_A, WABA_A, conversations};
use crate::fidelity::{CUSTOMER, deliver, events, hook, only_messages, text, value_a};
use serde_json::{Value, json};
use testkit::{TestTenant, WhatsAppTest, each_engine_with_sandbox};

/// `played` (a voice note) moves a read message on; a `delivered` that
/// arrives after `read` stays in the history, flagged, and is reported,
/// while the message stays read.
#[tokio::test]
async fn played_applies_and_a_late_status_is_kept_and_reported() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fid-status").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        deliver(
            &wa,
            &hook(
                WABA_A,
                "messages",
                value_a(
                    json!({ "messages": [text(CUSTOMER, "wamid.IN", "send me a voice note")] }),
                ),
            ),
        )
        .await;
        let id = sent_voice_note(&wa, &t, "wamid.OUT1").await;
        let status = |s: &str, at: &str| {
            hook(
                WABA_A,
                "messages",
                value_a(json!({ "statuses": [{ "id": "wamid.OUT1", "status": s,
                "timestamp": at, "recipient_id": CUSTOMER }] })),
            )
        };
        let current = || async {
            let msgs = only_messages(&wa, &t).await;
            msgs.iter()
                .find(|m| m["id"] == json!(id.to_string()))
                .unwrap()["status"]
                .clone()
        };
        deliver(&wa, &status("sent", "1749416400")).await;
        deliver(&wa, &status("read", "1749416460")).await;
        // Meta's `delivered` comes after `read`, and is redelivered.
        deliver(&wa, &status("delivered", "1749416430")).await;
        deliver(&wa, &status("delivered", "1749416430")).await;
        assert_eq!(current().await, json!("read"));
        let late: Vec<_> = events(&wa, &t)
            .await
            .into_iter()
            .filter(|(n, _)| n == "message.status_out_of_order")
            .collect();
        assert_eq!(late.len(), 1, "reported once: {late:?}");
        assert_eq!(late[0].1["message_id"], json!(id.to_string()));
        assert_eq!(
            (&late[0].1["status"], &late[0].1["current_status"]),
            (&json!("delivered"), &json!("read"))
        );
        assert_eq!(
            history(&wa, &t, id).await,
            owned(&[("sent", false), ("delivered", true), ("read", false)])
        );

        deliver(&wa, &status("played", "1749416500")).await;
        assert_eq!(current().await, json!("played"));
        assert!(
            events(&wa, &t)
                .await
                .iter()
                .any(|(n, _)| n == "message.played")
        );
        wa.stop().await;
    })
    .await;
}

/// A voice note the business sent in `t`'s only conversation, as Meta
/// accepted it (under `wamid`).
async fn sent_voice_note(wa: &WhatsAppTest, t: &TestTenant, wamid: &str) -> domain::MessageId {
    let conv = conversations(wa, t).await[0].clone();
    let id = domain::MessageId::new();
    let mut tx = wa.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    let content = json!({ "type": "audio", "audio": { "id": "1234", "voice": true } });
    tx.insert_outbound_message(store::inbox::NewOutbound {
        id,
        conversation: conv["id"].as_str().unwrap().parse().unwrap(),
        channel: conv["channel_id"].as_str().unwrap().parse().unwrap(),
        kind: "audio",
        content: &content,
        reply_to_wamid: None,
        sent_by: "system",
        now: wa.state.now(),
    })
    .await
    .unwrap();
    tx.set_message_wamid(id, wamid, wa.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A message's status history, as (status, out of order).
async fn history(wa: &WhatsAppTest, t: &TestTenant, id: domain::MessageId) -> Vec<(String, bool)> {
    let mut tx = wa
        .state
        .store
        .tenant_read(t.id.parse().unwrap())
        .await
        .unwrap();
    let history = tx.list_message_statuses(id).await.unwrap();
    tx.commit().await.unwrap();
    history
        .iter()
        .map(|h| (h.status.as_str().to_owned(), h.out_of_order))
        .collect()
}

fn owned(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter()
        .map(|(s, late)| ((*s).to_owned(), *late))
        .collect()
}

/// Statuses that come together (one body with several, several bodies
/// processed in one batch) are applied as if one after the other: the
/// same current status, history, flags and events, in the same order.
#[tokio::test]
async fn statuses_of_one_batch_apply_as_one_after_another() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fid-batch").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        deliver(
            &wa,
            &hook(WABA_A, "messages", value_a(json!({ "messages": [text(CUSTOMER, "wamid.IN", "hi")] }))),
        )
        .await;
        let one = sent_voice_note(&wa, &t, "wamid.ONE").await;
        let two = sent_voice_note(&wa, &t, "wamid.TWO").await;
        let status = |wamid: &str, s: &str, at: &str| {
            json!({ "id": wamid, "status": s, "timestamp": at, "recipient_id": CUSTOMER })
        };
        // One body: `one` goes sent, read, then a late and repeated
        // `delivered`; a status of a message we never sent.
        let first = hook(WABA_A, "messages", value_a(json!({ "statuses": [
            status("wamid.ONE", "sent", "1749416400"),
            status("wamid.ONE", "read", "1749416460"),
            status("wamid.ONE", "delivered", "1749416430"),
            status("wamid.ONE", "delivered", "1749416430"),
            status("wamid.NEVER", "delivered", "1749416430"),
        ] })));
        // Three bodies stored before the workers run: one batch for `two`,
        // which fails, and nothing moves it on after.
        let later = [
            status("wamid.TWO", "sent", "1749416400"),
            json!({ "id": "wamid.TWO", "status": "failed", "timestamp": "1749416410",
                    "recipient_id": CUSTOMER,
                    "errors": [{ "code": 131026, "title": "Message undeliverable" }] }),
            status("wamid.TWO", "delivered", "1749416420"),
        ];
        let bodies: Vec<Value> = std::iter::once(first)
            .chain(later.into_iter().map(|s| hook(WABA_A, "messages", value_a(json!({ "statuses": [s] })))))
            .collect();
        for body in &bodies {
            let bytes = serde_json::to_vec(body).unwrap();
            server::channels::intake::store_webhook(&wa.state, None, bytes.into())
                .await
                .unwrap();
        }
        wa.drain().await;

        let current: Vec<(String, String)> = only_messages(&wa, &t)
            .await
            .iter()
            .filter(|m| m["direction"] == json!("out"))
            .map(|m| (m["wamid"].as_str().unwrap().to_owned(), m["status"].as_str().unwrap().to_owned()))
            .collect();
        assert!(current.contains(&("wamid.ONE".into(), "read".into())), "{current:?}");
        assert!(current.contains(&("wamid.TWO".into(), "failed".into())), "{current:?}");
        assert_eq!(
            history(&wa, &t, one).await,
            owned(&[("sent", false), ("delivered", true), ("read", false)])
        );
        assert_eq!(
            history(&wa, &t, two).await,
            owned(&[("sent", false), ("failed", false), ("delivered", true)])
        );
        let names: Vec<String> = events(&wa, &t)
            .await
            .into_iter()
            .filter(|(n, _)| n.starts_with("message.") && n != "message.received")
            .map(|(n, p)| format!("{n} {}", p["message_id"].as_str().map_or("-", |m| if m == one.to_string() { "one" } else { "two" })))
            .collect();
        assert_eq!(
            names,
            [
                "message.sent one",
                "message.read one",
                "message.status_out_of_order one",
                "message.sent two",
                "message.failed two",
                "message.status_out_of_order two",
            ]
        );
        let late: Vec<Value> = events(&wa, &t)
            .await
            .into_iter()
            .filter(|(n, _)| n == "message.status_out_of_order")
            .map(|(_, p)| p)
            .collect();
        assert_eq!(
            (&late[0]["current_status"], &late[1]["current_status"]),
            (&json!("read"), &json!("failed"))
        );
        let unmatched = events(&wa, &t)
            .await
            .into_iter()
            .filter(|(n, p)| n == "whatsapp.unhandled" && p["reason"] == json!("status_unmatched"))
            .count();
        assert_eq!(unmatched, 1);
        wa.stop().await;
    })
    .await;
}
