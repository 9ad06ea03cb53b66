//! The `whatsapp` crate's client against the sandbox (the two are written
//! independently from the reference; this checks they agree).

use bytes::Bytes;
use whatsapp::{GraphClient, SendOptions, WebhookEvent};

use crate::common::*;

fn client(env: &Env) -> GraphClient {
    GraphClient::builder()
        .base_url(env.sb.base_url())
        .api_version("v23.0")
        .allow_any_media_host(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn whatsapp_client_sends_and_parses_sandbox_webhooks() {
    let env = Env::start().await;
    let c = client(&env);
    let opts = SendOptions::default();
    env.open_window(CUSTOMER).await;

    let sent = c
        .send_text(PNID, TOKEN, CUSTOMER, "hello from the client", false, &opts)
        .await
        .unwrap();
    let id = sent.message_id().unwrap().to_owned();
    env.rx.wait_status(&id, "read").await;

    let bad = c
        .send_text(PNID, "wrong", CUSTOMER, "x", false, &opts)
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some(190));
    assert!(!bad.is_retryable());
    let unknown = c
        .phone_number_info("999999999", TOKEN, &[])
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(100));
    assert_eq!(
        unknown.meta().and_then(|m| m.error_subcode),
        Some(33),
        "{unknown}"
    );
    let info = c
        .phone_number_info(PNID, TOKEN, &["verified_name", "throughput"])
        .await
        .unwrap();
    assert_eq!(info.id, PNID);
    assert_eq!(info.verified_name.as_deref(), Some("Acme Support"));

    env.sb
        .set_faults(sandbox::Faults {
            error_rates: vec![sandbox::ErrorRate {
                code: 130429,
                rate: 1.0,
                mode: None,
                http_status: None,
            }],
            ..Default::default()
        })
        .unwrap();
    let throttled = c
        .send_text(PNID, TOKEN, CUSTOMER, "x", false, &opts)
        .await
        .unwrap_err();
    assert_eq!(throttled.code(), Some(130429));
    assert!(throttled.is_retryable());
    env.sb.set_faults(sandbox::Faults::default()).unwrap();

    let data = Bytes::from_static(b"%PDF-1.4 sandbox");
    let up = c
        .upload_media(PNID, TOKEN, data.clone(), "application/pdf", "a.pdf")
        .await
        .unwrap();
    let media = c.media_info(TOKEN, &up.id, Some(PNID)).await.unwrap();
    let got = c.download_media(TOKEN, &media.url).await.unwrap();
    assert_eq!(got.data, data);

    // Every body the sandbox delivered parses and verifies with the client crate.
    let (mut messages, mut statuses) = (0, 0);
    for hit in env.rx.hits() {
        whatsapp::verify_signature(
            SECRET.as_bytes(),
            &hit.body,
            Some(&sandbox::sign(SECRET, &hit.body)),
        )
        .unwrap();
        let payload = whatsapp::parse_webhook(&hit.body).unwrap();
        for event in payload.events() {
            match event {
                WebhookEvent::Message {
                    phone_number_id, ..
                } => {
                    assert_eq!(phone_number_id, PNID);
                    messages += 1;
                }
                WebhookEvent::Status { .. } => statuses += 1,
                _ => {}
            }
        }
    }
    assert_eq!(messages, 1);
    assert!(statuses >= 3);
}
