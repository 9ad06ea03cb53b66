//! Genesys tokens: cached, replaced a minute before they expire, and
//! replaced (with the call tried again) when Genesys stops taking one.

use super::{at_genesys, linked, says};
use serde_json::json;
use testkit::each_engine_with_genesys;

const ANA: &str = "16505550151";

#[tokio::test]
async fn tokens_are_cached_refreshed_before_expiry_and_replaced_when_refused() {
    each_engine_with_genesys(|g| async move {
        g.genesys.set_token_lifetime(300);
        let (t, _channel, _link) = linked(&g, "genesys-tokens", json!({ "routing": "all" })).await;

        says(&g, &t, ANA, "one").await;
        g.eventually("the first message reaches Genesys", || async {
            at_genesys(&g, ANA).len() == 1
        })
        .await;
        let first = g.genesys.tokens_issued();
        // The token is cached: more messages need no new one.
        says(&g, &t, ANA, "two").await;
        g.eventually("the second message reaches Genesys", || async {
            at_genesys(&g, ANA).len() == 2
        })
        .await;
        assert_eq!(g.genesys.tokens_issued(), first, "the token is reused");

        // 250 s on, the token has 50 s left: a new one is obtained.
        g.clock.advance_seconds(250);
        says(&g, &t, ANA, "three").await;
        g.eventually("the third message reaches Genesys", || async {
            at_genesys(&g, ANA).len() == 3
        })
        .await;
        assert_eq!(
            g.genesys.tokens_issued(),
            first + 1,
            "one new token, a minute before expiry"
        );

        // Genesys stops taking it: 401, a new token, the call again.
        g.genesys.expire_tokens();
        says(&g, &t, ANA, "four").await;
        g.eventually("the fourth message reaches Genesys", || async {
            at_genesys(&g, ANA).len() == 4
        })
        .await;
        assert_eq!(g.genesys.tokens_issued(), first + 2);
        assert_eq!(at_genesys(&g, ANA), ["one", "two", "three", "four"]);
        assert_eq!(g.genesys.duplicates(), 0);
        g.stop().await;
    })
    .await;
}
