//! What the bridge refuses: webhooks not signed with the link's secret or
//! for no link; and agents' replies our rules of sending refuse (the
//! customer's 24-hour window closed, the customer opted out), which reach
//! Genesys as failed receipts with the reason.

use super::{PNID, advance, at_genesys, linked, says};
use crate::crm_notes::event_names;
use serde_json::json;
use testkit::{Auth, GenesysTest, each_engine_with_genesys};

const ANA: &str = "16505550141";
const BOB: &str = "16505550142";

/// The reason codes of the `Failed` receipts Genesys has for `genesys_id`.
fn failed_reasons(g: &GenesysTest, genesys_id: &str) -> Vec<String> {
    g.genesys
        .receipts()
        .iter()
        .filter(|r| r.body.id == genesys_id && r.body.status == "Failed")
        .flat_map(|r| r.body.reasons.iter().map(|x| x.code.clone()))
        .collect()
}

#[tokio::test]
async fn a_webhook_not_signed_with_the_links_secret_or_for_no_link_is_refused() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) = linked(&g, "genesys-sig", json!({ "routing": "all" })).await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        says(&g, &t, ANA, "Hello").await;
        g.eventually("the message reaches Genesys", || async {
            !at_genesys(&g, ANA).is_empty()
        })
        .await;

        let status = g
            .genesys
            .agent_reply_signed_with(&integration, ANA, "Send me your password", "wrong-secret")
            .await
            .unwrap();
        assert_eq!(status, 401);
        g.drain().await;
        assert!(
            g.sandbox.received(PNID, ANA).is_empty(),
            "{:?}",
            g.sandbox.received(PNID, ANA)
        );

        // No such link.
        let webhook = link["webhook_url"].as_str().unwrap();
        assert!(webhook.contains(link["id"].as_str().unwrap()), "{webhook}");
        let nowhere = format!("/webhooks/genesys/{}", uuid::Uuid::new_v4());
        let r = g.post(&nowhere, Auth::None, json!({ "id": "x" })).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = g
            .post("/webhooks/genesys/not-a-link", Auth::None, json!({}))
            .await;
        assert_eq!(r.status, 404, "{}", r.body);

        // Properly signed, it goes.
        let (status, _) = g
            .genesys
            .agent_reply(&integration, ANA, Some("Hi, Sam here"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("the signed reply reaches the customer", || async {
            !g.sandbox.received(PNID, ANA).is_empty()
        })
        .await;
        let received = g.sandbox.received(PNID, ANA);
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].content["body"], "Hi, Sam here");
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_reply_after_the_customers_window_closed_reaches_genesys_as_a_failed_receipt() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) = linked(&g, "genesys-window", json!({ "routing": "all" })).await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        says(&g, &t, ANA, "Can someone call me back?").await;
        g.eventually("the message reaches Genesys", || async {
            !at_genesys(&g, ANA).is_empty()
        })
        .await;

        advance(&g, 25 * 3600);
        g.drain().await;
        let (status, genesys_id) = g
            .genesys
            .agent_reply(&integration, ANA, Some("Sorry for the wait!"), None)
            .await
            .unwrap();
        assert_eq!(status, 200, "refused, but taken");
        g.eventually("Genesys has a Failed receipt for it", || async {
            !failed_reasons(&g, &genesys_id).is_empty()
        })
        .await;
        g.drain().await;
        assert_eq!(failed_reasons(&g, &genesys_id), ["MessageExpired"]);
        assert!(
            g.sandbox.received(PNID, ANA).is_empty(),
            "{:?}",
            g.sandbox.received(PNID, ANA)
        );
        let delivered = g
            .genesys
            .receipts()
            .iter()
            .filter(|r| r.body.id == genesys_id && r.body.status != "Failed")
            .count();
        assert_eq!(delivered, 0);
        let events = event_names(&g, &t).await;
        assert_eq!(
            events
                .iter()
                .filter(|e| *e == "genesys.reply_refused")
                .count(),
            1,
            "{events:?}"
        );

        // Delivered again by Genesys: still refused once, nothing sent.
        assert_eq!(g.genesys.redeliver(&genesys_id).await.unwrap(), 200);
        g.drain().await;
        assert!(g.sandbox.received(PNID, ANA).is_empty());
        assert_eq!(failed_reasons(&g, &genesys_id), ["MessageExpired"]);
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_reply_to_a_customer_who_opted_out_reaches_genesys_as_a_failed_receipt() {
    each_engine_with_genesys(|g| async move {
        let (t, _channel, link) = linked(&g, "genesys-optout", json!({ "routing": "all" })).await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        says(&g, &t, BOB, "STOP").await;
        g.eventually("the message reaches Genesys", || async {
            !at_genesys(&g, BOB).is_empty()
        })
        .await;
        g.drain().await;
        let before = g.sandbox.received(PNID, BOB).len();

        let (status, genesys_id) = g
            .genesys
            .agent_reply(&integration, BOB, Some("Before you go: 20% off!"), None)
            .await
            .unwrap();
        assert_eq!(status, 200);
        g.eventually("Genesys has a Failed receipt for it", || async {
            !failed_reasons(&g, &genesys_id).is_empty()
        })
        .await;
        g.drain().await;
        assert_eq!(failed_reasons(&g, &genesys_id), ["RecipientOptedOut"]);
        let received = g.sandbox.received(PNID, BOB);
        assert_eq!(received.len(), before, "{received:?}");
        assert!(
            received
                .iter()
                .all(|m| m.content["body"] != "Before you go: 20% off!")
        );
        let events = event_names(&g, &t).await;
        assert!(
            events.iter().any(|e| e == "genesys.reply_refused"),
            "{events:?}"
        );
        g.stop().await;
    })
    .await;
}
