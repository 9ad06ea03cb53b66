//! Runs are durable: a wait survives a restart and ends on the moved
//! clock, not before; a run keeps the version it started on; a job run
//! twice (a retry, another node) repeats no step; a step a rule refuses
//! fails the run there, with the rule's code, and a retry takes it on
//! from that step.

use super::{PNID, WABA, customer_writes, run, runs, set_tag, texts_to, workflow};
use domain::{TenantId, WorkflowRunId};
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

/// The notes on contact `contact`'s conversations and on the contact, texts only.
async fn notes(app: &testkit::TestApp, t: &testkit::TestTenant, contact: &str) -> Vec<String> {
    let r = app
        .get(
            &format!("/api/v1/notes?contact_id={contact}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_wait_survives_a_restart_and_a_run_keeps_the_version_it_started_on() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("flow-wait").await;
        wa.connect_number(&t, PNID, WABA).await;
        let tag = crate::crm_tags::tag(&wa, &t, "follow-up", "#2266aa").await;
        let definition = |note: &str| {
            json!({
                "trigger": {"type": "tag_added", "tag_id": tag},
                "steps": [{"type": "wait", "seconds": 3600}, {"type": "add_note", "text": note}]
            })
        };
        let id = workflow(&wa, &t, "Follow up", definition("v1 note")).await;
        let c =
            crate::crm_contacts::contact(&wa, &t, json!({ "phone": "+15550403001", "name": "Wu" }))
                .await;
        let contact = c["id"].as_str().unwrap().to_owned();
        set_tag(&wa, &t, &contact, &tag, true).await;
        wa.drain().await;
        let first = runs(&wa, &t, &id).await[0].clone();
        assert_eq!(first["status"], json!("waiting"), "{first}");
        let wake = first["wake_at"].as_str().unwrap().to_owned();

        // A new definition is a new version; the waiting run keeps v1.
        let r = wa
            .patch(
                &format!("/api/v1/workflows/{id}"),
                Auth::ApiKey(&t.api_key),
                json!({ "definition": definition("v2 note") }),
            )
            .await;
        assert_eq!(
            (r.status, &r.body["version"]),
            (200, &json!(2)),
            "{}",
            r.body
        );

        wa.advance(3599);
        wa.drain().await;
        assert_eq!(
            runs(&wa, &t, &id).await[0]["status"],
            json!("waiting"),
            "not a second early"
        );
        assert!(notes(&wa, &t, &contact).await.is_empty());

        // A fresh node on the same database (a restart) ends the wait.
        wa.advance(1);
        let node = wa.another_node(|_| {}).await;
        server::jobs::drain(&node).await;
        let r = run(&wa, &t, first["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"), "{r}");
        assert_eq!(r["steps"][0]["output"]["until"], json!(wake));
        assert_eq!(notes(&wa, &t, &contact).await, ["v1 note"]);

        // A run started now is on version 2.
        set_tag(&wa, &t, &contact, &tag, false).await;
        set_tag(&wa, &t, &contact, &tag, true).await;
        wa.drain().await;
        let newest = runs(&wa, &t, &id).await[0].clone();
        assert_eq!(
            (&newest["version"], &newest["status"]),
            (&json!(2), &json!("waiting"))
        );
        wa.advance(3600);
        wa.drain().await;
        assert_eq!(notes(&wa, &t, &contact).await, ["v2 note", "v1 note"]);
    })
    .await;
}

#[tokio::test]
async fn a_run_taken_up_twice_repeats_no_step() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("flow-twice").await;
        let tenant: TenantId = t.id.parse().unwrap();
        wa.connect_number(&t, PNID, WABA).await;
        let id = workflow(
            &wa,
            &t,
            "Thanks",
            json!({
                "trigger": {"type": "message_received", "keywords": ["thanks"]},
                "steps": [
                    {"type": "send_text", "text": "You're welcome"},
                    {"type": "wait", "seconds": 60},
                    {"type": "send_text", "text": "Anything else?"}
                ]
            }),
        )
        .await;
        let customer = "15550404001";
        customer_writes(&wa, &t, customer, "thanks!").await;
        wa.eventually("the first reply", || async {
            texts_to(&wa, customer).len() == 1
        })
        .await;
        let run_id: WorkflowRunId = runs(&wa, &t, &id).await[0]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();

        // Another node, or a retried job, takes the run up mid-wait: nothing
        // is sent again, and it is still waiting.
        let node = wa.another_node(|_| {}).await;
        let again = server::automations::run::advance(&node, tenant, run_id)
            .await
            .unwrap();
        assert!(
            matches!(again, server::automations::run::Advanced::NotYet(_)),
            "{again:?}"
        );
        wa.advance(60);
        // Two takers at once after the wait: one does the step, the other
        // finds it done.
        let (a, b) = tokio::join!(
            server::automations::run::advance(&node, tenant, run_id),
            server::automations::run::advance(&wa.state, tenant, run_id),
        );
        a.unwrap();
        b.unwrap();
        wa.drain().await;
        wa.eventually("the second reply", || async {
            texts_to(&wa, customer).len() == 2
        })
        .await;
        wa.drain().await;
        assert_eq!(
            texts_to(&wa, customer),
            ["You're welcome", "Anything else?"]
        );
        let r = run(&wa, &t, &run_id.to_string()).await;
        assert_eq!(r["status"], json!("completed"));
        assert_eq!(r["steps"].as_array().unwrap().len(), 3, "{r}");
        let names = crate::crm_notes::event_names(&wa, &t).await;
        assert_eq!(names.iter().filter(|n| *n == "message.queued").count(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_refused_step_fails_the_run_there_and_a_retry_goes_on_from_it() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("flow-refused").await;
        wa.connect_number(&t, PNID, WABA).await;
        let key = Auth::ApiKey(&t.api_key);
        let tag = crate::crm_tags::tag(&wa, &t, "lead", "#66aa22").await;
        let id = workflow(
            &wa,
            &t,
            "Lead intro",
            json!({
                "trigger": {"type": "tag_added", "tag_id": tag},
                "steps": [
                    {"type": "add_note", "text": "New lead"},
                    {"type": "send_text", "text": "Hi, thanks for your interest"},
                    {"type": "set_status", "status": "pending"}
                ]
            }),
        )
        .await;
        // The customer wrote once, more than a day ago: the window is closed.
        let customer = "15550405001";
        let contact = customer_writes(&wa, &t, customer, "hi").await;
        wa.advance(25 * 3600);
        wa.sandbox
            .advance_clock(std::time::Duration::from_secs(25 * 3600));
        set_tag(&wa, &t, &contact, &tag, true).await;
        wa.drain().await;

        let r = run(&wa, &t, runs(&wa, &t, &id).await[0]["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("failed"), "{r}");
        assert!(
            r["error"]
                .as_str()
                .unwrap()
                .starts_with("outside_customer_service_window: "),
            "{r}"
        );
        let steps = r["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(
            (&steps[1]["path"], &steps[1]["status"]),
            (&json!("steps[1]"), &json!("failed"))
        );
        assert!(texts_to(&wa, customer).is_empty());
        let events = crate::crm_contacts::events(&wa, &t).await;
        let failed = events
            .iter()
            .find(|(n, _)| n == "workflow_run.failed")
            .expect("workflow_run.failed");
        assert_eq!(failed.1["code"], json!("outside_customer_service_window"));
        assert_eq!(failed.1["step"], json!("steps[1]"));
        assert_eq!(
            notes(&wa, &t, &contact).await,
            ["New lead"],
            "the step before stays done"
        );

        // A retry while it is still refused fails it again at the same step.
        let path = format!("/api/v1/workflow-runs/{}/retry", r["id"].as_str().unwrap());
        // Only a failed run can be retried; this one can.
        assert_eq!(wa.post(&path, key, json!({})).await.status, 200);
        wa.drain().await;
        assert_eq!(
            run(&wa, &t, r["id"].as_str().unwrap()).await["status"],
            json!("failed")
        );

        // The customer writes again: a retry goes on from the failed step.
        customer_writes(&wa, &t, customer, "still there?").await;
        let retried = wa.post(&path, key, json!({})).await;
        assert_eq!(
            (retried.status, &retried.body["status"]),
            (200, &json!("running")),
            "{}",
            retried.body
        );
        wa.drain().await;
        let r = run(&wa, &t, r["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"), "{r}");
        wa.eventually("the text goes", || async {
            texts_to(&wa, customer).len() == 1
        })
        .await;
        assert_eq!(
            notes(&wa, &t, &contact).await,
            ["New lead"],
            "the note is not written twice"
        );
        let again = wa.post(&path, key, json!({})).await;
        assert_eq!((again.status, again.code()), (409, "run_not_failed"));
    })
    .await;
}
