//! Meta's other endpoints through Switchboard: relayed with the number's
//! own credentials, and only for the caller's own numbers, WABAs, media
//! and templates.

use super::{CUSTOMER, PNID, WABA, call, code_of, meta_client};
use base64::Engine as _;
use bytes::Bytes;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{Auth, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const OTHER_PNID: &str = "106540352249999";
const OTHER_WABA: &str = "102290129349999";

fn is_unknown_object(status: u16, body: &Value) -> bool {
    code_of(status, body) == (400, Some(100), Some(33))
}

#[tokio::test]
async fn uploaded_media_is_served_by_switchboard_and_deleted_at_meta() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("graph-media").await;
        wa.connect_number(&t, PNID, WABA).await;
        let meta = meta_client(&wa);
        let photo: Vec<u8> = (0..=255u8).cycle().take(5000).collect();

        let up = meta
            .upload_media(
                PNID,
                &t.api_key,
                Bytes::from(photo.clone()),
                "image/png",
                "p.png",
            )
            .await
            .unwrap();
        let info = meta.media_info(&t.api_key, &up.id, None).await.unwrap();
        assert_eq!(info.url, format!("{}/graph/media/{}", wa.url, up.id));
        assert_eq!(info.mime_type.as_deref(), Some("image/png"));
        let got = meta.download_media(&t.api_key, &info.url).await.unwrap();
        assert_eq!(got.data.as_ref(), photo.as_slice());
        assert_eq!(got.content_type.as_deref(), Some("image/png"));
        // The Meta token never leaves: nothing in the answers carries it.
        let (_, raw) = call(
            &wa,
            Method::GET,
            &t.api_key,
            &format!("v23.0/{}", up.id),
            None,
        )
        .await;
        assert!(!raw.to_string().contains(&format!("token-{PNID}")), "{raw}");

        meta.delete_media(&t.api_key, &up.id, None).await.unwrap();
        let (status, body) = call(
            &wa,
            Method::GET,
            &t.api_key,
            &format!("v23.0/{}", up.id),
            None,
        )
        .await;
        assert!(is_unknown_object(status, &body), "{status} {body}");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_customers_photo_downloads_through_switchboard_by_its_meta_id() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("graph-inbound").await;
        wa.connect_number(&t, PNID, WABA).await;
        let photo: Vec<u8> = (0..=255u8).rev().cycle().take(3000).collect();
        let media = sandbox::InboundMedia {
            mime_type: Some("image/png".into()),
            data_base64: Some(base64::engine::general_purpose::STANDARD.encode(&photo)),
            ..Default::default()
        };
        wa.sandbox
            .send_inbound(sandbox::InboundMessage::new(
                PNID,
                CUSTOMER,
                sandbox::InboundContent::Image(media),
            ))
            .unwrap();
        let newest = || async {
            let convs = wa
                .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
                .await;
            let Some(conv) = convs.body["items"][0]["id"].as_str() else {
                return Value::Null;
            };
            let msgs = wa
                .get(
                    &format!("/api/v1/conversations/{conv}/messages"),
                    Auth::ApiKey(&t.api_key),
                )
                .await;
            msgs.body["items"][0].clone()
        };
        wa.eventually("the photo is stored", || async {
            newest().await["media"]["status"] == json!("stored")
        })
        .await;
        let message = newest().await;
        let media_id = message["content"]["image"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!media_id.is_empty(), "{message}");

        let meta = meta_client(&wa);
        let info = meta.media_info(&t.api_key, &media_id, None).await.unwrap();
        assert_eq!(info.url, format!("{}/graph/media/{media_id}", wa.url));
        assert_eq!(info.file_size, Some(photo.len() as u64));
        let got = meta.download_media(&t.api_key, &info.url).await.unwrap();
        assert_eq!(got.data.as_ref(), photo.as_slice());
        assert_eq!(got.content_type.as_deref(), Some("image/png"));
        wa.stop().await;
    })
    .await;
}

fn template_body(name: &str) -> Value {
    json!({ "name": name, "language": "en_US", "category": "UTILITY",
            "components": [{ "type": "BODY", "text": "Your order {{1}} ships today.", "example": { "body_text": [["#12"]] } }] })
}

#[tokio::test]
async fn templates_are_listed_created_read_edited_and_deleted_at_meta() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("graph-templates").await;
        wa.connect_number(&t, PNID, WABA).await;
        let key = t.api_key.as_str();
        let list_path = format!("v23.0/{WABA}/message_templates");

        let (status, created) = call(&wa, Method::POST, key, &list_path, Some(template_body("order_ships"))).await;
        assert_eq!(status, 200, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        assert!(wa.sandbox.templates(Some(WABA)).iter().any(|t| t.id == id));

        let (status, list) = call(&wa, Method::GET, key, &format!("{list_path}?fields=name,status"), None).await;
        assert_eq!(status, 200, "{list}");
        assert!(list["data"].as_array().unwrap().iter().any(|t| t["name"] == json!("order_ships")), "{list}");

        let (status, one) = call(&wa, Method::GET, key, &format!("v23.0/{id}"), None).await;
        assert_eq!((status, one["name"].clone()), (200, json!("order_ships")), "{one}");

        let edit = json!({ "components": [{ "type": "BODY", "text": "Order {{1}} ships tomorrow.", "example": { "body_text": [["#12"]] } }] });
        let (status, body) = call(&wa, Method::POST, key, &format!("v23.0/{id}"), Some(edit)).await;
        assert_eq!((status, body["success"].clone()), (200, json!(true)), "{body}");

        let (status, body) = call(&wa, Method::DELETE, key, &format!("{list_path}?name=order_ships&hsm_id={id}"), None).await;
        assert_eq!((status, body["success"].clone()), (200, json!(true)), "{body}");
        assert!(!wa.sandbox.templates(Some(WABA)).iter().any(|t| t.id == id && t.status != "DELETED"));
        let (status, body) = call(&wa, Method::GET, key, &format!("v23.0/{id}"), None).await;
        assert!(is_unknown_object(status, &body), "{status} {body}");

        // Each change Meta took is in the audit log, by the key; reads are not.
        let log = wa.get("/api/v1/audit-log", testkit::Auth::ApiKey(key)).await;
        let actions: Vec<&str> = log.body["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "graph.post").count(), 2, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| **a == "graph.delete").count(), 1, "{actions:?}");
        assert!(!actions.contains(&"graph.get"), "{actions:?}");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn numbers_waba_and_business_profile_are_metas_own() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("graph-numbers").await;
        wa.connect_number(&t, PNID, WABA).await;
        // A number of the same WABA that this tenant never connected.
        wa.sandbox.add_number(sandbox::NumberSpec::new(OTHER_PNID, WABA, "token-unconnected")).unwrap();
        let key = t.api_key.as_str();

        let (status, node) = call(&wa, Method::GET, key, &format!("v23.0/{PNID}?fields=id,display_phone_number,quality_rating"), None).await;
        assert_eq!(status, 200, "{node}");
        assert_eq!(node["id"], json!(PNID));
        assert!(node["display_phone_number"].is_string(), "{node}");

        let (status, waba) = call(&wa, Method::GET, key, &format!("v23.0/{WABA}"), None).await;
        assert_eq!((status, waba["id"].clone()), (200, json!(WABA)), "{waba}");

        let (status, list) = call(&wa, Method::GET, key, &format!("v23.0/{WABA}/phone_numbers"), None).await;
        assert_eq!(status, 200, "{list}");
        let ids: Vec<&str> = list["data"].as_array().unwrap().iter().filter_map(|n| n["id"].as_str()).collect();
        assert_eq!(ids, [PNID], "{list}");

        let profile_path = format!("v23.0/{PNID}/whatsapp_business_profile");
        let update = json!({ "messaging_product": "whatsapp", "about": "Open 9 to 5", "vertical": "RETAIL" });
        let (status, body) = call(&wa, Method::POST, key, &profile_path, Some(update)).await;
        assert_eq!((status, body["success"].clone()), (200, json!(true)), "{body}");
        let (status, body) = call(&wa, Method::GET, key, &format!("{profile_path}?fields=about,vertical"), None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"][0]["about"], json!("Open 9 to 5"), "{body}");
        wa.stop().await;
    })
    .await;
}

/// Tenant A's number, with an uploaded file and a created template.
async fn tenant_with_objects(wa: &WhatsAppTest, t: &TestTenant) -> (String, String) {
    wa.connect_number(t, PNID, WABA).await;
    let meta = meta_client(wa);
    let up = meta
        .upload_media(
            PNID,
            &t.api_key,
            Bytes::from_static(b"%PDF-1.4 menu"),
            "application/pdf",
            "menu.pdf",
        )
        .await
        .unwrap();
    let (status, created) = call(
        wa,
        Method::POST,
        &t.api_key,
        &format!("v23.0/{WABA}/message_templates"),
        Some(template_body("a_only")),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    (up.id, created["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn another_tenants_key_reaches_none_of_its_numbers_wabas_media_or_templates() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let a = wa.create_tenant("graph-a").await;
        let b = wa.create_tenant("graph-b").await;
        let (media_id, template_id) = tenant_with_objects(&wa, &a).await;
        wa.connect_number(&b, OTHER_PNID, OTHER_WABA).await;
        let key = b.api_key.as_str();
        let before = (wa.sandbox.templates(Some(WABA)), wa.sandbox.outbound(None).len());

        let attempts: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("v23.0/{PNID}"), None),
            (Method::GET, format!("v23.0/{PNID}/whatsapp_business_profile"), None),
            (Method::POST, format!("v23.0/{PNID}/whatsapp_business_profile"), Some(json!({ "messaging_product": "whatsapp", "about": "pwned" }))),
            (Method::POST, format!("v23.0/{PNID}/messages"), Some(json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": { "body": "x" } }))),
            (Method::GET, format!("v23.0/{WABA}"), None),
            (Method::GET, format!("v23.0/{WABA}/message_templates"), None),
            (Method::POST, format!("v23.0/{WABA}/message_templates"), Some(template_body("b_sneaks_in"))),
            (Method::DELETE, format!("v23.0/{WABA}/message_templates?name=a_only"), None),
            (Method::GET, format!("v23.0/{WABA}/phone_numbers"), None),
            (Method::GET, format!("v23.0/{media_id}"), None),
            (Method::DELETE, format!("v23.0/{media_id}"), None),
            (Method::GET, format!("media/{media_id}"), None),
            (Method::GET, format!("v23.0/{template_id}"), None),
            (Method::POST, format!("v23.0/{template_id}"), Some(json!({ "components": [] }))),
        ];
        for (method, path, body) in attempts {
            let (status, answer) = call(&wa, method.clone(), key, &path, body).await;
            assert!(is_unknown_object(status, &answer), "{method} {path}: {status} {answer}");
        }
        // A multipart upload on A's number too.
        let meta = meta_client(&wa);
        let e = meta.upload_media(PNID, key, Bytes::from_static(b"x"), "text/plain", "x.txt").await.unwrap_err();
        assert_eq!(e.code(), Some(100), "{e}");

        // Nothing changed at Meta, and A still reaches all of it.
        assert_eq!((wa.sandbox.templates(Some(WABA)), wa.sandbox.outbound(None).len()), before);
        let info = meta.media_info(&a.api_key, &media_id, None).await.unwrap();
        let got = meta.download_media(&a.api_key, &info.url).await.unwrap();
        assert_eq!(got.data.as_ref(), b"%PDF-1.4 menu");
        let (status, one) = call(&wa, Method::GET, &a.api_key, &format!("v23.0/{template_id}"), None).await;
        assert_eq!((status, one["name"].clone()), (200, json!("a_only")), "{one}");
        wa.stop().await;
    })
    .await;
}
