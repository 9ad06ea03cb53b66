//! A customer's messages reach a Genesys agent, the agent's replies reach
//! the customer, with receipts both ways.

use super::{PNID, at_genesys, linked, writes};
use serde_json::json;
use testkit::each_engine_with_genesys;

const ANA: &str = "16505550101";

#[tokio::test]
async fn a_customer_and_a_genesys_agent_talk_through_the_bridge() {
    each_engine_with_genesys(|g| async move {
        let (_t, _channel, link) = linked(&g, "bridge-talk", json!({ "routing": "all" })).await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        assert_eq!(
            g.genesys.integrations().len(),
            1,
            "an integration was created"
        );

        writes(&g, ANA, "Hello, is anyone there?");
        writes(&g, ANA, "I need help with my order");
        g.eventually("both messages reach Genesys, in order", || async {
            at_genesys(&g, ANA).len() == 2
        })
        .await;
        assert_eq!(
            at_genesys(&g, ANA),
            ["Hello, is anyone there?", "I need help with my order"]
        );

        let (status, genesys_id) = g
            .genesys
            .agent_reply(
                &integration,
                ANA,
                Some("Hi Ana, I am Sam. Let me look."),
                None,
            )
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("the customer has the agent's reply", || async {
            g.sandbox
                .received(PNID, ANA)
                .iter()
                .any(|m| m.content["body"] == "Hi Ana, I am Sam. Let me look.")
        })
        .await;
        g.eventually("Genesys has a Delivered receipt for it", || async {
            g.genesys
                .receipts()
                .iter()
                .any(|r| r.body.id == genesys_id && r.body.status == "Delivered")
        })
        .await;
        // Genesys delivers it again: nothing is sent twice.
        assert_eq!(g.genesys.redeliver(&genesys_id).await.unwrap(), 200);
        g.drain().await;
        let copies = g
            .sandbox
            .received(PNID, ANA)
            .iter()
            .filter(|m| m.content["body"] == "Hi Ana, I am Sam. Let me look.")
            .count();
        assert_eq!(copies, 1);
        g.stop().await;
    })
    .await;
}
