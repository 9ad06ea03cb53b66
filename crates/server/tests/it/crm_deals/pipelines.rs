//! Pipelines and their stages through the API: created with their stages
//! inline, renamed, stages added / renamed / reordered / removed (their
//! deals moved to a stage named, or the removal refused), deleted only
//! without deals; `settings:manage` to change, `inbox:read` to read.

use super::{audit_actions, create_deal, create_pipeline, events, id, stage};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, each_engine};

fn names(p: &Value) -> Vec<String> {
    p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_pipeline_is_created_with_its_stages_and_its_layout_changed() {
    each_engine(|app| async move {
        let t = app.create_tenant("pipe-crud").await;
        let owner = Auth::Bearer(&t.owner.token);
        let empty = app.get("/api/v1/pipelines", owner).await;
        assert_eq!(empty.status, 200);
        assert_eq!(
            empty.body["items"],
            json!([]),
            "a new tenant has no pipeline"
        );

        let p = create_pipeline(&app, owner, "Sales", &["Lead", "Qualified", "Proposal"]).await;
        let pid = id(&p);
        assert_eq!(names(&p), ["Lead", "Qualified", "Proposal"]);
        let positions: Vec<i64> = p["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, [0, 1, 2]);
        let listed = app.get("/api/v1/pipelines", owner).await;
        assert_eq!(listed.body["items"][0]["id"], json!(pid));
        assert_eq!(
            names(&listed.body["items"][0]),
            ["Lead", "Qualified", "Proposal"]
        );
        let dup = app
            .post(
                "/api/v1/pipelines",
                owner,
                json!({ "name": "Sales", "stages": [{ "name": "A" }] }),
            )
            .await;
        assert_eq!((dup.status, dup.code()), (409, "pipeline_name_taken"));
        for bad in [
            json!({ "name": "Empty", "stages": [] }),
            json!({ "name": "", "stages": [{ "name": "A" }] }),
            json!({ "name": "Twice", "stages": [{ "name": "A" }, { "name": "a" }] }),
            json!({ "name": "Blank", "stages": [{ "name": "  " }] }),
        ] {
            let r = app.post("/api/v1/pipelines", owner, bad.clone()).await;
            assert_eq!(
                (r.status, r.code()),
                (422, "validation_failed"),
                "{bad}: {}",
                r.body
            );
        }

        // One stage at a time: add (at a position), rename and move.
        let base = format!("/api/v1/pipelines/{pid}/stages");
        let r = app
            .post(&base, owner, json!({ "name": "Negotiation" }))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = app
            .post(&base, owner, json!({ "name": "Intro call", "position": 1 }))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["position"], json!(1));
        let p = app
            .get(&format!("/api/v1/pipelines/{pid}"), owner)
            .await
            .body;
        assert_eq!(
            names(&p),
            ["Lead", "Intro call", "Qualified", "Proposal", "Negotiation"]
        );
        let proposal = stage(&p, "Proposal");
        let r = app
            .patch(
                &format!("{base}/{proposal}"),
                owner,
                json!({ "name": "Offer", "position": 0 }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let stages = app.get(&base, owner).await;
        assert_eq!(stages.status, 200);
        let p = app
            .get(&format!("/api/v1/pipelines/{pid}"), owner)
            .await
            .body;
        assert_eq!(
            names(&p),
            ["Offer", "Lead", "Intro call", "Qualified", "Negotiation"]
        );
        assert_eq!(stages.body["items"][0]["name"], json!("Offer"));

        // The whole layout at once: rename, reorder, add, drop one.
        let lead = stage(&p, "Lead");
        let offer = stage(&p, "Offer");
        let r = app
            .patch(
                &format!("/api/v1/pipelines/{pid}"),
                owner,
                json!({ "name": "B2B sales", "stages": [
                    { "id": lead, "name": "New lead" }, { "id": offer, "name": "Offer" },
                    { "name": "Contract" } ] }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["name"], json!("B2B sales"));
        assert_eq!(names(&r.body), ["New lead", "Offer", "Contract"]);
        assert_eq!(
            stage(&r.body, "New lead"),
            lead,
            "a kept stage keeps its id"
        );
        let foreign = app
            .patch(
                &format!("/api/v1/pipelines/{pid}"),
                owner,
                json!({ "stages": [{ "id": uuid::Uuid::now_v7(), "name": "X" }] }),
            )
            .await;
        assert_eq!(foreign.status, 422, "{}", foreign.body);

        let gone = app.delete(&format!("/api/v1/pipelines/{pid}"), owner).await;
        assert_eq!(gone.status, 204, "{}", gone.body);
        let after = app.get(&format!("/api/v1/pipelines/{pid}"), owner).await;
        assert_eq!(after.status, 404);

        let names: Vec<String> = events(&app, &t)
            .await
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| n.starts_with("pipeline."))
            .collect();
        assert_eq!(names.first().map(String::as_str), Some("pipeline.created"));
        assert_eq!(names.last().map(String::as_str), Some("pipeline.deleted"));
        assert!(names.iter().filter(|n| *n == "pipeline.updated").count() >= 4);
        let audit = audit_actions(&app, &t).await;
        for action in ["pipeline.create", "pipeline.update", "pipeline.delete"] {
            assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn stages_and_pipelines_with_deals_are_kept_unless_the_deals_move() {
    each_engine(|app| async move {
        let t = app.create_tenant("pipe-keep").await;
        let owner = Auth::Bearer(&t.owner.token);
        let p = create_pipeline(&app, owner, "Sales", &["Lead", "Qualified", "Proposal"]).await;
        let pid = id(&p);
        let (lead, qualified) = (stage(&p, "Lead"), stage(&p, "Qualified"));
        let deal = create_deal(
            &app,
            owner,
            json!({ "title": "Kiosk", "pipeline_id": pid, "currency": "EUR" }),
        )
        .await;
        assert_eq!(deal["stage_id"], json!(lead), "the first stage by default");

        let r = app.delete(&format!("/api/v1/pipelines/{pid}"), owner).await;
        assert_eq!((r.status, r.code()), (409, "pipeline_has_deals"));
        let r = app
            .delete(&format!("/api/v1/pipelines/{pid}/stages/{lead}"), owner)
            .await;
        assert_eq!((r.status, r.code()), (409, "stage_has_deals"));
        let r = app
            .patch(
                &format!("/api/v1/pipelines/{pid}"),
                owner,
                json!({ "stages": [{ "id": qualified, "name": "Qualified" }] }),
            )
            .await;
        assert_eq!((r.status, r.code()), (409, "stage_has_deals"));
        let r = app
            .delete(
                &format!("/api/v1/pipelines/{pid}/stages/{lead}?move_to={lead}"),
                owner,
            )
            .await;
        assert_eq!(r.status, 422, "not into itself: {}", r.body);

        // Named a stage to move them to, the deals go there, with history.
        let r = app
            .delete(
                &format!("/api/v1/pipelines/{pid}/stages/{lead}?move_to={qualified}"),
                owner,
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
        let d = app
            .get(&format!("/api/v1/deals/{}", id(&deal)), owner)
            .await
            .body;
        assert_eq!(d["stage_id"], json!(qualified));
        let history = d["stage_history"].as_array().unwrap();
        assert_eq!(history.len(), 2, "{d}");
        assert_eq!(history[1]["from_stage_name"], json!("Lead"));
        assert_eq!(history[1]["to_stage_name"], json!("Qualified"));
        let p = app
            .get(&format!("/api/v1/pipelines/{pid}"), owner)
            .await
            .body;
        assert_eq!(super::id(&p["stages"][0]), qualified);
        assert_eq!(
            p["stages"][0]["position"],
            json!(0),
            "positions stay 0, 1, …"
        );

        // The last stage stays.
        let proposal = stage(&p, "Proposal");
        let r = app
            .delete(&format!("/api/v1/pipelines/{pid}/stages/{proposal}"), owner)
            .await;
        assert_eq!(r.status, 204);
        let r = app
            .delete(
                &format!("/api/v1/pipelines/{pid}/stages/{qualified}"),
                owner,
            )
            .await;
        assert_eq!(r.status, 422, "a pipeline keeps one stage: {}", r.body);
        let r = app
            .delete(&format!("/api/v1/deals/{}", id(&deal)), owner)
            .await;
        assert_eq!(r.status, 204);
        let r = app.delete(&format!("/api/v1/pipelines/{pid}"), owner).await;
        assert_eq!(r.status, 204, "no deals left: {}", r.body);
    })
    .await;
}

#[tokio::test]
async fn agents_and_viewers_read_pipelines_but_only_admins_change_them() {
    each_engine(|app| async move {
        let t = app.create_tenant("pipe-roles").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        let admin = app.add_user(&t, Role::Admin, "admin").await;
        let p = create_pipeline(&app, Auth::Bearer(&admin.token), "Sales", &["Lead"]).await;
        let pid = id(&p);
        for who in [&agent, &viewer] {
            let r = app.get("/api/v1/pipelines", Auth::Bearer(&who.token)).await;
            assert_eq!(r.status, 200);
            assert_eq!(r.body["items"][0]["id"], json!(pid));
            let r = app
                .post(
                    "/api/v1/pipelines",
                    Auth::Bearer(&who.token),
                    json!({ "name": "Mine", "stages": [{ "name": "A" }] }),
                )
                .await;
            assert_eq!((r.status, r.code()), (403, "permission_denied"));
            let r = app
                .post(
                    &format!("/api/v1/pipelines/{pid}/stages"),
                    Auth::Bearer(&who.token),
                    json!({ "name": "B" }),
                )
                .await;
            assert_eq!(r.status, 403);
        }
        // Agents work deals in it; viewers do not.
        let body = json!({ "title": "T", "pipeline_id": pid, "currency": "USD" });
        let r = app
            .post("/api/v1/deals", Auth::Bearer(&agent.token), body.clone())
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = app
            .post("/api/v1/deals", Auth::Bearer(&viewer.token), body)
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        let r = app.get("/api/v1/deals", Auth::Bearer(&viewer.token)).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}
