//! Hand-back: Genesys ends its conversation (found by the periodic check)
//! or someone takes the conversation back; either way it is back in the
//! inbox, the customer's next messages stay here, and it is told in the
//! event log and the audit log.

use super::{advance, at_genesys, handover_of, linked, mappings, says};
use crate::crm_notes::{audit_actions, event_names};
use serde_json::json;
use testkit::{Auth, each_engine_with_genesys};

const ANA: &str = "16505550131";
const BOB: &str = "16505550132";

#[tokio::test]
async fn when_the_genesys_agent_ends_the_conversation_it_comes_back() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) = linked(
            &g,
            "genesys-ended",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        let conversation = says(&g, &t, ANA, "agent please").await;
        g.eventually("the message reaches Genesys", || async {
            !at_genesys(&g, ANA).is_empty()
        })
        .await;
        g.drain().await;
        let h = handover_of(&g, &t, &conversation).await;
        assert_eq!(h.status, 200, "{}", h.body);
        let genesys_conversation = g
            .genesys
            .conversation_of(&integration, ANA)
            .expect("Genesys has a conversation");
        assert_eq!(
            h.body["genesys_conversation_id"],
            genesys_conversation.as_str()
        );

        // Before the check is due, and with Genesys' side still open,
        // nothing changes.
        advance(&g, 61);
        g.drain().await;
        assert_eq!(handover_of(&g, &t, &conversation).await.status, 200);

        g.genesys.end_conversation(&genesys_conversation);
        advance(&g, 61);
        g.eventually("the conversation comes back", || async {
            handover_of(&g, &t, &conversation).await.status == 404
        })
        .await;
        let all = mappings(&g, &t, "").await;
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0]["state"], "ended");
        assert_eq!(all[0]["end_reason"], "ended");
        assert_eq!(all[0]["ended_by"], "genesys");
        assert!(all[0]["ended_at"].is_string());
        assert!(mappings(&g, &t, "?state=open").await.is_empty());
        let events = event_names(&g, &t).await;
        assert!(
            events
                .iter()
                .any(|e| e == "conversation.returned_from_genesys"),
            "{events:?}"
        );

        // The customer's next message stays here.
        says(&g, &t, ANA, "Thanks, all sorted").await;
        g.drain().await;
        assert_eq!(at_genesys(&g, ANA), ["agent please"]);
        assert_eq!(handover_of(&g, &t, &conversation).await.status, 404);
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn someone_takes_the_conversation_back_and_it_is_told_and_audited() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, _link) = linked(
            &g,
            "genesys-take-back",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;
        let conversation = says(&g, &t, BOB, "Where is my refund?").await;
        let owner = Auth::Bearer(&t.owner.token);
        let path = format!("/api/v1/conversations/{conversation}/genesys");
        let r = g.post(&path, owner, json!({})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        g.eventually("the message reaches Genesys", || async {
            !at_genesys(&g, BOB).is_empty()
        })
        .await;

        let back = g.delete(&path, owner).await;
        assert_eq!(back.status, 200, "{}", back.body);
        assert_eq!(back.body["state"], "ended");
        assert_eq!(back.body["end_reason"], "taken_back");
        assert_eq!(back.body["id"], r.body["id"]);
        let again = g.delete(&path, owner).await;
        assert_eq!(again.status, 409, "{}", again.body);
        assert_eq!(again.code(), "not_with_genesys");
        assert_eq!(handover_of(&g, &t, &conversation).await.status, 404);

        // Back here: the customer's next message stays.
        says(&g, &t, BOB, "Hello? Anyone?").await;
        g.drain().await;
        assert_eq!(at_genesys(&g, BOB), ["Where is my refund?"]);

        let events = event_names(&g, &t).await;
        let count = |name: &str| events.iter().filter(|e| *e == name).count();
        assert_eq!(count("conversation.handed_to_genesys"), 1, "{events:?}");
        assert_eq!(count("conversation.returned_from_genesys"), 1, "{events:?}");
        let handed = audit_actions(&g, &t, "conversation.hand_to_genesys").await;
        assert_eq!(handed, ["conversation.hand_to_genesys"]);
        let taken = audit_actions(&g, &t, "conversation.take_from_genesys").await;
        assert_eq!(taken, ["conversation.take_from_genesys"]);
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_conversation_a_genesys_agent_took_comes_back_when_genesys_ends_it() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) = linked(
            &g,
            "genesys-agent-took",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        const CAROL: &str = "16505550133";
        let conversation = says(&g, &t, CAROL, "Is the shop open today?").await;
        assert_eq!(handover_of(&g, &t, &conversation).await.status, 404);

        // A Genesys agent writes first: the conversation is theirs.
        let (status, _) = g
            .genesys
            .agent_reply(&integration, CAROL, Some("Hi Carol, yes until 6pm"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        let h = handover_of(&g, &t, &conversation).await;
        assert_eq!(h.status, 200, "{}", h.body);
        assert_eq!(h.body["reason"], "genesys");
        g.eventually("Carol has the agent's answer", || async {
            !g.sandbox.received(super::PNID, CAROL).is_empty()
        })
        .await;

        // The agent disconnects: the conversation comes back, as any other.
        let genesys_conversation = g
            .genesys
            .conversation_of(&integration, CAROL)
            .expect("Genesys has a conversation");
        g.genesys.end_conversation(&genesys_conversation);
        for _ in 0..3 {
            advance(&g, 61);
            g.drain().await;
        }
        let h = handover_of(&g, &t, &conversation).await;
        assert_eq!(
            h.status, 404,
            "still with Genesys after its conversation ended: {}",
            h.body
        );
        says(&g, &t, CAROL, "Thanks!").await;
        g.drain().await;
        // Her message before the agent took it went along, for context;
        // the one after the hand-back stays here.
        assert_eq!(at_genesys(&g, CAROL), ["Is the shop open today?"]);
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_conversation_an_agents_refused_message_took_comes_back_when_genesys_ends_it() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) = linked(
            &g,
            "genesys-refused-took",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        const DAN: &str = "16505550134";
        let conversation = says(&g, &t, DAN, "Do you sell gift cards?").await;
        advance(&g, 25 * 3600);
        g.drain().await;

        // A Genesys agent writes after Dan's window closed: refused, and
        // Genesys told so.
        let (status, genesys_id) = g
            .genesys
            .agent_reply(&integration, DAN, Some("Hi Dan, yes we do"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("Genesys has the failed receipt", || async {
            g.genesys
                .receipts()
                .iter()
                .any(|r| r.body.id == genesys_id && r.body.status == "Failed")
        })
        .await;
        assert!(g.sandbox.received(super::PNID, DAN).is_empty());

        // The agent disconnects: whatever the agent's message opened is
        // over, and Dan's next message is for the inbox.
        let genesys_conversation = g
            .genesys
            .conversation_of(&integration, DAN)
            .expect("Genesys has a conversation");
        g.genesys.end_conversation(&genesys_conversation);
        for _ in 0..3 {
            advance(&g, 61);
            g.drain().await;
        }
        let h = handover_of(&g, &t, &conversation).await;
        assert_eq!(
            h.status, 404,
            "still with Genesys after its conversation ended: {}",
            h.body
        );
        says(&g, &t, DAN, "Hello again").await;
        g.drain().await;
        assert!(
            !at_genesys(&g, DAN).contains(&"Hello again".to_owned()),
            "{:?}",
            at_genesys(&g, DAN)
        );
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_conversation_an_agent_opened_with_someone_who_never_wrote_comes_back_when_genesys_ends_it()
 {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) = linked(
            &g,
            "genesys-agent-first",
            json!({ "routing": "handover", "keywords": ["agent"] }),
        )
        .await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        const EVE: &str = "16505550135";

        // A Genesys agent writes to someone who never wrote: refused (no
        // window), but the conversation is now Genesys'.
        let (status, genesys_id) = g
            .genesys
            .agent_reply(&integration, EVE, Some("Hi Eve, your order shipped"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("Genesys has the failed receipt", || async {
            g.genesys
                .receipts()
                .iter()
                .any(|r| r.body.id == genesys_id && r.body.status == "Failed")
        })
        .await;
        let conversation = super::conversation_of(&g, &t, EVE)
            .await
            .expect("a conversation with Eve");
        assert_eq!(handover_of(&g, &t, &conversation).await.status, 200);

        // The agent disconnects: it comes back.
        let genesys_conversation = g
            .genesys
            .conversation_of(&integration, EVE)
            .expect("Genesys has a conversation");
        g.genesys.end_conversation(&genesys_conversation);
        for _ in 0..3 {
            advance(&g, 61);
            g.drain().await;
        }
        let h = handover_of(&g, &t, &conversation).await;
        assert_eq!(
            h.status, 404,
            "still with Genesys after its conversation ended: {}",
            h.body
        );
        // So Eve's first message, days later, is for the inbox.
        advance(&g, 3 * 86_400);
        says(&g, &t, EVE, "What order?").await;
        g.drain().await;
        assert!(at_genesys(&g, EVE).is_empty(), "{:?}", at_genesys(&g, EVE));
        g.stop().await;
    })
    .await;
}
