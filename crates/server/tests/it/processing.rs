//! Processing stored webhooks: what must hold when a webhook is processed
//! again, or names something it should not touch.

use crate::channels::{
    PNID_A, WABA_A, conversations, fixture, messages, post_webhook, suspended_tenant,
};
use serde_json::{Value, json};
use testkit::{APP_SECRET, WhatsAppTest, each_engine_with_sandbox};

/// A status naming a customer's own message (not one the business sent)
/// changes nothing: statuses only move outbound messages.
#[tokio::test]
async fn a_status_for_an_inbound_message_changes_nothing() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("chan-status-in").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let inbound = fixture("inbound-text.json");
        assert_eq!(post_webhook(&wa, &inbound, Some(APP_SECRET)).await, 200);
        wa.drain().await;
        let inbound: Value = serde_json::from_slice(&inbound).unwrap();
        let wamid = &inbound["entry"][0]["changes"][0]["value"]["messages"][0]["id"];
        let mut status: Value = serde_json::from_slice(&fixture("status-read.json")).unwrap();
        let s = &mut status["entry"][0]["changes"][0]["value"]["statuses"][0];
        s["id"] = wamid.clone();
        s.as_object_mut()
            .unwrap()
            .remove("biz_opaque_callback_data");
        let body = serde_json::to_vec(&status).unwrap();
        assert_eq!(post_webhook(&wa, &body, Some(APP_SECRET)).await, 200);
        wa.drain().await;
        let convs = conversations(&wa, &t).await;
        let msgs = messages(&wa, &t, convs[0]["id"].as_str().unwrap()).await;
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0]["status"], json!("received"), "{}", msgs[0]);
        wa.stop().await;
    })
    .await;
}

/// A crash after a suspended tenant's events were held but before the
/// webhook was marked processed: processing it again holds nothing twice.
#[tokio::test]
async fn processing_a_webhook_again_holds_its_events_once() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let (t, _) = suspended_tenant(&wa, "chan-held-twice").await;
        let body = bytes::Bytes::from(fixture("inbound-text.json"));
        let id = server::channels::intake::store_webhook(&wa.state, None, body)
            .await
            .unwrap();
        // The first run dies before its last commit (its transaction is
        // dropped); the second finishes.
        let (first, unfinished) = server::channels::process::process_webhook(&wa.state, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.held, 1);
        drop(unfinished);
        let (_, last) = server::channels::process::process_webhook(&wa.state, id)
            .await
            .unwrap()
            .unwrap();
        last.commit().await.unwrap();
        let mut tx = wa.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
        let held = tx.list_held_events(100).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(held.len(), 1, "held once");
        wa.stop().await;
    })
    .await;
}

/// A webhook processed twice (a second node whose lease overlapped the
/// first's, or a mark that never reached the database) keeps the events
/// nobody owns once.
#[tokio::test]
async fn processing_a_webhook_again_keeps_its_unroutable_events_once() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        // No tenant has this number.
        let body = bytes::Bytes::from(fixture("inbound-text.json"));
        let id = server::channels::intake::store_webhook(&wa.state, None, body)
            .await
            .unwrap();
        for _ in 0..2 {
            let (first, sys) = server::channels::process::process_webhook(&wa.state, id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(first.unroutable, 1);
            sys.commit().await.unwrap();
            // As if the other run had read the webhook before this one
            // marked it processed.
            let sql = "UPDATE webhook_deliveries SET status = 'pending'";
            let url = &wa.state.config.database_url;
            match wa.engine {
                testkit::Engine::Sqlite => {
                    let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(url)
                        .await
                        .unwrap();
                    sqlx::query(sql).execute(&mut c).await.unwrap();
                }
                testkit::Engine::Postgres => {
                    let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
                        .await
                        .unwrap();
                    sqlx::query(sql).execute(&mut c).await.unwrap();
                }
            }
        }
        let mut sys = wa.state.store.system_read().await.unwrap();
        let kept = sys
            .list_unroutable(store::page::PageRequest::new(None, 10))
            .await
            .unwrap();
        sys.commit().await.unwrap();
        assert_eq!(kept.items.len(), 1, "kept once");
        wa.stop().await;
    })
    .await;
}
