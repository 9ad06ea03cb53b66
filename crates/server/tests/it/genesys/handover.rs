//! Hand-over modes on a number that sends only handed-over conversations
//! to Genesys: the customer's keyword, someone in the inbox, and an
//! automation's `hand_to_genesys` step.

use super::{at_genesys, handover_of, linked, says};
use serde_json::json;
use testkit::{Auth, each_engine_with_genesys};

const ANA: &str = "16505550121";
const BOB: &str = "16505550122";
const CARL: &str = "16505550123";

#[tokio::test]
async fn a_customers_keyword_hands_the_conversation_over() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, _link) = linked(
            &g,
            "genesys-keyword",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;

        // An ordinary message stays in the inbox.
        let conversation = says(&g, &t, ANA, "Do you open on Sundays?").await;
        g.drain().await;
        assert!(at_genesys(&g, ANA).is_empty(), "{:?}", at_genesys(&g, ANA));
        assert_eq!(handover_of(&g, &t, &conversation).await.status, 404);
        // A word merely holding the keyword is not it.
        says(&g, &t, ANA, "I need a reagent kit").await;
        g.drain().await;
        assert!(at_genesys(&g, ANA).is_empty(), "{:?}", at_genesys(&g, ANA));
        assert_eq!(handover_of(&g, &t, &conversation).await.status, 404);

        // The keyword, in any case, as a whole word, hands it over.
        says(&g, &t, ANA, "I want an AGENT please").await;
        g.eventually("the keyword's message reaches Genesys", || async {
            !at_genesys(&g, ANA).is_empty()
        })
        .await;
        assert_eq!(at_genesys(&g, ANA), ["I want an AGENT please"]);
        let h = handover_of(&g, &t, &conversation).await;
        assert_eq!(h.status, 200, "{}", h.body);
        assert_eq!(h.body["state"], "open");
        assert_eq!(h.body["reason"], "keyword");
        assert_eq!(h.body["conversation_id"], conversation.as_str());
        assert_eq!(h.body["wa_id"], ANA);
        assert!(h.body["ended_at"].is_null());

        // From now on every message goes, keyword or not.
        says(&g, &t, ANA, "It is about my order").await;
        g.eventually("the next message follows", || async {
            at_genesys(&g, ANA).len() == 2
        })
        .await;
        assert_eq!(
            at_genesys(&g, ANA),
            ["I want an AGENT please", "It is about my order"]
        );
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn someone_in_the_inbox_hands_the_conversation_over_with_its_latest_message() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, _link) = linked(
            &g,
            "genesys-inbox-hand",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;
        says(&g, &t, BOB, "My parcel never came").await;
        let conversation = says(&g, &t, BOB, "Order 1234, since Monday").await;
        g.drain().await;
        assert!(at_genesys(&g, BOB).is_empty());

        let owner = Auth::Bearer(&t.owner.token);
        let path = format!("/api/v1/conversations/{conversation}/genesys");
        let r = g.post(&path, owner, json!({})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["state"], "open");
        assert_eq!(r.body["reason"], "agent");
        assert_eq!(r.body["conversation_id"], conversation.as_str());
        // Again: already with Genesys, the same hand-over.
        let again = g.post(&path, owner, json!({})).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.body["id"], r.body["id"]);

        g.eventually("the latest message reaches Genesys", || async {
            !at_genesys(&g, BOB).is_empty()
        })
        .await;
        g.drain().await;
        assert_eq!(at_genesys(&g, BOB), ["Order 1234, since Monday"]);
        let h = handover_of(&g, &t, &conversation).await;
        assert_eq!(h.status, 200, "{}", h.body);
        assert_eq!(h.body["reason"], "agent");
        assert!(
            h.body["genesys_conversation_id"].is_string(),
            "Genesys named its conversation: {}",
            h.body
        );

        // No such conversation.
        let other = g.post(
            "/api/v1/conversations/00000000-0000-7000-8000-000000000000/genesys",
            owner,
            json!({}),
        );
        assert_eq!(other.await.status, 404);
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_automation_hands_the_conversation_over() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, _link) = linked(
            &g,
            "genesys-flow-hand",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;
        let r = g
            .post(
                "/api/v1/workflows",
                Auth::ApiKey(&t.api_key),
                json!({ "name": "To the contact centre", "enabled": true, "definition": {
                    "trigger": { "type": "message_received", "keywords": ["transfer"] },
                    "steps": [{ "type": "hand_to_genesys" }],
                } }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);

        let conversation = says(&g, &t, CARL, "Hello there").await;
        g.drain().await;
        assert!(at_genesys(&g, CARL).is_empty());
        assert_eq!(handover_of(&g, &t, &conversation).await.status, 404);

        says(&g, &t, CARL, "Please transfer me to billing").await;
        g.eventually("the message reaches Genesys", || async {
            !at_genesys(&g, CARL).is_empty()
        })
        .await;
        g.drain().await;
        assert_eq!(at_genesys(&g, CARL), ["Please transfer me to billing"]);
        let h = handover_of(&g, &t, &conversation).await;
        assert_eq!(h.status, 200, "{}", h.body);
        assert_eq!(h.body["state"], "open");
        assert_eq!(h.body["reason"], "automation");
        g.stop().await;
    })
    .await;
}
