//! Forwarding Meta's webhooks to a bot, in a browser (SQLite only, like
//! browser.rs): a wrong verify token is refused on the page, the right one
//! saves the endpoint, and a customer's message reaches the bot in Meta's
//! format and shows in the endpoint's log.

use super::browser::sign_in;
use super::webdriver::Browser;
use std::time::Duration;
use testkit::receiver::{Behaviour, Receiver};
use testkit::{Engine, WhatsAppTest};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const SECRET: &str = "browser-bot-app-secret";

#[tokio::test]
async fn browser_forwards_meta_s_webhooks_to_a_bot() {
    let wa = WhatsAppTest::start(Engine::Sqlite).await;
    let t = wa.create_tenant("br-bots").await;
    wa.connect_number(&t, PNID, WABA).await;
    let bot = Receiver::start().await;
    bot.set(Behaviour::MetaHandshake {
        verify_token: "right-token".into(),
    });
    let b = Browser::start().await;
    sign_in(&wa, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/settings/webhooks", wa.url)).await;

    let form = "#create-cloud-endpoint";
    b.fill(&format!("{form} input[name=url]"), &bot.url("/webhook"))
        .await;
    b.fill(&format!("{form} input[name=verify_token]"), "wrong-token")
        .await;
    b.fill(&format!("{form} input[name=secret]"), SECRET).await;
    b.submit(&format!("{form} button[type=submit]")).await;
    assert!(
        b.text("#webhook-error").await.contains("handshake"),
        "{}",
        b.source().await
    );
    assert!(
        b.try_find("#endpoints").await.is_none(),
        "nothing was saved"
    );

    b.fill(&format!("{form} input[name=url]"), &bot.url("/webhook"))
        .await;
    b.fill(&format!("{form} input[name=verify_token]"), "right-token")
        .await;
    b.fill(&format!("{form} input[name=secret]"), SECRET).await;
    b.submit(&format!("{form} button[type=submit]")).await;
    assert_eq!(b.text("#new-endpoint-secret").await, SECRET);
    assert!(b.text("#endpoints").await.contains("Meta's webhooks"));
    b.screenshot("bot-endpoint-created").await;

    let wamid = wa
        .sandbox
        .send_text(PNID, "16505551234", "hello bot")
        .unwrap();
    wa.eventually("the bot gets the customer's message", || async {
        bot.requests()
            .iter()
            .any(|q| q.method == "POST" && String::from_utf8_lossy(&q.body).contains(&wamid))
    })
    .await;
    b.submit("#endpoints a").await;
    let page = b.current_url().await;
    let mut shown = String::new();
    for _ in 0..100 {
        b.goto(&page).await;
        shown = b.text("#deliveries").await;
        if shown.contains("whatsapp.messages") {
            break;
        }
        wa.drain().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(shown.contains("whatsapp.messages"), "{shown}");
    assert!(b.source().await.contains("X-Hub-Signature-256"));
    b.screenshot("bot-endpoint-log").await;
    b.quit().await;
    wa.stop().await;
}
