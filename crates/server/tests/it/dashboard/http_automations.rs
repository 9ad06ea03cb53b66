//! Automations' pages over plain HTTP, on both engines: agents are
//! refused; a definition the rules refuse (or that is not JSON) comes back
//! with the reasons beside the JSON and everything as typed; saving makes
//! versions; the list's enable / disable, duplicate and delete buttons; the
//! dry run; the runs' log with its filters, and retry and cancel on a run;
//! the auto-tag rules' page.

use super::client::{Browser, Page, attrs};
use domain::Role;
use serde_json::json;
use testkit::{Auth, TestApp, TestTenant, engines};

/// The text of the definition's textarea, unescaped.
fn definition_in(page: &Page) -> String {
    let start = page
        .html
        .find("id=\"definition\"")
        .expect("the JSON textarea");
    let open = page.html[start..].find('>').unwrap() + start + 1;
    let end = page.html[open..].find("</textarea>").unwrap() + open;
    page.html[open..end]
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Posts the editor's form to `path`.
async fn save(b: &mut Browser, path: &str, name: &str, definition: &str) -> Page {
    let csrf = b.get("/app/automations/new").await.csrf();
    b.post(
        path,
        &[
            ("csrf", &csrf),
            ("name", name),
            ("description", "From the dashboard"),
            ("enabled", "true"),
            ("definition", definition),
        ],
    )
    .await
}

/// The id in a redirect to a workflow's page.
fn workflow_id(r: &Page) -> String {
    let to = r.location.clone().unwrap_or_default();
    assert!(
        r.status == 303 && to.starts_with("/app/automations/"),
        "{} {to}: {}",
        r.status,
        r.html
    );
    to["/app/automations/".len()..]
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn dashboard_automations_refuse_agents_and_keep_refused_definitions() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("dash-automations").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get("/app/automations").await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("id=\"no-workflows\""), "{}", r.html);
        assert!(r.html.contains("href=\"/app/automations\""), "in the nav");
        let r = b.get("/app/automations/new").await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("Advanced: edit as JSON"));
        assert!(r.html.contains("src=\"/app/assets/automations.js\""));
        assert!(!r.html.contains("<script>") && !r.html.contains("style="));

        // Refused by the rules: each reason beside the JSON, all kept.
        let refused = r#"{"trigger": {"type": "message_received", "keywords": [" "]},
            "steps": [{"type": "wait", "seconds": 0}, {"type": "send_text", "text": ""}]}"#;
        let r = save(&mut b, "/app/automations", "Greeter", refused).await;
        assert_eq!(r.status, 422, "{}", r.html);
        for path in [
            "data-path=\"trigger.keywords[0]\"",
            "data-path=\"steps[0].seconds\"",
            "data-path=\"steps[1].text\"",
        ] {
            assert!(r.html.contains(path), "{path}: {}", r.html);
        }
        assert_eq!(definition_in(&r), refused);
        assert!(r.html.contains("value=\"Greeter\""));
        assert!(r.html.contains("id=\"workflow-error\""));
        // Not JSON at all.
        let broken = r#"{"trigger": {"type": "sunrise"}, "steps": []}"#;
        let r = save(&mut b, "/app/automations", "Greeter", broken).await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains("This is not a workflow definition") && r.html.contains("sunrise"),
            "{}",
            r.html
        );
        assert_eq!(definition_in(&r), broken);
        // A tag the workspace does not have.
        let ghost = format!(
            r#"{{"trigger": {{"type": "tag_added", "tag_id": "{}"}}, "steps": [{{"type": "stop"}}]}}"#,
            uuid::Uuid::now_v7()
        );
        let r = save(&mut b, "/app/automations", "Greeter", &ghost).await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains("data-path=\"trigger.tag_id\"") && r.html.contains("no such tag"),
            "{}",
            r.html
        );
        let r = b
            .post(
                "/app/automations",
                &[("name", "No token"), ("definition", broken)],
            )
            .await;
        assert_eq!(r.status, 403, "a form without its CSRF token");
        let listed = app.get("/api/v1/workflows", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(listed.body["items"], json!([]), "nothing was saved");

        // Saved: version 1, then a new definition is version 2.
        let good = r#"{"trigger": {"type": "contact_created"}, "steps": [{"type": "add_note", "text": "Hello"}]}"#;
        let id = workflow_id(&save(&mut b, "/app/automations", "Greeter", good).await);
        let r = b.get(&format!("/app/automations/{id}?done=created")).await;
        assert!(
            r.html
                .contains("Version 1; runs under way keep the version they started on"),
            "{}",
            r.html
        );
        let changed = good.replace("Hello", "Hello again");
        let path = format!("/app/automations/{id}");
        assert_eq!(
            workflow_id(&save(&mut b, &path, "Greeter", &changed).await),
            id
        );
        let r = b.get(&path).await;
        assert!(r.html.contains("Version 2;"), "{}", r.html);
        assert!(definition_in(&r).contains("Hello again"));
        // A refusal outside the definition is shown at the top, form kept.
        let r = save(&mut b, &path, " ", &changed).await;
        assert_eq!(r.status, 422);
        assert!(r.html.contains("name: 1 to 100 characters"), "{}", r.html);
        assert!(definition_in(&r).contains("Hello again"));

        // Agents may not manage automations.
        let agent = app.add_user(&t, Role::Agent, "alex").await;
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        for page in [
            "/app/automations".to_owned(),
            "/app/automations/new".to_owned(),
            "/app/automations/runs".to_owned(),
            path.clone(),
        ] {
            let r = a.get(&page).await;
            assert_eq!(r.status, 403, "{page}");
            assert!(r.html.contains("campaigns:manage"), "{}", r.html);
        }
        let csrf = a.get("/app/inbox").await.csrf();
        let r = a.post(&format!("{path}/delete"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 403);
        // Another workspace's workflow is not there.
        let other = app.create_tenant("dash-automations-other").await;
        let mut o =
            Browser::sign_in(&app, &other.slug, &other.owner.email, &other.owner.password).await;
        assert_eq!(o.get(&path).await.status, 404);
    }
}

/// A workflow on new contacts, made through the API: a note, then a text
/// (which fails: a new contact has no conversation yet).
async fn failing_workflow(app: &TestApp, t: &TestTenant) -> String {
    crate::automations::workflow(
        app,
        t,
        "Welcome",
        json!({
            "trigger": {"type": "contact_created"},
            "steps": [
                {"type": "add_note", "text": "New contact"},
                {"type": "send_text", "text": "Welcome!"}
            ]
        }),
    )
    .await
}

#[tokio::test]
async fn dashboard_automations_buttons_dry_run_and_runs() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("dash-automation-runs").await;
        let id = failing_workflow(&app, &t).await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get("/app/automations").await;
        assert_eq!(attrs(&r.html, "data-enabled"), ["true"]);
        assert!(r.html.contains("A contact is created"), "{}", r.html);
        let csrf = r.csrf();

        // Disable, enable.
        let one = format!("/app/automations/{id}");
        let r = b
            .post(
                &format!("{one}/enabled"),
                &[("csrf", &csrf), ("enabled", "false")],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations?done=disabled")
        );
        let r = b.get("/app/automations?done=disabled").await;
        assert_eq!(attrs(&r.html, "data-enabled"), ["false"]);
        assert!(r.html.contains("id=\"workflows-ok\""));
        let api = app
            .get(&format!("/api/v1/workflows/{id}"), Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(api.body["enabled"], json!(false));
        let r = b
            .post(
                &format!("{one}/enabled"),
                &[("csrf", &csrf), ("enabled", "true")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(
            attrs(&b.get("/app/automations").await.html, "data-enabled"),
            ["true"]
        );

        // Duplicate: a disabled copy; delete it.
        let r = b
            .post(&format!("{one}/duplicate"), &[("csrf", &csrf)])
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations?done=duplicated")
        );
        let r = b.get("/app/automations").await;
        assert!(r.html.contains("Welcome (copy)"), "{}", r.html);
        let ids = attrs(&r.html, "data-workflow");
        assert_eq!(ids.len(), 2);
        let copy = ids.iter().find(|w| **w != id).unwrap().clone();
        assert!(
            r.html
                .contains(&format!("data-workflow=\"{copy}\" data-enabled=\"false\""))
        );
        let r = b
            .post(
                &format!("/app/automations/{copy}/delete"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/app/automations?done=deleted"));
        assert_eq!(
            attrs(&b.get("/app/automations").await.html, "data-workflow"),
            [id.as_str()]
        );

        // A new contact starts a run; it fails at the text.
        let c = crate::crm_contacts::contact(
            &app,
            &t,
            json!({ "phone": "+15550602001", "name": "Nina New" }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.drain().await;

        // The dry run: the steps it would take, for a contact chosen or pasted.
        let r = b.get(&one).await;
        assert!(
            r.html.contains(&format!("<option value=\"{c}\"")),
            "{}",
            r.html
        );
        let r = b.get(&format!("{one}/dry-run?contact_id={c}")).await;
        assert_eq!(r.status, 200);
        assert!(
            r.html
                .contains("id=\"dry-run-result\" data-conditions=\"true\"")
        );
        assert!(r.html.contains("add the note “New contact”"), "{}", r.html);
        assert!(r.html.contains("send the text “Welcome!”"));
        let r = b
            .get(&format!("{one}/dry-run?contact_id=&paste=nonsense"))
            .await;
        assert_eq!(r.status, 422);
        assert!(r.html.contains("id=\"dry-run-error\""), "{}", r.html);

        // The log, its filters, and the failed run.
        let r = b.get("/app/automations/runs").await;
        assert_eq!(attrs(&r.html, "data-status"), ["failed"], "{}", r.html);
        assert!(r.html.contains(&format!("href=\"/app/contacts/{c}\"")));
        assert!(r.html.contains("no_conversation"), "{}", r.html);
        let r = b.get("/app/automations/runs?status=completed").await;
        assert!(r.html.contains("id=\"no-runs\""));
        let r = b
            .get(&format!(
                "/app/automations/runs?workflow_id={id}&status=failed"
            ))
            .await;
        let run = attrs(&r.html, "data-run");
        assert_eq!(run.len(), 1);
        let run = format!("/app/automations/runs/{}", run[0]);
        let r = b.get("/app/automations/runs?status=sleeping").await;
        assert!(r.html.contains("id=\"runs-error\""), "{}", r.html);

        let r = b.get(&run).await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("data-status=\"failed\""));
        assert!(r.html.contains("Nina New"));
        assert!(
            r.html
                .contains("data-path=\"steps[0]\" data-status=\"done\"")
        );
        assert!(
            r.html
                .contains("data-path=\"steps[1]\" data-status=\"failed\"")
        );
        assert!(r.html.contains("id=\"retry-run\""));
        assert!(!r.html.contains("id=\"cancel-run\""));
        // Retry from the failed step: it runs again, and fails there again.
        let r = b.post(&format!("{run}/retry"), &[("csrf", &csrf)]).await;
        assert_eq!(r.location, Some(format!("{run}?done=retried")));
        let r = b.get(&format!("{run}?done=retried")).await;
        assert!(
            r.html.contains("id=\"run-status\" data-status=\"running\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("id=\"cancel-run\""));
        app.drain().await;
        let r = b.get(&run).await;
        assert!(r.html.contains("id=\"run-status\" data-status=\"failed\""));
        // Cancel only runs under way: refused beside the run.
        let r = b.post(&format!("{run}/cancel"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 409);
        assert!(r.html.contains("this run has ended"), "{}", r.html);
    }
}
