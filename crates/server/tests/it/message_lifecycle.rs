//! A queued message never stays queued for ever: it is sent, fails with a
//! reason the tenant sees, or waits visibly for something that will release
//! it (new credentials, a reactivated tenant). Pending media ends ready or
//! failed.

use crate::sending::{PNID, WABA, add_template, template};
use domain::{MessageId, TenantId};
use serde_json::{Value, json};
use testkit::{Auth, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const CUSTOMER: &str = "16505551234";

/// A message as the tenant's API shows it.
async fn message(wa: &WhatsAppTest, t: &TestTenant, conversation: &str, id: &str) -> Value {
    let r = wa
        .get(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    r.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|m| m["id"] == json!(id)).cloned())
        .unwrap_or(Value::Null)
}

/// Queues a template; returns (message id, conversation id).
async fn queue(wa: &WhatsAppTest, t: &TestTenant) -> (String, String) {
    let r = wa
        .post("/api/v1/messages", Auth::ApiKey(&t.api_key), template())
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    (
        r.body["id"].as_str().unwrap().to_owned(),
        r.body["conversation_id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_send_that_runs_out_of_attempts_ends_failed_with_the_reason() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("lc-attempts").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        wa.sandbox
            .set_faults(sandbox::Faults {
                error_rates: vec![sandbox::ErrorRate {
                    code: 131000,
                    rate: 1.0,
                    mode: Some(sandbox::ErrorMode::Sync),
                    http_status: None,
                }],
                ..Default::default()
            })
            .unwrap();
        let (id, conversation) = queue(&wa, &t).await;
        for _ in 0..60 {
            wa.drain().await;
            wa.advance(3600);
        }
        let m = message(&wa, &t, &conversation, &id).await;
        assert_eq!(m["status"], json!("failed"), "{m}");
        let title = m["error"]["title"].as_str().unwrap_or_default();
        assert!(title.starts_with("not sent: gave up after"), "{m}");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_send_whose_number_was_disconnected_fails_with_the_reason() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("lc-deleted").await;
        let channel = wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let (id, conversation) = queue(&wa, &t).await;
        let r = wa
            .delete(
                &format!("/api/v1/channels/{channel}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert!(r.status == 204 || r.status == 200, "{}", r.body);
        wa.drain().await;
        let m = message(&wa, &t, &conversation, &id).await;
        assert_eq!(m["status"], json!("failed"), "{m}");
        assert_eq!(
            m["error"]["title"],
            json!("the number was disconnected before the message was sent")
        );
        assert!(wa.sandbox.received(PNID, CUSTOMER).is_empty());
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_send_waits_visibly_for_new_credentials_and_goes_once_they_are_saved() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("lc-credentials").await;
        let channel = wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        // Meta revokes the token: the number only accepts a new one.
        wa.sandbox
            .add_number(sandbox::NumberSpec::new(PNID, WABA, "the-new-token"))
            .unwrap();
        let (id, conversation) = queue(&wa, &t).await;
        wa.drain().await;
        // It waits, saying why, however long nothing changes.
        for _ in 0..3 {
            wa.advance(120);
            wa.drain().await;
            let m = message(&wa, &t, &conversation, &id).await;
            assert_eq!(m["status"], json!("queued"), "{m}");
            assert_eq!(
                m["waiting"],
                json!("the number needs new credentials; sent once they are replaced"),
                "{m}"
            );
        }
        assert!(wa.sandbox.received(PNID, CUSTOMER).is_empty());
        let r = wa
            .put(
                &format!("/api/v1/channels/{channel}/credentials"),
                Auth::ApiKey(&t.api_key),
                json!({ "access_token": "the-new-token" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Saving them wakes the send: no clock needs to move.
        wa.drain().await;
        assert_eq!(wa.sandbox.received(PNID, CUSTOMER).len(), 1);
        let m = message(&wa, &t, &conversation, &id).await;
        assert_ne!(m["status"], json!("queued"), "{m}");
        assert!(m.get("waiting").is_none(), "{m}");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_suspended_tenants_sends_wait_and_go_once_on_reactivation() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("lc-suspend").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(queue(&wa, &t).await.0);
        }
        let op = wa.operator_token().await;
        let r = wa
            .post(
                &format!("/api/v1/operator/tenants/{}/suspend", t.id),
                Auth::Bearer(&op),
                json!({ "reason": "unpaid invoice" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        for _ in 0..3 {
            wa.drain().await;
            wa.advance(600);
        }
        assert!(wa.sandbox.received(PNID, CUSTOMER).is_empty());
        let tenant: TenantId = t.id.parse().unwrap();
        let mut tx = wa.state.store.tenant_read(tenant).await.unwrap();
        for id in &ids {
            let m = tx
                .find_message(id.parse::<MessageId>().unwrap())
                .await
                .unwrap();
            assert_eq!(m.status, domain::messaging::MessageStatus::Queued);
            assert!(m.waiting_reason.is_some(), "the wait is recorded");
        }
        tx.commit().await.unwrap();
        let r = wa
            .post(
                &format!("/api/v1/operator/tenants/{}/reactivate", t.id),
                Auth::Bearer(&op),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        let received = wa.sandbox.received(PNID, CUSTOMER);
        for id in &ids {
            let n = received
                .iter()
                .filter(|m| m.biz_opaque_callback_data.as_deref() == Some(id.as_str()))
                .count();
            assert_eq!(n, 1, "message {id} sent exactly once");
        }
        wa.stop().await;
    })
    .await;
}
