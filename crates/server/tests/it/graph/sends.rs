//! An existing Cloud API client pointed at Switchboard: Meta's exact JSON,
//! the tenant's API key as the token, only the base URL changed. Sends
//! answer with Meta's wamid, and every id a client passes back is Meta's.

use super::{CUSTOMER, PNID, WABA, call, code_of};
use reqwest::Method;
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

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
        assert!(template_id.starts_with("wamid."), "{body}");

        wa.sandbox.send_text(PNID, CUSTOMER, "hi back").unwrap();
        wa.eventually("the customer's reply opens the window", || async {
            let r = wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key)).await;
            r.body["items"][0]["window_open"] == json!(true)
        })
        .await;
        let (status, body) = post(&wa, &t.api_key, &format!("{PNID}/messages"), text).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["messages"][0].get("message_status").is_none(), "{body}");
        let text_id = body["messages"][0]["id"].as_str().unwrap().to_owned();

        // The ids answered are the wamids the customer received, at once.
        let received = wa.sandbox.received(PNID, CUSTOMER);
        let wamids: Vec<&str> = received.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(wamids, [template_id.as_str(), text_id.as_str()]);
        assert_eq!(received[1].content["body"], json!("Hello from the API"));
        // And they are the inbox messages' wamids.
        let conv = wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key)).await.body["items"][0]["id"].as_str().unwrap().to_owned();
        let msgs = wa.get(&format!("/api/v1/conversations/{conv}/messages"), Auth::ApiKey(&t.api_key)).await;
        let ids: Vec<&str> = msgs.body["items"].as_array().unwrap().iter().filter_map(|m| m["wamid"].as_str()).collect();
        assert!(ids.contains(&template_id.as_str()) && ids.contains(&text_id.as_str()), "{ids:?}");

        // The phone-number endpoint answers like Meta's.
        let r = wa.client.get(format!("{}/graph/v23.0/{PNID}", wa.url)).bearer_auth(&t.api_key).send().await.unwrap();
        let info: serde_json::Value = r.json().await.unwrap();
        assert_eq!(info["id"], json!(PNID), "{info}");

        // A wrong token is Meta's 190; another tenant's key cannot use the number.
        let (status, body) = post(&wa, "EAAG-not-a-key", &format!("{PNID}/messages"), json!({})).await;
        assert_eq!((status, body["error"]["code"].as_i64()), (401, Some(190)));
        let (status, body) = post(&wa, &other.api_key, &format!("{PNID}/messages"), json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": { "body": "x" } })).await;
        assert_eq!((status, body["error"]["code"].as_i64(), body["error"]["error_subcode"].as_i64()), (400, Some(100), Some(33)));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn replies_reactions_and_read_receipts_take_the_customers_wamid() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("compat-wamids").await;
        wa.connect_number(&t, PNID, WABA).await;
        let theirs = wa.sandbox.send_text(PNID, CUSTOMER, "is my order ready?").unwrap();
        wa.eventually("the customer's message arrives", || async {
            let r = wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key)).await;
            r.body["items"][0]["window_open"] == json!(true)
        })
        .await;

        let path = format!("{PNID}/messages");
        let reply = json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "text",
                            "context": { "message_id": theirs }, "text": { "body": "Yes, it is." } });
        let (status, body) = post(&wa, &t.api_key, &path, reply).await;
        assert_eq!(status, 200, "{body}");
        let reply_id = body["messages"][0]["id"].as_str().unwrap().to_owned();
        let reaction = json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "reaction",
                               "reaction": { "message_id": theirs, "emoji": "\u{1F44D}" } });
        let (status, body) = post(&wa, &t.api_key, &path, reaction).await;
        assert_eq!(status, 200, "{body}");
        let reaction_id = body["messages"][0]["id"].as_str().unwrap().to_owned();

        let got = wa.sandbox.message(&reply_id).expect("the reply reached the customer");
        assert_eq!(got.context.as_deref(), Some(theirs.as_str()));
        let got = wa.sandbox.message(&reaction_id).expect("the reaction reached the customer");
        assert_eq!(got.kind, "reaction");
        assert_eq!(got.content["message_id"], json!(theirs));

        // Mark-as-read by the customer's wamid; an unknown one is Meta's 100.
        let read = json!({ "messaging_product": "whatsapp", "status": "read", "message_id": theirs });
        let (status, body) = post(&wa, &t.api_key, &path, read).await;
        assert_eq!((status, body["success"].clone()), (200, json!(true)), "{body}");
        assert!(wa.sandbox.inbound(&theirs).unwrap().read);
        let read = json!({ "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope" });
        let (status, body) = post(&wa, &t.api_key, &path, read).await;
        assert_eq!(code_of(status, &body), (400, Some(100), None), "{body}");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn metas_refusal_comes_back_with_metas_code() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("compat-refused").await;
        wa.connect_number(&t, PNID, WABA).await;
        wa.sandbox.send_text(PNID, CUSTOMER, "hello").unwrap();
        wa.eventually("the customer's message arrives", || async {
            let r = wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key)).await;
            r.body["items"][0]["window_open"] == json!(true)
        })
        .await;
        wa.sandbox
            .set_faults(sandbox::Faults {
                error_rates: vec![sandbox::ErrorRate { code: 131030, rate: 1.0, mode: None, http_status: None }],
                ..Default::default()
            })
            .unwrap();
        let text = json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": { "body": "x" } });
        let (status, body) = post(&wa, &t.api_key, &format!("{PNID}/messages"), text).await;
        assert_eq!(code_of(status, &body), (400, Some(131030), None), "{body}");
        assert_eq!(body["error"]["type"], json!("OAuthException"));
        assert!(body["error"]["fbtrace_id"].is_string());
        assert!(wa.sandbox.received(PNID, CUSTOMER).is_empty());
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn every_graph_path_answers_in_metas_envelope() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("compat-paths").await;
        wa.connect_number(&t, PNID, WABA).await;
        let key = t.api_key.as_str();

        for path in ["v23.0/1/2/3/4", "nothing", "v23.0/", "v23.0/1/unknown_edge"] {
            let (status, body) = call(&wa, Method::GET, key, path, None).await;
            assert_eq!(
                code_of(status, &body),
                (400, Some(2500), None),
                "{path}: {body}"
            );
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("Unknown path components: /"),
                "{body}"
            );
        }
        // Not a version.
        let (status, body) = call(&wa, Method::GET, key, &format!("latest/{PNID}"), None).await;
        assert_eq!(code_of(status, &body), (400, Some(2500), None), "{body}");
        // A wrong method.
        let (status, body) = call(
            &wa,
            Method::PUT,
            key,
            &format!("v23.0/{PNID}/messages"),
            Some(json!({})),
        )
        .await;
        assert_eq!(code_of(status, &body), (400, Some(2500), None), "{body}");
        // Bad or missing tokens, on every route.
        for (method, path) in [
            (Method::GET, format!("v23.0/{PNID}")),
            (Method::GET, format!("v23.0/{WABA}/message_templates")),
            (Method::GET, "media/123".to_owned()),
        ] {
            let (status, body) = call(&wa, method.clone(), "EAAG-not-a-key", &path, None).await;
            assert_eq!(
                code_of(status, &body),
                (401, Some(190), None),
                "{path}: {body}"
            );
            let r = wa
                .client
                .request(method, format!("{}/graph/{path}", wa.url))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 401);
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], json!(190));
        }
        // Meta's `access_token` query parameter works too.
        let r = wa
            .client
            .get(format!("{}/graph/v23.0/{PNID}?access_token={key}", wa.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        // An id that is nobody's is Meta's 100/33.
        let (status, body) = call(&wa, Method::GET, key, "v23.0/999999", None).await;
        assert_eq!(code_of(status, &body), (400, Some(100), Some(33)), "{body}");
        assert_eq!(body["error"]["type"], json!("GraphMethodException"));
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Unsupported get request. Object with ID '999999' does not exist"),
            "{body}"
        );
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_send_meta_is_slow_to_answer_is_accepted_with_switchboards_id() {
    for engine in [testkit::Engine::Sqlite, testkit::Engine::Postgres] {
        if engine == testkit::Engine::Postgres && testkit::pg_admin_url().is_none() {
            continue;
        }
        let wa = WhatsAppTest::start_with_config(engine, Default::default(), |c| {
            c.graph_timeout_ms = 300;
        })
        .await;
        let t = wa.create_tenant("compat-slow").await;
        wa.connect_number(&t, PNID, WABA).await;
        wa.sandbox.send_text(PNID, CUSTOMER, "hello").unwrap();
        wa.eventually("the customer's message arrives", || async {
            let r = wa
                .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
                .await;
            r.body["items"][0]["window_open"] == json!(true)
        })
        .await;
        wa.sandbox
            .set_faults(sandbox::Faults {
                latency_ms: 1_000,
                ..Default::default()
            })
            .unwrap();
        let text = json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": { "body": "x" } });
        let (status, body) = post(&wa, &t.api_key, &format!("{PNID}/messages"), text).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["messages"][0]["message_status"],
            json!("accepted"),
            "{body}"
        );
        let id = body["messages"][0]["id"].as_str().unwrap();
        assert!(!id.starts_with("wamid."), "{body}");
        // It is Switchboard's message id: the inbox has it, still on its way.
        let conv = wa
            .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
            .await
            .body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let msgs = wa
            .get(
                &format!("/api/v1/conversations/{conv}/messages"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert!(
            msgs.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["id"] == json!(id)),
            "{}",
            msgs.body
        );
        wa.stop().await;
    }
}
