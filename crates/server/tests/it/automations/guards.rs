//! Loops stop: a workflow's own steps do not start it again; runs started
//! by runs go at most five deep; one workflow starts at most twenty runs
//! for one contact in an hour. Each stop is a `skipped` run saying why.

use super::{runs, set_tag, workflow};
use serde_json::{Value, json};
use testkit::{TestApp, TestTenant, each_engine};

/// A contact made through the API; its id.
async fn contact(app: &TestApp, t: &TestTenant, phone: &str) -> String {
    let c = crate::crm_contacts::contact(app, t, json!({ "phone": phone, "name": "Loop" })).await;
    c["id"].as_str().unwrap().to_owned()
}

fn statuses(runs: &[Value]) -> Vec<(&str, i64)> {
    let mut s: Vec<(&str, i64)> = runs
        .iter()
        .map(|r| (r["status"].as_str().unwrap(), r["depth"].as_i64().unwrap()))
        .collect();
    s.sort_by_key(|(_, d)| *d);
    s
}

#[tokio::test]
async fn a_workflow_does_not_start_itself_and_chains_stop_five_deep() {
    each_engine(|app| async move {
        let t = app.create_tenant("flow-loops").await;
        let a = crate::crm_tags::tag(&app, &t, "a", "#111111").await;
        let b = crate::crm_tags::tag(&app, &t, "b", "#222222").await;
        let solo = crate::crm_tags::tag(&app, &t, "solo", "#333333").await;

        // Retagging itself: its own tag.added would start it again.
        let own = workflow(&app, &t, "Retag", json!({
            "trigger": {"type": "tag_added", "tag_id": solo},
            "steps": [{"type": "remove_tag", "tag_id": solo}, {"type": "add_tag", "tag_id": solo}]
        })).await;
        let c = contact(&app, &t, "+15550406001").await;
        set_tag(&app, &t, &c, &solo, true).await;
        app.drain().await;
        app.drain().await;
        let all = runs(&app, &t, &own).await;
        assert_eq!(
            statuses(&all),
            [("completed", 0), ("skipped", 1)],
            "{all:?}"
        );
        let skipped = all.iter().find(|r| r["status"] == "skipped").unwrap();
        assert!(
            skipped["error"]
                .as_str()
                .unwrap()
                .contains("does not start itself"),
            "{skipped}"
        );

        // A starts B starts A…: stopped at depth 6.
        let wa = workflow(
            &app,
            &t,
            "A to B",
            json!({
                "trigger": {"type": "tag_added", "tag_id": a},
                "steps": [{"type": "remove_tag", "tag_id": b}, {"type": "add_tag", "tag_id": b}]
            }),
        )
        .await;
        let wb = workflow(
            &app,
            &t,
            "B to A",
            json!({
                "trigger": {"type": "tag_added", "tag_id": b},
                "steps": [{"type": "remove_tag", "tag_id": a}, {"type": "add_tag", "tag_id": a}]
            }),
        )
        .await;
        let d = contact(&app, &t, "+15550406002").await;
        set_tag(&app, &t, &d, &a, true).await;
        for _ in 0..10 {
            app.drain().await;
        }
        let mut chain: Vec<Value> = runs(&app, &t, &wa).await;
        chain.extend(runs(&app, &t, &wb).await);
        assert_eq!(
            statuses(&chain),
            [
                ("completed", 0),
                ("completed", 1),
                ("completed", 2),
                ("completed", 3),
                ("completed", 4),
                ("completed", 5),
                ("skipped", 6)
            ],
            "{chain:?}"
        );
        let last = chain.iter().find(|r| r["status"] == "skipped").unwrap();
        assert!(
            last["error"].as_str().unwrap().starts_with("loop guard"),
            "{last}"
        );
    })
    .await;
}

#[tokio::test]
async fn one_workflow_starts_at_most_twenty_runs_for_a_contact_in_an_hour() {
    each_engine(|app| async move {
        let t = app.create_tenant("flow-rate").await;
        let tag = crate::crm_tags::tag(&app, &t, "ping", "#444444").await;
        let id = workflow(
            &app,
            &t,
            "Ping",
            json!({
                "trigger": {"type": "tag_added", "tag_id": tag},
                "steps": [{"type": "add_note", "text": "pinged"}]
            }),
        )
        .await;
        let c = contact(&app, &t, "+15550407001").await;
        for _ in 0..22 {
            set_tag(&app, &t, &c, &tag, true).await;
            set_tag(&app, &t, &c, &tag, false).await;
            app.drain().await;
        }
        let all = runs(&app, &t, &id).await;
        let count = |s: &str| all.iter().filter(|r| r["status"] == s).count();
        assert_eq!((count("completed"), count("skipped")), (20, 2), "{all:?}");
        assert!(all[0]["error"].as_str().unwrap().starts_with("rate guard"));

        // Over an hour later it runs again.
        app.advance(3601);
        set_tag(&app, &t, &c, &tag, true).await;
        app.drain().await;
        assert_eq!(runs(&app, &t, &id).await[0]["status"], json!("completed"));
    })
    .await;
}

#[tokio::test]
async fn the_plan_limits_runs_a_month_and_a_run_over_it_is_skipped_with_the_reason() {
    each_engine(|app| async move {
        let op = app.operator_token().await;
        let limits = json!({ "limits": { "messages_per_month": 1000, "agents": 5, "numbers": 1,
                                         "contacts": 100, "workflow_runs_per_month": 2 } });
        let r = app
            .patch(
                "/api/v1/operator/plans/starter",
                testkit::Auth::Bearer(&op),
                limits,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.body["limits"]["workflow_runs_per_month"],
            json!(2),
            "{}",
            r.body
        );
        let t = app.create_tenant("flow-plan").await;
        let tag = crate::crm_tags::tag(&app, &t, "welcome", "#444444").await;
        let id = workflow(
            &app,
            &t,
            "Welcome",
            json!({
                "trigger": {"type": "tag_added", "tag_id": tag},
                "steps": [{"type": "add_note", "text": "Welcomed"}]
            }),
        )
        .await;
        let mut contacts = Vec::new();
        for i in 0..4 {
            contacts.push(contact(&app, &t, &format!("+1555040700{i}")).await);
        }
        for c in &contacts[..3] {
            set_tag(&app, &t, c, &tag, true).await;
        }
        app.drain().await;
        let all = runs(&app, &t, &id).await;
        let mut s: Vec<&str> = all.iter().map(|r| r["status"].as_str().unwrap()).collect();
        s.sort_unstable();
        assert_eq!(s, ["completed", "completed", "skipped"], "{all:?}");
        let skipped = all
            .iter()
            .find(|r| r["status"] == json!("skipped"))
            .unwrap();
        assert!(
            skipped["error"].as_str().unwrap().starts_with("plan limit"),
            "{skipped}"
        );
        // A new month, a new allowance.
        app.advance(32 * 86_400);
        set_tag(&app, &t, &contacts[3], &tag, true).await;
        app.drain().await;
        let newest = runs(&app, &t, &id).await[0].clone();
        assert_eq!(newest["status"], json!("completed"), "{newest}");
    })
    .await;
}

#[tokio::test]
async fn workflow_steps_enrol_a_contact_in_a_drip_and_end_it() {
    each_engine(|app| async move {
        let t = app.create_tenant("flow-drip").await;
        let tag = crate::crm_tags::tag(&app, &t, "lead", "#555555").await;
        let d = crate::drips::drip(
            &app,
            &t,
            json!({
                "name": "Lead nurture", "enabled": true,
                "steps": [crate::drips::offer_step(1, "days")]
            }),
        )
        .await;
        let drip = d["id"].as_str().unwrap().to_owned();
        let id = workflow(
            &app,
            &t,
            "Nurture leads",
            json!({
                "trigger": {"type": "tag_added", "tag_id": tag},
                "steps": [{"type": "start_drip", "drip_id": drip}]
            }),
        )
        .await;
        workflow(
            &app,
            &t,
            "Stop nurturing",
            json!({
                "trigger": {"type": "tag_removed", "tag_id": tag},
                "steps": [{"type": "stop_drip", "drip_id": drip}]
            }),
        )
        .await;
        let c = contact(&app, &t, "+15550408001").await;
        set_tag(&app, &t, &c, &tag, true).await;
        app.drain().await;
        let run = &runs(&app, &t, &id).await[0];
        assert_eq!(run["status"], json!("completed"), "{run}");
        let s = crate::drips::subscriber(&app, &t, &drip, &c).await;
        assert_eq!(s["status"], json!("active"), "{s}");
        assert_eq!(s["via"], json!("workflow"), "{s}");
        set_tag(&app, &t, &c, &tag, false).await;
        app.drain().await;
        let s = crate::drips::subscriber(&app, &t, &drip, &c).await;
        assert_eq!(s["status"], json!("exited"), "{s}");

        // A drip that does not exist is refused by path when saved.
        let r = app
            .post(
                "/api/v1/workflows",
                testkit::Auth::ApiKey(&t.api_key),
                json!({ "name": "Ghost", "definition": {
                    "trigger": {"type": "tag_added", "tag_id": tag},
                    "steps": [{"type": "start_drip", "drip_id": domain::DripId::new()}]}}),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.to_string().contains("definition.steps[0].drip_id"),
            "{}",
            r.body
        );
    })
    .await;
}
