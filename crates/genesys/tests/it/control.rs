//! The sandbox over raw HTTP: login errors, the Genesys error body and
//! correlation ids, and the `/_genesys` control routes.

use genesys::Session;
use serde_json::{Value, json};

use crate::common::{
    CLIENT_ID, CLIENT_SECRET, CUSTOMER, Env, HOST, Receiver, SECRET, http, text_from,
};

#[tokio::test]
async fn raw_http_login_errors_and_correlation_ids() {
    let env = Env::start().await;
    let base = env.sandbox.base_url();
    let http = http();

    let wrong_grant = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_grant.status(), 400);

    let wrong_client = http
        .post(format!("{base}/oauth/token"))
        .basic_auth("someone", Some("else"))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_client.status(), 401);
    let body: Value = wrong_client.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert!(body["description"].is_string());

    let anonymous = http
        .get(format!(
            "{base}/api/v2/conversations/messaging/integrations/open"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let correlation = anonymous.headers()["inin-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["code"], "bad.credentials");
    assert_eq!(body["status"], 401);
    assert_eq!(body["contextId"], Value::String(correlation));

    let ok = http
        .get(format!(
            "{base}/api/v2/conversations/messaging/integrations/open"
        ))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().contains_key("inin-correlation-id"));
}

#[tokio::test]
async fn control_routes_drive_the_sandbox() {
    let env = Env::start().await;
    let receiver = Receiver::start_checking(Some(SECRET)).await;
    let integration = env.integration(&receiver.url).await.id;
    let conversation = env
        .client
        .send_message(
            &env.session(),
            &integration,
            &text_from(CUSTOMER, None, "Hi"),
        )
        .await
        .unwrap()
        .conversation_id
        .unwrap();
    let base = env.sandbox.base_url();
    let http = http();

    let inbound: Value = http
        .get(format!("{base}/_genesys/inbound"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inbound.as_array().unwrap().len(), 1);
    assert_eq!(
        inbound[0]["conversation_id"],
        Value::String(conversation.clone())
    );

    let reply: Value = http
        .post(format!("{base}/_genesys/agent/reply"))
        .json(&json!({ "integration": integration, "to": CUSTOMER, "text": "From the console" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["status"], 200);
    assert_eq!(receiver.hits()[0].json()["text"], "From the console");

    let ended = http
        .post(format!("{base}/_genesys/conversations/{conversation}/end"))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    let s = env.session();
    assert!(
        env.client
            .get_conversation(&s, &conversation)
            .await
            .unwrap()
            .ended()
    );

    let expired = http
        .post(format!("{base}/_genesys/tokens/expire"))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 204);
    assert!(
        env.client
            .get_conversation(&s, &conversation)
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    let fresh = env
        .client
        .token(HOST, CLIENT_ID, CLIENT_SECRET)
        .await
        .unwrap();
    let s = Session {
        host: HOST,
        token: &fresh.access_token,
    };
    env.client
        .get_conversation(&s, &conversation)
        .await
        .unwrap();

    let receipts: Value = http
        .get(format!("{base}/_genesys/receipts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(receipts, json!([]));
}
