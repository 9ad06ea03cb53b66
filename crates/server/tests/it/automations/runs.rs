//! Triggers, conditions and steps: a customer's keyword starts a run that
//! tags, replies, notes and resolves, each step logged; other messages
//! start nothing; a branch decides on the contact as it is.

use super::{PNID, WABA, customer_writes, run, runs, texts_to, workflow};
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

#[tokio::test]
async fn a_keyword_starts_a_run_that_does_each_step_once_and_logs_it() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("flow-keyword").await;
        wa.connect_number(&t, PNID, WABA).await;
        let vip = crate::crm_tags::tag(&wa, &t, "price-asker", "#aa2266").await;
        let id = workflow(
            &wa,
            &t,
            "Prices",
            json!({
                "trigger": {"type": "message_received", "keywords": ["price", "how much"]},
                "steps": [
                    {"type": "add_tag", "tag_id": vip},
                    {"type": "send_text", "text": "Our price list: https://example.com/prices"},
                    {"type": "add_note", "text": "Asked for prices"},
                    {"type": "set_status", "status": "pending"}
                ]
            }),
        )
        .await;

        // A message without the keyword starts nothing.
        let customer = "15550401001";
        let contact = customer_writes(&wa, &t, customer, "Hello there").await;
        assert!(runs(&wa, &t, &id).await.is_empty());
        // "Priceless" is not "price".
        customer_writes(&wa, &t, customer, "priceless service").await;
        assert!(runs(&wa, &t, &id).await.is_empty());

        customer_writes(&wa, &t, customer, "What's the PRICE?").await;
        wa.eventually("the reply reaches the customer", || async {
            texts_to(&wa, customer).len() == 1
        })
        .await;
        let all = runs(&wa, &t, &id).await;
        assert_eq!(all.len(), 1);
        let r = run(&wa, &t, all[0]["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"), "{r}");
        assert_eq!(r["trigger_event"], json!("message.received"));
        assert_eq!(r["contact_id"], json!(contact));
        assert_eq!(r["version"], json!(1));
        let steps: Vec<(&str, &str, &str)> = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["path"].as_str().unwrap(),
                    s["type"].as_str().unwrap(),
                    s["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [
                ("steps[0]", "add_tag", "done"),
                ("steps[1]", "send_text", "done"),
                ("steps[2]", "add_note", "done"),
                ("steps[3]", "set_status", "done"),
            ]
        );
        assert!(r["steps"][1]["output"]["message_id"].is_string(), "{r}");
        // The run took every step in the commit that started it: no job of
        // the automations queue ever ran.
        let job_runners = wa.state.store.finished_by("automations").await.unwrap();
        assert!(job_runners.is_empty(), "{job_runners:?}");
        assert_eq!(
            texts_to(&wa, customer),
            ["Our price list: https://example.com/prices"]
        );

        // Each step went through the rules people use: the tag, the note,
        // the status, with their events and audit entries by the system.
        let key = Auth::ApiKey(&t.api_key);
        let c = wa
            .get(&format!("/api/v1/contacts/{contact}"), key)
            .await
            .body;
        assert!(
            c["contact"]["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|tag| tag["id"] == json!(vip)),
            "{c}"
        );
        assert_eq!(c["conversations"][0]["status"], json!("pending"), "{c}");
        let names = crate::crm_notes::event_names(&wa, &t).await;
        for name in [
            "contact.tagged",
            "message.queued",
            "note.created",
            "conversation.status_changed",
            "workflow_run.completed",
        ] {
            assert_eq!(
                names.iter().filter(|n| *n == name).count(),
                1,
                "{name} in {names:?}"
            );
        }
        let audit = crate::crm_notes::audit_actions(&wa, &t, "contact.tag").await;
        assert_eq!(audit.len(), 1);
        // The run is in the tenant's execution log.
        let log = wa.get("/api/v1/executions?type=workflow_run", key).await;
        assert_eq!(log.status, 200, "{}", log.body);
        assert_eq!(
            log.body["items"].as_array().unwrap().len(),
            1,
            "{}",
            log.body
        );
        assert_eq!(log.body["items"][0]["status"], json!("completed"));
        assert_eq!(log.body["items"][0]["details"]["workflow_id"], json!(id));
        let completed = wa.get("/api/v1/executions?status=completed", key).await;
        assert_eq!(
            completed.body["items"].as_array().unwrap().len(),
            1,
            "{}",
            completed.body
        );

        // A later drain, and "how much" later, run it again only for the new message.
        wa.drain().await;
        assert_eq!(runs(&wa, &t, &id).await.len(), 1);
        customer_writes(&wa, &t, customer, "how much is it?").await;
        wa.eventually("the second reply", || async {
            texts_to(&wa, customer).len() == 2
        })
        .await;
        assert_eq!(runs(&wa, &t, &id).await.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn conditions_gate_the_start_and_branches_decide_on_the_contact_as_it_is() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("flow-branch").await;
        wa.connect_number(&t, PNID, WABA).await;
        let vip = crate::crm_tags::tag(&wa, &t, "vip", "#aa2266").await;
        let id = workflow(
            &wa,
            &t,
            "Greeter",
            json!({
                "trigger": {"type": "message_received", "first_in_conversation": true},
                "conditions": [{"type": "any", "conditions": [
                    {"type": "message_contains", "text": "hello"},
                    {"type": "message_matches", "pattern": "^h(i|ey)\\b"}
                ]}],
                "steps": [
                    {"type": "branch", "if": [{"type": "has_tag", "tag_id": vip}],
                     "then": [{"type": "send_text", "text": "Welcome back, VIP"}],
                     "else": [{"type": "send_text", "text": "Welcome!"}, {"type": "stop"}]},
                    {"type": "add_note", "text": "VIP greeted"}
                ]
            }),
        )
        .await;

        // Not a greeting: no run, and the conversation's first message is spent.
        customer_writes(&wa, &t, "15550402001", "order 42?").await;
        customer_writes(&wa, &t, "15550402001", "hello?").await;
        assert!(runs(&wa, &t, &id).await.is_empty());

        // A first greeting from someone else: the `else` side, then stop.
        customer_writes(&wa, &t, "15550402002", "Hey, are you open").await;
        wa.eventually("the welcome", || async {
            texts_to(&wa, "15550402002").len() == 1
        })
        .await;
        assert_eq!(texts_to(&wa, "15550402002"), ["Welcome!"]);
        let all = runs(&wa, &t, &id).await;
        let r = run(&wa, &t, all[0]["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"));
        let paths: Vec<&str> = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            ["steps[0]", "steps[0].else[0]", "steps[0].else[1]"],
            "{r}"
        );
        assert_eq!(r["steps"][0]["output"]["taken"], json!("else"));

        // A VIP's first greeting: the `then` side and the note after it.
        let vip_customer = "15550402003";
        let c = crate::crm_contacts::contact(
            &wa,
            &t,
            json!({ "phone": format!("+{vip_customer}"), "name": "Vera" }),
        )
        .await;
        super::set_tag(&wa, &t, c["id"].as_str().unwrap(), &vip, true).await;
        customer_writes(&wa, &t, vip_customer, "hello").await;
        wa.eventually("the VIP welcome", || async {
            texts_to(&wa, vip_customer).len() == 1
        })
        .await;
        assert_eq!(texts_to(&wa, vip_customer), ["Welcome back, VIP"]);
        let newest = &runs(&wa, &t, &id).await[0];
        let r = run(&wa, &t, newest["id"].as_str().unwrap()).await;
        let paths: Vec<&str> = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["steps[0]", "steps[0].then[0]", "steps[1]"], "{r}");
    })
    .await;
}

#[tokio::test]
async fn a_business_hours_condition_reads_the_workspaces_hours_when_checked() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("flow-hours").await;
        wa.connect_number(&t, PNID, WABA).await;
        let id = workflow(
            &wa,
            &t,
            "After hours",
            json!({
                "trigger": {"type": "message_received"},
                "conditions": [{"type": "business_hours", "open": false}],
                "steps": [{"type": "send_text", "text": "We are closed; we answer from 9:00."}]
            }),
        )
        .await;
        // No hours set: always open, so nothing runs.
        let customer = "15550409401";
        customer_writes(&wa, &t, customer, "hello?").await;
        assert!(runs(&wa, &t, &id).await.is_empty());

        // Closed every day (no ranges): the workflow answers.
        let r = wa
            .put(
                "/api/v1/business-hours",
                Auth::ApiKey(&t.api_key),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        customer_writes(&wa, &t, customer, "anyone there?").await;
        wa.eventually("the closed notice arrives", || async {
            texts_to(&wa, customer).len() == 1
        })
        .await;

        // Open all week: it does not.
        let all_day = json!([{"start": "00:00", "end": "24:00"}]);
        let week: serde_json::Map<String, serde_json::Value> = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ]
        .into_iter()
        .map(|d| (d.to_owned(), all_day.clone()))
        .collect();
        let r = wa
            .put(
                "/api/v1/business-hours",
                Auth::ApiKey(&t.api_key),
                json!({ "weekly": week }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        customer_writes(&wa, &t, customer, "still there?").await;
        assert_eq!(runs(&wa, &t, &id).await.len(), 1);
        assert_eq!(texts_to(&wa, customer).len(), 1);
    })
    .await;
}
