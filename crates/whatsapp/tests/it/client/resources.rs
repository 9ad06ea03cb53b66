//! Media, phone number and template endpoints.

use axum::http::header;
use serde_json::json;
use whatsapp::GraphClient;
use whatsapp::GraphError;

use super::{PHONE_ID, Server, TOKEN, assert_bearer};

#[tokio::test]
async fn media_upload_info_download_delete() {
    let server = Server::start().await;
    let client = server.client();

    server.reply_json(200, json!({"id": "1479537139650973"}));
    let up = client
        .upload_media(
            PHONE_ID,
            TOKEN,
            bytes::Bytes::from_static(b"\x89PNG-bytes"),
            "image/png",
            "a.png",
        )
        .await
        .unwrap();
    assert_eq!(up.id, "1479537139650973");
    let req = server.last();
    assert_eq!(
        (req.method.as_str(), req.uri.as_str()),
        ("POST", "/v23.0/106540352242922/media")
    );
    assert_bearer(&req);
    let ctype = req.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        ctype.starts_with("multipart/form-data; boundary="),
        "{ctype}"
    );
    let body = String::from_utf8_lossy(&req.body);
    assert!(
        body.contains("name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"),
        "{body}"
    );
    assert!(
        body.contains("name=\"type\"\r\n\r\nimage/png\r\n"),
        "{body}"
    );
    assert!(body.contains("name=\"file\"; filename=\"a.png\""), "{body}");
    assert!(body.contains("Content-Type: image/png"), "{body}");
    assert!(body.contains("PNG-bytes"));

    let url = format!(
        "{}/lookaside/whatsapp_business/attachments/?mid=1&ext=2&hash=3",
        server.base
    );
    server.reply_json(
        200,
        json!({"messaging_product":"whatsapp","url":url,"mime_type":"image/jpeg",
        "sha256":"abc","file_size":61901,"id":"1003383421387256"}),
    );
    server.reply(200, "image/jpeg", b"JPEGDATA".to_vec());
    let (info, media) = client
        .fetch_media(TOKEN, "1003383421387256", Some(PHONE_ID))
        .await
        .unwrap();
    assert_eq!(info.file_size, Some(61901));
    assert_eq!(info.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(&media.data[..], b"JPEGDATA");
    assert_eq!(media.content_type.as_deref(), Some("image/jpeg"));
    let reqs = server.requests();
    let (info_req, download_req) = (&reqs[reqs.len() - 2], &reqs[reqs.len() - 1]);
    assert_eq!(
        info_req.uri,
        "/v23.0/1003383421387256?phone_number_id=106540352242922"
    );
    assert_eq!(info_req.method, "GET");
    assert_eq!(
        download_req.uri,
        "/lookaside/whatsapp_business/attachments/?mid=1&ext=2&hash=3"
    );
    assert_bearer(download_req);

    // The token is never sent to a foreign host.
    let before = server.requests().len();
    let err = client
        .download_media(TOKEN, "https://evil.example.com/x")
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::InvalidInput(_)));
    assert!(
        client
            .download_media(TOKEN, "http://lookaside.fbsbx.com/x")
            .await
            .is_err()
    );
    assert_eq!(server.requests().len(), before);

    // Size limit.
    let small = GraphClient::builder()
        .base_url(&server.base)
        .max_download_bytes(4)
        .build()
        .unwrap();
    server.reply(200, "image/jpeg", b"JPEGDATA".to_vec());
    let err = small.download_media(TOKEN, &url).await.unwrap_err();
    assert!(matches!(err, GraphError::MediaTooLarge { limit: 4 }));

    // Expired URL.
    server.reply(404, "text/plain", b"not found".to_vec());
    assert!(matches!(
        client.download_media(TOKEN, &url).await.unwrap_err(),
        GraphError::Http { status: 404, .. }
    ));

    server.reply_json(200, json!({"success": true}));
    client
        .delete_media(TOKEN, "1479537139650973", None)
        .await
        .unwrap();
    let req = server.last();
    assert_eq!(
        (req.method.as_str(), req.uri.as_str()),
        ("DELETE", "/v23.0/1479537139650973")
    );
}

#[tokio::test]
async fn phone_number_info() {
    let server = Server::start().await;
    server.reply_json(
        200,
        json!({
            "verified_name": "Acme Support",
            "display_phone_number": "+1 555-078-3881",
            "quality_rating": "GREEN",
            "code_verification_status": "VERIFIED",
            "platform_type": "CLOUD_API",
            "throughput": { "level": "STANDARD" },
            "id": "106540352242922",
            "account_mode": "LIVE"
        }),
    );
    let info = server
        .client()
        .phone_number_info(PHONE_ID, TOKEN, whatsapp::client::PHONE_NUMBER_FIELDS)
        .await
        .unwrap();
    assert_eq!(info.id, PHONE_ID);
    assert_eq!(info.verified_name.as_deref(), Some("Acme Support"));
    assert_eq!(
        info.throughput.and_then(|t| t.level).as_deref(),
        Some("STANDARD")
    );
    assert_eq!(info.extra["account_mode"], "LIVE");
    let req = server.last();
    assert_eq!(
        req.uri,
        "/v23.0/106540352242922?fields=verified_name%2Cdisplay_phone_number%2Cquality_rating%2Ccode_verification_status%2Cplatform_type%2Cthroughput%2Cname_status%2Cmessaging_limit_tier"
    );
    assert_bearer(&req);
}

#[tokio::test]
async fn templates_list_create_delete() {
    use whatsapp::client::{TemplateComponentDef, TemplateDefinition, TemplateQuery};
    let server = Server::start().await;
    let client = server.client();
    let waba = "102290129340398";

    server.reply_json(200, json!({
        "data": [{"name":"order_update","status":"APPROVED","category":"UTILITY","language":"en_US",
                  "id":"594425479261596","quality_score":{"score":"GREEN"},
                  "components":[{"type":"BODY","text":"Hi {{1}}"}]}],
        "paging": {"cursors": {"before": "B1", "after": "A1"}, "next": "https://graph.facebook.com/v23.0/x?after=A1"}
    }));
    server.reply_json(200, json!({
        "data": [{"name":"summer_promo","status":"REJECTED","category":"MARKETING","language":"en",
                  "id":"594425479261597","rejected_reason":"INVALID_FORMAT"}],
        "paging": {"cursors": {"before": "B2", "after": "A2"}}
    }));
    let query = TemplateQuery {
        limit: Some(1),
        ..TemplateQuery::default()
    };
    let all = client
        .list_all_templates(waba, TOKEN, &query)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0]
            .quality_score
            .as_ref()
            .and_then(|q| q.score.as_deref()),
        Some("GREEN")
    );
    assert_eq!(all[0].components[0].text.as_deref(), Some("Hi {{1}}"));
    assert_eq!(all[1].rejected_reason.as_deref(), Some("INVALID_FORMAT"));
    let reqs = server.requests();
    assert_eq!(
        reqs[0].uri,
        "/v23.0/102290129340398/message_templates?limit=1"
    );
    assert_eq!(
        reqs[1].uri,
        "/v23.0/102290129340398/message_templates?limit=1&after=A1"
    );
    assert_eq!(reqs[0].method, "GET");

    let definition: TemplateDefinition = serde_json::from_value(json!(
      {"name":"order_update","language":"en_US","category":"UTILITY",
       "parameter_format":"POSITIONAL",
       "components":[
         {"type":"HEADER","format":"TEXT","text":"Order {{1}}","example":{"header_text":["#1234"]}},
         {"type":"BODY","text":"Hi {{1}}, your order ships on {{2}}.","example":{"body_text":[["Ana","May 3"]]}},
         {"type":"FOOTER","text":"Reply STOP to opt out"},
         {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Track"},{"type":"URL","text":"Details","url":"https://ex.com/o/{{1}}","example":["https://ex.com/o/1234"]}]}]}
    )).unwrap();
    assert_eq!(definition.components[3].buttons.len(), 2);
    server.reply_json(
        200,
        json!({"id": "594425479261596", "status": "PENDING", "category": "UTILITY"}),
    );
    let created = client
        .create_template(waba, TOKEN, &definition)
        .await
        .unwrap();
    assert_eq!(
        (created.id.as_str(), created.status.as_deref()),
        ("594425479261596", Some("PENDING"))
    );
    let req = server.last();
    assert_eq!(
        (req.method.as_str(), req.uri.as_str()),
        ("POST", "/v23.0/102290129340398/message_templates")
    );
    assert_eq!(req.json(), serde_json::to_value(&definition).unwrap());
    assert_eq!(
        req.json()["components"][0]["example"],
        json!({"header_text":["#1234"]})
    );
    let _ = TemplateComponentDef::default();

    server.reply_json(200, json!({"success": true}));
    client
        .delete_template(waba, TOKEN, "order_update", None)
        .await
        .unwrap();
    assert_eq!(
        server.last().uri,
        "/v23.0/102290129340398/message_templates?name=order_update"
    );
    assert_eq!(server.last().method, "DELETE");
    server.reply_json(200, json!({"success": true}));
    client
        .delete_template(waba, TOKEN, "order_update", Some("594425479261596"))
        .await
        .unwrap();
    assert_eq!(
        server.last().uri,
        "/v23.0/102290129340398/message_templates?name=order_update&hsm_id=594425479261596"
    );

    server.reply_json(200, json!({"id":"594425479261596","name":"order_update","status":"APPROVED","language":"en_US"}));
    let one = client.get_template(TOKEN, "594425479261596").await.unwrap();
    assert_eq!(one.status, "APPROVED");
    assert_eq!(server.last().uri, "/v23.0/594425479261596");
    for r in server.requests() {
        assert_bearer(&r);
    }
}
