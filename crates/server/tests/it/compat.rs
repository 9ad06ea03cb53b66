//! An existing Cloud API client pointed at Switchboard: Meta's exact JSON,
//! the tenant's API key as the token, only the base URL changed.

use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const CUSTOMER: &str = "16505551234";

pub(crate) async fn post(
    wa: &WhatsAppTest,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = wa
        .client
        .post(format!("{}/graph/v23.0/{path}", wa.url))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn a_cloud_api_client_sends_a_template_and_a_text_by_changing_only_its_base_url() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("compat").await;
        let other = wa.create_tenant("compat-other").await;
        wa.connect_number(&t, PNID, WABA).await;
        wa.sandbox
            .add_template(sandbox::TemplateSpec {
                waba_id: WABA.into(), name: "hello_world".into(), language: "en_US".into(), category: "UTILITY".into(),
                components: Some(json!([{ "type": "BODY", "text": "Hello!" }])), status: "APPROVED".into(), parameter_format: None,
            })
            .unwrap();

        // Meta's exact bodies (as in Meta's docs and every client library).
        let text = json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": CUSTOMER,
                           "type": "text", "text": { "preview_url": false, "body": "Hello from the API" } });
        let template = json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "template",
                               "template": { "name": "hello_world", "language": { "code": "en_US" } } });

        // Outside the window Meta's error comes back in Meta's shape.
        let (status, body) = post(&wa, &t.api_key, &format!("{PNID}/messages"), text.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], json!(131047));
        assert_eq!(body["error"]["error_data"]["messaging_product"], json!("whatsapp"));

        let (status, body) = post(&wa, &t.api_key, &format!("{PNID}/messages"), template).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["messaging_product"], json!("whatsapp"));
        assert_eq!(body["contacts"][0]["input"], json!(CUSTOMER));
        assert_eq!(body["contacts"][0]["wa_id"], json!(CUSTOMER));
        assert_eq!(body["messages"][0]["message_status"], json!("accepted"));
        let template_id = body["messages"][0]["id"].as_str().unwrap().to_owned();

        wa.sandbox.send_text(PNID, CUSTOMER, "hi back").unwrap();
        wa.eventually("the customer's reply opens the window", || async {
            let r = wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key)).await;
            r.body["items"][0]["window_open"] == json!(true)
        })
        .await;
        let (status, body) = post(&wa, &t.api_key, &format!("{PNID}/messages"), text).await;
        assert_eq!(status, 200, "{body}");
        let text_id = body["messages"][0]["id"].as_str().unwrap().to_owned();

        // Both went out through the sandbox and are in the inbox.
        wa.eventually("both messages reach the customer", || async { wa.sandbox.received(PNID, CUSTOMER).len() == 2 }).await;
        let conv = wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key)).await.body["items"][0]["id"].as_str().unwrap().to_owned();
        let msgs = wa.get(&format!("/api/v1/conversations/{conv}/messages"), Auth::ApiKey(&t.api_key)).await;
        let ids: Vec<&str> = msgs.body["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&template_id.as_str()) && ids.contains(&text_id.as_str()), "{ids:?}");

        // The phone-number endpoint answers like Meta's.
        let r = wa.client.get(format!("{}/graph/v23.0/{PNID}", wa.url)).bearer_auth(&t.api_key).send().await.unwrap();
        let info: serde_json::Value = r.json().await.unwrap();
        assert_eq!(info["id"], json!(PNID));

        // A wrong token is Meta's 190; another tenant's key cannot use the number.
        let (status, body) = post(&wa, "EAAG-not-a-key", &format!("{PNID}/messages"), json!({})).await;
        assert_eq!((status, body["error"]["code"].as_i64()), (401, Some(190)));
        let (status, body) = post(&wa, &other.api_key, &format!("{PNID}/messages"), json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": { "body": "x" } })).await;
        assert_eq!((status, body["error"]["code"].as_i64(), body["error"]["error_subcode"].as_i64()), (400, Some(100), Some(33)));
        wa.stop().await;
    })
    .await;
}
