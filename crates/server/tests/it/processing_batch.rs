//! Stored webhooks processed in batches: many webhooks of several tenants
//! routed together, each tenant's events written in one transaction, and a
//! webhook that cannot be written holding back no other.

use crate::channels::{PNID_A, WABA_A, conversations, messages};
use serde_json::{Value, json};
use testkit::{Auth, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const PNID_B: &str = "310000000000001";
const WABA_B: &str = "310000000000002";
const PNID_C: &str = "320000000000001";
const WABA_C: &str = "320000000000002";

/// One entry of a webhook: a text from `customer` to number `pnid`.
fn text(pnid: &str, waba: &str, customer: &str, wamid: &str) -> Value {
    json!({
        "id": waba,
        "changes": [{
            "field": "messages",
            "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "15550000000", "phone_number_id": pnid },
                "contacts": [{ "profile": { "name": "Customer" }, "wa_id": customer }],
                "messages": [{
                    "from": customer, "id": wamid, "timestamp": "1767225600",
                    "type": "text", "text": { "body": format!("message {wamid}") }
                }]
            }
        }]
    })
}

fn body(entries: Vec<Value>) -> bytes::Bytes {
    let body = json!({ "object": "whatsapp_business_account", "entry": entries });
    bytes::Bytes::from(serde_json::to_vec(&body).unwrap())
}

async fn store(wa: &WhatsAppTest, body: bytes::Bytes) {
    server::channels::intake::store_webhook(&wa.state, None, body)
        .await
        .unwrap();
}

/// Every message of the tenant's inbox, as (customer, wamid), sorted.
async fn inbox(wa: &WhatsAppTest, t: &TestTenant) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for c in conversations(wa, t).await {
        let id = c["id"].as_str().unwrap();
        let contact = c["contact_id"].as_str().unwrap();
        let r = wa
            .get(
                &format!("/api/v1/contacts/{contact}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let customer = r.body["contact"]["wa_id"].as_str().unwrap().to_owned();
        for m in messages(wa, t, id).await {
            all.push((customer.clone(), m["wamid"].as_str().unwrap().to_owned()));
        }
    }
    all.sort();
    all
}

/// The tenant's contacts, and how many `message.received` events it has.
async fn counts(wa: &WhatsAppTest, t: &TestTenant) -> (i64, usize) {
    let mut tx = wa.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    let contacts = tx.count_contacts().await.unwrap();
    let events = tx.events_after(0, 1000).await.unwrap();
    tx.commit().await.unwrap();
    let received = events
        .iter()
        .filter(|e| e.name == "message.received")
        .count();
    (contacts, received)
}

async fn pending(wa: &WhatsAppTest) -> i64 {
    let mut sys = wa.state.store.system_read().await.unwrap();
    let n = sys.count_webhooks("pending").await.unwrap();
    sys.commit().await.unwrap();
    n
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = list
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_batch_of_webhooks_lands_each_event_once_for_its_tenant() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let a = wa.create_tenant("batch-a").await;
        wa.connect_number(&a, PNID_A, WABA_A).await;
        let b = wa.create_tenant("batch-b").await;
        wa.connect_number(&b, PNID_B, WABA_B).await;
        let c = wa.create_tenant("batch-c").await;
        wa.connect_number(&c, PNID_C, WABA_C).await;
        let op = wa.operator_token().await;
        let r = wa
            .post(
                &format!("/api/v1/operator/tenants/{}/suspend", c.id),
                Auth::Bearer(&op),
                json!({ "reason": "audit" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);

        let (x, y, z) = ("4915100000001", "4915100000002", "4915100000003");
        store(&wa, body(vec![text(PNID_A, WABA_A, x, "wamid.a1")])).await;
        store(&wa, body(vec![text(PNID_B, WABA_B, y, "wamid.b1")])).await;
        // The same new customer again: one contact, two messages.
        store(&wa, body(vec![text(PNID_A, WABA_A, x, "wamid.a2")])).await;
        // One body, two tenants.
        store(
            &wa,
            body(vec![
                text(PNID_A, WABA_A, z, "wamid.a3"),
                text(PNID_B, WABA_B, y, "wamid.b2"),
            ]),
        )
        .await;
        store(&wa, body(vec![text("399999999999999", "1", x, "wamid.n1")])).await;
        store(&wa, bytes::Bytes::from_static(b"signed, but not JSON")).await;
        // A suspended tenant's event is held.
        store(&wa, body(vec![text(PNID_C, WABA_C, x, "wamid.c1")])).await;
        // Meta delivering the first webhook's message again.
        store(&wa, body(vec![text(PNID_A, WABA_A, x, "wamid.a1")])).await;
        assert_eq!(pending(&wa).await, 8);

        wa.drain().await;

        assert_eq!(pending(&wa).await, 0, "every webhook processed");
        assert!(testkit::process::queue_settled(&wa.state.store, "webhooks").await);
        assert_eq!(
            inbox(&wa, &a).await,
            pairs(&[(x, "wamid.a1"), (x, "wamid.a2"), (z, "wamid.a3")])
        );
        assert_eq!(counts(&wa, &a).await, (2, 3), "contacts, message.received");
        assert_eq!(
            inbox(&wa, &b).await,
            pairs(&[(y, "wamid.b1"), (y, "wamid.b2")])
        );
        assert_eq!(counts(&wa, &b).await, (1, 2));
        assert_eq!(
            counts(&wa, &c).await,
            (0, 0),
            "nothing applied while suspended"
        );
        let mut tx = wa.state.store.tenant(c.id.parse().unwrap()).await.unwrap();
        let held = tx.list_held_events(10).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(held.len(), 1, "the suspended tenant's event is held");

        let mut sys = wa.state.store.system_read().await.unwrap();
        let kept = sys
            .list_unroutable(store::page::PageRequest::new(None, 10))
            .await
            .unwrap();
        sys.commit().await.unwrap();
        let mut reasons: Vec<&str> = kept.items.iter().map(|u| u.reason.as_str()).collect();
        reasons.sort();
        assert_eq!(reasons, ["unknown_number", "unparseable"]);
        wa.stop().await;
    })
    .await;
}

/// Runs `sql` on the test's database, as the application.
async fn execute(wa: &WhatsAppTest, sql: &str) {
    let url = &wa.state.config.database_url;
    match wa.engine {
        testkit::Engine::Sqlite => {
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(url)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .unwrap();
        }
        testkit::Engine::Postgres => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}

/// The database refuses to store one message (as it would a write it
/// cannot take: a full disk, a constraint, a bug of ours): the tenant's
/// transaction for the batch fails, yet every other webhook of the batch,
/// that tenant's others too, is processed, and the refused one is retried
/// until it goes, once.
#[tokio::test]
async fn a_webhook_whose_write_fails_holds_back_no_other_in_its_batch() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let a = wa.create_tenant("poison-a").await;
        wa.connect_number(&a, PNID_A, WABA_A).await;
        let b = wa.create_tenant("poison-b").await;
        wa.connect_number(&b, PNID_B, WABA_B).await;
        match wa.engine {
            testkit::Engine::Sqlite => {
                execute(
                    &wa,
                    "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages \
                     WHEN NEW.wamid = 'wamid.poison' \
                     BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
                )
                .await
            }
            testkit::Engine::Postgres => {
                execute(
                    &wa,
                    "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN IF NEW.wamid = 'wamid.poison' THEN \
                       RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$; \
                     CREATE TRIGGER refuse_poison BEFORE INSERT ON messages \
                     FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
                )
                .await
            }
        }

        let (x, y, w) = ("4915200000001", "4915200000002", "4915200000003");
        store(&wa, body(vec![text(PNID_A, WABA_A, x, "wamid.a1")])).await;
        store(&wa, body(vec![text(PNID_B, WABA_B, w, "wamid.poison")])).await;
        store(&wa, body(vec![text(PNID_B, WABA_B, y, "wamid.b1")])).await;
        store(&wa, body(vec![text(PNID_A, WABA_A, x, "wamid.a2")])).await;
        wa.drain().await;

        assert_eq!(
            inbox(&wa, &a).await,
            pairs(&[(x, "wamid.a1"), (x, "wamid.a2")])
        );
        assert_eq!(inbox(&wa, &b).await, pairs(&[(y, "wamid.b1")]));
        assert_eq!(pending(&wa).await, 1, "only the refused webhook waits");

        // The database takes it again: its retry lands it, once.
        match wa.engine {
            testkit::Engine::Sqlite => execute(&wa, "DROP TRIGGER refuse_poison").await,
            testkit::Engine::Postgres => {
                execute(&wa, "DROP TRIGGER refuse_poison ON messages").await
            }
        }
        wa.advance(3600);
        wa.drain().await;
        assert_eq!(pending(&wa).await, 0);
        assert!(testkit::process::queue_settled(&wa.state.store, "webhooks").await);
        assert_eq!(
            inbox(&wa, &b).await,
            pairs(&[(w, "wamid.poison"), (y, "wamid.b1")])
        );
        assert_eq!(counts(&wa, &a).await, (1, 2));
        assert_eq!(counts(&wa, &b).await, (2, 2));
        wa.stop().await;
    })
    .await;
}
