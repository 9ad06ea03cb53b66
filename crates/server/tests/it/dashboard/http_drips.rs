//! The drips' tab of Automations over plain HTTP, on both engines: make a
//! drip with step rows (no script), a refusal kept as typed, enrol a
//! contact by phone, a subscriber's page and stop, disable and delete,
//! and agents refused.

use super::client::{Browser, attrs};
use domain::Role;
use serde_json::json;
use testkit::{Auth, TestApp, engines};

/// A step row of the form.
fn row<'a>(
    delay: &'a str,
    unit: &'a str,
    text: &'a str,
    template: &'a str,
) -> [(&'a str, &'a str); 6] {
    [
        ("delay", delay),
        ("unit", unit),
        ("text", text),
        ("template_name", template),
        (
            "template_language",
            if template.is_empty() { "" } else { "en_US" },
        ),
        ("template_params", ""),
    ]
}

#[tokio::test]
async fn dashboard_drips_create_enrol_show_history_stop_and_delete() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("dash-drips").await;
        let goal = crate::crm_tags::tag(&app, &t, "Bought", "#16a34a").await;
        let c = crate::crm_contacts::contact(
            &app,
            &t,
            json!({ "phone": "+15550631001", "name": "Dora" }),
        )
        .await;
        let contact = c["id"].as_str().unwrap().to_owned();
        let list = "/app/automations/drips";
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get(list).await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("id=\"no-drips\""), "{}", r.html);
        assert!(
            r.html
                .contains("href=\"/app/automations/drips\" aria-current=\"page\""),
            "the tab"
        );
        let r = b.get("/app/automations/drips/new").await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.html.matches("class=\"drip-step\"").count(),
            2,
            "blank rows"
        );
        assert!(r.html.contains(&format!("<option value=\"{goal}\"")));
        let csrf = r.csrf();

        // Refused: no name; everything comes back as typed.
        let mut form = vec![("csrf", csrf.as_str()), ("name", ""), ("enabled", "true")];
        form.extend(row("0", "minutes", "Hello there", ""));
        let r = b.post(list, &form).await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(r.html.contains("id=\"drip-error\""), "{}", r.html);
        assert!(r.html.contains("Hello there"), "{}", r.html);

        // Two steps (the blank third row is left out), exits, quiet hours.
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("name", "Welcome series"),
            ("enabled", "true"),
            ("exit_on_reply", "true"),
            ("goal_tag_id", goal.as_str()),
            ("exit_tag_id", ""),
            ("quiet_start", "21:00"),
            ("quiet_end", "08:00"),
        ];
        form.extend(row("0", "minutes", "Hello there", ""));
        form.extend(row("2", "days", "How is it going?", "offer"));
        form.extend(row("", "days", "", ""));
        let r = b.post(list, &form).await;
        assert_eq!(r.status, 303, "{}", r.html);
        let at = r.location.clone().unwrap();
        assert!(at.ends_with("?done=created"), "{at}");
        let api = app.get("/api/v1/drips", Auth::ApiKey(&t.api_key)).await;
        let d = &api.body["items"][0];
        let id = d["id"].as_str().unwrap().to_owned();
        assert_eq!(d["steps"].as_array().unwrap().len(), 2, "{d}");
        assert_eq!(d["steps"][1]["delay"], json!(2));
        assert_eq!(d["steps"][1]["unit"], json!("days"));
        assert_eq!(d["steps"][1]["template"]["name"], json!("offer"));
        assert_eq!(d["exit"]["goal_tag_id"], json!(goal));
        assert_eq!(d["quiet_hours"], json!({"start": "21:00", "end": "08:00"}));
        let page = format!("{list}/{id}");
        let r = b.get(&at).await;
        assert!(r.html.contains("id=\"drip-ok\""));
        assert_eq!(
            r.html.matches("class=\"drip-step\"").count(),
            4,
            "two steps and two blank rows"
        );
        assert!(r.html.contains("id=\"no-subscribers\""));

        // Enrol the contact by phone number; an unknown one is refused.
        let r = b
            .post(
                &format!("{page}/enrol"),
                &[("csrf", &csrf), ("contact", "+1 555 063 9999")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.html);
        let r = b
            .post(
                &format!("{page}/enrol"),
                &[("csrf", &csrf), ("contact", "+1 555 063 1001")],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some(format!("{page}?done=enrolled").as_str()),
            "{}",
            r.html
        );
        let r = b.get(&page).await;
        let subs = attrs(&r.html, "data-status");
        assert_eq!(subs, ["active"]);
        assert!(r.html.contains("Dora"), "{}", r.html);
        let sid = app
            .get(
                &format!("/api/v1/drips/{id}/subscribers"),
                Auth::ApiKey(&t.api_key),
            )
            .await
            .body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let one = format!("{page}/subscribers/{sid}");
        let r = b.get(&one).await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("id=\"no-history\""), "{}", r.html);
        let r = b.post(&format!("{one}/stop"), &[("csrf", &csrf)]).await;
        assert_eq!(
            r.location.as_deref(),
            Some(format!("{page}?done=stopped").as_str())
        );
        let r = b.get(&one).await;
        assert!(r.html.contains("exited (stopped)"), "{}", r.html);
        assert!(!r.html.contains("id=\"stop-subscriber\""));
        let s = app
            .get(
                &format!("/api/v1/drips/{id}/subscribers/{sid}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(s.body["contact_id"], json!(contact));

        // Disable, then delete, from the list.
        let r = b
            .post(
                &format!("{page}/enabled"),
                &[("csrf", &csrf), ("enabled", "false")],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations/drips?done=disabled")
        );
        assert_eq!(attrs(&b.get(list).await.html, "data-enabled"), ["false"]);

        // Agents may not manage them.
        let agent = app.add_user(&t, Role::Agent, "alex").await;
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        assert_eq!(a.get(list).await.status, 403);
        let acsrf = a.get("/app/inbox").await.csrf();
        assert_eq!(
            a.post(&format!("{page}/delete"), &[("csrf", &acsrf)])
                .await
                .status,
            403
        );
        assert_eq!(attrs(&b.get(list).await.html, "data-drip"), [id.as_str()]);

        let r = b.post(&format!("{page}/delete"), &[("csrf", &csrf)]).await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations/drips?done=deleted")
        );
        assert!(b.get(list).await.html.contains("id=\"no-drips\""));
    }
}
