//! Contacts in a real browser (SQLite only, like browser.rs): create a
//! contact from the list, fill in a custom field on their page, filter the
//! list by it, see the change on the timeline, and delete the contact
//! after confirming; message another one with a template from their page.

use super::browser::sign_in;
use super::webdriver::Browser;
use crate::crm_contacts::{attribute, contact};
use serde_json::json;
use testkit::{Engine, WhatsAppTest};

#[tokio::test]
async fn browser_creates_a_contact_sets_a_field_and_filters_by_it() {
    let app = WhatsAppTest::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-contacts").await;
    let waba = "102290129340411";
    app.connect_number(&t, "106540352242944", waba).await;
    app.sandbox
        .add_template(sandbox::TemplateSpec {
            waba_id: waba.into(),
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components: None,
            status: "APPROVED".into(),
            parameter_format: None,
        })
        .unwrap();
    // The template library reads the account from Meta in the background.
    app.drain().await;
    attribute(
        &app,
        &t,
        json!({ "key": "plan", "label": "Plan", "type": "choice", "options": ["free", "pro"] }),
    )
    .await;
    attribute(
        &app,
        &t,
        json!({ "key": "city", "label": "City", "type": "text" }),
    )
    .await;
    let bo = contact(
        &app,
        &t,
        json!({ "phone": "+14155550002", "name": "Bo Free", "attributes": { "plan": "free" } }),
    )
    .await;

    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/contacts", app.url)).await;

    // A number that is not E.164 is refused on the page, the form kept.
    b.fill("#new-contact input[name=phone]", "4155550123").await;
    b.fill("#new-contact input[name=name]", "Ana Lima").await;
    b.submit("#new-contact button[type=submit]").await;
    assert!(b.text("#contacts-error").await.contains("E.164"));
    assert_eq!(
        b.eval("return document.querySelector('#new-contact input[name=name]').value")
            .await,
        json!("Ana Lima")
    );
    b.fill("#new-contact input[name=phone]", "+1 415 555 0123")
        .await;
    b.submit("#new-contact button[type=submit]").await;
    let url = b.current_url().await;
    assert!(url.contains("?done=created"), "{url}");
    assert_eq!(b.text("h1").await, "Ana Lima");
    assert!(b.text("#contact-flash").await.contains("Contact created"));

    // Fields by type: a choice is a select, a text an input.
    b.click("#edit-contact select[name='attr.plan'] option[value=pro]")
        .await;
    b.fill("#edit-contact input[name='attr.city']", "Porto")
        .await;
    b.fill("#edit-contact input[name=email]", "ana@example.com")
        .await;
    b.submit("#edit-contact button[type=submit]").await;
    assert_eq!(b.text("#contact-flash").await, "Saved.");
    assert_eq!(b.text("dd[data-attr=plan]").await, "pro");
    assert_eq!(b.text("dd[data-attr=city]").await, "Porto");
    assert_eq!(b.text("#contact-email").await, "ana@example.com");
    assert!(
        b.text("#activity")
            .await
            .contains("Details changed: email, attributes.city, attributes.plan"),
        "{}",
        b.text("#activity").await
    );
    b.screenshot("contact-page").await;

    // The list, filtered by the field.
    b.goto(&format!("{}/app/contacts", app.url)).await;
    assert_eq!(b.count("#contacts tbody tr").await, 2);
    b.click("#contact-filters select[name='attr.plan'] option[value=pro]")
        .await;
    b.submit("#apply-filters").await;
    assert!(b.current_url().await.contains("attr.plan=pro"));
    assert_eq!(b.count("#contacts tbody tr").await, 1);
    assert!(b.text("#contacts").await.contains("Ana Lima"));
    b.screenshot("contacts-filtered").await;

    // Delete, after confirming.
    b.submit("#contacts a").await;
    b.eval("window.confirm = () => true; return true;").await;
    b.submit("#delete-contact").await;
    assert!(b.current_url().await.ends_with("/app/contacts"));
    assert_eq!(b.count("#contacts tbody tr").await, 1);
    assert!(!b.text("#contacts").await.contains("Ana Lima"));

    // Message Bo, who never wrote: only a template can go.
    b.goto(&format!(
        "{}/app/contacts/{}",
        app.url,
        bo["id"].as_str().unwrap()
    ))
    .await;
    assert!(
        b.text("#message-window")
            .await
            .contains("only an approved template")
    );
    assert!(b.try_find("#message-text").await.is_none());
    b.submit("#choose-number").await;
    b.click("#message-templates details[data-name=order_update] summary")
        .await;
    b.fill(
        "#message-templates details[data-name=order_update] input[name=var_1]",
        "Bo",
    )
    .await;
    b.submit("#message-templates details[data-name=order_update] button[type=submit]")
        .await;
    let url = b.current_url().await;
    assert!(url.contains("/app/inbox/"), "{url}");
    app.eventually("the template reaches Bo", || async {
        app.sandbox.received("106540352242944", "14155550002").len() == 1
    })
    .await;
    b.quit().await;
    app.stop().await;
}
