//! Business-scoped user ids (BSUIDs), as pywa 4.5 needs them: inbound
//! `contacts[].user_id` + `from_user_id`, status `contacts` +
//! `recipient_user_id`, and sends addressed by `recipient` instead of `to`.

use reqwest::Method;
use sandbox::{NumberSpec, UserIdMode};
use serde_json::{Value, json};

use crate::common::*;

/// The `value` of the status webhook `status` of `wamid`.
async fn status_value(env: &Env, wamid: &str, status: &str) -> Value {
    env.rx.wait_status(wamid, status).await;
    let mut found = None;
    for body in env.rx.accepted() {
        for_each_value(&body, |v| {
            let hit = v["statuses"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["id"] == wamid && s["status"] == status);
            if hit {
                found = Some(v.clone());
            }
        });
    }
    found.unwrap()
}

/// The `value` of the inbound webhook carrying `wamid`.
async fn inbound_value(env: &Env, wamid: &str) -> Value {
    let body = env.rx.wait_body(wamid).await;
    body["entry"][0]["changes"][0]["value"].clone()
}

fn is_bsuid(id: &str) -> bool {
    let (country, digits) = id.split_once('.').unwrap();
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && digits.len() == 20
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// pywa's `send_message` body for a user it knows by BSUID only.
fn pywa_text(recipient: &str, body: &str) -> Value {
    json!({"messaging_product": "whatsapp", "recipient_type": "individual", "type": "text",
        "recipient": recipient, "text": {"body": body, "preview_url": false}})
}

#[tokio::test]
async fn inbound_webhooks_carry_a_stable_business_scoped_user_id() {
    let env = Env::start().await;
    let user_id = env.sb.user_id(PNID, CUSTOMER).unwrap();
    assert!(is_bsuid(&user_id), "{user_id}");
    assert!(user_id.starts_with("US."), "{user_id}");

    let id = env.sb.send_text(PNID, CUSTOMER, "hi").unwrap();
    let value = inbound_value(&env, &id).await;
    assert_eq!(
        value["contacts"],
        json!([{"profile": {"name": "Sandbox Customer"}, "wa_id": CUSTOMER, "user_id": user_id}])
    );
    assert_eq!(value["messages"][0]["from"], CUSTOMER);
    assert_eq!(value["messages"][0]["from_user_id"], user_id.as_str());

    // Stable across messages; scoped to the business (another WABA sees
    // another id); a different customer gets a different one.
    let again = env.sb.send_text(PNID, CUSTOMER, "again").unwrap();
    assert_eq!(
        inbound_value(&env, &again).await["contacts"][0]["user_id"],
        user_id.as_str()
    );
    env.sb
        .add_number(NumberSpec::new("209381726354822", "209381726354821", "t2"))
        .unwrap();
    let other_business = env.sb.user_id("209381726354822", CUSTOMER).unwrap();
    assert_ne!(other_business, user_id);
    let other = env.sb.send_text("209381726354822", CUSTOMER, "x").unwrap();
    assert_eq!(
        inbound_value(&env, &other).await["messages"][0]["from_user_id"],
        other_business.as_str()
    );
    assert_ne!(env.sb.user_id(PNID, "14155550100").unwrap(), user_id);
    assert!(
        env.sb
            .user_id(PNID, "4915100000001")
            .unwrap()
            .starts_with("DE.")
    );
    assert_eq!(env.sb.user_id("999", CUSTOMER), None, "unknown number");
}

#[tokio::test]
async fn status_webhooks_carry_contacts_and_recipient_user_id() {
    let env = Env::start().await;
    env.open_window(CUSTOMER).await;
    let user_id = env.sb.user_id(PNID, CUSTOMER).unwrap();
    let sent = wamid(&env.send(text(CUSTOMER, "hello")).await.1);
    for status in ["sent", "delivered", "read"] {
        let value = status_value(&env, &sent, status).await;
        assert_eq!(
            value["contacts"],
            json!([{"wa_id": CUSTOMER, "user_id": user_id}]),
            "{status}"
        );
        assert_eq!(value["statuses"][0]["recipient_id"], CUSTOMER);
        assert_eq!(
            value["statuses"][0]["recipient_user_id"],
            user_id.as_str(),
            "{status}"
        );
    }
    // Failed statuses too (window closed -> 131047).
    let closed = wamid(&env.send(text("14155550777", "late")).await.1);
    let value = status_value(&env, &closed, "failed").await;
    let other = env.sb.user_id(PNID, "14155550777").unwrap();
    assert_eq!(
        value["contacts"],
        json!([{"wa_id": "14155550777", "user_id": other}])
    );
    assert_eq!(value["statuses"][0]["recipient_user_id"], other.as_str());
}

#[tokio::test]
async fn sends_addressed_by_recipient_reach_the_customer() {
    let env = Env::start().await;
    let inbound = env.open_window(CUSTOMER).await;
    let user_id = inbound_value(&env, &inbound).await["contacts"][0]["user_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, resp) = env.send(pywa_text(&user_id, "by bsuid")).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(
        resp["contacts"],
        json!([{"input": user_id, "wa_id": CUSTOMER, "user_id": user_id}])
    );
    let id = wamid(&resp);
    let got = env.sb.received(PNID, CUSTOMER);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, id);
    assert_eq!(got[0].to, CUSTOMER);
    assert_eq!(got[0].input, user_id);
    assert_eq!(got[0].content["body"], "by bsuid");
    let value = status_value(&env, &id, "delivered").await;
    assert_eq!(value["statuses"][0]["recipient_user_id"], user_id.as_str());

    // Templates too.
    env.seed_template("order_update");
    let mut tpl = template(CUSTOMER, "order_update", &["Ana"]);
    tpl.as_object_mut().unwrap().remove("to");
    tpl["recipient"] = json!(user_id);
    let (status, resp) = env.send(tpl).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["contacts"][0]["wa_id"], CUSTOMER);
    assert_eq!(env.sb.received(PNID, CUSTOMER).len(), 2);

    // `to` wins over `recipient`; the response then looks as before.
    let mut both = text("14155550100", "to wins");
    both["recipient"] = json!(user_id);
    let (status, resp) = env.send(both).await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(
        resp["contacts"],
        json!([{"input": "14155550100", "wa_id": "14155550100"}])
    );
    assert_eq!(env.sb.received(PNID, "14155550100").len(), 1);
    assert_eq!(env.sb.received(PNID, CUSTOMER).len(), 2);
}

#[tokio::test]
async fn unknown_or_foreign_recipients_are_refused() {
    let env = Env::start().await;
    env.open_window(CUSTOMER).await;
    let e = assert_error(
        &env.send(pywa_text("US.13491208655302741918", "x")).await,
        400,
        100,
    );
    assert!(e["message"].as_str().unwrap().starts_with("(#100)"), "{e}");
    // Not a BSUID at all.
    assert_error(&env.send(pywa_text("16505551234", "x")).await, 400, 100);
    // Another business's id for the same person does not work here.
    env.sb
        .add_number(NumberSpec::new("209381726354822", "209381726354821", "t2"))
        .unwrap();
    let foreign = env.sb.user_id("209381726354822", CUSTOMER).unwrap();
    assert_error(&env.send(pywa_text(&foreign, "x")).await, 400, 100);
    // Neither `to` nor `recipient`.
    let mut none = text(CUSTOMER, "x");
    none.as_object_mut().unwrap().remove("to");
    let e = assert_error(&env.send(none).await, 400, 100);
    assert_eq!(e["message"], "(#100) The parameter to is required.");
    assert!(env.sb.received(PNID, CUSTOMER).is_empty());
}

#[tokio::test]
async fn customers_can_have_a_fixed_user_id_or_none() {
    let env = Env::start().await;
    // Fixed.
    env.sb.set_user_id(
        CUSTOMER,
        UserIdMode::Fixed("US.13491208655302741918".into()),
    );
    assert_eq!(
        env.sb.user_id(PNID, CUSTOMER).as_deref(),
        Some("US.13491208655302741918")
    );
    let id = env.sb.send_text(PNID, CUSTOMER, "hi").unwrap();
    let value = inbound_value(&env, &id).await;
    assert_eq!(value["contacts"][0]["user_id"], "US.13491208655302741918");
    let (status, resp) = env
        .send(pywa_text("US.13491208655302741918", "fixed"))
        .await;
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["contacts"][0]["wa_id"], CUSTOMER);

    // None: payloads as before BSUIDs.
    let old = "14155550199";
    let derived = env.sb.user_id(PNID, old).unwrap();
    env.sb.set_user_id(old, UserIdMode::Absent);
    assert_eq!(env.sb.user_id(PNID, old), None);
    let id = env.sb.send_text(PNID, old, "hi").unwrap();
    let value = inbound_value(&env, &id).await;
    assert_eq!(
        value["contacts"],
        json!([{"profile": {"name": "Sandbox Customer"}, "wa_id": old}])
    );
    assert!(value["messages"][0].get("from_user_id").is_none());
    let sent = wamid(&env.send(text(old, "plain")).await.1);
    let value = status_value(&env, &sent, "sent").await;
    assert!(value.get("contacts").is_none(), "{value}");
    assert!(value["statuses"][0].get("recipient_user_id").is_none());
    assert_error(&env.send(pywa_text(&derived, "x")).await, 400, 100);
}

#[tokio::test]
async fn control_api_sets_and_reads_user_ids() {
    let env = Env::start().await;
    let path = format!("customers/{CUSTOMER}/user_id?phone_number_id={PNID}");
    let (s, got) = env.control(Method::GET, &path, None).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(
        got["user_id"],
        env.sb.user_id(PNID, CUSTOMER).unwrap().as_str()
    );

    let customer = format!("customers/{CUSTOMER}");
    let (s, _) = env
        .control(
            Method::PUT,
            &customer,
            Some(json!({"name": "Ana", "user_id": "BR.55"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(env.sb.user_id(PNID, CUSTOMER).as_deref(), Some("BR.55"));
    let (s, _) = env
        .control(
            Method::PUT,
            &customer,
            Some(json!({"name": "Ana", "user_id": null})),
        )
        .await;
    assert_eq!(s, 200);
    let (_, got) = env.control(Method::GET, &path, None).await;
    assert_eq!(got["user_id"], Value::Null);
    let (s, _) = env
        .control(Method::PUT, &customer, Some(json!({"name": "Ana"})))
        .await;
    assert_eq!(s, 200);
    assert!(env.sb.user_id(PNID, CUSTOMER).is_some(), "derived again");
    let (s, _) = env
        .control(Method::PUT, &customer, Some(json!({"user_id": 5})))
        .await;
    assert_eq!(s, 400);
}
