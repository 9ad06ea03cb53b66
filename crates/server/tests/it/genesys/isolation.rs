//! Tenants' bridges are apart: one tenant's key sees and touches nothing
//! of another's links, mappings, statistics or conversations; an agent's
//! reply through one tenant's integration reaches only that tenant's
//! customer, even one who writes to both. And who may do what.

use super::{PNID, PNID_B, WABA_B, at_integration, handover_of, linked, linked_on, says, says_on};
use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine_with_genesys};

const ANA: &str = "16505550181";
const BOB: &str = "16505550182";

#[tokio::test]
async fn one_tenants_bridge_is_out_of_anothers_reach() {
    each_engine_with_genesys(|g| async move {
        let (a, a_channel, a_link) = linked(&g, "genesys-iso-a", json!({ "routing": "all" })).await;
        let (b, b_channel, b_link) = linked_on(
            &g,
            "genesys-iso-b",
            PNID_B,
            WABA_B,
            json!({ "routing": "handover", "keywords": ["human"] }),
        )
        .await;
        let a_integration = a_link["integration_id"].as_str().unwrap().to_owned();
        let b_integration = b_link["integration_id"].as_str().unwrap().to_owned();
        assert_ne!(a_integration, b_integration);

        // Ana writes to both numbers; Bob only to B's.
        let a_conversation = says_on(&g, &a, PNID, ANA, "Hello A").await;
        says_on(&g, &b, PNID_B, ANA, "Hello B").await;
        says_on(&g, &b, PNID_B, BOB, "Hi B, I am Bob").await;
        g.eventually("A's customer reaches A's integration", || async {
            !at_integration(&g, &a_integration, ANA).is_empty()
        })
        .await;
        g.drain().await;
        assert_eq!(at_integration(&g, &a_integration, ANA), ["Hello A"]);
        assert!(at_integration(&g, &b_integration, ANA).is_empty());
        assert!(at_integration(&g, &b_integration, BOB).is_empty());

        // B's key sees nothing of A's.
        let bk = Auth::ApiKey(&b.api_key);
        let links = g.get("/api/v1/genesys/links", bk).await;
        assert_eq!(links.status, 200, "{}", links.body);
        let ids: Vec<&str> = links
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [b_link["id"].as_str().unwrap()]);
        let mappings = g.get("/api/v1/genesys/mappings", bk).await;
        assert_eq!(mappings.status, 200);
        assert_eq!(mappings.body["items"], json!([]));
        let by_conv = g
            .get(
                &format!("/api/v1/genesys/mappings?conversation_id={a_conversation}"),
                bk,
            )
            .await;
        assert!(
            by_conv.status == 404 || by_conv.body["items"] == json!([]),
            "{}",
            by_conv.body
        );
        let stats = g.get("/api/v1/genesys/stats", bk).await;
        assert_eq!(
            stats.body,
            json!({ "total_mappings": 0, "total_messages": 0,
                    "active_conversations": 0, "today_messages": 0 })
        );
        let path = format!("/api/v1/conversations/{a_conversation}/genesys");
        assert_eq!(g.get(&path, bk).await.status, 404);
        assert_eq!(g.post(&path, bk, json!({})).await.status, 404);
        assert_eq!(g.delete(&path, bk).await.status, 404);
        let r = g
            .put(
                &format!("/api/v1/genesys/links/{a_channel}"),
                bk,
                json!({ "routing": "handover" }),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = g
            .delete(&format!("/api/v1/genesys/links/{a_channel}"), bk)
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        // A's hand-over is untouched.
        let h = handover_of(&g, &a, &a_conversation).await;
        assert_eq!(h.status, 200, "{}", h.body);
        assert_eq!(h.body["state"], "open");

        // A's agent answers Ana: only A's number writes to her.
        let (status, _) = g
            .genesys
            .agent_reply(&a_integration, ANA, Some("Hi Ana, this is A"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("Ana has A's reply", || async {
            !g.sandbox.received(PNID, ANA).is_empty()
        })
        .await;
        g.drain().await;
        assert_eq!(
            g.sandbox.received(PNID, ANA)[0].content["body"],
            "Hi Ana, this is A"
        );
        assert!(g.sandbox.received(PNID_B, ANA).is_empty());
        assert!(g.sandbox.received(PNID_B, BOB).is_empty());
        // An agent of A's integration writing to B's customer reaches no
        // one through B's number.
        let (status, _) = g
            .genesys
            .agent_reply(&a_integration, BOB, Some("Psst, Bob"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.drain().await;
        assert!(g.sandbox.received(PNID_B, BOB).is_empty());
        assert!(g.sandbox.received(PNID_B, ANA).is_empty());
        assert!(
            g.sandbox.received(PNID, BOB).is_empty(),
            "Bob never wrote to A"
        );
        // B's own links and conversations are B's alone.
        let ak = Auth::ApiKey(&a.api_key);
        let r = g
            .put(
                &format!("/api/v1/genesys/links/{b_channel}"),
                ak,
                json!({ "routing": "all" }),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.body);
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_agent_can_hand_over_but_not_change_the_genesys_settings() {
    each_engine_with_genesys(|g| async move {
        let (t, channel, _link) = linked(
            &g,
            "genesys-roles",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;
        let amy = g.add_user(&t, Role::Agent, "amy").await;
        let as_amy = Auth::Bearer(&amy.token);
        let r = g
            .put(
                "/api/v1/genesys/account",
                as_amy,
                json!({ "region": "eu-west-1", "client_id": testkit::GENESYS_CLIENT.0,
                        "client_secret": testkit::GENESYS_CLIENT.1 }),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let r = g
            .put(
                &format!("/api/v1/genesys/links/{channel}"),
                as_amy,
                json!({ "routing": "all" }),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(g.get("/api/v1/genesys/account", as_amy).await.status, 403);

        let conversation = says(&g, &t, BOB, "Can I change my address?").await;
        let path = format!("/api/v1/conversations/{conversation}/genesys");
        let r = g.post(&path, as_amy, json!({})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["reason"], "agent");
        assert_eq!(g.get("/api/v1/genesys/stats", as_amy).await.status, 200);
        assert_eq!(g.get(&path, as_amy).await.status, 200);
        g.eventually("the message reaches Genesys", || async {
            !super::at_genesys(&g, BOB).is_empty()
        })
        .await;
        let r = g.delete(&path, as_amy).await;
        assert_eq!(r.status, 200, "{}", r.body);
        g.stop().await;
    })
    .await;
}
