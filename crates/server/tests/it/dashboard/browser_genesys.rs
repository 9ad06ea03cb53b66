//! The Genesys bridge's main flow in a browser (SQLite only, like
//! browser.rs), against the Genesys sandbox: the owner sets the
//! credentials and links a number in Settings → Genesys, opens a
//! customer's conversation in the inbox, hands it to Genesys, sees the
//! banner and the bridge's figures, and takes it back.

use super::browser::sign_in;
use super::webdriver::Browser;
use testkit::{Auth, Engine, GENESYS_CLIENT, GenesysTest};

const PNID: &str = "106540352244302";
const WABA: &str = "102290129344302";
const CUSTOMER: &str = "16505558102";

#[tokio::test]
async fn browser_hands_a_conversation_to_genesys_and_takes_it_back() {
    let g = GenesysTest::start(Engine::Sqlite).await;
    let t = g.create_tenant("br-genesys").await;
    let channel = g.connect_number(&t, PNID, WABA).await;
    let b = Browser::start().await;
    sign_in(&g, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // Settings → Genesys: the credentials, checked by Genesys.
    b.goto(&format!("{}/app/settings", g.url)).await;
    b.submit("nav.subnav a[href='/app/settings/genesys']").await;
    assert!(b.current_url().await.ends_with("/app/settings/genesys"));
    b.fill("#genesys-account input[name=region]", "eu-west-1")
        .await;
    b.fill("#genesys-account input[name=client_id]", GENESYS_CLIENT.0)
        .await;
    b.fill(
        "#genesys-account input[name=client_secret]",
        GENESYS_CLIENT.1,
    )
    .await;
    b.submit("#genesys-account button[type=submit]").await;
    assert!(
        b.text("#genesys-ok").await.contains("Genesys accepted"),
        "{}",
        b.source().await
    );
    assert!(b.text("#genesys-verified").await.contains(GENESYS_CLIENT.0));

    // Linking the number: its webhook URL, to copy.
    let card = format!("#number-{channel}");
    b.fill(&format!("{card} input[name=keywords]"), "agent, human")
        .await;
    b.submit(&format!("{card} .link-form button[type=submit]"))
        .await;
    assert!(b.text("#genesys-ok").await.starts_with("Linked"));
    let url = b.text(&format!("{card} .webhook-url")).await;
    assert!(url.contains("/webhooks/genesys/"), "{url}");
    assert_eq!(
        b.text(&format!("{card} .integration-id")).await,
        g.genesys.integrations()[0].id
    );
    b.screenshot("genesys-settings").await;

    // A customer writes; the owner opens the conversation and hands it over.
    g.sandbox
        .send_text(PNID, CUSTOMER, "Can a person help me?")
        .unwrap();
    g.eventually("the message is stored", || async {
        g.get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
            .await
            .body["items"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
    })
    .await;
    b.goto(&format!("{}/app/inbox", g.url)).await;
    b.submit("#conversations li.conv a").await;
    assert!(b.try_find("#genesys-banner").await.is_none());
    b.submit("#genesys-hand-over button").await;
    assert!(
        b.text("#genesys-banner")
            .await
            .starts_with("With Genesys since"),
        "{}",
        b.source().await
    );
    assert!(b.try_find("#genesys-take-back button").await.is_some());
    b.screenshot("genesys-thread").await;
    g.eventually("the customer's message reaches Genesys", || async {
        g.genesys
            .inbound()
            .iter()
            .any(|m| m.body.text.as_deref() == Some("Can a person help me?"))
    })
    .await;

    // The bridge's page, from the main menu.
    let thread = b.current_url().await;
    b.submit("header nav a[href='/app/genesys']").await;
    assert_eq!(b.text("#total-mappings .big").await, "1");
    assert_eq!(b.text("#active-conversations .big").await, "1");
    assert_eq!(b.count("#mappings tr[data-state=open]").await, 1);
    b.screenshot("genesys-bridge").await;

    // Back in the thread, taken back.
    b.submit("#mappings a.open-conversation").await;
    assert!(b.try_find("#genesys-banner").await.is_some());
    b.submit("#genesys-take-back button").await;
    assert!(b.try_find("#genesys-banner").await.is_none());
    assert!(b.try_find("#genesys-hand-over button").await.is_some());
    assert_eq!(b.current_url().await, thread);
    b.quit().await;
    g.stop().await;
}
