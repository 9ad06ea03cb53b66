//! Deals through the API: created in a pipeline's stage with a value in
//! minor units and an ISO 4217 currency, an owner and a contact of the
//! tenant; moved between stages (stage history, events, audit); won,
//! lost with a reason, reopened.

use super::{audit_actions, contact, create_deal, create_pipeline, events, id, stage};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, each_engine};

fn last_event<'a>(events: &'a [(String, Value)], name: &str) -> &'a Value {
    &events
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} event in {events:?}"))
        .1
}

#[tokio::test]
async fn a_deal_moves_through_its_pipeline_and_is_won_lost_and_reopened() {
    each_engine(|app| async move {
        let t = app.create_tenant("deal-life").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let as_agent = Auth::Bearer(&agent.token);
        let p = create_pipeline(
            &app,
            Auth::Bearer(&t.owner.token),
            "Sales",
            &["Lead", "Qualified", "Proposal"],
        )
        .await;
        let (lead, qualified) = (stage(&p, "Lead"), stage(&p, "Qualified"));
        let ana = contact(&app, &t, "15550001234", "Ana Lima").await;
        let deal = create_deal(
            &app,
            as_agent,
            json!({ "title": "50 espresso machines", "pipeline_id": id(&p),
                    "value_minor": 1_250_050, "currency": "EUR", "contact_id": ana,
                    "owner_id": agent.id, "expected_close_on": "2026-03-31" }),
        )
        .await;
        let did = id(&deal);
        assert_eq!(deal["status"], json!("open"));
        assert_eq!(deal["stage_id"], json!(lead));
        assert_eq!(deal["stage_name"], json!("Lead"));
        assert_eq!(deal["value_minor"], json!(1_250_050));
        assert_eq!(deal["contact_name"], json!("Ana Lima"));
        assert_eq!(deal["owner_id"], json!(agent.id));
        assert_eq!(deal["expected_close_on"], json!("2026-03-31"));
        assert_eq!(deal["closed_at"], Value::Null);

        let url = format!("/api/v1/deals/{did}");
        let moved = app
            .post(
                &format!("{url}/move"),
                as_agent,
                json!({ "stage_id": qualified }),
            )
            .await;
        assert_eq!(moved.status, 200, "{}", moved.body);
        assert_eq!(moved.body["stage_name"], json!("Qualified"));
        // Where it is already: nothing happens.
        let same = app
            .post(
                &format!("{url}/move"),
                as_agent,
                json!({ "stage_id": qualified }),
            )
            .await;
        assert_eq!(same.status, 200);
        let by_key = app
            .post(
                &format!("{url}/move"),
                Auth::ApiKey(&t.api_key),
                json!({ "stage_id": stage(&p, "Proposal") }),
            )
            .await;
        assert_eq!(by_key.status, 200, "{}", by_key.body);
        let d = app.get(&url, as_agent).await.body;
        let h = d["stage_history"].as_array().unwrap();
        assert_eq!(
            h.len(),
            3,
            "created, moved by the agent, moved by a key: {d}"
        );
        assert_eq!(h[0]["from_stage_id"], Value::Null);
        assert_eq!(h[0]["to_stage_name"], json!("Lead"));
        assert_eq!(h[1]["from_stage_id"], json!(lead));
        assert_eq!(h[1]["to_stage_id"], json!(qualified));
        assert_eq!(h[1]["user_id"], json!(agent.id));
        assert_eq!(h[1]["user_name"], json!("Test User"));
        assert_eq!(h[1]["changed_by"], json!(format!("user:{}", agent.id)));
        assert_eq!(h[2]["user_id"], Value::Null);
        assert!(h[2]["changed_by"].as_str().unwrap().starts_with("api_key:"));

        let ev = events(&app, &t).await;
        let created = last_event(&ev, "deal.created");
        assert_eq!(created["deal_id"], json!(did));
        assert_eq!(created["contact_id"], json!(ana));
        assert_eq!(created["value_minor"], json!(1_250_050));
        let moves: Vec<&Value> = ev
            .iter()
            .filter(|(n, _)| n == "deal.stage_changed")
            .map(|(_, p)| p)
            .collect();
        assert_eq!(moves.len(), 2, "no event for a move to where it was");
        assert_eq!(moves[0]["from_stage_id"], json!(lead));
        assert_eq!(moves[0]["to_stage_id"], json!(qualified));
        assert_eq!(moves[0]["from_stage_name"], json!("Lead"));
        assert_eq!(moves[0]["to_stage_name"], json!("Qualified"));
        assert_eq!(moves[0]["stage_id"], json!(qualified));

        // Won: closed, and no longer moved until reopened.
        let won = app.post(&format!("{url}/won"), as_agent, json!({})).await;
        assert_eq!(won.status, 200, "{}", won.body);
        assert_eq!(won.body["status"], json!("won"));
        assert!(won.body["closed_at"].is_string());
        for (path, body) in [
            ("move", json!({ "stage_id": lead })),
            ("won", json!({})),
            ("lost", json!({ "reason": "x" })),
        ] {
            let r = app.post(&format!("{url}/{path}"), as_agent, body).await;
            assert_eq!((r.status, r.code()), (422, "deal_closed"), "{path}");
        }
        let open = app
            .post(&format!("{url}/reopen"), as_agent, json!({}))
            .await;
        assert_eq!(open.status, 200, "{}", open.body);
        assert_eq!(open.body["status"], json!("open"));
        assert_eq!(open.body["closed_at"], Value::Null);
        let again = app
            .post(&format!("{url}/reopen"), as_agent, json!({}))
            .await;
        assert_eq!((again.status, again.code()), (422, "deal_open"));

        // Lost needs a reason.
        for reason in ["", "   "] {
            let r = app
                .post(
                    &format!("{url}/lost"),
                    as_agent,
                    json!({ "reason": reason }),
                )
                .await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"));
        }
        let r = app.post(&format!("{url}/lost"), as_agent, json!({})).await;
        assert_eq!(r.status, 422, "no reason at all");
        let lost = app
            .post(
                &format!("{url}/lost"),
                as_agent,
                json!({ "reason": "Went with a cheaper supplier" }),
            )
            .await;
        assert_eq!(lost.status, 200, "{}", lost.body);
        assert_eq!(lost.body["status"], json!("lost"));
        assert_eq!(
            lost.body["lost_reason"],
            json!("Went with a cheaper supplier")
        );
        let ev = events(&app, &t).await;
        assert_eq!(
            last_event(&ev, "deal.lost")["reason"],
            json!("Went with a cheaper supplier")
        );
        assert_eq!(last_event(&ev, "deal.won")["status"], json!("won"));
        assert_eq!(last_event(&ev, "deal.reopened")["status"], json!("open"));

        // Details change; a change that changes nothing records nothing.
        let r = app
            .patch(
                &url,
                as_agent,
                json!({ "title": "60 espresso machines", "value_minor": 1_500_000,
                        "owner_id": null, "expected_close_on": null }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["title"], json!("60 espresso machines"));
        assert_eq!(r.body["owner_id"], Value::Null);
        assert_eq!(r.body["expected_close_on"], Value::Null);
        assert_eq!(r.body["contact_id"], json!(ana), "left out: unchanged");
        let updates =
            |ev: &[(String, Value)]| ev.iter().filter(|(n, _)| n == "deal.updated").count();
        let ev = events(&app, &t).await;
        assert_eq!(updates(&ev), 1);
        let changed = &last_event(&ev, "deal.updated")["changed"];
        assert_eq!(
            changed,
            &json!(["title", "value_minor", "expected_close_on", "owner_id"])
        );
        let r = app
            .patch(&url, as_agent, json!({ "title": "60 espresso machines" }))
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(updates(&events(&app, &t).await), 1);

        let gone = app.delete(&url, as_agent).await;
        assert_eq!(gone.status, 204);
        assert_eq!(app.get(&url, as_agent).await.status, 404);
        assert_eq!(
            last_event(&events(&app, &t).await, "deal.deleted")["deal_id"],
            json!(did)
        );
        let audit = audit_actions(&app, &t).await;
        for action in [
            "deal.create",
            "deal.move",
            "deal.win",
            "deal.reopen",
            "deal.lose",
            "deal.update",
            "deal.delete",
        ] {
            assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn deal_input_is_validated_and_links_stay_in_the_tenant() {
    each_engine(|app| async move {
        let t = app.create_tenant("deal-valid").await;
        let other = app.create_tenant("deal-other").await;
        let owner = Auth::Bearer(&t.owner.token);
        let p = create_pipeline(&app, owner, "Sales", &["Lead", "Won over"]).await;
        let p2 = create_pipeline(&app, owner, "Renewals", &["Due"]).await;
        let theirs = create_pipeline(&app, Auth::Bearer(&other.owner.token), "X", &["A"]).await;
        let their_contact = contact(&app, &other, "15550007777", "Not yours").await;
        let pid = id(&p);
        let base = json!({ "title": "Deal", "pipeline_id": pid, "currency": "EUR" });
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v;
            }
            b
        };
        for (field, body) in [
            ("currency", with("currency", json!("eur"))),
            ("currency", with("currency", json!("EURO"))),
            ("currency", with("currency", json!("XXX"))),
            ("value_minor", with("value_minor", json!(-1))),
            (
                "value_minor",
                with("value_minor", json!(1_000_000_000_000_001_i64)),
            ),
            (
                "expected_close_on",
                with("expected_close_on", json!("2026-02-30")),
            ),
            (
                "expected_close_on",
                with("expected_close_on", json!("31/03/2026")),
            ),
            ("title", with("title", json!(" "))),
            ("pipeline_id", with("pipeline_id", Value::Null)),
            ("pipeline_id", with("pipeline_id", json!(id(&theirs)))),
            ("stage_id", with("stage_id", json!(stage(&p2, "Due")))),
            ("stage_id", with("stage_id", json!(stage(&theirs, "A")))),
            ("contact_id", with("contact_id", json!(their_contact))),
            ("owner_id", with("owner_id", json!(other.owner.id))),
        ] {
            let r = app.post("/api/v1/deals", owner, body.clone()).await;
            assert_eq!(
                (r.status, r.code()),
                (422, "validation_failed"),
                "{body}: {}",
                r.body
            );
            assert_eq!(
                r.body["error"]["fields"][0]["field"],
                json!(field),
                "{body}"
            );
        }
        let r = app
            .post("/api/v1/deals", owner, with("colour", json!("red")))
            .await;
        assert_eq!(r.status, 422, "unknown fields are refused");
        // A stage alone names its pipeline.
        let d = create_deal(
            &app,
            owner,
            json!({ "title": "Renewal", "stage_id": stage(&p2, "Due"), "currency": "JPY",
                    "value_minor": 125_000 }),
        )
        .await;
        assert_eq!(d["pipeline_id"], json!(id(&p2)));
        let r = app
            .patch(
                &format!("/api/v1/deals/{}", id(&d)),
                owner,
                json!({ "contact_id": their_contact }),
            )
            .await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"));
        let r = app
            .post(
                &format!("/api/v1/deals/{}/move", id(&d)),
                owner,
                json!({ "stage_id": stage(&theirs, "A") }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        // Another pipeline's stage moves the deal there.
        let r = app
            .post(
                &format!("/api/v1/deals/{}/move", id(&d)),
                owner,
                json!({ "stage_id": stage(&p, "Won over") }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["pipeline_id"], json!(pid));
        let ev = events(&app, &t).await;
        assert_eq!(
            last_event(&ev, "deal.stage_changed")["from_pipeline_id"],
            json!(id(&p2))
        );
        // The other tenant sees none of it.
        let r = app
            .get(
                &format!("/api/v1/deals/{}", id(&d)),
                Auth::Bearer(&other.owner.token),
            )
            .await;
        assert_eq!(r.status, 404);
    })
    .await;
}
