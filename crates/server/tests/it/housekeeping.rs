//! Housekeeping: finished work goes after its retention, in small
//! batches, and nothing that is still needed goes with it.

use crate::channels::{PNID_A, WABA_A, conversations, fixture, messages, post_webhook};
use reqwest::Method;
use serde_json::{Value, json};
use server::housekeeping::sweep;
use store::events::CursorStart;
use store::housekeeping::Sweepable;
use testkit::{APP_SECRET, Auth, WhatsAppTest};

const DAY: i64 = 86_400;

/// The inbound-text fixture with its own message id.
fn inbound(n: usize) -> Vec<u8> {
    let mut body: Value = serde_json::from_slice(&fixture("inbound-text.json")).unwrap();
    body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = json!(format!("wamid.sweep{n}"));
    serde_json::to_vec(&body).unwrap()
}

#[tokio::test]
async fn finished_work_is_swept_after_its_retention_in_small_batches() {
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        let wa = WhatsAppTest::start_with_config(engine, Default::default(), |c| {
            c.retention.batch = 2;
        })
        .await;
        let t = wa.create_tenant("sweep").await;
        let tenant = t.id.parse().unwrap();
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let receiver = testkit::receiver::Receiver::start().await;
        crate::webhooks::create_endpoint(&wa, &t, &receiver.url("/h"), &["message.received"]).await;
        for n in 0..5 {
            assert_eq!(post_webhook(&wa, &inbound(n), Some(APP_SECRET)).await, 200);
        }
        wa.drain().await;
        let r = wa
            .request(
                Method::POST,
                "/api/v1/api-keys",
                Auth::Bearer(&t.owner.token),
                Some(json!({ "name": "sweep", "scopes": ["users:read"] })),
                &[("Idempotency-Key", "sweep-1")],
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        wa.operator_token().await;
        // A consumer of the event log that has not read anything yet.
        let mut tx = wa.state.store.tenant(tenant).await.unwrap();
        assert_eq!(
            tx.lock_cursor("test.slow", CursorStart::Beginning)
                .await
                .unwrap(),
            0
        );
        let latest = tx.latest_event_seq().await.unwrap();
        tx.commit().await.unwrap();
        assert!(latest > 5, "the messages recorded events");
        // A webhook stored but not processed yet.
        server::channels::intake::store_webhook(&wa.state, None, inbound(99).into())
            .await
            .unwrap();

        // Nothing is old enough yet.
        let swept = sweep(&wa.state, wa.state.now()).await.unwrap();
        assert!(swept.removed.iter().all(|(_, n)| *n == 0), "{swept:?}");

        // A hundred days on, everything past its retention goes, two rows
        // per transaction, except the events the slow consumer still needs
        // and the webhook not processed yet.
        let later = wa.state.now().plus_seconds(100 * DAY);
        let swept = sweep(&wa.state, later).await.unwrap();
        assert!(swept.of(Sweepable::FinishedJobs) >= 5, "{swept:?}");
        assert_eq!(swept.of(Sweepable::ProcessedWebhooks), 5, "{swept:?}");
        assert_eq!(swept.of(Sweepable::IdempotencyKeys), 1, "{swept:?}");
        assert!(
            swept.of(Sweepable::Sessions) >= 2,
            "user and operator: {swept:?}"
        );
        assert_eq!(receiver.requests().len(), 5, "each message delivered");
        assert_eq!(
            swept.of(Sweepable::WebhookDeliveries),
            10,
            "5 deliveries and their 5 attempts: {swept:?}"
        );
        assert_eq!(
            swept.of(Sweepable::Events),
            0,
            "a consumer has yet to read them"
        );
        let rows: u64 = swept.removed.iter().map(|(_, n)| n).sum();
        assert!(
            swept.batches > rows / 2,
            "batches of at most two rows: {swept:?}"
        );
        let mut sys = wa.state.store.system_read().await.unwrap();
        assert_eq!(sys.count_webhooks("pending").await.unwrap(), 1);
        assert_eq!(sys.count_webhooks("processed").await.unwrap(), 0);
        sys.commit().await.unwrap();

        // Once the consumer has passed them, the old events go too.
        let mut tx = wa.state.store.tenant(tenant).await.unwrap();
        tx.lock_cursor("test.slow", CursorStart::Beginning)
            .await
            .unwrap();
        tx.advance_cursor("test.slow", latest, later).await.unwrap();
        tx.commit().await.unwrap();
        let swept = sweep(&wa.state, later).await.unwrap();
        assert_eq!(swept.of(Sweepable::Events), latest as u64, "{swept:?}");
        assert_eq!(
            sweep(&wa.state, later).await.unwrap().of(Sweepable::Events),
            0
        );

        // The inbox itself is untouched.
        let convs = conversations(&wa, &t).await;
        let msgs = messages(&wa, &t, convs[0]["id"].as_str().unwrap()).await;
        assert_eq!(msgs.len(), 5);
        wa.stop().await;
    }
}

/// The sweep is a scheduled job: the first start schedules it, each run
/// schedules the next, and a second node starting in the same hour adds
/// nothing.
#[tokio::test]
async fn the_sweep_schedules_itself_once_per_period() {
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        let wa = WhatsAppTest::start(engine).await;
        server::housekeeping::schedule(&wa.state).await.unwrap();
        server::housekeeping::schedule(&wa.state).await.unwrap();
        let pending = |state: server::AppState| async move {
            state
                .store
                .queue_depths()
                .await
                .unwrap()
                .into_iter()
                .filter(|d| d.queue == "tenants" && d.status == "pending")
                .map(|d| d.jobs)
                .sum::<i64>()
        };
        assert_eq!(pending(wa.state.clone()).await, 1, "scheduled once");
        assert_eq!(wa.drain().await, 1, "this period's sweep runs now");
        assert_eq!(pending(wa.state.clone()).await, 1, "the next one waits");
        assert_eq!(wa.drain().await, 0, "not due yet");
        wa.advance(server::housekeeping::SWEEP_EVERY_SECONDS);
        assert_eq!(wa.drain().await, 1, "due an hour later");
        assert_eq!(pending(wa.state.clone()).await, 1);
        wa.stop().await;
    }
}
