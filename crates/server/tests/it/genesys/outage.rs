//! Genesys busy or down: customers' messages wait, are tried again after
//! a pause (or Genesys' `Retry-After`), reach Genesys exactly once, and
//! keep their order.

use super::{advance, at_genesys, linked, mappings, outbox, says};
use serde_json::json;
use testkit::{GenesysTest, TestTenant, each_engine_with_genesys};

const ANA: &str = "16505550161";
const BOB: &str = "16505550162";

/// Waits until the head row of `t`'s only hand-over was tried `n` times.
async fn tried(g: &GenesysTest, t: &TestTenant, n: i64) {
    g.eventually("Genesys was tried", || async {
        let open = mappings(g, t, "?state=open").await;
        let Some(h) = open.first() else {
            return false;
        };
        let rows = outbox(g, t, h["id"].as_str().unwrap()).await;
        rows.first().is_some_and(|r| r.attempts >= n)
    })
    .await;
}

#[tokio::test]
async fn while_genesys_is_down_messages_wait_and_then_arrive_once_in_order() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, _link) = linked(&g, "genesys-down", json!({ "routing": "all" })).await;
        g.genesys.fail_next(2, 503, None);
        says(&g, &t, ANA, "first").await;
        says(&g, &t, ANA, "second").await;
        tried(&g, &t, 1).await;
        g.drain().await;
        assert!(at_genesys(&g, ANA).is_empty(), "{:?}", at_genesys(&g, ANA));

        let mut rounds = 0;
        while at_genesys(&g, ANA).len() < 2 {
            rounds += 1;
            assert!(rounds <= 20, "the messages never reached Genesys");
            advance(&g, 30);
            g.drain().await;
        }
        g.drain().await;
        assert_eq!(at_genesys(&g, ANA), ["first", "second"]);
        assert_eq!(g.genesys.duplicates(), 0, "each message said once");
        let open = mappings(&g, &t, "?state=open").await;
        let rows = outbox(&g, &t, open[0]["id"].as_str().unwrap()).await;
        assert!(
            rows.iter().all(|r| r.state == "sent"),
            "{:?}",
            rows.iter().map(|r| &r.state).collect::<Vec<_>>()
        );
        assert_eq!(rows[0].attempts, 3, "two failures, then through");
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn when_genesys_says_too_many_requests_the_message_waits_its_retry_after() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, _link) = linked(&g, "genesys-busy", json!({ "routing": "all" })).await;
        g.genesys.fail_next(1, 429, Some(30));
        says(&g, &t, BOB, "Is my order shipped?").await;
        tried(&g, &t, 1).await;
        g.drain().await;
        assert!(at_genesys(&g, BOB).is_empty());

        // Not before Genesys said.
        advance(&g, 25);
        g.drain().await;
        assert!(at_genesys(&g, BOB).is_empty(), "tried before Retry-After");

        advance(&g, 6);
        g.eventually("the message reaches Genesys", || async {
            !at_genesys(&g, BOB).is_empty()
        })
        .await;
        says(&g, &t, BOB, "Hello?").await;
        g.eventually("the next one follows", || async {
            at_genesys(&g, BOB).len() == 2
        })
        .await;
        assert_eq!(at_genesys(&g, BOB), ["Is my order shipped?", "Hello?"]);
        assert_eq!(g.genesys.duplicates(), 0);
        g.stop().await;
    })
    .await;
}
