//! The builder's newer pieces in a real browser (SQLite only, like
//! browser.rs): a wait for a reply with a step on each side, a
//! business-hours condition and a call with a JSON body (one that does
//! not read shown as such, not written) saving a field of its answer,
//! and a drip started, saved and stored as built.

use super::browser::sign_in;
use super::webdriver::Browser;
use serde_json::json;
use testkit::{Auth, Engine, TestApp};

#[tokio::test]
async fn browser_builds_a_wait_for_reply_outside_business_hours() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-automations-reply").await;
    crate::crm_contacts::attribute(
        &app,
        &t,
        json!({ "key": "crm_stage", "label": "CRM stage", "type": "text" }),
    )
    .await;
    let drip = crate::drips::drip(
        &app,
        &t,
        json!({ "name": "Welcome series", "steps": [crate::drips::offer_step(1, "days")] }),
    )
    .await;
    let drip_id = drip["id"].as_str().unwrap();
    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/automations/new", app.url)).await;
    b.fill("#workflow-form input[name=name]", "Chase new contacts")
        .await;
    b.click("#builder [data-path=trigger] select[data-field=type] option[value=contact_created]")
        .await;
    let add = |list: &str, kind: &str| {
        (
            format!("#builder [data-add='{list}'] select option[value={kind}]"),
            format!("#builder [data-add='{list}'] button"),
        )
    };
    for (list, kind) in [
        ("conditions", "business_hours"),
        ("steps", "wait_for_reply"),
        ("steps[0].replied", "add_note"),
        ("steps[0].timeout", "send_text"),
        ("steps", "call_http"),
        ("steps", "start_drip"),
    ] {
        let (pick, button) = add(list, kind);
        b.click(&pick).await;
        b.click(&button).await;
    }
    b.click("#builder [data-path='conditions[0]'] select[data-field=open] option[value=false]")
        .await;
    // At most 2 hours; a note if they reply, a text if not.
    let reply = "#builder [data-path='steps[0]']";
    b.fill(&format!("{reply} input[data-field=amount]"), "2")
        .await;
    b.click(&format!(
        "{reply} select[data-field=unit] option[value='3600']"
    ))
    .await;
    b.fill(
        "#builder [data-path='steps[0].replied[0]'] textarea[data-field=text]",
        "They answered",
    )
    .await;
    b.fill(
        "#builder [data-path='steps[0].timeout[0]'] textarea[data-field=text]",
        "Still interested?",
    )
    .await;
    assert_eq!(
        b.text(&format!("{reply} > fieldset:nth-of-type(1) > legend"))
            .await,
        "If they reply"
    );
    assert_eq!(
        b.text(&format!("{reply} > fieldset:nth-of-type(2) > legend"))
            .await,
        "If no reply in time"
    );
    // A call: a body that does not read is shown as such and kept out.
    let call = "#builder [data-path='steps[1]']";
    b.fill(
        &format!("{call} input[data-field=url]"),
        "https://crm.example.com/chase",
    )
    .await;
    b.click(&format!(
        "{call} select[data-field=method] option[value=PUT]"
    ))
    .await;
    b.fill(&format!("{call} textarea[data-field=body]"), "{\"stage\": ")
        .await;
    assert!(
        b.text(&format!("{call} [data-error=body]"))
            .await
            .starts_with("Not JSON, so not saved yet"),
        "{}",
        b.source().await
    );
    let body_now = "return JSON.parse(document.getElementById('definition').value).steps[1].body";
    assert_eq!(b.eval(body_now).await, serde_json::Value::Null);
    b.fill(
        &format!("{call} textarea[data-field=body]"),
        "{\"stage\": \"chased\"}",
    )
    .await;
    assert_eq!(
        b.count(&format!("{call} [data-error=body]:not([hidden])"))
            .await,
        0
    );
    // The answer's `/stage` saved into the contact's "CRM stage".
    b.click(&format!("{call} [data-add='steps[1].save'] button"))
        .await;
    b.fill(&format!("{call} input[data-field=save_pointer]"), "/stage")
        .await;
    let built = json!({
        "trigger": {"type": "contact_created"},
        "conditions": [{"type": "business_hours", "open": false}],
        "steps": [
            {"type": "wait_for_reply", "seconds": 7200,
             "replied": [{"type": "add_note", "text": "They answered"}],
             "timeout": [{"type": "send_text", "text": "Still interested?"}]},
            {"type": "call_http", "url": "https://crm.example.com/chase", "method": "PUT",
             "save": {"crm_stage": "/stage"}, "body": {"stage": "chased"}},
            {"type": "start_drip", "drip_id": drip_id}
        ]
    });
    let written = b
        .eval("return JSON.parse(document.getElementById('definition').value)")
        .await;
    assert_eq!(
        written, built,
        "the builder writes the definition the form sends"
    );
    b.screenshot("automation-wait-for-reply").await;
    b.submit("#save-workflow").await;
    assert!(b.count("#workflow-ok").await == 1, "{}", b.source().await);
    // Stored as built, and drawn again with both sides.
    let r = app.get("/api/v1/workflows", Auth::ApiKey(&t.api_key)).await;
    assert_eq!(r.body["items"][0]["definition"], built, "{}", r.body);
    assert_eq!(
        b.count("#builder [data-path='steps[0].timeout[0]'][data-type=send_text]")
            .await,
        1
    );
    assert_eq!(
        b.count("#builder [data-path='conditions[0]'] select[data-field=open] option[value=false]:checked")
            .await,
        1
    );
    assert!(
        b.text("#inbound-url")
            .await
            .contains("/hooks/workflows/wfin_")
    );
    b.quit().await;
    app.stop().await;
}
