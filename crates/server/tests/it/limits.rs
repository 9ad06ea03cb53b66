//! Plan limits hold under concurrency: one check per limit, under a lock.

use crate::channels::{PNID_A, WABA_A, conversations};
use crate::fidelity::{CUSTOMER, contacts, deliver, hook, only_messages, text, value_a};
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

/// Over the plan's contact limit a new customer's message is held, not
/// lost and not a contact; raising the limit lets it in.
#[tokio::test]
async fn a_new_customer_over_the_contact_limit_is_held_until_the_plan_allows() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let op = wa.operator_token().await;
        let limits = |contacts: i64| json!({ "limits": { "messages_per_month": 100, "agents": 5, "numbers": 1, "contacts": contacts } });
        let r = wa.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits(1)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let t = wa.create_tenant("fid-limit").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [text(CUSTOMER, "wamid.L1", "first")] })))).await;
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [text("4915100000002", "wamid.L2", "second")] })))).await;
        // The first customer writes on; the second is held.
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [text(CUSTOMER, "wamid.L3", "more")] })))).await;
        assert_eq!(contacts(&wa, &t).await.len(), 1);
        assert_eq!(only_messages(&wa, &t).await.len(), 2);
        let mut tx = wa.state.store.tenant_read(t.id.parse().unwrap()).await.unwrap();
        assert_eq!(tx.list_held_events(10).await.unwrap().len(), 1);
        tx.commit().await.unwrap();

        let r = wa.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits(2)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        assert_eq!(contacts(&wa, &t).await.len(), 2);
        let convs = conversations(&wa, &t).await;
        assert_eq!(convs.len(), 2);
        let mut tx = wa.state.store.tenant_read(t.id.parse().unwrap()).await.unwrap();
        assert!(tx.list_held_events(10).await.unwrap().is_empty());
        tx.commit().await.unwrap();

        // Moving the tenant to a bigger plan releases what the old one held.
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [text("4915100000003", "wamid.L4", "third")] })))).await;
        assert_eq!(contacts(&wa, &t).await.len(), 2, "held at the limit of 2");
        let r = wa.patch(&format!("/api/v1/operator/tenants/{}", t.id), Auth::Bearer(&op), json!({ "plan": "professional" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        assert_eq!(contacts(&wa, &t).await.len(), 3);
        wa.stop().await;
    })
    .await;
}
