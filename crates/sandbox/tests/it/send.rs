//! Sends of every kind, auth, the 24 h window, templates and validation.

use sandbox::CustomerProfile;
use serde_json::{Value, json};

use crate::common::*;

fn bodies(to: &str, media_id: &str, reply_to: &str) -> Vec<(&'static str, Value)> {
    let mp = |kind: &str, content: Value| json!({"messaging_product": "whatsapp", "to": to, "type": kind, kind: content});
    vec![
        (
            "text",
            json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
            "text": {"preview_url": true, "body": "See https://example.com"}}),
        ),
        (
            "image-id",
            mp("image", json!({"id": media_id, "caption": "Your receipt"})),
        ),
        (
            "image-link",
            mp("image", json!({"link": "https://files.example.com/p.jpg"})),
        ),
        (
            "video",
            mp(
                "video",
                json!({"link": "https://files.example.com/v.mp4", "caption": "clip"}),
            ),
        ),
        (
            "audio",
            mp("audio", json!({"link": "https://files.example.com/a.ogg"})),
        ),
        (
            "document",
            mp(
                "document",
                json!({"link": "https://files.example.com/inv.pdf", "filename": "inv.pdf", "caption": "Invoice"}),
            ),
        ),
        (
            "sticker",
            mp(
                "sticker",
                json!({"link": "https://files.example.com/s.webp"}),
            ),
        ),
        ("template", template(to, "order_update", &["Jessica"])),
        (
            "buttons",
            mp(
                "interactive",
                json!({"type": "button",
            "header": {"type": "text", "text": "Delivery"}, "body": {"text": "Reschedule your delivery?"},
            "footer": {"text": "Acme Logistics"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "resched-yes", "title": "Yes"}},
                                   {"type": "reply", "reply": {"id": "resched-no", "title": "No"}}]}}),
            ),
        ),
        (
            "list",
            mp(
                "interactive",
                json!({"type": "list", "header": {"type": "text", "text": "Shipping"},
            "body": {"text": "Choose a delivery slot"}, "footer": {"text": "Times are local"},
            "action": {"button": "Pick a slot", "sections": [{"title": "Tomorrow", "rows": [
                {"id": "slot-1", "title": "08:00-12:00", "description": "Morning"},
                {"id": "slot-2", "title": "12:00-18:00", "description": "Afternoon"}]}]}}),
            ),
        ),
        (
            "reaction",
            mp(
                "reaction",
                json!({"message_id": reply_to, "emoji": "\u{1F44D}"}),
            ),
        ),
        (
            "location",
            mp(
                "location",
                json!({"latitude": 37.4847, "longitude": -122.1473, "name": "Meta HQ",
            "address": "1 Hacker Way, Menlo Park, CA"}),
            ),
        ),
        (
            "contacts",
            json!({"messaging_product": "whatsapp", "to": to, "type": "contacts", "contacts": [
            {"name": {"formatted_name": "Ana Lopez", "first_name": "Ana"},
             "phones": [{"phone": "+14155550123", "type": "WORK", "wa_id": "14155550123"}]}]}),
        ),
        (
            "quoted-reply",
            json!({"messaging_product": "whatsapp", "to": to, "type": "text",
            "context": {"message_id": reply_to}, "text": {"body": "re"}, "biz_opaque_callback_data": "our-id-1"}),
        ),
    ]
}

#[tokio::test]
async fn every_kind_is_accepted_and_reported_sent_delivered_read() {
    let env = Env::start().await;
    let inbound = env.open_window(CUSTOMER).await;
    env.seed_template("order_update");
    let media = env.sb.send_inbound(sandbox::InboundMessage::new(
        PNID,
        "14155550000",
        sandbox::InboundContent::Image(Default::default()),
    ));
    let media_body = env.rx.wait_body(&media.unwrap().id).await;
    let media_id = media_body["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let to = "+1 650-555-1234";
    let mut ids = Vec::new();
    for (name, body) in bodies(to, &media_id, &inbound) {
        let (status, resp) = env.send(body).await;
        assert_eq!(status, 200, "{name}: {resp}");
        let keys: Vec<&String> = resp.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3, "{name}: {resp}");
        assert_eq!(resp["messaging_product"], "whatsapp");
        assert_eq!(resp["contacts"], json!([{"input": to, "wa_id": CUSTOMER}]));
        let id = wamid(&resp);
        assert!(id.starts_with("wamid.HBgLMTY1MDU1NTEyMzQVAgAR"), "{id}");
        if name == "template" {
            assert_eq!(resp["messages"][0]["message_status"], "accepted");
        } else {
            assert!(
                resp["messages"][0].get("message_status").is_none(),
                "{name}"
            );
        }
        ids.push((name, id));
    }
    for (name, id) in &ids {
        env.rx.wait_status(id, "read").await;
        assert_eq!(
            env.rx.statuses_of(id),
            ["sent", "delivered", "read"],
            "{name}"
        );
    }
    // biz_opaque_callback_data is echoed on every status of that message.
    let (_, quoted) = ids.last().unwrap();
    for (id, _, s) in env.rx.statuses() {
        if &id == quoted {
            assert_eq!(s["biz_opaque_callback_data"], "our-id-1");
        }
    }
    let sent = env.rx.wait_status(&ids[0].1, "sent").await;
    assert_eq!(sent["pricing"]["category"], "service");
    assert_eq!(sent["conversation"]["origin"]["type"], "service");
    assert!(sent["conversation"]["expiration_timestamp"].is_string());
    let tpl = env.rx.wait_status(&ids[7].1, "delivered").await;
    assert_eq!(tpl["pricing"]["category"], "utility");

    let received = env.sb.received(PNID, CUSTOMER);
    assert_eq!(received.len(), ids.len());
    assert_eq!(received[1].kind, "image");
    assert_eq!(
        received.last().unwrap().context.as_deref(),
        Some(inbound.as_str())
    );
    assert_eq!(env.sb.counters().numbers[PNID].accepted, ids.len() as u64);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn mark_as_read_marks_inbound_messages() {
    let env = Env::start().await;
    let first = env.open_window(CUSTOMER).await;
    let second = env.sb.send_text(PNID, CUSTOMER, "again").unwrap();
    let resp = env
        .send(
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": second,
        "typing_indicator": {"type": "text"}}),
        )
        .await;
    assert_eq!(resp, (200, json!({"success": true})));
    assert!(
        env.sb.inbound(&first).unwrap().read,
        "earlier messages are read too"
    );
    assert_eq!(env.sb.counters().numbers[PNID].marked_read, 2);
    let unknown = env
        .send(
            json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope"}),
        )
        .await;
    assert_error(&unknown, 400, 100);
}

#[tokio::test]
async fn bad_tokens_get_190_and_unknown_numbers_100_33() {
    let env = Env::start().await;
    let e = assert_error(
        &env.send_as(PNID, "wrong", text(CUSTOMER, "x")).await,
        401,
        190,
    );
    assert_eq!(e["type"], "OAuthException");
    let r = env
        .http
        .post(format!("{}/{PNID}/messages", env.graph))
        .json(&text(CUSTOMER, "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], 190);
    assert_error(&env.get(PNID, Some("wrong")).await, 401, 190);

    let r = env
        .http
        .post(format!("{}/999999999/messages", env.graph))
        .bearer_auth(TOKEN)
        .json(&text(CUSTOMER, "x"));
    let r = r.send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.headers().get("www-authenticate").is_some());
    let e = r.json::<Value>().await.unwrap()["error"].clone();
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(100), Some(33))
    );
    assert_eq!(e["type"], "GraphMethodException");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported post request. Object with ID '999999999'")
    );

    // A valid token of another number has no access to this one.
    env.sb
        .add_number(sandbox::NumberSpec::new(
            "200000000000001",
            "300000000000001",
            "other-token",
        ))
        .unwrap();
    let e = assert_error(
        &env.send_as(PNID, "other-token", text(CUSTOMER, "x")).await,
        400,
        100,
    );
    assert_eq!(e["error_subcode"], 33);
    let e = assert_error(&env.get("200000000000001", Some(TOKEN)).await, 400, 100);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported get request")
    );
    // Unknown API version / path.
    let r = env
        .http
        .get(format!("{}/x1/{PNID}", env.sb.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

#[tokio::test]
async fn closed_window_fails_131047_while_templates_still_go() {
    let env = Env::start().await;
    env.seed_template("order_update");
    let (status, resp) = env.send(text(CUSTOMER, "outside")).await;
    assert_eq!(status, 200, "accepted synchronously like Meta");
    let id = wamid(&resp);
    let failed = env.rx.wait_status(&id, "failed").await;
    assert_eq!(failed["errors"][0]["code"], 131047);
    assert_eq!(failed["errors"][0]["title"], "Re-engagement message");
    assert_eq!(env.rx.statuses_of(&id), ["failed"]);

    let (status, resp) = env.send(template(CUSTOMER, "order_update", &["Ana"])).await;
    assert_eq!(status, 200);
    let t = wamid(&resp);
    let delivered = env.rx.wait_status(&t, "delivered").await;
    assert_eq!(delivered["pricing"]["type"], "regular");
    assert_eq!(delivered["pricing"]["billable"], true);

    env.open_window(CUSTOMER).await;
    let inside = wamid(&env.send(text(CUSTOMER, "inside")).await.1);
    env.rx.wait_status(&inside, "delivered").await;

    // 25 hours later the window is closed again.
    env.sb
        .advance_clock(std::time::Duration::from_secs(25 * 3600));
    let late = wamid(&env.send(text(CUSTOMER, "late")).await.1);
    assert_eq!(
        env.rx.wait_status(&late, "failed").await["errors"][0]["code"],
        131047
    );
    let c = env.sb.counters().numbers[PNID].clone();
    assert_eq!(c.failed["131047"], 2);
    assert_eq!(c.accepted, 4);
}

#[tokio::test]
async fn unreachable_customers_fail_131026_and_read_receipts_can_be_off() {
    let env = Env::start().await;
    env.sb.set_customer(
        "14155550001",
        CustomerProfile {
            reachable: false,
            ..Default::default()
        },
    );
    env.sb.set_customer(
        "14155550002",
        CustomerProfile {
            read_receipts: false,
            ..Default::default()
        },
    );
    env.open_window("14155550001").await;
    env.open_window("14155550002").await;
    let a = wamid(&env.send(text("14155550001", "x")).await.1);
    assert_eq!(
        env.rx.wait_status(&a, "failed").await["errors"][0]["code"],
        131026
    );
    let b = wamid(&env.send(text("14155550002", "x")).await.1);
    env.rx.wait_status(&b, "delivered").await;
    // Give auto-read a chance; then the customer reads explicitly via the API.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(env.rx.statuses_of(&b), ["sent", "delivered"]);
    assert_eq!(env.sb.customer_read(PNID, "14155550002", None), 1);
    env.rx.wait_status(&b, "read").await;
}
