//! Tags and quick replies in a real browser (SQLite only, like
//! browser.rs): create a tag in Settings → Tags, put it on a conversation
//! from the thread, filter the inbox by it; create a quick reply, type `/`
//! in the reply box, pick it, find it filled in for the customer, send it.

use super::browser::sign_in;
use super::webdriver::Browser;
use sandbox::CustomerProfile;
use serde_json::{Value, json};
use testkit::{Auth, Engine, TestTenant, WhatsAppTest};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const ANA: &str = "16505551234";
const BO: &str = "16505559876";

/// Two customers write in; their conversations' ids, Ana's first.
async fn two_conversations(wa: &WhatsAppTest, t: &TestTenant) -> (String, String) {
    for (wa_id, name) in [(ANA, "Ana Customer"), (BO, "Bo Customer")] {
        wa.sandbox.set_customer(
            wa_id,
            CustomerProfile {
                name: name.into(),
                ..CustomerProfile::default()
            },
        );
        wa.sandbox.send_text(PNID, wa_id, "Hello!").unwrap();
    }
    let list = || async {
        wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
            .await
            .body
    };
    wa.eventually("both conversations arrive", || async {
        list().await["items"]
            .as_array()
            .is_some_and(|i| i.len() == 2)
    })
    .await;
    let mut ana = String::new();
    let mut bo = String::new();
    for c in list().await["items"].as_array().unwrap() {
        let contact = wa
            .get(
                &format!("/api/v1/contacts/{}", c["contact_id"].as_str().unwrap()),
                Auth::ApiKey(&t.api_key),
            )
            .await
            .body;
        let id = c["id"].as_str().unwrap().to_owned();
        if contact["contact"]["wa_id"] == json!(ANA) {
            ana = id;
        } else {
            bo = id;
        }
    }
    (ana, bo)
}

#[tokio::test]
async fn browser_tags_a_conversation_filters_by_it_and_inserts_a_quick_reply() {
    let wa = WhatsAppTest::start(Engine::Sqlite).await;
    let t = wa.create_tenant("br-tags").await;
    wa.connect_number(&t, PNID, WABA).await;
    let (ana, bo) = two_conversations(&wa, &t).await;
    let b = Browser::start().await;
    sign_in(&wa, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // Settings → Tags: create one.
    b.goto(&format!("{}/app/settings", wa.url)).await;
    b.submit("nav.subnav a[href='/app/settings/tags']").await;
    b.fill("#create-tag input[name=name]", "VIP").await;
    b.submit("#create-tag button[type=submit]").await;
    assert!(b.text("#tag-list").await.contains("VIP"));
    let tag = b
        .eval("return document.querySelector('#tag-list tr[data-tag]').dataset.tag")
        .await;
    let tag = tag.as_str().unwrap().to_owned();
    b.screenshot("tags-settings").await;

    // Put it on Ana's conversation from the thread header.
    b.goto(&format!("{}/app/inbox/{ana}", wa.url)).await;
    assert_eq!(b.count("#tags .tag").await, 0);
    b.click(&format!("#tags select[name=tag] option[value='{tag}']"))
        .await;
    b.submit("#tags .tag-add button[type=submit]").await;
    assert_eq!(b.count("#tags .tag").await, 1);
    assert!(b.text("#tags .tag").await.contains("VIP"));
    let api = wa
        .get(
            &format!("/api/v1/conversations/{ana}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(api.body["tags"][0]["name"], json!("VIP"));
    b.screenshot("tags-thread").await;

    // The inbox filtered by it shows Ana's conversation only, with its chip.
    b.goto(&format!("{}/app/inbox", wa.url)).await;
    assert_eq!(b.count("#conversations li.conv").await, 2);
    b.click(&format!("#tag-filter option[value='{tag}']")).await;
    b.submit(".filters .row > button[type=submit]").await;
    assert!(b.current_url().await.contains(&format!("tag={tag}")));
    assert_eq!(b.count("#conversations li.conv").await, 1);
    assert_eq!(
        b.eval("return document.querySelector('#conversations li.conv').dataset.id")
            .await,
        json!(ana)
    );
    assert!(b.text("#conversations li.conv .tag").await.contains("VIP"));
    assert_eq!(
        b.count(&format!("#conversations li.conv[data-id='{bo}']"))
            .await,
        0
    );
    b.screenshot("tags-inbox-filtered").await;

    // Settings → Quick replies: create one with placeholders.
    b.goto(&format!("{}/app/settings/quick-replies", wa.url))
        .await;
    b.fill("#create-quick-reply input[name=shortcut]", "hours")
        .await;
    b.fill("#create-quick-reply input[name=title]", "Opening hours")
        .await;
    b.fill(
        "#create-quick-reply textarea[name=body]",
        "Hi {{contact.first_name}}, we open at 9. {{agent.name}}",
    )
    .await;
    b.submit("#create-quick-reply button[type=submit]").await;
    assert!(b.text("#quick-replies").await.contains("/hours"));

    // In the thread, `/` opens the list; picking it fills the box.
    b.goto(&format!("{}/app/inbox/{ana}", wa.url)).await;
    b.fill("#reply-text", "/hou").await;
    assert_eq!(b.count("#qr-menu li").await, 1, "{}", b.source().await);
    assert!(b.text("#qr-menu li").await.contains("/hours"));
    b.screenshot("quick-reply-menu").await;
    b.click("#qr-menu li").await;
    let expected = "Hi Ana, we open at 9. Test User";
    assert_eq!(
        b.eval("return document.getElementById('reply-text').value")
            .await,
        json!(expected)
    );
    assert_eq!(b.count("#qr-menu").await, 0, "the list closes");
    // Nothing matches: no list.
    b.fill("#reply-text", "/zzz").await;
    assert_eq!(b.count("#qr-menu").await, 0);
    b.fill("#reply-text", "/").await;
    b.eval(
        "var t = document.getElementById('reply-text'); \
         t.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })); return true;",
    )
    .await;
    assert_eq!(
        b.eval("return document.getElementById('reply-text').value")
            .await,
        json!(expected),
        "Enter picks the highlighted one"
    );
    b.submit("#send").await;
    let msgs: Value = wa
        .get(
            &format!("/api/v1/conversations/{ana}/messages"),
            Auth::ApiKey(&t.api_key),
        )
        .await
        .body;
    assert_eq!(msgs["items"][0]["content"]["text"]["body"], json!(expected));
    b.screenshot("quick-reply-sent").await;
    b.quit().await;
    wa.stop().await;
}
