//! Plan limits hold under concurrency: one check per limit, under a lock.

use crate::sending::{PNID, WABA, add_template, template};
use serde_json::{Value, json};
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

/// Many concurrent sends against the last units of the monthly quota: the
/// plan's limit is one check under a lock, so exactly the allowed number
/// are queued and the rest refused, on both engines (PostgreSQL's READ
/// COMMITTED would let count-then-insert take the last unit twice).
#[tokio::test]
async fn concurrent_sends_never_take_the_last_unit_of_the_quota_twice() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let op = wa.operator_token().await;
        let r = wa.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), json!({ "limits": { "messages_per_month": 3, "agents": 5, "numbers": 1, "contacts": 100 } })).await;
        assert_eq!(r.status, 200);
        let t = wa.create_tenant("send-quota-race").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        // Each to its own customer, so nothing else (a shared contact row)
        // makes the sends wait for each other.
        let bodies: Vec<Value> = (0..12)
            .map(|i| {
                let mut body = template();
                body["to"] = json!(format!("4915100000{i:02}"));
                body
            })
            .collect();
        let sends = bodies.into_iter().map(|b| wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), b));
        let answers = futures::future::join_all(sends).await;
        let accepted = answers.iter().filter(|r| r.status == 202).count();
        let refused = answers
            .iter()
            .filter(|r| (r.status, r.code()) == (429, "quota_exceeded"))
            .count();
        assert_eq!((accepted, refused), (3, 9), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        wa.stop().await;
    })
    .await;
}
