//! The bridge's statistics and its conversation mappings.

use super::{PNID, advance, at_genesys, linked, mappings, says};
use serde_json::{Value, json};
use testkit::{Auth, GenesysTest, TestTenant, each_engine_with_genesys};

const ANA: &str = "16505550171";
const BOB: &str = "16505550172";

async fn stats(g: &GenesysTest, t: &TestTenant) -> Value {
    let r = g
        .get("/api/v1/genesys/stats", Auth::ApiKey(&t.api_key))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[tokio::test]
async fn statistics_and_mappings_count_what_crossed_the_bridge() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) = linked(&g, "genesys-stats", json!({ "routing": "all" })).await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        assert_eq!(
            stats(&g, &t).await,
            json!({ "total_mappings": 0, "total_messages": 0,
                    "active_conversations": 0, "today_messages": 0 })
        );
        assert!(mappings(&g, &t, "").await.is_empty());

        says(&g, &t, ANA, "Hi").await;
        says(&g, &t, ANA, "Anyone?").await;
        let bob_conversation = says(&g, &t, BOB, "Hello from Bob").await;
        g.eventually("three messages reach Genesys", || async {
            g.genesys.inbound().len() == 3
        })
        .await;
        let (status, genesys_id) = g
            .genesys
            .agent_reply(&integration, ANA, Some("Hi Ana"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("the reply is delivered", || async {
            g.genesys
                .receipts()
                .iter()
                .any(|r| r.body.id == genesys_id && r.body.status == "Delivered")
        })
        .await;
        assert_eq!(
            stats(&g, &t).await,
            json!({ "total_mappings": 2, "total_messages": 4,
                    "active_conversations": 2, "today_messages": 4 })
        );
        let all = mappings(&g, &t, "").await;
        assert_eq!(all.len(), 2, "{all:?}");
        // Newest first.
        assert_eq!(all[0]["wa_id"], BOB);
        assert_eq!(all[1]["wa_id"], ANA);
        for m in &all {
            assert_eq!(m["state"], "open");
            assert_eq!(m["reason"], "routing");
            assert!(m["genesys_conversation_id"].is_string(), "{m}");
        }
        let of_bob = mappings(&g, &t, &format!("?conversation_id={bob_conversation}")).await;
        assert_eq!(of_bob.len(), 1);
        assert_eq!(of_bob[0]["wa_id"], BOB);

        // Bob's conversation comes back: one active, both still mapped.
        let r = g
            .delete(
                &format!("/api/v1/conversations/{bob_conversation}/genesys"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            stats(&g, &t).await,
            json!({ "total_mappings": 2, "total_messages": 4,
                    "active_conversations": 1, "today_messages": 4 })
        );
        let open = mappings(&g, &t, "?state=open").await;
        assert_eq!(open.len(), 1, "{open:?}");
        assert_eq!(open[0]["wa_id"], ANA);
        let all = mappings(&g, &t, "?state=all").await;
        assert_eq!(all.len(), 2);
        assert_eq!(all[0]["state"], "ended");
        assert_eq!(all[0]["end_reason"], "taken_back");
        let r = g
            .get(
                "/api/v1/genesys/mappings?state=closed",
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let page = g
            .get("/api/v1/genesys/mappings?limit=1", Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.body["items"].as_array().unwrap().len(), 1);

        // A day on: nothing today, the totals stay.
        advance(&g, 86_400);
        assert_eq!(
            stats(&g, &t).await,
            json!({ "total_mappings": 2, "total_messages": 4,
                    "active_conversations": 1, "today_messages": 0 })
        );
        says(&g, &t, ANA, "Back again").await;
        g.eventually("the message reaches Genesys", || async {
            at_genesys(&g, ANA).len() == 3
        })
        .await;
        assert_eq!(
            stats(&g, &t).await,
            json!({ "total_mappings": 2, "total_messages": 5,
                    "active_conversations": 1, "today_messages": 1 })
        );
        assert!(g.sandbox.received(PNID, BOB).is_empty());
        g.stop().await;
    })
    .await;
}
