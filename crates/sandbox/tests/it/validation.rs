//! Request validation and template checks with Meta's error codes.

use sandbox::TemplateSpec;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn templates_must_exist_be_approved_and_match_parameters() {
    let env = Env::start().await;
    env.seed_template("order_update");
    let mut paused = TemplateSpec::approved(WABA, "paused_one", "en_US");
    paused.status = "PAUSED".into();
    env.sb.add_template(paused).unwrap();
    let mut disabled = TemplateSpec::approved(WABA, "disabled_one", "en_US");
    disabled.status = "DISABLED".into();
    env.sb.add_template(disabled).unwrap();
    let mut pending = TemplateSpec::approved(WABA, "pending_one", "en_US");
    pending.status = "PENDING".into();
    env.sb.add_template(pending).unwrap();
    let mut header = TemplateSpec::approved(WABA, "with_image", "en_US");
    header.components =
        Some(json!([{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Hi {{1}}"}]));
    env.sb.add_template(header).unwrap();

    assert_error(
        &env.send(template(CUSTOMER, "nope", &["x"])).await,
        400,
        132001,
    );
    let mut wrong_lang = template(CUSTOMER, "order_update", &["x"]);
    wrong_lang["template"]["language"]["code"] = json!("en");
    assert_error(&env.send(wrong_lang).await, 400, 132001);
    assert_error(
        &env.send(template(CUSTOMER, "pending_one", &["x"])).await,
        400,
        132001,
    );
    assert_error(
        &env.send(template(CUSTOMER, "paused_one", &["x"])).await,
        400,
        132015,
    );
    assert_error(
        &env.send(template(CUSTOMER, "disabled_one", &["x"])).await,
        400,
        132016,
    );
    assert_error(
        &env.send(template(CUSTOMER, "order_update", &[])).await,
        400,
        132000,
    );
    assert_error(
        &env.send(template(CUSTOMER, "order_update", &["a", "b"]))
            .await,
        400,
        132000,
    );
    assert_error(
        &env.send(template(CUSTOMER, "with_image", &["a"])).await,
        400,
        132000,
    );
    let mut with_header = template(CUSTOMER, "with_image", &["a"]);
    with_header["template"]["components"].as_array_mut().unwrap().push(
        json!({"type": "header", "parameters": [{"type": "video", "video": {"link": "https://x.example/v.mp4"}}]}),
    );
    assert_error(&env.send(with_header.clone()).await, 400, 132012);
    with_header["template"]["components"][1]["parameters"][0] =
        json!({"type": "image", "image": {"link": "https://x.example/p.jpg"}});
    assert_eq!(env.send(with_header).await.0, 200);
    let c = env.sb.counters().numbers[PNID].clone();
    assert_eq!(c.rejected["132001"], 3);
    assert_eq!(c.accepted, 1);
}

#[tokio::test]
async fn invalid_requests_get_meta_error_codes() {
    let env = Env::start().await;
    env.open_window(CUSTOMER).await;
    let e = assert_error(
        &env.send(json!({"to": CUSTOMER, "type": "text", "text": {"body": "x"}}))
            .await,
        400,
        100,
    );
    assert_eq!(
        e["message"],
        "(#100) The parameter messaging_product is required."
    );
    assert!(e["error_data"]["details"].is_string());
    assert_error(
        &env.send(json!({"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}))
            .await,
        400,
        100,
    );
    assert_error(&env.send(text("not-a-number", "x")).await, 400, 131009);
    assert_error(&env.send(text(DISPLAY_DIGITS, "x")).await, 400, 131021);
    assert_error(
        &env.send(json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "poll"}))
            .await,
        400,
        100,
    );
    assert_error(
        &env.send(json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text"}))
            .await,
        400,
        100,
    );
    let huge = "x".repeat(4097);
    assert_error(&env.send(text(CUSTOMER, &huge)).await, 400, 131009);
    let four: Vec<Value> = (0..4).map(|i| json!({"type": "reply", "reply": {"id": format!("b{i}"), "title": format!("B{i}")}})).collect();
    let buttons = json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": four}}});
    assert_error(&env.send(buttons).await, 400, 131009);
    let rows: Vec<Value> = (0..11)
        .map(|i| json!({"id": format!("r{i}"), "title": format!("Row {i}")}))
        .collect();
    let list = json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "interactive",
        "interactive": {"type": "list", "body": {"text": "Pick"}, "action": {"button": "Open", "sections": [{"title": "A", "rows": rows}]}}});
    assert_error(&env.send(list).await, 400, 131009);
    let long_title = json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": "a", "title": "This title is far too long"}}]}}});
    assert_error(&env.send(long_title).await, 400, 131009);
    let bad_media = json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "image", "image": {"id": "123"}});
    assert_error(&env.send(bad_media).await, 400, 100);
    let r = env
        .http
        .post(format!("{}/{PNID}/messages", env.graph))
        .bearer_auth(TOKEN)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let c = env.sb.counters().numbers[PNID].clone();
    assert_eq!(c.accepted, 0);
    assert_eq!(c.rejected["131009"], 5);
}
