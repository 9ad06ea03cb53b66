//! Automations in a real browser (SQLite only, like browser.rs): build a
//! workflow with the builder (a tag trigger, a note, a wait), dry-run it,
//! see it enabled in the list, watch its run wait in the log and cancel
//! it there; build a branch, see a refusal on the row it names, and a
//! definition that is not JSON come back with the reason and as typed.
//! The newer steps are in `browser_automations_replies.rs`.

use super::browser::sign_in;
use super::webdriver::Browser;
use serde_json::json;
use testkit::{Auth, Engine, TestApp};

#[tokio::test]
async fn browser_builds_a_workflow_and_cancels_its_waiting_run() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-automations").await;
    let contact = crate::crm_contacts::contact(
        &app,
        &t,
        json!({ "phone": "+15550601001", "name": "Lea Lead" }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    // A tag, made in Settings → Tags.
    b.goto(&format!("{}/app/settings/tags", app.url)).await;
    b.fill("#create-tag input[name=name]", "Lead").await;
    b.submit("#create-tag button[type=submit]").await;
    let tags = app
        .get("/api/v1/tags", Auth::Bearer(&t.owner.token))
        .await
        .body;
    let tag = tags["items"][0]["id"].as_str().unwrap().to_owned();

    // The builder: when "Lead" is put on a contact, add a note, wait 2 days.
    b.submit("nav a[href='/app/automations']").await;
    assert_eq!(b.count("#no-workflows").await, 1, "{}", b.source().await);
    b.submit("#new-workflow").await;
    b.fill("#workflow-form input[name=name]", "Follow up leads")
        .await;
    b.click("#workflow-form input[name=enabled]").await;
    b.click("#builder [data-path=trigger] select[data-field=type] option[value=tag_added]")
        .await;
    b.click(&format!(
        "#builder [data-path=trigger] select[data-field=tag_id] option[value='{tag}']"
    ))
    .await;
    let add = "#builder [data-add=steps]";
    b.click(&format!("{add} select option[value=add_note]"))
        .await;
    b.click(&format!("{add} button")).await;
    b.fill(
        "#builder [data-path='steps[0]'] textarea[data-field=text]",
        "Call this lead",
    )
    .await;
    b.click(&format!("{add} select option[value=wait]")).await;
    b.click(&format!("{add} button")).await;
    b.fill(
        "#builder [data-path='steps[1]'] input[data-field=amount]",
        "2",
    )
    .await;
    b.click("#builder [data-path='steps[1]'] select[data-field=unit] option[value='86400']")
        .await;
    let written = b
        .eval("return JSON.parse(document.getElementById('definition').value)")
        .await;
    assert_eq!(
        written,
        json!({
            "trigger": {"type": "tag_added", "tag_id": tag},
            "conditions": [],
            "steps": [
                {"type": "add_note", "text": "Call this lead"},
                {"type": "wait", "seconds": 172_800}
            ]
        }),
        "the builder writes the definition the form sends"
    );
    b.screenshot("automation-builder").await;
    b.submit("#save-workflow").await;
    assert!(
        b.text("#workflow-version")
            .await
            .starts_with("Version 1; runs under way keep the version they started on"),
        "{}",
        b.source().await
    );
    let id = b
        .current_url()
        .await
        .split("/app/automations/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // The saved workflow draws again in the builder.
    assert_eq!(
        b.count("#builder [data-path='steps[1]'][data-type=wait]")
            .await,
        1
    );

    // A dry run for the contact: what it would do, without doing it.
    b.click(&format!("#dry-run select option[value='{contact}']"))
        .await;
    b.submit("#dry-run button").await;
    let dry = b.text("#dry-run-result").await;
    assert!(
        dry.contains("The conditions hold") && dry.contains("add the note “Call this lead”"),
        "{dry}"
    );
    assert!(dry.contains("wait 172800 seconds"), "{dry}");

    // Enabled, in the list.
    b.submit("nav.subnav a[href='/app/automations']").await;
    let row = format!("#workflow-{id}");
    assert_eq!(
        b.count(&format!("{row}[data-enabled=true]")).await,
        1,
        "{}",
        b.source().await
    );
    assert!(b.text(&row).await.contains("Tag “Lead” put on a contact"));
    b.screenshot("automations-list").await;

    // Tagging the contact starts a run, which waits after the note.
    crate::automations::set_tag(&app, &t, &contact, &tag, true).await;
    app.drain().await;
    b.submit(&format!("{row} a.runs")).await;
    assert_eq!(
        b.count("#runs tr[data-status=waiting]").await,
        1,
        "{}",
        b.source().await
    );
    b.screenshot("automation-runs").await;
    b.submit("#runs a.open-run").await;
    assert_eq!(b.text("#run-status").await, "waiting");
    assert_eq!(b.text("#run-contact").await, "Lea Lead");
    assert_eq!(
        b.count("#run-steps tr[data-path='steps[0]'][data-status=done]")
            .await,
        1
    );
    assert_eq!(b.count("#retry-run").await, 0, "only failed runs retry");
    b.eval("window.confirm = () => true; return true;").await;
    b.submit("#cancel-run button").await;
    assert_eq!(b.text("#run-status").await, "cancelled");
    assert_eq!(b.count("#cancel-run").await, 0);
    b.screenshot("automation-run").await;
    let runs = crate::automations::runs(&app, &t, &id).await;
    assert_eq!(runs[0]["status"], json!("cancelled"));
    b.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn browser_edits_a_branch_and_keeps_refused_definitions() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-automations-bad").await;
    let vip = crate::crm_tags::tag(&app, &t, "VIP", "#aa2266").await;
    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/automations/new", app.url)).await;
    b.fill("#workflow-form input[name=name]", "Greeter").await;
    // The JSON is folded away while the builder shows it.
    assert_eq!(
        b.eval("return document.getElementById('advanced').open")
            .await,
        json!(false)
    );

    // A keyword trigger, a branch with a step on each side, and a note
    // left empty.
    b.fill(
        "#builder [data-path=trigger] input[data-field=keywords]",
        "hello, hi",
    )
    .await;
    let add = |list: &str| format!("#builder [data-add='{list}']");
    b.click(&format!("{} select option[value=branch]", add("steps")))
        .await;
    b.click(&format!("{} button", add("steps"))).await;
    b.click(&format!(
        "{} select option[value=send_text]",
        add("steps[0].then")
    ))
    .await;
    b.click(&format!("{} button", add("steps[0].then"))).await;
    b.fill(
        "#builder [data-path='steps[0].then[0]'] textarea[data-field=text]",
        "Welcome back",
    )
    .await;
    b.click(&format!(
        "{} select option[value=stop]",
        add("steps[0].else")
    ))
    .await;
    b.click(&format!("{} button", add("steps[0].else"))).await;
    b.click(&format!("{} select option[value=add_note]", add("steps")))
        .await;
    b.click(&format!("{} button", add("steps"))).await;
    let written = b
        .eval("return JSON.parse(document.getElementById('definition').value)")
        .await;
    assert_eq!(
        written,
        json!({
            "trigger": {"type": "message_received", "keywords": ["hello", "hi"],
                        "pattern": null, "first_in_conversation": false},
            "conditions": [],
            "steps": [
                {"type": "branch", "if": [{"type": "has_tag", "tag_id": vip}],
                 "then": [{"type": "send_text", "text": "Welcome back"}],
                 "else": [{"type": "stop"}]},
                {"type": "add_note", "text": ""}
            ]
        })
    );
    // Refused: the reason on the row it names, the branch drawn again.
    b.submit("#save-workflow").await;
    assert!(
        b.text("#builder [data-path='steps[1]'] .field-error")
            .await
            .contains("must not be empty"),
        "{}",
        b.source().await
    );
    assert_eq!(
        b.count("#builder [data-path='steps[0].then[0]'][data-type=send_text]")
            .await,
        1
    );
    b.screenshot("automation-refused").await;

    // JSON that does not read: the reason, and the JSON as typed.
    assert_eq!(
        b.eval("return document.getElementById('advanced').open")
            .await,
        json!(true),
        "a refused definition shows its JSON"
    );
    let typed = r#"{"trigger": {"type": "contact_created"}, "steps": [{"type": "stop"}"#;
    b.fill("#definition", typed).await;
    assert_eq!(
        b.count("#builder-broken").await,
        1,
        "the builder says the JSON does not read"
    );
    b.submit("#save-workflow").await;
    assert!(
        b.text("#definition-errors")
            .await
            .contains("This is not a workflow definition"),
        "{}",
        b.source().await
    );
    assert_eq!(
        b.eval("return document.getElementById('definition').value")
            .await,
        json!(typed),
        "the JSON as typed"
    );
    assert_eq!(
        b.eval("return document.querySelector('#workflow-form input[name=name]').value")
            .await,
        json!("Greeter")
    );
    assert_eq!(
        b.eval("return document.getElementById('advanced').open")
            .await,
        json!(true),
        "open where the reason is"
    );
    b.screenshot("automation-bad-json").await;
    let r = app.get("/api/v1/workflows", Auth::ApiKey(&t.api_key)).await;
    assert_eq!(r.body["items"], json!([]), "nothing saved");
    b.quit().await;
    app.stop().await;
}
