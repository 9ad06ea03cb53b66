//! The plan's limit on bridge traffic: over it, customers' messages wait
//! for the minute to pass; none is dropped, and the order holds.

use super::{advance, at_genesys, linked, says};
use serde_json::json;
use testkit::{Auth, each_engine_with_genesys};

const ANA: &str = "16505550191";

#[tokio::test]
async fn over_the_plans_bridge_limit_messages_wait_for_the_next_minute() {
    each_engine_with_genesys(|g| async move {
        let op = g.operator_token().await;
        let limits = json!({ "limits": { "messages_per_month": 1000, "agents": 5, "numbers": 1,
            "contacts": 100, "workflow_runs_per_month": 100, "genesys_per_minute": 2 } });
        let r = g
            .patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["limits"]["genesys_per_minute"], 2, "{}", r.body);
        let (t, _, _) = linked(&g, "genesys-limits", json!({ "routing": "all" })).await;

        for text in ["one", "two", "three"] {
            says(&g, &t, ANA, text).await;
        }
        g.drain().await;
        assert_eq!(at_genesys(&g, ANA), ["one", "two"], "two a minute");

        advance(&g, 61);
        g.eventually("the third goes in the next minute", || async {
            at_genesys(&g, ANA).len() == 3
        })
        .await;
        assert_eq!(at_genesys(&g, ANA), ["one", "two", "three"]);
        g.stop().await;
    })
    .await;
}
