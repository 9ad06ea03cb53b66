//! Outbound webhooks, the core path, against a minimal receiver of this
//! file's own: an inbound message is delivered signed (checked with HMAC
//! here, not with the code under test), a failing endpoint is retried as
//! the clock moves and dead-lettered after the window, and another tenant
//! can neither see nor touch the endpoint. The broader suite is in the
//! other `webhooks_*.rs` files.

use crate::webhooks::{PNID_A, WABA_A, customer_writes};
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use testkit::{Auth, TestApp, TestTenant, each_engine_with_sandbox};

/// Records every request and answers with `status`.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    status: Arc<AtomicU16>,
}

impl Seen {
    fn all(&self) -> Vec<(HeaderMap, Bytes)> {
        self.requests.lock().unwrap().clone()
    }
}

async fn receiver(status: u16) -> (String, Seen) {
    let seen = Seen::default();
    seen.status.store(status, Ordering::SeqCst);
    let s = seen.clone();
    let app = Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let s = s.clone();
            async move {
                s.requests.lock().unwrap().push((headers, body));
                StatusCode::from_u16(s.status.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (url, seen)
}

async fn endpoint(app: &TestApp, t: &TestTenant, url: &str) -> (String, String) {
    let r = app
        .post(
            "/api/v1/webhook-endpoints",
            Auth::Bearer(&t.owner.token),
            json!({ "url": url, "events": ["message.*"] }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    (
        r.body["endpoint"]["id"].as_str().unwrap().to_owned(),
        r.body["secret"].as_str().unwrap().to_owned(),
    )
}

/// HMAC-SHA256 of `t.` + body, hex, per the documentation.
fn expected_signature(secret: &str, t: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

async fn deliveries(app: &TestApp, t: &TestTenant, id: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/webhook-endpoints/{id}/deliveries"),
            Auth::Bearer(&t.owner.token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_received_message_is_delivered_signed() {
    each_engine_with_sandbox(|wa| async move {
        let (url, seen) = receiver(200).await;
        let t = wa.create_tenant("core-sig").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let (id, secret) = endpoint(&wa, &t, &url).await;
        customer_writes(&wa, PNID_A, WABA_A, "wamid.core-sig-1").await;
        wa.drain().await;

        let all = seen.all();
        let received: Vec<_> = all
            .iter()
            .filter(|(h, _)| h["switchboard-event"] == "message.received")
            .collect();
        assert_eq!(received.len(), 1, "one delivery of the message");
        let (headers, body) = received[0];
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["user-agent"], "Switchboard-Webhooks/1");
        let sig = headers["switchboard-signature"].to_str().unwrap();
        let t_part = sig.split(',').find_map(|p| p.strip_prefix("t=")).unwrap();
        let v1: Vec<_> = sig
            .split(',')
            .filter_map(|p| p.strip_prefix("v1="))
            .collect();
        assert_eq!(v1, vec![expected_signature(&secret, t_part, body)]);
        let event: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(event["name"], "message.received");
        assert_eq!(event["tenant_id"], json!(t.id));
        assert!(event["seq"].as_i64().unwrap() > 0);
        assert!(event["data"]["message_id"].is_string(), "{event}");

        let log = deliveries(&wa, &t, &id).await;
        let d = log
            .iter()
            .find(|d| d["event"] == "message.received")
            .unwrap();
        assert_eq!(d["status"], "delivered");
        assert_eq!(d["event_id"], event["id"]);
        assert_eq!(headers["switchboard-delivery"], d["id"].as_str().unwrap());
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_dead_lettered_and_private_to_its_tenant() {
    each_engine_with_sandbox(|wa| async move {
        let (url, seen) = receiver(500).await;
        let t = wa.create_tenant("core-retry").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let (id, _) = endpoint(&wa, &t, &url).await;
        customer_writes(&wa, PNID_A, WABA_A, "wamid.core-retry-1").await;
        wa.drain().await;
        let tries = || {
            seen.all()
                .iter()
                .filter(|(h, _)| h["switchboard-event"] == "message.received")
                .count()
        };
        assert_eq!(tries(), 1);
        let log = deliveries(&wa, &t, &id).await;
        let d = log
            .iter()
            .find(|d| d["event"] == "message.received")
            .unwrap()
            .clone();
        assert_eq!(d["status"], "pending");
        assert_eq!(d["last_status"], 500);

        wa.drain().await;
        assert_eq!(tries(), 1, "no retry before its time");
        wa.advance(61);
        wa.drain().await;
        assert_eq!(tries(), 2, "retried after about a minute");

        // (Past the owner's sign-in: the tenant's API key from here.)
        wa.advance(73 * 3600);
        wa.drain().await;
        assert_eq!(tries(), 3);
        let detail = wa
            .get(
                &format!("/api/v1/webhook-deliveries/{}", d["id"].as_str().unwrap()),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(detail.status, 200, "{}", detail.body);
        assert_eq!(detail.body["delivery"]["status"], "dead");
        assert_eq!(detail.body["attempts"].as_array().unwrap().len(), 3);
        assert_eq!(detail.body["attempts"][0]["status_code"], 500);
        let e = wa
            .get(
                &format!("/api/v1/webhook-endpoints/{id}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(e.body["enabled"], false, "disabled after 72 h of failures");
        assert!(e.body["disabled_reason"].is_string());

        // Another tenant sees nothing and touches nothing.
        let other = wa.create_tenant("core-other").await;
        let o = Auth::Bearer(&other.owner.token);
        let ep = format!("/api/v1/webhook-endpoints/{id}");
        let dp = format!("/api/v1/webhook-deliveries/{}", d["id"].as_str().unwrap());
        assert_eq!(wa.get(&ep, o).await.status, 404);
        assert_eq!(
            wa.patch(&ep, o, json!({ "enabled": true })).await.status,
            404
        );
        assert_eq!(
            wa.post(&format!("{ep}/test"), o, json!({})).await.status,
            404
        );
        assert_eq!(wa.get(&format!("{ep}/deliveries"), o).await.status, 404);
        assert_eq!(wa.get(&dp, o).await.status, 404);
        assert_eq!(
            wa.post(&format!("{dp}/replay"), o, json!({})).await.status,
            404
        );
        assert_eq!(wa.delete(&ep, o).await.status, 404);
        let list = wa.get("/api/v1/webhook-endpoints", o).await;
        assert_eq!(list.body["items"], json!([]));
        assert_eq!(wa.get(&ep, Auth::ApiKey(&t.api_key)).await.status, 200);
        wa.stop().await;
    })
    .await;
}
