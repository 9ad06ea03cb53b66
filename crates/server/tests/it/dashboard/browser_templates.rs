//! Authoring a template in a real browser (SQLite only, like browser.rs):
//! the WhatsApp bubble follows the typing (header, body with an example
//! field appearing for each parameter, footer, buttons), the template is
//! submitted to Meta (the sandbox), approved by Meta's webhook, and its
//! page fills the bubble as values are tried.

use super::browser::sign_in;
use super::webdriver::Browser;
use crate::channels::{PNID_A, WABA_A};
use sandbox::TemplateStatusUpdate;
use serde_json::json;
use testkit::{Auth, Engine, WhatsAppTest};

/// Picks `value` in the select `css`, as a person would (a change event).
async fn choose(b: &Browser, css: &str, value: &str) {
    let js = format!(
        "const s = document.querySelector({css:?}); s.value = {value:?}; \
         s.dispatchEvent(new Event('change', {{ bubbles: true }})); return s.value;"
    );
    assert_eq!(b.eval(&js).await, json!(value), "{css}");
}

#[tokio::test]
async fn browser_authors_a_template_with_its_live_preview() {
    let wa = WhatsAppTest::start(Engine::Sqlite).await;
    let t = wa.create_tenant("br-templates").await;
    wa.connect_number(&t, PNID_A, WABA_A).await;
    wa.drain().await;
    let b = Browser::start().await;
    sign_in(&wa, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    b.goto(&format!("{}/app/settings/templates", wa.url)).await;
    assert!(b.text("main").await.contains("No templates yet"));
    b.submit("#new-template").await;
    assert!(
        b.current_url()
            .await
            .ends_with("/app/settings/templates/new")
    );

    // The bubble follows the typing.
    let form = "#template-form";
    b.fill(&format!("{form} input[name=name]"), "order_update")
        .await;
    choose(&b, &format!("{form} select[name=header_format]"), "text").await;
    b.fill(&format!("{form} input[name=header_text]"), "Order {{1}}")
        .await;
    b.fill(&format!("{form} input[name=header_example]"), "#1234")
        .await;
    b.fill(
        &format!("{form} textarea[name=body]"),
        "Hi {{1}}, your order ships on {{2}}.",
    )
    .await;
    b.wait_for_text(
        "#template-preview .wa-body",
        "Hi {{1}}, your order ships on {{2}}.",
    )
    .await;
    assert_eq!(b.text("#template-preview .wa-header").await, "Order #1234");
    assert_eq!(
        b.count("#template-examples input[name^=example_]").await,
        2,
        "an example field per parameter"
    );
    b.fill("#template-examples input[name=example_1]", "Ana")
        .await;
    b.fill("#template-examples input[name=example_2]", "May 3")
        .await;
    b.wait_for_text(
        "#template-preview .wa-body",
        "Hi Ana, your order ships on May 3.",
    )
    .await;
    b.fill(
        &format!("{form} input[name=footer]"),
        "Reply STOP to opt out",
    )
    .await;
    b.wait_for_text("#template-preview .wa-footer", "Reply STOP to opt out")
        .await;
    choose(
        &b,
        &format!("{form} select[name=button_type_0]"),
        "quick_reply",
    )
    .await;
    b.fill(&format!("{form} input[name=button_text_0]"), "Track")
        .await;
    choose(&b, &format!("{form} select[name=button_type_1]"), "url").await;
    b.fill(&format!("{form} input[name=button_text_1]"), "Details")
        .await;
    b.fill(
        &format!("{form} input[name=button_url_1]"),
        "https://ex.com/o/{{1}}",
    )
    .await;
    b.fill(
        &format!("{form} input[name=button_example_1]"),
        "https://ex.com/o/1234",
    )
    .await;
    b.wait_for_text(
        "#template-preview .wa-button.url small",
        "https://ex.com/o/1234",
    )
    .await;
    assert_eq!(b.count("#template-preview .wa-button").await, 2);
    // A parameter taken out of the body takes its example field with it.
    b.fill(
        &format!("{form} textarea[name=body]"),
        "Hi {{1}}, your order ships soon.",
    )
    .await;
    b.wait_for_text(
        "#template-preview .wa-body",
        "Hi Ana, your order ships soon.",
    )
    .await;
    assert_eq!(b.count("#template-examples input[name^=example_]").await, 1);
    b.fill(
        &format!("{form} textarea[name=body]"),
        "Hi {{1}}, your order ships on {{2}}.",
    )
    .await;
    b.wait_for_text(
        "#template-preview .wa-body",
        "Hi Ana, your order ships on May 3.",
    )
    .await;
    b.screenshot("template-authoring").await;

    // Submitted to Meta: the template's page, pending review.
    b.submit("#submit-template").await;
    let url = b.current_url().await;
    assert!(
        url.contains("/app/settings/templates/") && !url.ends_with("/new"),
        "{url}: {}",
        b.source().await
    );
    assert_eq!(b.text("#template-status").await, "pending");
    assert_eq!(
        b.text("[data-template-preview] .wa-body").await,
        "Hi Ana, your order ships on May 3."
    );
    let at_meta = wa.sandbox.templates(Some(WABA_A));
    assert_eq!(at_meta.len(), 1);
    assert_eq!(at_meta[0].name, "order_update");

    // Meta approves it; its page tries values live.
    wa.sandbox
        .set_template_status(&at_meta[0].id, TemplateStatusUpdate::new("APPROVED"))
        .unwrap();
    wa.eventually("the approval arrives", || async {
        let r = wa.get("/api/v1/templates", Auth::ApiKey(&t.api_key)).await;
        r.body["items"][0]["status"] == "approved"
    })
    .await;
    b.goto(&url).await;
    assert_eq!(b.text("#template-status").await, "approved");
    b.fill("#try-values input[name=var_1]", "Rita").await;
    b.wait_for_text(
        "[data-template-preview] .wa-body",
        "Hi Rita, your order ships on May 3.",
    )
    .await;
    b.fill("#try-values input[name=btn_1]", "77").await;
    b.wait_for_text("[data-template-preview] .wa-target", "https://ex.com/o/77")
        .await;
    b.screenshot("template-page").await;
    b.quit().await;
    wa.stop().await;
}
