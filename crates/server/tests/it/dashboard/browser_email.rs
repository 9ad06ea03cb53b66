//! "Forgot password?" in a real browser (SQLite only, like browser.rs),
//! with the link arriving by email through a real SMTP server on loopback.

use super::browser::sign_in;
use super::webdriver::Browser;
use server::config::Secret;
use testkit::{Engine, SmtpCatcher, TestApp};

#[tokio::test]
async fn browser_user_sets_a_new_password_from_the_emailed_link() {
    let smtp = SmtpCatcher::start().await;
    let url = smtp.url();
    let app = TestApp::start_with(Engine::Sqlite, move |c| {
        c.email.smtp_url = Some(Secret::new(url))
    })
    .await;
    let t = app.create_tenant("br-forgot").await;
    app.drain().await;
    let before = smtp.wait_for_mails(1).await.len();

    let b = Browser::start().await;
    b.goto(&format!("{}/app/login", app.url)).await;
    b.submit("#forgot-password").await;
    assert!(
        b.current_url().await.ends_with("/app/forgot-password"),
        "{}",
        b.current_url().await
    );
    b.fill("#forgot-form input[name=tenant]", &t.slug).await;
    b.fill("#forgot-form input[name=email]", &t.owner.email)
        .await;
    b.screenshot("forgot-password").await;
    b.submit("#forgot-form button[type=submit]").await;
    assert!(
        b.text("#reset-sent")
            .await
            .starts_with("If an account exists for that address, we have emailed a link"),
        "{}",
        b.source().await
    );
    assert_eq!(b.count("#reset-kept").await, 0, "this server sends email");

    app.drain().await;
    let mail = smtp.wait_for_mails(before + 1).await.pop().unwrap();
    assert_eq!(mail.to, [t.owner.email.as_str()]);
    assert_eq!(mail.subject(), "Set a new Switchboard password");
    let prefix = format!("{}/app/reset-password?token=", app.state.config.public_url);
    let link = mail.link(&prefix).expect("a reset link in the email");

    b.goto(&link).await;
    b.fill("#reset-form input[name=password]", "a brand new password")
        .await;
    b.fill("#reset-form input[name=confirm]", "a brand new password")
        .await;
    b.screenshot("reset-password").await;
    b.submit("#reset-form button[type=submit]").await;
    assert!(
        b.text("#reset-done")
            .await
            .starts_with("Sign in with your new password"),
        "{}",
        b.source().await
    );
    b.submit("#reset-sign-in").await;
    assert!(
        b.current_url().await.ends_with("/app/login"),
        "{}",
        b.current_url().await
    );
    sign_in(&app, &b, &t.slug, &t.owner.email, "a brand new password").await;
    assert_eq!(
        app.login(&t.slug, &t.owner.email, &t.owner.password, None)
            .await
            .status,
        401,
        "the old password is gone"
    );
    b.quit().await;
    app.stop().await;
}
