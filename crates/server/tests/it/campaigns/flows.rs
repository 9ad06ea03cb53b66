//! A campaign's flows end to end (see the parent module).

use super::{PNID, WABA, act, contact, create, offer_template, stats};
use crate::crm_notes::event_names;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine_with_sandbox};

/// A tenant with the number connected at `rate` messages a second, the
/// `offer` template, and `n` contacts tagged VIP (`+1555020000i`, named
/// `Customer i`, the first without a name); the number's, template's and
/// tag's ids and the contacts' ids.
pub(super) async fn world(
    wa: &WhatsAppTest,
    slug: &str,
    rate: i64,
    n: usize,
) -> (TestTenant, String, String, String, Vec<String>) {
    let app = &wa.app;
    let t = wa.create_tenant(slug).await;
    let channel = wa.connect_number(&t, PNID, WABA).await;
    let r = app
        .patch(
            &format!("/api/v1/channels/{channel}"),
            Auth::ApiKey(&t.api_key),
            json!({ "rate_limit": rate }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let template = offer_template(app, &t, Some(wa)).await;
    let vip = crate::crm_tags::tag(app, &t, "VIP", "#e11d48").await;
    let mut contacts = Vec::new();
    for i in 0..n {
        let name = format!("Customer {i}");
        let id = contact(
            app,
            &t,
            &format!("+1555020{i:04}"),
            (i > 0).then_some(name.as_str()),
        )
        .await;
        let r = app
            .put(
                &format!("/api/v1/contacts/{id}/tags/{vip}"),
                Auth::ApiKey(&t.api_key),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 204);
        contacts.push(id);
    }
    (t, channel, template, vip, contacts)
}

pub(super) fn offer(channel: &str, template: &str, audience: Value) -> Value {
    json!({
        "name": "Winter offer", "channel_id": channel, "template_id": template,
        "variables": [
            { "parameter": "1", "text": "{{contact.first_name}}", "fallback": "there" },
            { "parameter": "2", "text": "20%" }
        ],
        "audience": audience,
    })
}

/// The texts of the template parameters `wa_id` received, per message.
fn received(wa: &WhatsAppTest, wa_id: &str) -> Vec<Vec<String>> {
    wa.sandbox
        .received(PNID, wa_id)
        .iter()
        .map(|m| {
            m.content["components"][0]["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| p["text"].as_str().unwrap_or("").to_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Gives the starter plan (every test tenant's) `n` messages a month.
async fn plan_messages(app: &TestApp, n: i64) {
    let op = app.operator_token().await;
    let limits = json!({ "limits": { "messages_per_month": n, "agents": 5, "numbers": 1, "contacts": 100 } });
    let r = app
        .patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn run_for(app: &TestApp, seconds: i64) {
    for _ in 0..seconds {
        app.advance(1);
        app.drain().await;
    }
}

#[tokio::test]
async fn a_campaign_reaches_each_recipient_once_in_rounds_and_finishes_with_its_figures() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let app = &wa.app;
        let (t, channel, template, vip, contacts) = world(&wa, "camp-send", 4, 10).await;
        // One of them opted out.
        let r = app
            .patch(
                &format!("/api/v1/contacts/{}", contacts[3]),
                Auth::ApiKey(&t.api_key),
                json!({ "opted_out": true }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let c = create(
            app,
            &t,
            offer(&channel, &template, json!({ "tag_ids": [vip] })),
        )
        .await;
        assert_eq!(c["status"], json!("draft"));
        let id = c["id"].as_str().unwrap().to_owned();
        assert!(
            wa.sandbox.outbound(Some(PNID)).is_empty(),
            "a draft sends nothing"
        );

        let r = act(app, &t, &id, "start", json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["status"], json!("running"));
        assert_eq!(r.body["recipient_count"], json!(10));
        // The first round takes 2 seconds of the number's pace: 8.
        app.drain().await;
        let s = stats(app, &t, &id).await;
        assert_eq!(s["pending"], json!(2), "{s}");
        assert_eq!(s["skipped"], json!(1), "{s}");
        assert_eq!(s["eta_seconds"], json!(1), "{s}");
        run_for(app, 3).await;
        let s = stats(app, &t, &id).await;
        assert_eq!(s["status"], json!("finished"), "{s}");
        assert_eq!(
            (
                s["pending"].clone(),
                s["skipped"].clone(),
                s["failed"].clone()
            ),
            (json!(0), json!(1), json!(0)),
            "{s}"
        );
        assert_eq!(s["recipients"], json!(10));
        let reached = s["funnel"][0]["recipients"].as_i64().unwrap();
        assert_eq!(reached + s["queued"].as_i64().unwrap(), 9, "{s}");

        // Each of the nine got it once, with its own values.
        assert_eq!(
            received(&wa, "15550200000"),
            vec![vec!["there".to_owned(), "20%".to_owned()]]
        );
        assert_eq!(
            received(&wa, "15550200001"),
            vec![vec!["Customer".to_owned(), "20%".to_owned()]]
        );
        assert!(received(&wa, "15550200003").is_empty(), "opted out");
        assert_eq!(wa.sandbox.outbound(Some(PNID)).len(), 9);

        // The recipients one by one, and as CSV.
        let r = app
            .get(
                &format!("/api/v1/campaigns/{id}/recipients?status=skipped"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let skipped = r.body["items"].as_array().unwrap();
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0]["contact_id"], json!(contacts[3]));
        assert!(
            skipped[0]["reason"]
                .as_str()
                .unwrap()
                .starts_with("contact_opted_out"),
            "{}",
            r.body
        );
        let csv = app
            .get(
                &format!("/api/v1/campaigns/{id}/recipients.csv"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.text.lines().count(), 11, "{}", csv.text);

        // Starting again, or a second time after it finished, sends nothing.
        let r = act(app, &t, &id, "start", json!({})).await;
        assert_eq!((r.status, r.code()), (409, "campaign_started"));
        run_for(app, 5).await;
        assert_eq!(wa.sandbox.outbound(Some(PNID)).len(), 9);
        // The run is in the execution log, by kind and by status.
        for q in ["type=campaign_run", "status=finished", ""] {
            let r = app
                .get(
                    &format!("/api/v1/executions?{q}"),
                    Auth::Bearer(&t.owner.token),
                )
                .await;
            assert_eq!(r.status, 200, "{q}: {}", r.body);
            let run = &r.body["items"][0];
            assert_eq!(
                (run["type"].clone(), run["id"].clone()),
                (json!("campaign_run"), json!(id)),
                "{q}"
            );
            assert_eq!(run["status"], json!("finished"));
        }
        let r = app
            .get(
                "/api/v1/executions?status=delivered",
                Auth::Bearer(&t.owner.token),
            )
            .await;
        assert_eq!(
            r.body["items"],
            json!([]),
            "no delivery here, and a run is never `delivered`"
        );
        let names = event_names(app, &t).await;
        for e in ["campaign.created", "campaign.started", "campaign.finished"] {
            assert!(names.iter().any(|n| n == e), "no {e}");
        }
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_campaign_pauses_resumes_and_cancels_without_sending_anyone_twice() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let app = &wa.app;
        let (t, channel, template, vip, _) = world(&wa, "camp-pause", 2, 9).await;
        let c = create(
            app,
            &t,
            offer(&channel, &template, json!({ "tag_ids": [vip] })),
        )
        .await;
        let id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(act(app, &t, &id, "start", json!({})).await.status, 200);
        app.drain().await;
        assert_eq!(
            stats(app, &t, &id).await["pending"],
            json!(5),
            "a round of 4"
        );
        let r = act(app, &t, &id, "pause", json!({})).await;
        assert_eq!((r.status, r.body["status"].clone()), (200, json!("paused")));
        run_for(app, 10).await;
        assert_eq!(
            stats(app, &t, &id).await["pending"],
            json!(5),
            "paused: nothing more"
        );
        assert_eq!(act(app, &t, &id, "pause", json!({})).await.status, 409);
        // Resume twice over: one chain of rounds.
        assert_eq!(act(app, &t, &id, "resume", json!({})).await.status, 200);
        assert_eq!(act(app, &t, &id, "pause", json!({})).await.status, 200);
        assert_eq!(act(app, &t, &id, "resume", json!({})).await.status, 200);
        app.drain().await;
        assert_eq!(stats(app, &t, &id).await["pending"], json!(1));
        let r = act(app, &t, &id, "cancel", json!({})).await;
        assert_eq!(r.body["status"], json!("cancelled"), "{}", r.body);
        run_for(app, 10).await;
        let s = stats(app, &t, &id).await;
        assert_eq!(
            (s["pending"].clone(), s["cancelled"].clone()),
            (json!(0), json!(1)),
            "{s}"
        );
        assert_eq!(
            wa.sandbox.outbound(Some(PNID)).len(),
            8,
            "each of the 8 once"
        );
        let mut to: Vec<String> = wa
            .sandbox
            .outbound(Some(PNID))
            .iter()
            .map(|m| m.to.clone())
            .collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), 8);
        assert_eq!(act(app, &t, &id, "resume", json!({})).await.status, 409);
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn starts_are_refused_over_the_quota_and_scheduled_ones_start_at_their_time() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let app = &wa.app;
        let (t, channel, template, vip, _) = world(&wa, "camp-start", 50, 3).await;
        let c = create(
            app,
            &t,
            offer(&channel, &template, json!({ "tag_ids": [vip] })),
        )
        .await;
        let id = c["id"].as_str().unwrap().to_owned();
        // A plan with 2 messages a month cannot cover 3 recipients.
        plan_messages(app, 2).await;
        let r = act(app, &t, &id, "start", json!({})).await;
        assert_eq!(
            (r.status, r.code()),
            (422, "quota_insufficient"),
            "{}",
            r.body
        );
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("3 recipients"),
            "{}",
            r.body
        );
        assert_eq!(
            stats(app, &t, &id).await["recipients"],
            json!(0),
            "nothing was kept"
        );
        plan_messages(app, 1000).await;

        // Scheduled an hour from now: nothing before, everything after.
        let at = app.state.now().plus_seconds(3600).to_rfc3339();
        let r = act(app, &t, &id, "start", json!({ "at": at })).await;
        assert_eq!(r.body["status"], json!("scheduled"), "{}", r.body);
        run_for(app, 5).await;
        assert!(wa.sandbox.outbound(Some(PNID)).is_empty());
        app.advance(3600);
        app.drain().await;
        app.drain().await;
        let s = stats(app, &t, &id).await;
        assert_eq!(s["status"], json!("finished"), "{s}");
        assert_eq!(wa.sandbox.outbound(Some(PNID)).len(), 3);
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn campaigns_refuse_what_cannot_be_sent() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let app = &wa.app;
        let (t, channel, template, vip, contacts) = world(&wa, "camp-refuse", 10, 1).await;
        for (body, field) in [
            (json!({ "name": "x", "channel_id": channel, "template_id": template, "audience": { "tag_ids": [vip] } }), "variables"),
            (json!({ "name": "x", "channel_id": channel, "template_id": template,
                     "variables": [{ "parameter": "1", "text": "a" }, { "parameter": "2", "text": "b" }, { "parameter": "3", "text": "c" }],
                     "audience": { "tag_ids": [vip] } }), "variables[2].parameter"),
            (json!({ "name": "x", "channel_id": channel, "template_id": template,
                     "variables": [{ "parameter": "1", "text": "a" }, { "parameter": "2", "text": "b" }],
                     "audience": { "tag_ids": [vip], "contact_ids": [contacts[0]] } }), "audience"),
            (json!({ "name": "x", "channel_id": channel, "template_id": template,
                     "variables": [{ "parameter": "1", "text": "a" }, { "parameter": "2", "text": "b" }],
                     "audience": { "phones": ["555"] } }), "audience.phones[0]"),
        ] {
            let r = app.post("/api/v1/campaigns", Auth::Bearer(&t.owner.token), body).await;
            assert_eq!(r.status, 422, "{}", r.body);
            assert_eq!(r.body["error"]["fields"][0]["field"], json!(field), "{}", r.body);
        }
        // Phones become contacts; a number's tier is settable.
        let c = create(app, &t, offer(&channel, &template, json!({ "phones": ["+15550209999", "+1 555 020 9999"] }))).await;
        assert_eq!(c["audience"]["contact_ids"].as_array().unwrap().len(), 1, "{c}");
        let r = app
            .put(&format!("/api/v1/channels/{channel}/messaging-limit"), Auth::Bearer(&t.owner.token), json!({ "tier": "tier_2k" }))
            .await;
        assert_eq!((r.status, r.body["tier"].clone()), (200, json!("TIER_2K")), "{}", r.body);
        let r = app
            .put(&format!("/api/v1/channels/{channel}/messaging-limit"), Auth::Bearer(&t.owner.token), json!({ "tier": "TIER_3" }))
            .await;
        assert_eq!(r.status, 422);
        // An agent may not run campaigns.
        let agent = app.add_user(&t, domain::Role::Agent, "agent").await;
        let r = app
            .post("/api/v1/campaigns", Auth::Bearer(&agent.token), offer(&channel, &template, json!({ "tag_ids": [vip] })))
            .await;
        assert_eq!(r.status, 403);
        wa.stop().await;
    })
    .await;
}
