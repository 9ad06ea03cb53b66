//! Deals through the API, continued: listed with filters and pages, and
//! kept when their contact or owner goes.

use super::{contact, create_deal, create_pipeline, id, stage};
use domain::Role;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn deals_are_listed_with_filters_and_pages() {
    each_engine(|app| async move {
        let t = app.create_tenant("deal-list").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let owner = Auth::Bearer(&t.owner.token);
        let sales = create_pipeline(&app, owner, "Sales", &["Lead", "Proposal"]).await;
        let other = create_pipeline(&app, owner, "Partners", &["Talk"]).await;
        let ana = contact(&app, &t, "15550001111", "Ana").await;
        let mut all = BTreeSet::new();
        for i in 0..5 {
            let mut body = json!({ "title": format!("Deal {i}"), "currency": "USD",
                                   "value_minor": 100 * i });
            if i < 3 {
                body["pipeline_id"] = json!(id(&sales));
            } else {
                body["stage_id"] = json!(stage(&other, "Talk"));
            }
            if i == 1 {
                body["stage_id"] = json!(stage(&sales, "Proposal"));
                body["owner_id"] = json!(agent.id);
                body["contact_id"] = json!(ana);
            }
            all.insert(id(&create_deal(&app, owner, body).await));
        }
        let first: Vec<Value> = app.get("/api/v1/deals", owner).await.body["items"]
            .as_array()
            .unwrap()
            .clone();
        let lost = first.iter().find(|d| d["title"] == "Deal 4").unwrap();
        let r = app
            .post(
                &format!("/api/v1/deals/{}/lost", id(lost)),
                owner,
                json!({ "reason": "No budget" }),
            )
            .await;
        assert_eq!(r.status, 200);

        let titles = |q: String| {
            let app = &app;
            async move {
                let r = app.get(&format!("/api/v1/deals?{q}"), owner).await;
                assert_eq!(r.status, 200, "{q}: {}", r.body);
                let mut t: Vec<String> = r.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["title"].as_str().unwrap().to_owned())
                    .collect();
                t.sort();
                t
            }
        };
        assert_eq!(titles(String::new()).await.len(), 5);
        assert_eq!(
            titles(format!("pipeline_id={}", id(&sales))).await,
            ["Deal 0", "Deal 1", "Deal 2"]
        );
        assert_eq!(
            titles(format!("stage_id={}", stage(&sales, "Proposal"))).await,
            ["Deal 1"]
        );
        assert_eq!(titles("status=lost".into()).await, ["Deal 4"]);
        assert_eq!(titles("status=open".into()).await.len(), 4);
        assert_eq!(titles(format!("owner_id={}", agent.id)).await, ["Deal 1"]);
        assert_eq!(titles(format!("contact_id={ana}")).await, ["Deal 1"]);
        assert_eq!(
            titles(format!("pipeline_id={}&status=open", id(&other))).await,
            ["Deal 3"]
        );
        for bad in [
            "status=closed",
            "pipeline_id=nope",
            "limit=0",
            "cursor=garbage",
        ] {
            let r = app.get(&format!("/api/v1/deals?{bad}"), owner).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{bad}");
        }

        // Pages of two, newest first, without gaps or repeats.
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let r = app
                .get(&format!("/api/v1/deals?limit=2&cursor={cursor}"), owner)
                .await;
            let items = r.body["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            seen.extend(items.iter().map(id));
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => break,
            }
        }
        assert_eq!(seen.len(), 5);
        assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), all);
        let mut newest_first = seen.clone();
        newest_first.sort();
        newest_first.reverse();
        assert_eq!(seen, newest_first);
    })
    .await;
}

#[tokio::test]
async fn a_deal_outlives_its_deleted_contact_and_removed_owner() {
    each_engine(|app| async move {
        let t = app.create_tenant("deal-orphans").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let owner = Auth::Bearer(&t.owner.token);
        let p = create_pipeline(&app, owner, "Sales", &["Lead"]).await;
        let ana = contact(&app, &t, "15550002222", "Ana").await;
        let d = create_deal(
            &app,
            owner,
            json!({ "title": "Kept", "pipeline_id": id(&p), "currency": "BRL",
                    "contact_id": ana, "owner_id": agent.id }),
        )
        .await;
        let url = format!("/api/v1/deals/{}", id(&d));
        let r = app.delete(&format!("/api/v1/contacts/{ana}"), owner).await;
        assert_eq!(r.status, 204, "{}", r.body);
        let r = app
            .delete(&format!("/api/v1/users/{}", agent.id), owner)
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
        let kept = app.get(&url, owner).await;
        assert_eq!(kept.status, 200, "{}", kept.body);
        assert_eq!(kept.body["contact_id"], Value::Null);
        assert_eq!(kept.body["contact_name"], Value::Null);
        assert_eq!(kept.body["owner_id"], Value::Null);
        assert_eq!(kept.body["title"], json!("Kept"));
    })
    .await;
}
