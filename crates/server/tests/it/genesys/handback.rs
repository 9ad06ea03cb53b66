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
