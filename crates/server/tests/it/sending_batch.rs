//! Sends in batches (`channels::send_batch`): the send jobs of one tenant
//! claimed together go out as one batch over several numbers, each message
//! once and paced by its own number, and a number whose token Meta revoked
//! holds only its own messages — with its status change recorded once.

use crate::sending::add_template_to;
use serde_json::{Value, json};
use testkit::{Auth, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const PNID_A: &str = "106540352242931";
const WABA_A: &str = "102290129340431";
const PNID_B: &str = "106540352242932";
const WABA_B: &str = "102290129340432";
const PER_NUMBER: usize = 12;

async fn queue(wa: &WhatsAppTest, t: &TestTenant, channel: &str, to: String) -> String {
    let body = json!({
        "to": to, "channel_id": channel, "type": "template",
        "template": { "name": "order_update", "language": { "code": "en_US" },
                      "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Ana" }] }] }
    });
    let r = wa
        .post("/api/v1/messages", Auth::ApiKey(&t.api_key), body)
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Every callback id the sandbox accepted for `pnid`, sorted.
fn sent(wa: &WhatsAppTest, pnid: &str) -> Vec<String> {
    let mut ids: Vec<String> = wa
        .sandbox
        .outbound(Some(pnid))
        .into_iter()
        .filter_map(|o| o.biz_opaque_callback_data)
        .collect();
    ids.sort();
    ids
}

async fn status_changes(wa: &WhatsAppTest, t: &TestTenant) -> Vec<Value> {
    let mut tx = wa.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    let all = tx.events_after(0, 10_000).await.unwrap();
    tx.commit().await.unwrap();
    all.into_iter()
        .filter(|e| e.name == "channel.status_changed")
        .map(|e| e.payload)
        .collect()
}

#[tokio::test]
async fn a_batch_over_two_numbers_sends_each_once_and_a_revoked_token_holds_only_its_own() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("batch-sends").await;
        let op = wa.operator_token().await;
        let r = wa
            .patch(
                &format!("/api/v1/operator/tenants/{}", t.id),
                Auth::Bearer(&op),
                json!({ "plan": "professional" }),
            )
            .await;
        assert_eq!(r.status, 200, "two numbers need a bigger plan: {}", r.body);
        let a = wa.connect_number(&t, PNID_A, WABA_A).await;
        let b = wa.connect_number(&t, PNID_B, WABA_B).await;
        add_template_to(&wa, WABA_A);
        add_template_to(&wa, WABA_B);
        let (mut to_a, mut to_b) = (Vec::new(), Vec::new());
        for i in 0..PER_NUMBER {
            to_a.push(queue(&wa, &t, &a, format!("1650555{i:04}")).await);
            to_b.push(queue(&wa, &t, &b, format!("1650666{i:04}")).await);
        }
        to_a.sort();
        to_b.sort();
        // Meta revokes B's token before anything goes.
        wa.sandbox
            .add_number(sandbox::NumberSpec::new(PNID_B, WABA_B, "b-new-token"))
            .unwrap();

        // One drain claims all of them: one batch for the tenant.
        wa.drain().await;
        assert_eq!(sent(&wa, PNID_A), to_a, "A's messages went, once each");
        assert!(sent(&wa, PNID_B).is_empty(), "nothing went from B");
        let r = wa
            .get(&format!("/api/v1/channels/{b}"), Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(r.body["status"], json!("needs_credentials"), "{}", r.body);
        let changes = status_changes(&wa, &t).await;
        assert_eq!(changes.len(), 1, "one status change for B: {changes:?}");
        let counters = wa.sandbox.counters();
        assert_eq!(counters.numbers[PNID_A].duplicate_callback_data, 0);
        assert!(
            counters.numbers[PNID_A].rejected.is_empty(),
            "A's pace held: {:?}",
            counters.numbers[PNID_A]
        );

        // New credentials wake B's messages: each goes once.
        let r = wa
            .put(
                &format!("/api/v1/channels/{b}/credentials"),
                Auth::ApiKey(&t.api_key),
                json!({ "access_token": "b-new-token" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        assert_eq!(sent(&wa, PNID_B), to_b, "B's messages went, once each");
        assert_eq!(sent(&wa, PNID_A), to_a, "A sent nothing more");
        wa.stop().await;
    })
    .await;
}
