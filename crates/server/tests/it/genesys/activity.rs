//! What a Genesys agent does shows on WhatsApp: reading a customer's
//! message gives them blue ticks, typing shows the typing indicator (which
//! WhatsApp gives with a read mark on their latest message).

use super::{PNID, advance, linked, says};
use serde_json::json;
use testkit::{GenesysTest, each_engine_with_genesys};

const ANA: &str = "16505550171";

fn marked_read(g: &GenesysTest) -> u64 {
    g.sandbox
        .counters()
        .numbers
        .get(PNID)
        .map_or(0, |n| n.marked_read)
}

#[tokio::test]
async fn an_agent_reading_and_typing_shows_to_the_customer() {
    each_engine_with_genesys(|g| async move {
        let (t, _, link) = linked(&g, "genesys-activity", json!({ "routing": "all" })).await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        says(&g, &t, ANA, "first").await;
        // WhatsApp marks a message read with every earlier one: a second
        // later, the second is not "earlier".
        advance(&g, 5);
        says(&g, &t, ANA, "second").await;
        g.eventually("both reach Genesys", || async {
            g.genesys.inbound().len() == 2
        })
        .await;
        assert_eq!(marked_read(&g), 0);

        // The agent reads the first: only it is marked read.
        let first = g.genesys.inbound()[0].genesys_id.clone();
        let status = g
            .genesys
            .agent_read(&integration, ANA, &first)
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("the first message is marked read", || async {
            marked_read(&g) == 1
        })
        .await;

        // The agent types: the latest is marked read with the indicator.
        let status = g.genesys.agent_typing(&integration, ANA).await.unwrap();
        assert_eq!(status, 200);
        g.eventually("the second message is marked read", || async {
            marked_read(&g) == 2
        })
        .await;
        g.stop().await;
    })
    .await;
}
