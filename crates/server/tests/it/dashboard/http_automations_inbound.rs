//! A workflow's page beyond the builder, over plain HTTP on both engines:
//! a schedule's next run in the workspace's zone; the inbound URL and
//! signing secret, shown there and nowhere else; "Make new secrets", after
//! which the old URL answers 404; agents refused; and the log of a
//! `wait_until` step saying when it goes on.

use super::client::{Browser, Page, attrs};
use domain::{Role, Timestamp};
use serde_json::json;
use testkit::{Auth, TestApp, TestTenant, engines};

/// The text of `<code id="{id}">` on `page`, unescaped.
fn code(page: &Page, id: &str) -> String {
    let open = format!("<code id=\"{id}\">");
    let start = page
        .html
        .find(&open)
        .unwrap_or_else(|| panic!("no #{id}: {}", page.html))
        + open.len();
    let end = page.html[start..].find("</code>").unwrap() + start;
    page.html[start..end]
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
}

/// The path of an inbound URL (`/hooks/workflows/<token>`).
fn hook_path(url: &str) -> String {
    let (_, token) = url.split_once("/hooks/workflows/").expect(url);
    format!("/hooks/workflows/{token}")
}

async fn api_secrets(app: &TestApp, t: &TestTenant, id: &str) -> (String, String) {
    let r = app
        .get(
            &format!("/api/v1/workflows/{id}/secrets"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = |k: &str| r.body[k].as_str().unwrap().to_owned();
    (s("inbound_url"), s("signing_secret"))
}

#[tokio::test]
async fn dashboard_workflow_shows_its_next_run_and_makes_new_secrets() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("dash-workflow-secrets").await;
        let key = Auth::ApiKey(&t.api_key);
        // Made before the clock moves (the owner's token would be expired).
        let agent = app.add_user(&t, Role::Agent, "ana").await;
        let r = app
            .patch(
                "/api/v1/tenant",
                key,
                json!({ "time_zone": "America/New_York" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Friday 2027-03-12 12:00 in New York.
        app.clock.set(Timestamp::from_millis(1_804_870_800_000));
        let nightly = crate::automations::workflow(
            &app,
            &t,
            "Nightly",
            json!({"trigger": {"type": "schedule", "cron": "30 2 * * *"}, "steps": [{"type": "stop"}]}),
        )
        .await;
        let hook = crate::automations::workflow(
            &app,
            &t,
            "From the shop",
            json!({"trigger": {"type": "inbound"}, "steps": [{"type": "stop"}]}),
        )
        .await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;

        // The schedule's next run, 02:30 standard time in New York.
        let r = b.get(&format!("/app/automations/{nightly}")).await;
        assert_eq!(r.status, 200);
        assert!(
            r.html
                .contains("id=\"next-run\">Next run: <strong>2027-03-13 02:30 EST</strong>"),
            "{}",
            r.html
        );
        // The secrets, as the API gives them; the list shows neither.
        let one = format!("/app/automations/{hook}");
        let r = b.get(&one).await;
        assert!(
            !r.html.contains("id=\"next-run\""),
            "no schedule, no next run"
        );
        let (url, secret) = api_secrets(&app, &t, &hook).await;
        assert_eq!(code(&r, "inbound-url"), url);
        assert_eq!(code(&r, "signing-secret"), secret);
        let list = b.get("/app/automations").await.html;
        let token = url.rsplit('/').next().unwrap();
        assert!(!list.contains(&secret) && !list.contains(token));
        let r = app.post(&hook_path(&url), Auth::None, json!({})).await;
        assert_eq!(r.status, 202, "{}", r.body);

        // An agent may not make new ones.
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        let csrf = a.get("/app/inbox").await.csrf();
        let r = a
            .post(&format!("{one}/secrets/roll"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.status, 403, "{}", r.html);
        assert_eq!(api_secrets(&app, &t, &hook).await.0, url);

        // "Make new secrets": a new URL and secret; the old URL is gone.
        let csrf = b.get(&one).await.csrf();
        let r = b.post(&format!("{one}/secrets/roll"), &[]).await;
        assert_eq!(r.status, 403, "a form without its CSRF token");
        let r = b
            .post(&format!("{one}/secrets/roll"), &[("csrf", &csrf)])
            .await;
        assert_eq!(
            r.location,
            Some(format!("{one}?done=secrets")),
            "{}",
            r.html
        );
        let r = b.get(&format!("{one}?done=secrets")).await;
        assert!(r.html.contains("New secrets made"), "{}", r.html);
        let (new_url, new_secret) = (code(&r, "inbound-url"), code(&r, "signing-secret"));
        assert_ne!(new_url, url);
        assert_ne!(new_secret, secret);
        assert_eq!(
            api_secrets(&app, &t, &hook).await,
            (new_url.clone(), new_secret)
        );
        let r = app.post(&hook_path(&url), Auth::None, json!({})).await;
        assert_eq!(r.status, 404, "{}", r.body);
        let r = app.post(&hook_path(&new_url), Auth::None, json!({})).await;
        assert_eq!(r.status, 202, "{}", r.body);
        let other = app.create_tenant("dash-workflow-secrets-other").await;
        let mut o =
            Browser::sign_in(&app, &other.slug, &other.owner.email, &other.owner.password).await;
        let csrf = o.get("/app/automations").await.csrf();
        let r = o
            .post(&format!("{one}/secrets/roll"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.status, 404, "another workspace's workflow");

        // A wait until 09:00 on Mondays: the log says when it goes on, in
        // New York's time (daylight time from Sunday 14 March).
        let id = crate::automations::workflow(
            &app,
            &t,
            "Monday follow-up",
            json!({"trigger": {"type": "contact_created"},
                   "steps": [{"type": "wait_until", "time": "09:00", "days": ["mon"]}]}),
        )
        .await;
        let r = app
            .post("/api/v1/contacts", key, json!({ "phone": "+15550603001" }))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        app.drain().await;
        let r = b
            .get(&format!("/app/automations/runs?workflow_id={id}"))
            .await;
        let run = attrs(&r.html, "data-run");
        assert_eq!(run.len(), 1, "{}", r.html);
        let r = b.get(&format!("/app/automations/runs/{}", run[0])).await;
        assert!(
            r.html
                .contains("<span class=\"step-summary\">Goes on at 2027-03-15 09:00 EDT</span>"),
            "{}",
            r.html
        );
    }
}
