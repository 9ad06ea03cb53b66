//! Settings → Webhooks, Activity and Health over plain HTTP, on both
//! engines: an endpoint made through the form shows its secret once,
//! agents are refused, the delivery log fills from a real receiver,
//! replays work, and the activity and health pages show the deliveries.

use super::client::{Browser, Page, attrs};
use domain::Role;
use testkit::receiver::{Behaviour, Receiver};
use testkit::{Auth, TestApp, engines};

/// The `whsec_…` secret shown in the page, if any.
fn secret_in(page: &Page) -> Option<String> {
    let start = page.html.find("whsec_")?;
    let rest = &page.html[start..];
    Some(rest[..rest.find('<').unwrap()].to_owned())
}

/// Creates an endpoint through the form; its id and the secret shown.
async fn create(b: &mut Browser, url: &str, events: &[(&str, &str)]) -> (String, String) {
    let csrf = b.get("/app/settings/webhooks").await.csrf();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("url", url),
        ("description", "Order system"),
        ("headers", "Authorization: Bearer s3cret-header"),
    ];
    form.extend_from_slice(events);
    let r = b.post("/app/settings/webhooks", &form).await;
    assert_eq!(r.status, 200, "{}", r.html);
    let secret = secret_in(&r).unwrap_or_else(|| panic!("the secret is shown: {}", r.html));
    let id = attrs(&r.html, "data-endpoint")
        .into_iter()
        .next()
        .expect("the endpoint is listed");
    (id, secret)
}

async fn start(engine: testkit::Engine) -> TestApp {
    // Not disabled when its deliveries die: a disabled endpoint's wait.
    TestApp::start_with(engine, |c| c.webhooks.disable_after_hours = 24 * 30).await
}

#[tokio::test]
async fn dashboard_webhooks_show_the_secret_once_and_refuse_agents() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = start(engine).await;
        let receiver = Receiver::start().await;
        let t = app.create_tenant("dash-hooks").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get("/app/settings/webhooks").await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("No endpoints yet"), "{}", r.html);
        assert!(
            r.html.contains("href=\"/app/settings/webhooks\""),
            "in the nav"
        );

        // Refusals are shown beside the form, with what was typed.
        let csrf = r.csrf();
        let r = b
            .post(
                "/app/settings/webhooks",
                &[
                    ("csrf", &csrf),
                    ("url", &receiver.url("/typo")),
                    ("events_other", "message.recieved"),
                ],
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.html.contains("id=\"webhook-error\"") && r.html.contains("message.recieved"),
            "{}",
            r.html
        );
        assert!(secret_in(&r).is_none());
        let r = b
            .post(
                "/app/settings/webhooks",
                &[("url", &receiver.url("/no-token")), ("event", "*")],
            )
            .await;
        assert_eq!(r.status, 403, "a form without its CSRF token");

        let url = receiver.url("/hooks");
        let (id, secret) = create(&mut b, &url, &[("event", "message.*")]).await;
        assert!(secret.len() > 20, "{secret}");
        let r = b.get("/app/settings/webhooks").await;
        assert!(r.html.contains(&url) && r.html.contains("Order system"));
        assert!(!r.html.contains(&secret), "the secret is never shown again");
        let r = b.get(&format!("/app/settings/webhooks/{id}")).await;
        assert_eq!(r.status, 200);
        assert!(!r.html.contains(&secret));
        assert!(
            r.html.contains("Authorization") && !r.html.contains("s3cret-header"),
            "header names, never their values"
        );

        // An agent may not manage webhooks, and is not offered them.
        let agent = app.add_user(&t, Role::Agent, "alex").await;
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        for page in [
            "/app/settings/webhooks".to_owned(),
            format!("/app/settings/webhooks/{id}"),
        ] {
            let r = a.get(&page).await;
            assert_eq!(r.status, 403, "{page}");
            assert!(r.html.contains("webhooks:manage"), "{}", r.html);
        }
        let r = a.get("/app/settings/health").await;
        assert_eq!(r.status, 200, "health needs only tenant:read");
        assert!(
            !r.html.contains("href=\"/app/settings/webhooks"),
            "{}",
            r.html
        );
        let csrf = r.csrf();
        let r = a
            .post(
                &format!("/app/settings/webhooks/{id}/delete"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, 403);

        // Another tenant's endpoint does not exist for this one.
        let other = app.create_tenant("dash-hooks-other").await;
        let mut o =
            Browser::sign_in(&app, &other.slug, &other.owner.email, &other.owner.password).await;
        assert_eq!(
            o.get(&format!("/app/settings/webhooks/{id}")).await.status,
            404
        );
    }
}

#[tokio::test]
async fn dashboard_webhooks_are_edited_rolled_and_deleted() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = start(engine).await;
        let receiver = Receiver::start().await;
        let t = app.create_tenant("dash-hooks-edit").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let (id, first) = create(&mut b, &receiver.url("/a"), &[("event", "*")]).await;
        let page = format!("/app/settings/webhooks/{id}");

        let csrf = b.get(&page).await.csrf();
        let r = b
            .post(
                &format!("{page}/update"),
                &[
                    ("csrf", &csrf),
                    ("url", &receiver.url("/b")),
                    ("event", "message.*"),
                    ("events_other", "contact.opted_out"),
                    ("description", "Renamed"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let r = b.get(r.location.as_deref().unwrap()).await;
        assert!(r.html.contains("id=\"webhook-ok\""), "{}", r.html);
        assert!(r.html.contains(&receiver.url("/b")) && r.html.contains("Renamed"));
        assert!(
            r.html.contains("contact.opted_out, message.*"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("id=\"endpoint-state\">disabled"),
            "the unticked box disabled it"
        );
        let r = b
            .post(
                &format!("{page}/update"),
                &[
                    ("csrf", &csrf),
                    ("url", "not a url"),
                    ("event", "*"),
                    ("enabled", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("id=\"webhook-error\""), "{}", r.html);

        // Rolling shows the new secret once.
        let r = b
            .post(
                &format!("{page}/roll-secret"),
                &[("csrf", &csrf), ("overlap_hours", "2")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.html);
        let second = secret_in(&r).expect("the new secret is shown");
        assert_ne!(first, second);
        assert!(r.html.contains("keeps signing too until"));
        assert!(!b.get(&page).await.html.contains(&second));
        let r = b
            .post(
                &format!("{page}/roll-secret"),
                &[("csrf", &csrf), ("overlap_hours", "500")],
            )
            .await;
        assert!(
            r.html.contains("overlap hours") && secret_in(&r).is_none(),
            "{}",
            r.html
        );

        let r = b.post(&format!("{page}/delete"), &[("csrf", &csrf)]).await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/settings/webhooks"))
        );
        assert_eq!(b.get(&page).await.status, 404);
        assert!(
            b.get("/app/settings/webhooks")
                .await
                .html
                .contains("No endpoints yet")
        );
    }
}

#[tokio::test]
async fn dashboard_webhooks_log_replays_and_shows_activity_and_health() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = start(engine).await;
        let receiver = Receiver::start().await;
        let t = app.create_tenant("dash-hooks-log").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let (id, _) = create(&mut b, &receiver.url("/log"), &[("event", "message.*")]).await;
        let page = format!("/app/settings/webhooks/{id}");
        let r = b.get(&page).await;
        assert!(r.html.contains("No deliveries yet"), "{}", r.html);

        // A test event reaches the receiver and the log.
        let csrf = r.csrf();
        let r = b.post(&format!("{page}/test"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 303, "{}", r.html);
        app.drain().await;
        let got = receiver
            .wait_for(1, std::time::Duration::from_secs(10))
            .await;
        let event_id = got[0].json()["id"].as_str().unwrap().to_owned();
        assert_eq!(got[0].header("switchboard-event"), Some("webhook.test"));
        let mut log = b.get(&page).await;
        for _ in 0..100 {
            if log.html.contains("data-status=\"delivered\"") {
                break;
            }
            app.drain().await;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            log = b.get(&page).await;
        }
        assert!(
            log.html.contains("data-status=\"delivered\"") && log.html.contains("webhook.test"),
            "{}",
            log.html
        );
        let delivery = attrs(&log.html, "data-delivery").remove(0);

        // Its detail: the attempt and the body; Replay sends the same event.
        let detail = format!("{page}/deliveries/{delivery}");
        let r = b.get(&detail).await;
        assert_eq!(r.status, 200);
        assert!(
            r.html.contains("HTTP 200") && r.html.contains(&event_id),
            "{}",
            r.html
        );
        let r = b
            .post(&format!("{detail}/replay"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        assert_eq!(
            r.location.as_deref(),
            Some(format!("{detail}?done=replayed").as_str())
        );
        app.drain().await;
        let got = receiver
            .wait_for(2, std::time::Duration::from_secs(10))
            .await;
        assert_eq!(
            got[1].json()["id"].as_str(),
            Some(event_id.as_str()),
            "the same event"
        );
        assert!(
            b.get(&format!("{detail}?done=replayed"))
                .await
                .html
                .contains("Queued again")
        );

        // A failing receiver: the test event dies after three days, the
        // filter finds it, "Replay all dead" sends it once the receiver
        // recovers.
        receiver.set(Behaviour::status(500).body("upstream down"));
        let r = b.post(&format!("{page}/test"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 303);
        app.drain().await;
        let dead_api = format!("/api/v1/webhook-endpoints/{id}/deliveries?status=dead");
        for _ in 0..20 {
            app.advance(6 * 3600);
            app.drain().await;
            let r = app.get(&dead_api, Auth::ApiKey(&t.api_key)).await;
            if r.body["items"].as_array().is_some_and(|a| !a.is_empty()) {
                break;
            }
        }
        // The session did not outlive the clock's three days.
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get(&format!("{page}?status=dead")).await;
        let dead = attrs(&r.html, "data-delivery");
        assert_eq!(dead.len(), 1, "{}", r.html);
        assert_ne!(dead[0], delivery);
        let r = b.get(&format!("{page}/deliveries/{}", dead[0])).await;
        assert!(
            r.html.contains("HTTP 500") && r.html.contains("upstream down"),
            "{}",
            r.html
        );
        let r = b
            .get(&format!("{page}?status=pending&event=message.received"))
            .await;
        assert!(r.html.contains("No delivery matches"), "{}", r.html);
        let r = b.get(&format!("{page}?since=not-a-date")).await;
        assert!(r.html.contains("id=\"webhook-error\""), "{}", r.html);

        let activity = b.get("/app/settings/activity?status=dead").await;
        assert_eq!(activity.status, 200);
        assert_eq!(
            attrs(&activity.html, "data-status"),
            ["dead"],
            "{}",
            activity.html
        );
        assert!(
            activity.html.contains(&dead[0]),
            "the details carry the delivery id"
        );
        let health = b.get("/app/settings/health").await;
        assert_eq!(health.status, 200);
        assert!(health.html.contains("data-poll"), "it refreshes itself");
        assert!(
            health.html.contains(&receiver.url("/log")),
            "{}",
            health.html
        );
        assert!(
            health.html.contains("id=\"dead-deliveries\">1<"),
            "{}",
            health.html
        );

        receiver.set(Behaviour::status(200));
        let csrf = b.get(&page).await.csrf();
        let r = b.post(&format!("{page}/replay"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 303);
        let r = b.get(r.location.as_deref().unwrap()).await;
        assert!(
            r.html.contains("1 dead deliveries queued again"),
            "{}",
            r.html
        );
        app.drain().await;
        let mut r = b.get(&format!("{page}?status=dead")).await;
        for _ in 0..100 {
            if attrs(&r.html, "data-delivery").is_empty() {
                break;
            }
            app.drain().await;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            r = b.get(&format!("{page}?status=dead")).await;
        }
        assert!(attrs(&r.html, "data-delivery").is_empty(), "none dead now");
        let activity = b.get("/app/settings/activity?type=webhook_delivery").await;
        assert_eq!(
            attrs(&activity.html, "data-status"),
            ["delivered", "delivered"],
            "{}",
            activity.html
        );
        let r = b.get("/app/settings/activity?type=sunrise").await;
        assert!(r.html.contains("class=\"error\""), "{}", r.html);
    }
}
