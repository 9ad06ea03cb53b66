//! Replay (one delivery, every dead one, a time range), secret rolling,
//! one slow endpoint not holding up another tenant's, and the execution
//! log and health figures.

use crate::webhooks::{
    PNID_A, PNID_B, WABA_A, WABA_B, create_endpoint, customer_writes, deliveries, now,
    python_verifies, received, secret_of, signature, tenant_with_endpoint,
};
use crate::webhooks_retries::{delivery, unix_ms};
use serde_json::{Value, json};
use std::time::Duration;
use testkit::receiver::{Behaviour, Receiver};
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

fn rfc3339(unix_seconds: i64) -> String {
    domain::Timestamp::from_unix_seconds(unix_seconds).to_rfc3339()
}

fn event_ids(requests: &[testkit::receiver::Request]) -> Vec<String> {
    let mut ids: Vec<String> = received(requests)
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn dead_deliveries_are_replayed_one_all_or_by_time_with_the_same_event_ids() {
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        // Not disabled at the moment its deliveries die (a disabled
        // endpoint's deliveries wait instead).
        let wa = WhatsAppTest::start_with_config(engine, Default::default(), |c| {
            c.webhooks.disable_after_hours = 24 * 30;
        })
        .await;
        let receiver = Receiver::start().await;
        receiver.set(Behaviour::status(500));
        let (t, endpoint, _) =
            tenant_with_endpoint(&wa, "hook-replay", &receiver, &["message.received"]).await;
        let since = now(&wa);
        for n in 0..2 {
            customer_writes(&wa, PNID_A, WABA_A, &format!("wamid.hook-replay-{n}")).await;
        }
        wa.drain().await;
        wa.drain().await;
        let until = now(&wa) + 1;
        let original = event_ids(&receiver.requests());
        assert_eq!(original.len(), 2);
        for _ in 0..16 {
            wa.advance(6 * 3600);
            wa.drain().await;
        }
        let dead = deliveries(&wa, &t, &endpoint, "status=dead").await;
        assert_eq!(dead.len(), 2, "both dead after three days");
        wa.advance(7 * 86_400);
        receiver.set(Behaviour::status(200));
        // The key: the owner's access token expired while the clock moved.
        let owner = Auth::ApiKey(&t.api_key);

        // One.
        receiver.clear();
        let one = dead[0]["id"].as_str().unwrap();
        let r = wa
            .post(
                &format!("/api/v1/webhook-deliveries/{one}/replay"),
                owner,
                json!({}),
            )
            .await;
        assert!(r.status < 300, "{}", r.body);
        wa.drain().await;
        let got = event_ids(&receiver.requests());
        assert_eq!(got.len(), 1, "one replayed");
        assert!(original.contains(&got[0]), "the same event id");
        assert_eq!(delivery(&wa, &t, one).await["status"], json!("delivered"));

        // Every dead one (the other).
        receiver.clear();
        let r = wa
            .post(
                &format!("/api/v1/webhook-endpoints/{endpoint}/replay"),
                owner,
                json!({ "dead": true }),
            )
            .await;
        assert!(r.status < 300, "{}", r.body);
        wa.drain().await;
        let all_dead = event_ids(&receiver.requests());
        assert_eq!(all_dead.len(), 1, "only the one still dead");
        assert_ne!(all_dead, got);
        assert!(
            deliveries(&wa, &t, &endpoint, "status=dead")
                .await
                .is_empty()
        );

        // Every event of a time range, delivered or not, in the same
        // instant as the last replay: due at once all the same.
        receiver.clear();
        let r = wa
            .post(
                &format!("/api/v1/webhook-endpoints/{endpoint}/replay"),
                owner,
                json!({ "since": rfc3339(since), "until": rfc3339(until) }),
            )
            .await;
        assert!(r.status < 300, "{}", r.body);
        wa.drain().await;
        assert_eq!(
            event_ids(&receiver.requests()),
            original,
            "both again, same ids (replay answered {}; range {} – {})",
            r.body,
            rfc3339(since),
            rfc3339(until)
        );
        // A range with nothing in it sends nothing.
        receiver.clear();
        let r = wa
            .post(
                &format!("/api/v1/webhook-endpoints/{endpoint}/replay"),
                owner,
                json!({ "since": rfc3339(until + 60), "until": rfc3339(until + 120) }),
            )
            .await;
        assert!(r.status < 300, "{}", r.body);
        wa.drain().await;
        assert!(receiver.requests().is_empty());
        wa.stop().await;
    }
}

#[tokio::test]
async fn a_rolled_secret_signs_alongside_the_old_one_until_the_overlap_ends() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let receiver = Receiver::start().await;
        let (t, endpoint, old) =
            tenant_with_endpoint(&wa, "hook-roll", &receiver, &["message.received"]).await;
        let r = wa
            .post(
                &format!("/api/v1/webhook-endpoints/{endpoint}/roll-secret"),
                Auth::Bearer(&t.owner.token),
                json!({ "overlap_hours": 1 }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let new = secret_of(&r.body);
        assert_ne!(new, old);
        customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-roll-1").await;
        wa.drain().await;
        wa.drain().await;
        let got = receiver.wait_for(1, Duration::from_secs(10)).await;
        let header = signature(&got[0]);
        assert_eq!(header.matches("v1=").count(), 2, "two signatures: {header}");
        assert!(python_verifies(&old, header, &got[0].body, Some(now(&wa))));
        assert!(python_verifies(&new, header, &got[0].body, Some(now(&wa))));

        wa.advance(3601);
        receiver.clear();
        customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-roll-2").await;
        wa.drain().await;
        wa.drain().await;
        let got = receiver.wait_for(1, Duration::from_secs(10)).await;
        let header = signature(&got[0]);
        assert_eq!(header.matches("v1=").count(), 1, "one signature: {header}");
        assert!(python_verifies(&new, header, &got[0].body, Some(now(&wa))));
        assert!(
            !python_verifies(&old, header, &got[0].body, Some(now(&wa))),
            "the old secret no longer signs"
        );
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_stalled_endpoint_does_not_hold_up_another_tenants() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let stalled = Receiver::start().await;
        stalled.set(Behaviour::Hold(Duration::from_secs(60)));
        let healthy = Receiver::start().await;
        let (_, _, _) =
            tenant_with_endpoint(&wa, "hook-slow-a", &stalled, &["message.received"]).await;
        let b = wa.create_tenant("hook-slow-b").await;
        wa.connect_number(&b, PNID_B, WABA_B).await;
        create_endpoint(&wa, &b, &healthy.url("/b"), &["message.received"]).await;
        // The real background workers, as a node runs them.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let _workers = server::jobs::Worker::spawn(wa.state.clone(), stopped);
        for n in 0..20 {
            customer_writes(&wa, PNID_A, WABA_A, &format!("wamid.hook-slow-a-{n}")).await;
        }
        stalled.wait_for(1, Duration::from_secs(30)).await;
        customer_writes(&wa, PNID_B, WABA_B, "wamid.hook-slow-b").await;
        let got = healthy.wait_for(1, Duration::from_secs(30)).await;
        assert_eq!(received(&got).len(), 1);
        let in_flight = stalled.requests().len();
        assert!(
            (1..=4).contains(&in_flight),
            "at most 4 requests in flight to one endpoint: {in_flight}"
        );
        let _ = stop.send(true);
        wa.stop().await;
    })
    .await;
}

/// The first object in `v` (searched depth first) for which `pick` holds.
fn find<'a>(v: &'a Value, pick: &dyn Fn(&Value) -> bool) -> Option<&'a Value> {
    if pick(v) {
        return Some(v);
    }
    match v {
        Value::Array(a) => a.iter().find_map(|x| find(x, pick)),
        Value::Object(o) => o.values().find_map(|x| find(x, pick)),
        _ => None,
    }
}

#[tokio::test]
async fn executions_list_the_deliveries_and_health_shows_success_rates_and_pending_work() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let good = Receiver::start().await;
        let bad = Receiver::start().await;
        bad.set(Behaviour::status(500));
        let (t, good_id, _) =
            tenant_with_endpoint(&wa, "hook-health", &good, &["message.received"]).await;
        let (bad_id, _) = create_endpoint(&wa, &t, &bad.url("/bad"), &["message.received"]).await;
        customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-health-1").await;
        wa.drain().await;
        wa.drain().await;
        let owner = Auth::Bearer(&t.owner.token);

        let all = wa.get("/api/v1/executions", owner).await;
        assert_eq!(all.status, 200, "{}", all.body);
        let items = all.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{}", all.body);
        assert!(items.iter().all(|i| i["type"] == json!("webhook_delivery")));
        assert!(
            items.iter().all(|i| i["details"].is_object()),
            "{}",
            all.body
        );
        let typed = wa
            .get("/api/v1/executions?type=webhook_delivery", owner)
            .await;
        assert_eq!(typed.body["items"].as_array().unwrap().len(), 2);
        for (status, endpoint) in [
            ("delivered", good.url("/hooks")),
            ("pending", bad.url("/bad")),
        ] {
            let r = wa
                .get(&format!("/api/v1/executions?status={status}"), owner)
                .await;
            let items = r.body["items"].as_array().unwrap();
            assert_eq!(items.len(), 1, "{status}: {}", r.body);
            assert!(r.text.contains(endpoint.as_str()), "{status}: {}", r.body);
        }
        let later = rfc3339(now(&wa) + 3600);
        let r = wa
            .get(&format!("/api/v1/executions?since={later}"), owner)
            .await;
        assert_eq!(r.body["items"], json!([]), "date range: {}", r.body);

        let health = wa.get("/api/v1/health", owner).await;
        assert_eq!(health.status, 200, "{}", health.body);
        let rate_of = |id: &str| {
            let entry = find(&health.body, &|v| {
                v.get("endpoint_id").or_else(|| v.get("id")) == Some(&json!(id))
            })
            .unwrap_or_else(|| panic!("{id} in {}", health.body));
            entry
                .as_object()
                .unwrap()
                .iter()
                .find(|(k, _)| k.contains("success"))
                .map(|(_, v)| v.as_f64().unwrap_or(-1.0))
                .unwrap_or_else(|| panic!("a success rate in {entry}"))
        };
        let (g, b) = (rate_of(&good_id), rate_of(&bad_id));
        assert!(g > 0.0 && b == 0.0, "good {g}, bad {b}: {}", health.body);
        let pending = find(&health.body, &|v| {
            v.as_object().is_some_and(|o| {
                o.keys().any(|k| k.contains("deliver")) && o.keys().any(|k| k.contains("pending"))
                    || o.keys().any(|k| k == "pending_deliveries")
            })
        });
        let pending = pending
            .and_then(|o| {
                o.as_object().unwrap().iter().find_map(|(k, v)| {
                    (k.contains("deliver") && v.is_i64()).then(|| v.as_i64().unwrap())
                })
            })
            .unwrap_or_else(|| panic!("pending deliveries in {}", health.body));
        assert_eq!(pending, 1, "{}", health.body);
        let d = deliveries(&wa, &t, &bad_id, "status=pending").await;
        assert!(
            unix_ms(&d[0]["next_attempt_at"]).is_some(),
            "next retry shown: {d:?}"
        );
        wa.stop().await;
    })
    .await;
}
