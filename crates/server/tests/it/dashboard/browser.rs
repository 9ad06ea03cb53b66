//! Browser tests: sign-in with two-factor authentication, API keys shown
//! once, and the operator suspending a tenant and seeing the nodes. They run on SQLite only:
//! what they add over the HTTP tests is the browser (forms, cookies,
//! script, CSP), which does not depend on the engine, and each costs a
//! Chromium start; the HTTP tests cover both engines.

use super::webdriver::Browser;
use serde_json::json;
use testkit::{Auth, Engine, TestApp};

/// Signs in through the login form (without a two-factor step).
pub async fn sign_in(app: &TestApp, b: &Browser, slug: &str, email: &str, password: &str) {
    b.goto(&format!("{}/app/login", app.url)).await;
    b.fill("input[name=tenant]", slug).await;
    b.fill("input[name=email]", email).await;
    b.fill("input[name=password]", password).await;
    b.submit("#login-form button[type=submit]").await;
    assert!(
        b.current_url().await.ends_with("/app/inbox"),
        "signed in: {}",
        b.current_url().await
    );
}

#[tokio::test]
async fn browser_sign_in_with_two_factor_authentication() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-mfa").await;
    let b = Browser::start().await;
    b.goto(&format!("{}/app", app.url)).await;
    assert!(b.current_url().await.ends_with("/app/login"));
    b.screenshot("login").await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // Enrol: the page shows a QR code and the seed; a current code turns it on.
    b.goto(&format!("{}/app/settings/security", app.url)).await;
    b.submit("#totp-start").await;
    assert_eq!(
        b.eval("return document.querySelector('img.qr').naturalWidth > 0")
            .await,
        json!(true),
        "the QR code renders under the CSP"
    );
    let secret = b.text("#totp-secret").await;
    b.screenshot("security-enrol").await;
    let code = server::auth::totp::code_at(&secret, app.state.now().as_unix_seconds()).unwrap();
    b.fill("#totp-confirm input[name=code]", &code).await;
    b.submit("#totp-confirm button").await;
    assert_eq!(
        b.count("#recovery-codes li").await,
        10,
        "ten recovery codes, shown once:\n{}",
        b.source().await
    );
    assert!(b.text("#mfa-state").await.starts_with("On"));
    b.screenshot("security-recovery-codes").await;
    b.submit("form[action='/app/logout'] button").await;
    assert!(
        b.current_url().await.ends_with("/app/login"),
        "signed out: {}\n{}",
        b.current_url().await,
        b.source().await
    );

    // Signing in now asks for the code; a wrong one is refused.
    app.advance(60);
    b.fill("input[name=tenant]", &t.slug).await;
    b.fill("input[name=email]", &t.owner.email).await;
    b.fill("input[name=password]", &t.owner.password).await;
    b.submit("#login-form button[type=submit]").await;
    assert!(
        b.try_find("#mfa-form").await.is_some(),
        "the two-factor step follows the password"
    );
    assert!(
        !b.source().await.contains(&t.owner.password),
        "the password is not in the page"
    );
    b.screenshot("login-mfa").await;
    b.fill("#mfa-form input[name=code]", "000000").await;
    b.submit("#mfa-form button").await;
    assert!(
        b.text("#login-error")
            .await
            .contains("two-factor code is wrong")
    );
    let code = server::auth::totp::code_at(&secret, app.state.now().as_unix_seconds()).unwrap();
    b.fill("#mfa-form input[name=code]", &code).await;
    b.submit("#mfa-form button").await;
    assert!(
        b.current_url().await.ends_with("/app/inbox"),
        "{}",
        b.current_url().await
    );
    assert!(b.text("header .who").await.contains("owner"));
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn browser_creates_an_api_key_and_shows_it_once() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-keys").await;
    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/settings/api-keys", app.url)).await;
    b.fill("#create-key input[name=name]", "CRM sync").await;
    b.click("#create-key input[value='inbox:read']").await;
    b.submit("#create-key button[type=submit]").await;
    let secret = b.text("#new-key-secret").await;
    assert!(secret.starts_with("sbk_"), "{secret}");
    assert_eq!(
        b.eval("return !document.querySelector('button.copy[data-copy=new-key-secret]').hidden")
            .await,
        json!(true),
        "the script adds a copy button"
    );
    b.screenshot("api-key-created").await;

    let r = app
        .get("/api/v1/conversations", Auth::ApiKey(&secret))
        .await;
    assert_eq!(r.status, 200, "the key works");
    let r = app.get("/api/v1/api-keys", Auth::ApiKey(&secret)).await;
    assert_eq!(r.status, 403, "with only the scope it was given");

    b.goto(&format!("{}/app/settings/api-keys", app.url)).await;
    assert!(b.try_find("#new-key-secret").await.is_none());
    assert!(!b.source().await.contains(&secret), "never shown again");
    assert_eq!(b.count("#keys tr[data-key='CRM sync']").await, 1);
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn browser_operator_suspends_a_tenant_and_its_next_page_says_why() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-suspend").await;
    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // The operator signs in to the console in the same browser (its cookie
    // is scoped to /app/operator).
    b.goto(&format!("{}/app/operator/login", app.url)).await;
    b.fill("input[name=email]", &app.operator_email).await;
    b.fill("input[name=password]", &app.operator_password).await;
    b.submit("#operator-login button").await;
    assert!(b.current_url().await.ends_with("/app/operator"));
    let row = "#tenants tr[data-slug='br-suspend']";
    assert_eq!(b.count(&format!("{row}[data-status=trial]")).await, 1);
    b.screenshot("operator-tenants").await;
    b.fill(
        &format!("{row} input[name=reason]"),
        "Payment overdue: contact billing@example.com",
    )
    .await;
    b.submit(&format!("{row} form.suspend button")).await;
    assert_eq!(b.count(&format!("{row}[data-status=suspended]")).await, 1);
    // The health page lists the nodes that report (the test server does
    // not, so one reports by hand).
    let mut node = server::operator::nodes::this_node(&app.state, domain::NodeKind::Serve, true);
    server::operator::nodes::report(&app.state, &mut node)
        .await
        .unwrap();
    b.goto(&format!("{}/app/operator/health", app.url)).await;
    assert_eq!(
        b.count("#nodes tr[data-kind=serve][data-live=true]").await,
        1
    );
    assert_eq!(b.text("#nodes .pill").await, "live");
    b.screenshot("operator-health").await;

    b.goto(&format!("{}/app/inbox", app.url)).await;
    let reason = b.text("#suspended-reason").await;
    assert!(
        reason.contains("Payment overdue: contact billing@example.com"),
        "{reason}"
    );
    b.screenshot("tenant-suspended").await;
    b.quit().await;
    app.stop().await;
}
