//! Retries with backoff (5xx, 429 with `Retry-After`, dropped connections),
//! the delivery log, dead-lettering after the retry window, and disabling
//! an endpoint that keeps failing, all by moving the server's clock.

use crate::webhooks::{
    PNID_A, WABA_A, assert_signed, create_endpoint, customer_writes, deliveries, now, received,
    tenant_with_endpoint,
};
use serde_json::{Value, json};
use testkit::receiver::{Behaviour, Receiver};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine_with_sandbox};

/// A time field of the API (RFC 3339) in milliseconds since the epoch.
pub(crate) fn unix_ms(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(domain::Timestamp::parse_rfc3339)
        .map(|t| t.as_millis())
}

/// One delivery with its `attempts` (the API's `delivery` object, with
/// the detail's `attempts` list in place of their count).
pub(crate) async fn delivery(app: &TestApp, t: &TestTenant, id: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/webhook-deliveries/{id}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut d = r.body["delivery"].clone();
    assert!(d.is_object(), "{}", r.body);
    d["attempts"] = r.body["attempts"].clone();
    d
}

/// The only delivery of `endpoint` (after one event).
async fn only_delivery(app: &TestApp, t: &TestTenant, endpoint: &str) -> Value {
    let log = deliveries(app, t, endpoint, "").await;
    assert_eq!(log.len(), 1, "one delivery: {log:?}");
    delivery(app, t, log[0]["id"].as_str().unwrap()).await
}

fn attempts(d: &Value) -> Vec<Value> {
    d["attempts"].as_array().cloned().unwrap_or_default()
}

/// Whole seconds from the server's now until the delivery's next attempt
/// is due (rounded up).
fn wait_of(app: &TestApp, d: &Value) -> i64 {
    use domain::Clock as _;
    let due = unix_ms(&d["next_attempt_at"]).unwrap_or_else(|| panic!("no next_attempt_at: {d}"));
    (due - app.clock.now().as_millis() + 999).div_euclid(1000)
}

/// One failing first attempt of a fresh message, then returns its delivery.
async fn first_attempt(
    wa: &WhatsAppTest,
    slug: &str,
    receiver: &Receiver,
) -> (TestTenant, String, String, Value) {
    let (t, endpoint, secret) =
        tenant_with_endpoint(wa, slug, receiver, &["message.received"]).await;
    customer_writes(wa, PNID_A, WABA_A, &format!("wamid.{slug}")).await;
    wa.drain().await;
    wa.drain().await;
    assert_eq!(receiver.requests().len(), 1, "the first attempt");
    let d = only_delivery(wa, &t, &endpoint).await;
    (t, endpoint, secret, d)
}

#[tokio::test]
async fn a_5xx_is_retried_after_the_backoff_with_the_same_event() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let receiver = Receiver::start().await;
        receiver.script([Behaviour::status(500)]);
        let (t, _, secret, d) = first_attempt(&wa, "hook-retry-5xx", &receiver).await;
        assert_eq!(d["status"], json!("pending"), "{d}");
        let wait = wait_of(&wa, &d);
        assert!((30..=120).contains(&wait), "about a minute: {wait} s");
        wa.advance(wait - 1);
        wa.drain().await;
        assert_eq!(receiver.requests().len(), 1, "not before the backoff");
        wa.advance(1);
        wa.drain().await;
        let got = receiver.requests();
        assert_eq!(got.len(), 2, "retried once the backoff passed");
        assert_eq!(got[0].body, got[1].body, "the same bytes");
        assert_eq!(got[0].json()["id"], got[1].json()["id"]);
        assert_signed(&got[1], &secret, now(&wa));
        let d = delivery(&wa, &t, d["id"].as_str().unwrap()).await;
        assert_eq!(d["status"], json!("delivered"), "{d}");
        let codes: Vec<_> = attempts(&d)
            .iter()
            .map(|a| a["status_code"].clone())
            .collect();
        assert_eq!(codes, vec![json!(500), json!(200)], "{d}");
        wa.advance(3600);
        wa.drain().await;
        assert_eq!(receiver.requests().len(), 2, "delivered means done");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_429_is_retried_no_sooner_than_its_retry_after() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let receiver = Receiver::start().await;
        receiver.script([Behaviour::too_many(120)]);
        let (t, _, _, d) = first_attempt(&wa, "hook-retry-429", &receiver).await;
        let wait = wait_of(&wa, &d);
        assert!(wait >= 120, "Retry-After is honoured: {wait} s");
        wa.advance(119);
        wa.drain().await;
        assert_eq!(receiver.requests().len(), 1, "not before Retry-After");
        wa.advance(wait - 119);
        wa.drain().await;
        assert_eq!(receiver.requests().len(), 2);
        let d = delivery(&wa, &t, d["id"].as_str().unwrap()).await;
        assert_eq!(d["status"], json!("delivered"), "{d}");
        assert_eq!(attempts(&d)[0]["status_code"], json!(429));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_dropped_connection_is_retried_and_the_log_keeps_4_kib_of_the_answer() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let receiver = Receiver::start().await;
        let big = "x".repeat(6000);
        receiver.script([Behaviour::Drop, Behaviour::status(503).body(big.clone())]);
        let (t, _, _, d) = first_attempt(&wa, "hook-retry-drop", &receiver).await;
        assert_eq!(d["status"], json!("pending"), "{d}");
        let first = &attempts(&d)[0];
        assert!(first["status_code"].is_null(), "no answer: {first}");
        assert!(first["error"].is_string(), "the error is logged: {first}");
        for expected in [2, 3] {
            let d = delivery(&wa, &t, d["id"].as_str().unwrap()).await;
            wa.advance(wait_of(&wa, &d));
            wa.drain().await;
            assert_eq!(receiver.requests().len(), expected);
        }
        let d = delivery(&wa, &t, d["id"].as_str().unwrap()).await;
        assert_eq!(d["status"], json!("delivered"), "{d}");
        let a = attempts(&d);
        assert_eq!(a.len(), 3, "{d}");
        assert_eq!(a[1]["status_code"], json!(503));
        let kept = a[1]["response_body"].as_str().unwrap();
        assert!(
            !kept.is_empty() && kept.len() <= 4096 && big.starts_with(kept),
            "the first 4 KiB at most: {} bytes",
            kept.len()
        );
        assert!(a.iter().all(|a| a["latency_ms"].as_i64().is_some()), "{d}");
        assert_eq!(a[2]["status_code"], json!(200));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn failures_for_three_days_dead_letter_the_delivery_after_growing_backoffs() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let receiver = Receiver::start().await;
        receiver.set(Behaviour::status(500));
        let (t, endpoint, _, d) = first_attempt(&wa, "hook-dead", &receiver).await;
        let id = d["id"].as_str().unwrap().to_owned();
        let started = now(&wa);
        let mut d = d;
        for _ in 0..60 {
            if d["status"] != json!("pending") {
                break;
            }
            wa.advance(wait_of(&wa, &d).max(0));
            wa.drain().await;
            d = delivery(&wa, &t, &id).await;
        }
        assert_eq!(d["status"], json!("dead"), "{d}");
        let got = receiver.requests();
        let n = got.len();
        assert!((10..=30).contains(&n), "{n} attempts in three days");
        assert_eq!(attempts(&d).len(), n);
        let elapsed = now(&wa) - started;
        assert!(
            (66 * 3600..=80 * 3600).contains(&elapsed),
            "dead after about 3 days: {elapsed} s"
        );
        // The gaps (the signature's `t` of each attempt) grow to at most 6 h.
        let times: Vec<i64> = got
            .iter()
            .map(|r| {
                crate::webhooks::signature(r)
                    .split(',')
                    .find_map(|p| p.strip_prefix("t="))
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        let gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps[0] < 180,
            "the first retry after about a minute: {gaps:?}"
        );
        assert!(
            gaps.iter().all(|g| *g <= 6 * 3600 + 3600),
            "never more than about 6 h apart: {gaps:?}"
        );
        assert!(gaps[gaps.len() / 2] > gaps[1], "backoff grows: {gaps:?}");
        let dead = deliveries(&wa, &t, &endpoint, "status=dead").await;
        assert_eq!(dead.len(), 1);
        assert!(
            deliveries(&wa, &t, &endpoint, "status=delivered")
                .await
                .is_empty()
        );
        wa.advance(86_400);
        wa.drain().await;
        assert_eq!(
            receiver.requests().len(),
            n,
            "a dead delivery is not retried"
        );
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_endpoint_failing_for_the_disable_period_is_disabled_and_enabling_it_sends_the_rest() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let failing = Receiver::start().await;
        failing.set(Behaviour::status(500));
        let watcher = Receiver::start().await;
        let (t, endpoint, _) =
            tenant_with_endpoint(&wa, "hook-disable", &failing, &["message.received"]).await;
        create_endpoint(&wa, &t, &watcher.url("/watch"), &["webhook_endpoint.*"]).await;
        customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-disable-1").await;
        wa.drain().await;
        wa.drain().await;
        let owner = Auth::ApiKey(&t.api_key);
        let path = format!("/api/v1/webhook-endpoints/{endpoint}");
        let mut second_sent = false;
        let mut disabled_after = None;
        for hour in 1..=100 {
            wa.advance(3600);
            wa.drain().await;
            if hour == 24 {
                customer_writes(&wa, PNID_A, WABA_A, "wamid.hook-disable-2").await;
                wa.drain().await;
                second_sent = true;
            }
            let e = wa.get(&path, owner).await.body;
            if e["enabled"] == json!(false) {
                disabled_after = Some(hour);
                break;
            }
        }
        assert!(second_sent);
        let hours = disabled_after.expect("disabled within 100 hours");
        assert!((70..=80).contains(&hours), "disabled after {hours} h");
        let e = wa.get(&path, owner).await.body;
        let reason = e["disabled_reason"].as_str().unwrap_or_default();
        assert!(!reason.is_empty(), "a reason is shown: {e}");
        wa.drain().await;
        let told: Vec<_> = watcher
            .requests()
            .into_iter()
            .filter(|r| r.json()["name"] == json!("webhook_endpoint.disabled"))
            .collect();
        assert_eq!(told.len(), 1, "webhook_endpoint.disabled was recorded");
        assert_eq!(told[0].json()["data"]["endpoint_id"], json!(endpoint));
        // The owner is emailed (kept for the operator here: no SMTP).
        let op = wa.operator_token().await;
        let outbox = wa
            .get("/api/v1/operator/emails", Auth::Bearer(&op))
            .await
            .body;
        let emailed: Vec<&Value> = outbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "webhook_disabled")
            .collect();
        assert_eq!(emailed.len(), 1, "{outbox}");
        assert_eq!(emailed[0]["to"], json!(t.owner.email));

        // Disabled: nothing more is attempted.
        let before = failing.requests().len();
        for _ in 0..12 {
            wa.advance(3600);
            wa.drain().await;
        }
        assert_eq!(
            failing.requests().len(),
            before,
            "no attempts while disabled"
        );

        // Enabled again, the receiver fixed: the pending delivery goes.
        failing.set(Behaviour::status(200));
        failing.clear();
        let r = wa.patch(&path, owner, json!({ "enabled": true })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        let sent = received(&failing.requests()).len();
        assert_eq!(
            sent, 1,
            "the second message's delivery, still in its window"
        );
        wa.stop().await;
    })
    .await;
}

/// An endpoint that does not answer in time: the attempt is logged as a
/// timeout, without a status, and retried.
#[tokio::test]
async fn an_answer_that_never_comes_times_out_and_is_retried() {
    for engine in testkit::engines() {
        let wa = WhatsAppTest::start_with_config(engine, Default::default(), |c| {
            c.webhooks.timeout_ms = 300;
        })
        .await;
        let receiver = Receiver::start().await;
        receiver.script([Behaviour::Hold(std::time::Duration::from_secs(3))]);
        let (t, _, _, d) = first_attempt(&wa, "hook-retry-timeout", &receiver).await;
        assert_eq!(d["status"], json!("pending"), "{d}");
        let first = &attempts(&d)[0];
        assert!(first["status_code"].is_null(), "no answer: {first}");
        assert!(
            first["latency_ms"]
                .as_i64()
                .is_some_and(|ms| (300..3000).contains(&ms)),
            "given up at the timeout: {first}"
        );
        wa.advance(wait_of(&wa, &d));
        wa.drain().await;
        let d = delivery(&wa, &t, d["id"].as_str().unwrap()).await;
        assert_eq!(d["status"], json!("delivered"), "{d}");
        wa.stop().await;
    }
}
