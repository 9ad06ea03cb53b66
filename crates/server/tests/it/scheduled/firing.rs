//! Firing: once, at its time and not before, through the sending rules in
//! force then; never twice across a crash before the commit, a retry, or
//! a restart; refusals fail it with the rule's code, and so does a time
//! that passed more than an hour before it could go.

use super::{
    CUSTOMER, PNID, WABA, add_template, contact, count_events, in_seconds, schedule, scheduled,
    template,
};
use domain::{ScheduledMessageId, TenantId};
use serde_json::json;
use server::scheduled::fire::fire;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

#[tokio::test]
async fn a_scheduled_template_goes_once_at_its_time_and_not_before() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("sched-fire").await;
        let tenant: TenantId = t.id.parse().unwrap();
        let channel = wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let c = contact(&wa, &t, CUSTOMER, "Ana").await;
        let s = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "template": template("Ana"), "send_at": in_seconds(&wa, 600) })).await;
        assert_eq!((s["status"].as_str(), s["kind"].as_str()), (Some("scheduled"), Some("template")), "{s}");
        let id = s["id"].as_str().unwrap().to_owned();

        wa.advance(599);
        wa.drain().await;
        assert_eq!(scheduled(&wa, &t, &id).await["status"], json!("scheduled"));
        assert!(wa.sandbox.received(PNID, CUSTOMER).is_empty(), "not a second early");

        wa.advance(1);
        wa.drain().await;
        let s = scheduled(&wa, &t, &id).await;
        assert_eq!(s["status"], json!("sent"), "{s}");
        let message = s["message_id"].as_str().expect("the message it queued").to_owned();
        wa.eventually("the template reaches the customer", || async { wa.sandbox.received(PNID, CUSTOMER).len() == 1 }).await;
        let got = &wa.sandbox.received(PNID, CUSTOMER)[0];
        assert_eq!(got.kind, "template");
        assert_eq!(got.content["name"], json!("order_update"));

        // Later drains, and a run of the firing after the fact (a retry,
        // another node), find nothing to do.
        wa.advance(3600);
        wa.drain().await;
        let sid: ScheduledMessageId = id.parse().unwrap();
        assert!(fire(&wa.state, tenant, sid).await.unwrap().is_none());
        wa.drain().await;
        assert_eq!(wa.sandbox.received(PNID, CUSTOMER).len(), 1);
        assert_eq!(count_events(&wa, &t, "scheduled_message.sent").await, 1);
        assert_eq!(count_events(&wa, &t, "message.queued").await, 1);
        let events = crate::crm_contacts::events(&wa, &t).await;
        let sent = events.iter().find(|(n, _)| n == "scheduled_message.sent").unwrap();
        assert_eq!(sent.1["message_id"], json!(message));
        assert_eq!(sent.1["scheduled_message_id"], json!(id));
    })
    .await;
}

#[tokio::test]
async fn a_crash_before_the_commit_sends_nothing_and_a_restarted_node_sends_it_once() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("sched-crash").await;
        let tenant: TenantId = t.id.parse().unwrap();
        let channel = wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let c = contact(&wa, &t, CUSTOMER, "Bo").await;
        let s = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "template": template("Bo"), "send_at": in_seconds(&wa, 60) })).await;
        let id = s["id"].as_str().unwrap().to_owned();
        let sid: ScheduledMessageId = id.parse().unwrap();
        wa.advance(60);

        // The work is done, then the process dies before committing it.
        let tx = fire(&wa.state, tenant, sid).await.unwrap().expect("due: it fires");
        drop(tx);
        assert_eq!(scheduled(&wa, &t, &id).await["status"], json!("scheduled"));
        assert_eq!(count_events(&wa, &t, "message.queued").await, 0, "nothing of it stayed");

        // A fresh node on the same database (a restart) finds the job.
        let node = wa.another_node(|_| {}).await;
        server::jobs::drain(&node).await;
        let s = scheduled(&wa, &t, &id).await;
        assert_eq!(s["status"], json!("sent"), "{s}");
        // The old node's retry of the same job finds it sent.
        assert!(fire(&wa.state, tenant, sid).await.unwrap().is_none());
        wa.eventually("it reaches the customer", || async { !wa.sandbox.received(PNID, CUSTOMER).is_empty() }).await;
        wa.drain().await;
        assert_eq!(wa.sandbox.received(PNID, CUSTOMER).len(), 1, "exactly once");
        assert_eq!(count_events(&wa, &t, "message.queued").await, 1);
    })
    .await;
}

#[tokio::test]
async fn the_rules_in_force_when_it_fires_decide_and_a_refusal_says_why() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("sched-rules").await;
        let key = Auth::ApiKey(&t.api_key);
        let channel = wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let c = contact(&wa, &t, CUSTOMER, "Cy").await;
        let at = |s| in_seconds(&wa, s);
        // A text while no window is open; a text and a template for after
        // the customer writes; a template to someone who opts out first.
        let closed = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "text": "Your order shipped", "send_at": at(60) })).await;
        let open = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "text": "Thanks for writing", "send_at": at(120) })).await;
        let other = "16505550143";
        let d = contact(&wa, &t, other, "Di").await;
        let opted = schedule(&wa, &t, json!({ "contact_id": d, "channel_id": channel, "template": template("Di"), "send_at": at(120) })).await;

        wa.advance(60);
        wa.drain().await;
        let s = scheduled(&wa, &t, closed["id"].as_str().unwrap()).await;
        assert_eq!(s["status"], json!("failed"), "{s}");
        assert_eq!(s["failure_code"], json!("outside_customer_service_window"));
        assert!(s["failure_reason"].as_str().unwrap().contains("24 hours"), "{s}");
        assert!(s["message_id"].is_null());
        // Nothing of the refused attempt stayed: no conversation was started.
        let convs = wa.get(&format!("/api/v1/contacts/{c}"), key).await;
        assert_eq!(convs.body["conversations"].as_array().unwrap().len(), 0, "{}", convs.body);

        wa.sandbox.send_text(PNID, CUSTOMER, "hello?").unwrap();
        wa.eventually("the window opens", || async {
            wa.get(&format!("/api/v1/contacts/{c}"), key).await.body["conversations"][0]["window_open"] == json!(true)
        })
        .await;
        let r = wa.patch(&format!("/api/v1/contacts/{d}"), key, json!({ "opted_out": true })).await;
        assert_eq!(r.status, 200, "{}", r.body);

        wa.advance(60);
        wa.drain().await;
        let s = scheduled(&wa, &t, open["id"].as_str().unwrap()).await;
        assert_eq!(s["status"], json!("sent"), "the window is open now: {s}");
        let s = scheduled(&wa, &t, opted["id"].as_str().unwrap()).await;
        assert_eq!((s["status"].as_str(), s["failure_code"].as_str()), (Some("failed"), Some("contact_opted_out")), "{s}");
        wa.eventually("the text reaches the customer", || async { wa.sandbox.received(PNID, CUSTOMER).len() == 1 }).await;
        assert!(wa.sandbox.received(PNID, other).is_empty());

        // A failure is final: later drains change nothing.
        wa.advance(3600);
        wa.drain().await;
        let s = scheduled(&wa, &t, closed["id"].as_str().unwrap()).await;
        assert_eq!(s["status"], json!("failed"));
        assert_eq!(count_events(&wa, &t, "scheduled_message.failed").await, 2);

        // Its time long past when it could first run (the service was
        // down): failed as too late rather than sent out of context.
        let late = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "template": template("Cy"), "send_at": at(60) })).await;
        wa.advance(60 + 2 * 3600);
        wa.drain().await;
        let s = scheduled(&wa, &t, late["id"].as_str().unwrap()).await;
        assert_eq!((s["status"].as_str(), s["failure_code"].as_str()), (Some("failed"), Some("too_late")), "{s}");
        // Late by less than the limit, it still goes.
        let slightly = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "template": template("Cy"), "send_at": at(60) })).await;
        wa.advance(60 + 1800);
        wa.drain().await;
        let s = scheduled(&wa, &t, slightly["id"].as_str().unwrap()).await;
        assert_eq!(s["status"], json!("sent"), "{s}");
    })
    .await;
}

#[tokio::test]
async fn the_monthly_quota_in_force_when_it_fires_is_obeyed() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let op = wa.operator_token().await;
        let limits = json!({ "limits": { "messages_per_month": 1, "agents": 5, "numbers": 1, "contacts": 100 } });
        let r = wa.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let t = wa.create_tenant("sched-quota").await;
        let channel = wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let c = contact(&wa, &t, CUSTOMER, "Ana").await;
        // Both fit when scheduled; only one fits when they fire.
        let first = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "template": template("Ana"), "send_at": in_seconds(&wa, 60) })).await;
        let second = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "template": template("Ana"), "send_at": in_seconds(&wa, 120) })).await;
        wa.advance(120);
        wa.drain().await;
        let s = scheduled(&wa, &t, first["id"].as_str().unwrap()).await;
        assert_eq!(s["status"], json!("sent"), "{s}");
        let s = scheduled(&wa, &t, second["id"].as_str().unwrap()).await;
        assert_eq!((s["status"].as_str(), s["failure_code"].as_str()), (Some("failed"), Some("quota_exceeded")), "{s}");
        assert!(s["failure_reason"].as_str().unwrap().contains("1 messages a month"), "{s}");
    })
    .await;
}
