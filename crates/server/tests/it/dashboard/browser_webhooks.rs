//! The webhooks' main flow in a browser (SQLite only, like browser.rs):
//! create an endpoint, see its secret once, send a test event, and see the
//! delivery in the log and on the health page.

use super::browser::sign_in;
use super::webdriver::Browser;
use serde_json::json;
use std::time::Duration;
use testkit::receiver::{Behaviour, Receiver};
use testkit::{Auth, Engine, TestApp};

#[tokio::test]
async fn browser_creates_a_webhook_endpoint_and_sees_its_test_delivery() {
    let app = TestApp::start(Engine::Sqlite).await;
    let receiver = Receiver::start().await;
    let t = app.create_tenant("br-hooks").await;
    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/settings", app.url)).await;
    b.submit("nav.subnav a[href='/app/settings/webhooks']")
        .await;
    assert!(b.current_url().await.ends_with("/app/settings/webhooks"));

    let url = receiver.url("/orders");
    b.fill("#create-endpoint input[name=url]", &url).await;
    b.click("#create-endpoint input[value='message.*']").await;
    b.fill("#create-endpoint input[name=description]", "Orders")
        .await;
    b.submit("#create-endpoint button[type=submit]").await;
    let secret = b.text("#new-endpoint-secret").await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(
        b.eval(
            "return !document.querySelector('button.copy[data-copy=new-endpoint-secret]').hidden"
        )
        .await,
        json!(true),
        "the script adds a copy button"
    );
    b.screenshot("webhook-created").await;

    // Never shown again.
    b.goto(&format!("{}/app/settings/webhooks", app.url)).await;
    assert!(b.try_find("#new-endpoint-secret").await.is_none());
    assert!(!b.source().await.contains(&secret));

    b.submit("#endpoints a").await;
    b.submit("#send-test button").await;
    assert!(b.text("#webhook-ok").await.contains("webhook.test"));
    app.drain().await;
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].header("switchboard-event"), Some("webhook.test"));
    let page = b.current_url().await;
    let mut delivered = 0;
    for _ in 0..100 {
        b.goto(&page).await;
        delivered = b.count("#deliveries tr[data-status=delivered]").await;
        if delivered == 1 {
            break;
        }
        app.drain().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered, 1, "{}", b.source().await);
    b.screenshot("webhook-log").await;
    b.submit("#deliveries a").await;
    assert!(b.text("#attempts").await.contains("HTTP 200"));
    b.screenshot("webhook-delivery").await;

    // The health page shows the endpoint and keeps itself up to date.
    b.goto(&format!("{}/app/settings/health", app.url)).await;
    assert!(b.text("#endpoint-health").await.contains("100%"));
    assert_eq!(
        b.eval("return document.body.dataset.live").await,
        json!("on"),
        "the script refreshes the figures"
    );
    b.screenshot("health").await;
    // A failing attempt shows up on the open page without a reload.
    receiver.set(Behaviour::status(500));
    b.eval("window.__sbSamePage = true; return true;").await;
    let endpoint = page.split('?').next().unwrap().rsplit('/').next().unwrap();
    let r = app
        .post(
            &format!("/api/v1/webhook-endpoints/{endpoint}/test"),
            Auth::ApiKey(&t.api_key),
            json!({}),
        )
        .await;
    assert!(r.status < 300, "{}", r.body);
    let mut failed = String::new();
    for _ in 0..300 {
        app.drain().await;
        failed = b.text("#failed-attempts").await;
        if failed == "1" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed, "1", "the figures refreshed themselves");
    assert_eq!(
        b.eval("return window.__sbSamePage === true").await,
        json!(true),
        "without a reload"
    );
    b.quit().await;
    app.stop().await;
}
