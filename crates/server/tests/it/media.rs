//! Inbound media: fetched from Meta (the sandbox) in the background into
//! the media store, and served only to the tenant it belongs to.

use base64::Engine as _;
use serde_json::{Value, json};
use server::config::MediaStoreConfig;
use testkit::{Auth, MediaBackend, TestTenant, WhatsAppTest, each_media_store_with_sandbox};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const CUSTOMER: &str = "16505551234";

fn media_message(kind: &str, mime: &str, bytes: &[u8]) -> sandbox::InboundMessage {
    let media = sandbox::InboundMedia {
        mime_type: Some(mime.to_owned()),
        data_base64: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
        filename: (kind == "document").then(|| "menu.pdf".to_owned()),
        ..Default::default()
    };
    let content = match kind {
        "image" => sandbox::InboundContent::Image(media),
        "document" => sandbox::InboundContent::Document(media),
        other => panic!("no such kind {other}"),
    };
    sandbox::InboundMessage::new(PNID, CUSTOMER, content)
}

/// The newest message of the tenant's only conversation.
async fn newest_message(wa: &WhatsAppTest, t: &TestTenant) -> Value {
    let convs = wa
        .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
        .await;
    let Some(id) = convs.body["items"][0]["id"].as_str() else {
        return Value::Null;
    };
    let msgs = wa
        .get(
            &format!("/api/v1/conversations/{id}/messages"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    msgs.body["items"][0].clone()
}

/// The newest message, once its media has left `pending`.
async fn newest_with_settled_media(wa: &WhatsAppTest, t: &TestTenant) -> Value {
    wa.eventually("the media is fetched", || async {
        newest_message(wa, t).await["media"]["status"]
            .as_str()
            .is_some_and(|s| s != "pending")
    })
    .await;
    newest_message(wa, t).await
}

#[tokio::test]
async fn a_customers_photo_is_stored_and_served_only_to_its_tenant() {
    each_media_store_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("media-photo").await;
        let other = wa.create_tenant("media-other").await;
        wa.connect_number(&t, PNID, WABA).await;
        let photo: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        wa.sandbox
            .send_inbound(media_message("image", "image/png", &photo))
            .unwrap();

        let message = newest_with_settled_media(&wa, &t).await;
        assert_eq!(message["kind"], json!("image"));
        let media = &message["media"];
        assert_eq!(media["status"], json!("stored"), "{message}");
        assert_eq!(media["mime_type"], json!("image/png"));
        assert_eq!(media["size_bytes"], json!(photo.len()));
        let url = media["url"].as_str().unwrap();

        let r = wa
            .client
            .get(format!("{}{url}", wa.url))
            .bearer_auth(&t.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(r.headers()["content-disposition"], "inline");
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
        assert_eq!(r.bytes().await.unwrap().as_ref(), photo.as_slice());
        // The bytes are where the configuration says, and only there.
        let on_local_disk = wa.state.config.media_dir().join(&t.id).exists();
        assert_eq!(
            on_local_disk,
            wa.state.config.media_store == MediaStoreConfig::Local,
            "media kept on local disk: {on_local_disk}"
        );

        // The URL alone is nothing: no credentials, or another tenant's.
        let anonymous = wa.get(url, Auth::None).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.body);
        let foreign = wa.get(url, Auth::ApiKey(&other.api_key)).await;
        assert_eq!(foreign.status, 404, "{}", foreign.body);
        assert_eq!(foreign.code(), "not_found");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_document_is_served_as_a_download_and_a_redelivery_fetches_once() {
    each_media_store_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("media-doc").await;
        wa.connect_number(&t, PNID, WABA).await;
        let pdf = b"%PDF-1.4 a menu".to_vec();
        wa.sandbox
            .send_inbound(media_message("document", "application/pdf", &pdf))
            .unwrap();
        let message = newest_with_settled_media(&wa, &t).await;
        let url = message["media"]["url"].as_str().unwrap().to_owned();
        let r = wa
            .client
            .get(format!("{}{url}", wa.url))
            .header("x-api-key", &t.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-disposition"], "attachment");
        assert_eq!(r.bytes().await.unwrap().as_ref(), pdf.as_slice());

        // Meta redelivers the same webhook: still one message, one media.
        let delivered = wa.sandbox.webhook_log();
        let last = delivered.last().expect("a delivery");
        let body = last.body.clone();
        let signed = whatsapp::sign(testkit::APP_SECRET.as_bytes(), body.as_bytes());
        let r = wa
            .client
            .post(format!("{}/webhooks/whatsapp", wa.url))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signed)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        wa.drain().await;
        let again = newest_with_settled_media(&wa, &t).await;
        assert_eq!(again["media"]["url"].as_str(), Some(url.as_str()));
        let mut tx = wa.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
        let ids = [again["id"].as_str().unwrap().parse().unwrap()];
        assert_eq!(tx.list_media_of_messages(&ids).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
        wa.stop().await;
    })
    .await;
}

/// Stores a webhook and processes it, leaving the jobs it queued to run.
async fn store_and_process(wa: &WhatsAppTest, body: Vec<u8>) {
    let id = server::channels::intake::store_webhook(&wa.state, None, body.into())
        .await
        .unwrap();
    let (_, sys) = server::channels::process::process_webhook(&wa.state, id)
        .await
        .unwrap()
        .unwrap();
    sys.commit().await.unwrap();
}

/// Media never stays `pending`: a number disconnected before the fetch
/// ran, or a fetch that fails until its attempts run out, ends `failed`.
#[tokio::test]
async fn media_ends_failed_when_its_number_goes_or_its_fetch_never_succeeds() {
    each_media_store_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("media-fails").await;
        let channel = wa.connect_number(&t, PNID, WABA).await;
        // Stored and processed, its fetch not run yet.
        store_and_process(&wa, crate::channels::fixture("inbound-image.json")).await;
        assert_eq!(
            newest_message(&wa, &t).await["media"]["status"],
            json!("pending")
        );
        let r = wa
            .delete(
                &format!("/api/v1/channels/{channel}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
        wa.drain().await;
        assert_eq!(
            newest_message(&wa, &t).await["media"]["status"],
            json!("failed")
        );

        let t = wa.create_tenant("media-down").await;
        wa.connect_number(&t, "106540352242999", WABA).await;
        let mut body: Value =
            serde_json::from_slice(&crate::channels::fixture("inbound-image.json")).unwrap();
        let value = &mut body["entry"][0]["changes"][0]["value"];
        value["metadata"]["phone_number_id"] = json!("106540352242999");
        value["messages"][0]["id"] = json!("wamid.media-down");
        store_and_process(&wa, serde_json::to_vec(&body).unwrap()).await;
        // A node that cannot reach Meta runs the fetch until it gives up.
        let cut_off = wa
            .another_node(|c| c.graph_base_url = "http://127.0.0.1:9".into())
            .await;
        for _ in 0..40 {
            server::jobs::drain(&cut_off).await;
            wa.advance(6 * 3600);
        }
        assert_eq!(
            newest_message(&wa, &t).await["media"]["status"],
            json!("failed")
        );
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn move_media_copies_the_local_directory_into_the_object_store_which_then_serves_it() {
    for engine in testkit::engines() {
        let wa = WhatsAppTest::start(engine).await;
        let t = wa.create_tenant("media-move").await;
        wa.connect_number(&t, PNID, WABA).await;
        let photo: Vec<u8> = (0..=255u8).rev().cycle().take(5000).collect();
        wa.sandbox
            .send_inbound(media_message("image", "image/png", &photo))
            .unwrap();
        let message = newest_with_settled_media(&wa, &t).await;
        let url = message["media"]["url"].as_str().unwrap().to_owned();
        let tenant_dir = wa.state.config.media_dir().join(&t.id);
        assert!(
            tenant_dir.exists(),
            "fetched into the local directory first"
        );

        // The command, as an operator runs it after choosing S3.
        let mut config = wa.state.config.clone();
        config.media_store = testkit::media_store(MediaBackend::S3);
        let command = server::cli::AdminCommand::MoveMedia { remove_local: true };
        server::admin::run(config.clone(), command).await.unwrap();
        assert_eq!(
            std::fs::read_dir(&tenant_dir).unwrap().count(),
            0,
            "moved files leave the local directory"
        );
        // Run again: nothing left to move, nothing breaks.
        let command = server::cli::AdminCommand::MoveMedia { remove_local: true };
        server::admin::run(config.clone(), command).await.unwrap();

        // A node on the object store serves the photo.
        let node = wa
            .another_node(|c| c.media_store = config.media_store.clone())
            .await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = server::start(listener, node).unwrap();
        let r = wa
            .client
            .get(format!("{}{url}", running.url()))
            .bearer_auth(&t.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.bytes().await.unwrap().as_ref(), photo.as_slice());
        running.stop().await;
        wa.stop().await;
    }
}
