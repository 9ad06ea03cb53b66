//! The inbox in a real browser: a customer writes in through the sandbox
//! and the message appears live; the reply's ticks reach read live; once
//! the 24-hour window has closed the reply box offers approved templates.
//! SQLite only (see browser.rs for why).

use super::browser::sign_in;
use super::webdriver::Browser;
use sandbox::{CustomerProfile, TemplateSpec};
use serde_json::json;
use testkit::{Engine, WhatsAppTest};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const CUSTOMER: &str = "16505551234";

/// Drains the server's jobs (webhooks in, sends out) until the browser's
/// page satisfies `script` (a JS expression). The minute is only a guard
/// for a hung test on a loaded machine, not a timing assertion.
async fn until(wa: &WhatsAppTest, b: &Browser, what: &str, script: &str) {
    let js = format!("return !!({script});");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        wa.drain().await;
        if b.eval(&js).await == json!(true) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// A marker that only survives while the page is not reloaded.
async fn mark_page(b: &Browser) {
    b.eval("window.__notReloaded = true; return true;").await;
}

async fn assert_not_reloaded(b: &Browser) {
    assert_eq!(
        b.eval("return window.__notReloaded === true;").await,
        json!(true),
        "the page changed without a reload"
    );
}

#[tokio::test]
async fn browser_inbox_is_live_and_ticks_reach_read_and_templates_follow_the_window() {
    let wa = WhatsAppTest::start(Engine::Sqlite).await;
    let t = wa.create_tenant("br-inbox").await;
    wa.connect_number(&t, PNID, WABA).await;
    wa.sandbox
        .add_template(TemplateSpec {
            waba_id: WABA.into(),
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components: Some(
                json!([{ "type": "BODY", "text": "Hi {{1}}, your order {{2}} is on its way." }]),
            ),
            status: "APPROVED".into(),
            parameter_format: None,
        })
        .unwrap();
    wa.sandbox
        .add_template(TemplateSpec {
            waba_id: WABA.into(),
            name: "not_yet".into(),
            language: "en_US".into(),
            category: "MARKETING".into(),
            components: None,
            status: "PENDING".into(),
            parameter_format: None,
        })
        .unwrap();
    wa.sandbox.set_customer(
        CUSTOMER,
        CustomerProfile {
            name: "Ana Customer".into(),
            ..CustomerProfile::default()
        },
    );

    let b = Browser::start().await;
    sign_in(&wa, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    assert!(
        b.text("#conversations")
            .await
            .contains("No open conversations"),
        "the empty inbox says what happens next"
    );
    b.screenshot("inbox-empty").await;
    until(
        &wa,
        &b,
        "the event stream is open",
        "document.body.dataset.live === 'on'",
    )
    .await;
    mark_page(&b).await;

    // A customer writes: the conversation appears in the open inbox.
    wa.sandbox
        .send_text(PNID, CUSTOMER, "Hello, is my order ready?")
        .unwrap();
    until(
        &wa,
        &b,
        "the new conversation appears",
        "document.querySelector('#conversations li.conv')",
    )
    .await;
    assert_not_reloaded(&b).await;
    let item = b.text("#conversations li.conv").await;
    assert!(
        item.contains("Ana Customer") && item.contains("Hello, is my order ready?"),
        "{item}"
    );
    assert_eq!(b.count("#conversations li.conv.unread").await, 1);
    b.screenshot("inbox-live").await;

    // Open it, reply, and watch the ticks reach read without a reload.
    b.submit("#conversations li.conv a").await;
    assert!(
        b.text("#messages")
            .await
            .contains("Hello, is my order ready?")
    );
    assert!(b.text("#window-state").await.contains("Replies are open"));
    b.fill("#reply-text", "Yes, it ships today.").await;
    b.submit("#send").await;
    assert_eq!(b.count("#messages li.msg.out").await, 1);
    until(
        &wa,
        &b,
        "the event stream is open",
        "document.body.dataset.live === 'on'",
    )
    .await;
    mark_page(&b).await;
    until(
        &wa,
        &b,
        "the reply is read",
        "document.querySelector('#messages li.msg.out[data-status=read]')",
    )
    .await;
    assert_not_reloaded(&b).await;
    assert_eq!(b.text("#messages li.msg.out .tick").await, "✓✓");
    assert_eq!(wa.sandbox.received(PNID, CUSTOMER).len(), 1, "sent once");

    // The customer writes again while the thread is open.
    wa.sandbox
        .send_text(PNID, CUSTOMER, "Great, thanks!")
        .unwrap();
    until(
        &wa,
        &b,
        "the second message appears",
        "document.querySelector('#messages').textContent.includes('Great, thanks!')",
    )
    .await;
    assert_not_reloaded(&b).await;
    b.screenshot("thread-read").await;
    b.set_size(390, 844).await;
    b.screenshot("thread-phone").await;
    b.set_size(1280, 860).await;

    // A day later the window is closed: only approved templates are offered.
    wa.advance(25 * 3600);
    let url = b.current_url().await;
    let url = url.split('#').next().unwrap().to_owned();
    b.goto(&url).await;
    let state = b.text("#window-state").await;
    assert!(state.contains("window is closed"), "{state}");
    assert!(
        b.try_find("#reply-text").await.is_none(),
        "no free-form box outside the window"
    );
    assert_eq!(
        b.count("#templates details[data-name=order_update]").await,
        1
    );
    assert_eq!(
        b.count("#templates details[data-name=not_yet]").await,
        0,
        "only approved templates"
    );
    let form = "#templates details[data-name=order_update]";
    b.click(&format!("{form} summary")).await;
    assert_eq!(
        b.count(&format!("{form} input[name^=var_]")).await,
        2,
        "an input per variable"
    );
    b.screenshot("thread-templates").await;
    b.fill(&format!("{form} input[name=var_1]"), "Ana").await;
    b.fill(&format!("{form} input[name=var_2]"), "#1042").await;
    b.submit(&format!("{form} button[type=submit]")).await;
    until(&wa, &b, "the template is delivered", "[...document.querySelectorAll('#messages li.msg.out')].some(m => m.textContent.includes('Template order_update') && m.dataset.status !== 'queued')").await;
    let sent = wa.sandbox.received(PNID, CUSTOMER);
    assert_eq!(sent.len(), 2);
    assert!(format!("{:?}", sent[1]).contains("#1042"));
    b.quit().await;
    wa.stop().await;
}
