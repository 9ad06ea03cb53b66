//! A broadcast in a real browser (SQLite only, like browser.rs): start a
//! campaign from its page, watch its figures move by themselves as the
//! rounds are sent (the page follows the event stream), pause it, resume
//! it, and see it finish with every recipient sent to once.

use super::browser::sign_in;
use super::webdriver::Browser;
use crate::campaigns::{PNID, WABA, contact, offer_template};
use serde_json::json;
use testkit::{Auth, Engine, WhatsAppTest};

#[tokio::test]
async fn browser_runs_pauses_and_resumes_a_campaign_with_live_figures() {
    let wa = WhatsAppTest::start(Engine::Sqlite).await;
    let app = &wa.app;
    let t = wa.create_tenant("br-campaign").await;
    let channel = wa.connect_number(&t, PNID, WABA).await;
    // 2 messages a second: rounds of 4.
    let r = app
        .patch(
            &format!("/api/v1/channels/{channel}"),
            Auth::ApiKey(&t.api_key),
            json!({ "rate_limit": 2 }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let template = offer_template(app, &t, Some(&wa)).await;
    let vip = crate::crm_tags::tag(app, &t, "VIP", "#e11d48").await;
    for i in 0..9 {
        let id = contact(
            app,
            &t,
            &format!("+1555040{i:04}"),
            Some(&format!("Guest {i}")),
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
    }
    let r = app
        .post(
            "/api/v1/campaigns",
            Auth::Bearer(&t.owner.token),
            json!({ "name": "Spring offer", "channel_id": channel, "template_id": template,
                    "variables": [{ "parameter": "1", "text": "{{contact.first_name}}" },
                                  { "parameter": "2", "text": "15%" }],
                    "audience": { "tag_ids": [vip] } }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();

    let b = Browser::start().await;
    sign_in(app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/campaigns", app.url)).await;
    assert_eq!(
        b.text(&format!("tr[data-campaign='{id}'] .pill")).await,
        "draft"
    );
    b.goto(&format!("{}/app/campaigns/{id}", app.url)).await;
    b.submit("#start-campaign").await;
    assert_eq!(b.text("#campaign-status").await, "running");
    assert_eq!(b.text("#stat-recipients").await, "9");
    assert_eq!(b.text("#stat-pending").await, "9");

    // The first round: the page follows without being reloaded.
    app.drain().await;
    b.wait_for_text("#stat-pending", "5").await;
    b.screenshot("campaign-running").await;

    b.submit("#pause-campaign").await;
    assert_eq!(b.text("#campaign-status").await, "paused");
    for _ in 0..5 {
        app.advance(1);
        app.drain().await;
    }
    b.goto(&format!("{}/app/campaigns/{id}", app.url)).await;
    assert_eq!(
        b.text("#stat-pending").await,
        "5",
        "nothing is sent while paused"
    );

    b.submit("#resume-campaign").await;
    assert_eq!(b.text("#campaign-status").await, "running");
    for _ in 0..4 {
        app.advance(2);
        app.drain().await;
    }
    b.wait_for_text("#campaign-status", "finished").await;
    b.wait_for_text("#stat-pending", "0").await;
    assert_eq!(
        b.eval("return document.querySelectorAll('#campaign-recipients tbody tr').length")
            .await,
        json!(9)
    );
    b.screenshot("campaign-finished").await;
    b.quit().await;
    assert_eq!(wa.sandbox.outbound(Some(PNID)).len(), 9, "each once");
    let mut to: Vec<String> = wa
        .sandbox
        .outbound(Some(PNID))
        .iter()
        .map(|m| m.to.clone())
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 9);
    wa.stop().await;
}
