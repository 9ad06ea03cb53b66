//! Control API flows over HTTP, template management and media.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn inbound_and_customer_views_over_http() {
    let env = Env::start().await;
    let (s, receipt) = env
        .control(
            Method::POST,
            "inbound",
            Some(json!({"phone_number_id": PNID, "from": "+1 650-555-1234",
            "profile_name": "Sheena Nelson", "type": "text", "body": "Does it come in blue?"})),
        )
        .await;
    assert_eq!(s, 200, "{receipt}");
    let id = receipt["id"].as_str().unwrap();
    let body = env.rx.wait_body(id).await;
    let value = &body["entry"][0]["changes"][0]["value"];
    assert_eq!(body["entry"][0]["id"], WABA);
    assert_eq!(
        value["metadata"],
        json!({"display_phone_number": DISPLAY_DIGITS, "phone_number_id": PNID})
    );
    assert_eq!(
        value["contacts"][0],
        json!({"profile": {"name": "Sheena Nelson"}, "wa_id": CUSTOMER,
            "user_id": env.sb.user_id(PNID, CUSTOMER).unwrap()})
    );
    assert_eq!(
        value["messages"][0]["text"]["body"],
        "Does it come in blue?"
    );
    assert!(value["messages"][0]["timestamp"].is_string());

    let reply = wamid(&env.send(text(CUSTOMER, "Yes!")).await.1);
    env.rx.wait_status(&reply, "read").await;
    let (_, got) = env
        .control(
            Method::GET,
            &format!("customers/{CUSTOMER}/messages?phone_number_id={PNID}"),
            None,
        )
        .await;
    let msgs = got["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["id"], reply.as_str());
    assert_eq!(msgs[0]["content"]["body"], "Yes!");
    assert_eq!(msgs[0]["status"], "read");
    let steps: Vec<&str> = msgs[0]["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["accepted", "sent", "delivered", "read"]);
    let (s, one) = env
        .control(Method::GET, &format!("messages/{reply}"), None)
        .await;
    assert_eq!((s, one["to"].as_str()), (200, Some(CUSTOMER)));
    assert_eq!(
        env.control(Method::GET, "messages/wamid.unknown", None)
            .await
            .0,
        404
    );
    let (_, counters) = env.control(Method::GET, "counters", None).await;
    assert_eq!(counters["numbers"][PNID]["accepted"], 1);
    assert_eq!(counters["numbers"][PNID]["inbound"], 1);
    let (_, reset) = env.control(Method::POST, "counters/reset", None).await;
    assert_eq!(reset["numbers"][PNID]["accepted"], 0);
    let bad = env
        .control(
            Method::POST,
            "inbound",
            Some(json!({"phone_number_id": "1", "from": "2", "type": "text", "body": "x"})),
        )
        .await;
    assert_eq!(bad.0, 404);
    let bad = env
        .control(
            Method::POST,
            "inbound",
            Some(json!({"phone_number_id": PNID, "type": "text"})),
        )
        .await;
    assert_eq!(bad.0, 400);
}

#[tokio::test]
async fn control_api_numbers_webhook_faults_clock_and_customers() {
    let env = Env::start().await;
    let spec = json!({"phone_number_id": "200000000000009", "waba_id": WABA, "display_phone_number": "+1 555 000 0009",
        "verified_name": "Second", "access_token": "tok-9", "rate_limit": 20});
    assert_eq!(
        env.control(Method::POST, "numbers", Some(spec)).await.0,
        201
    );
    let (_, list) = env.control(Method::GET, "numbers", None).await;
    assert_eq!(list["numbers"].as_array().unwrap().len(), 2);
    assert_eq!(
        env.get("200000000000009?fields=verified_name", Some("tok-9"))
            .await
            .1["verified_name"],
        "Second"
    );

    let faults = json!({"seed": 1, "error_rates": [{"code": 131000, "rate": 1.0}]});
    assert_eq!(
        env.control(Method::PUT, "faults", Some(faults)).await.0,
        200
    );
    env.open_window(CUSTOMER).await;
    assert_error(&env.send(text(CUSTOMER, "x")).await, 400, 131000);
    assert_eq!(
        env.control(Method::PUT, "faults", Some(json!({"timeout_rate": 3})))
            .await
            .0,
        400
    );
    assert_eq!(
        env.control(Method::PUT, "faults", Some(json!({"bogus": 1})))
            .await
            .0,
        400
    );
    assert_eq!(
        env.control(Method::PUT, "faults", Some(json!({}))).await.0,
        200
    );

    let (_, before) = env.control(Method::GET, "clock", None).await;
    let (_, after) = env
        .control(
            Method::POST,
            "clock/advance",
            Some(json!({"seconds": 90000})),
        )
        .await;
    assert!(after["now"].as_i64().unwrap() >= before["now"].as_i64().unwrap() + 90000);
    let late = wamid(&env.send(text(CUSTOMER, "late")).await.1);
    assert_eq!(
        env.rx.wait_status(&late, "failed").await["errors"][0]["code"],
        131047
    );

    let profile = json!({"name": "Ana", "reachable": true, "read_receipts": false});
    assert_eq!(
        env.control(Method::PUT, "customers/14155550123", Some(profile.clone()))
            .await
            .1,
        profile
    );
    env.sb.send_text(PNID, "14155550123", "hi").unwrap();
    let body = env.rx.wait_body("14155550123").await;
    assert_eq!(
        body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"],
        "Ana"
    );
    let m = wamid(&env.send(text("14155550123", "hello Ana")).await.1);
    env.rx.wait_status(&m, "delivered").await;
    let (_, read) = env
        .control(
            Method::POST,
            "customers/14155550123/read",
            Some(json!({"phone_number_id": PNID})),
        )
        .await;
    assert_eq!(read["read"], 1);
    env.rx.wait_status(&m, "read").await;

    // Redirect webhooks to a second receiver with another secret.
    let other = Receiver::start("another-secret").await;
    let target = json!({"url": other.url, "app_secret": "another-secret"});
    assert_eq!(
        env.control(Method::PUT, "webhook", Some(target)).await.0,
        200
    );
    let id = env
        .sb
        .send_text(PNID, CUSTOMER, "to the other one")
        .unwrap();
    other.wait_body(&id).await;
    let (_, log) = env.control(Method::GET, "webhooks?limit=1", None).await;
    assert!(log["webhooks"][0]["body"].as_str().unwrap().contains(&id));
    assert!(
        log["webhooks"][0]["signature"]
            .as_str()
            .unwrap()
            .starts_with("sha256=")
    );
}

/// A bot that answers every inbound text with an interactive button message.
async fn bot(env: &Env) {
    let mut answered = 0;
    loop {
        let msgs = env.rx.messages();
        for m in msgs.iter().skip(answered) {
            let from = m["from"].as_str().unwrap();
            let body = json!({"messaging_product": "whatsapp", "to": from, "type": "interactive",
                "interactive": {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [
                    {"type": "reply", "reply": {"id": "yes", "title": "Yes"}}]}}});
            assert_eq!(env.send(body).await.0, 200);
        }
        answered = msgs.len();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn scripted_conversation_waits_for_replies() {
    let env = Env::start().await;
    let script = json!({"phone_number_id": PNID, "from": CUSTOMER, "profile_name": "Sheena",
        "steps": [{"send": {"type": "text", "body": "Hi"}},
                  {"expect_reply": {"timeout_ms": 5000}},
                  {"send": {"type": "button_reply", "id": "yes", "title": "Yes"}},
                  {"expect_reply": {}},
                  {"wait_ms": 1},
                  {"read": {}}]});
    let run = env.control(Method::POST, "scripts", Some(script));
    let (status, result) = tokio::select! {
        r = run => r,
        () = bot(&env) => unreachable!(),
    };
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["completed"], true, "{result:#}");
    let steps = result["steps"].as_array().unwrap();
    assert_eq!(steps[1]["reply"]["type"], "interactive");
    let first_reply = steps[1]["reply"]["id"].as_str().unwrap();
    assert_ne!(steps[3]["reply"]["id"].as_str().unwrap(), first_reply);
    // The button reply quoted the interactive message by default.
    let tap = env
        .sb
        .inbound(steps[2]["inbound_id"].as_str().unwrap())
        .unwrap();
    assert_eq!(tap.kind, "interactive");
    let tap_body = env.rx.wait_body(&tap.id).await;
    assert_eq!(
        tap_body["entry"][0]["changes"][0]["value"]["messages"][0]["context"]["id"],
        first_reply
    );

    let lonely = json!({"phone_number_id": PNID, "from": "14155550999",
        "steps": [{"expect_reply": {"timeout_ms": 20}}, {"send": {"type": "text", "body": "never"}}]});
    let (_, r) = env.control(Method::POST, "scripts", Some(lonely)).await;
    assert_eq!(r["completed"], false);
    assert_eq!(r["steps"][0]["timed_out"], true);
    assert_eq!(r["steps"].as_array().unwrap().len(), 1);
}
