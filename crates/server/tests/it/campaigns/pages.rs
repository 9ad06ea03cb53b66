//! The campaign pages over plain HTTP, on both engines: the two-step form
//! (a value per template parameter, tags as the audience, a refusal
//! beside the form), the campaign page's buttons (start, pause, resume)
//! and its figures and recipients, the list; and what an agent may see.

use super::{PNID, WABA, contact, offer_template};
use crate::dashboard::client::Browser;
use domain::Role;
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

#[tokio::test]
async fn the_dashboard_creates_starts_pauses_and_resumes_a_campaign() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let app = &wa.app;
        let t = wa.create_tenant("camp-pages").await;
        let channel = wa.connect_number(&t, PNID, WABA).await;
        let template = offer_template(app, &t, Some(&wa)).await;
        let vip = crate::crm_tags::tag(app, &t, "VIP", "#e11d48").await;
        for i in 0..3 {
            let id = contact(
                app,
                &t,
                &format!("+1555030{i:04}"),
                Some(&format!("Guest {i}")),
            )
            .await;
            let r = app
                .put(
                    &format!("/api/v1/contacts/{id}/tags/{vip}"),
                    Auth::ApiKey(&t.api_key),
                    json!({}),
                )
                .await;
            assert_eq!(r.status, 204);
        }
        let mut b = Browser::sign_in(app, &t.slug, &t.owner.email, &t.owner.password).await;
        let list = b.get("/app/campaigns").await;
        assert!(list.html.contains("No campaigns yet"));
        let step = b
            .get(&format!(
                "/app/campaigns/new?name=Winter&channel={channel}&template={template}"
            ))
            .await;
        assert_eq!(step.status, 200);
        assert!(
            step.html.contains("name=\"var_1\"") && step.html.contains("name=\"var_2\""),
            "{}",
            step.html
        );
        let csrf = step.csrf();
        let base = [
            ("csrf", csrf.as_str()),
            ("name", "Winter"),
            ("channel", channel.as_str()),
            ("template", template.as_str()),
            ("var_1", "{{contact.first_name}}"),
            ("fallback_1", "there"),
            ("audience", "tags"),
            ("tag", vip.as_str()),
        ];
        // A parameter left empty is refused beside the form, kept typed.
        let r = b.post("/app/campaigns", &base).await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(r.html.contains("id=\"campaign-error\""));
        assert!(r.html.contains("value=\"there\""), "what was typed stays");
        let mut full = base.to_vec();
        full.push(("var_2", "20%"));
        let r = b.post("/app/campaigns", &full).await;
        assert_eq!(r.status, 303, "{}", r.html);
        let page_url = r.location.clone().unwrap();
        let id = page_url.rsplit('/').next().unwrap().to_owned();
        let page = b.get(&page_url).await;
        assert!(page.html.contains("id=\"start-campaign\""));

        let r = action(&mut b, &id, &csrf, "start").await;
        assert_eq!(r.status, 303, "{}", r.html);
        let r = action(&mut b, &id, &csrf, "pause").await;
        assert_eq!(r.status, 303, "{}", r.html);
        let page = b.get(&page_url).await;
        assert!(
            page.html.contains("id=\"campaign-status\">paused<"),
            "{}",
            page.html
        );
        assert!(
            page.html.contains("<dd id=\"stat-pending\">3</dd>"),
            "paused before any round"
        );
        let r = action(&mut b, &id, &csrf, "pause").await;
        assert_eq!(r.status, 409, "refused beside the page");
        assert!(r.html.contains("cannot be paused"));
        assert_eq!(action(&mut b, &id, &csrf, "resume").await.status, 303);
        app.drain().await;
        let page = b.get(&page_url).await;
        assert!(
            page.html.contains("id=\"campaign-status\">finished<"),
            "{}",
            page.html
        );
        assert!(page.html.contains("<dd id=\"stat-pending\">0</dd>"));
        assert_eq!(
            page.html.matches("<tr><td>Guest").count(),
            3,
            "{}",
            page.html
        );
        assert_eq!(wa.sandbox.outbound(Some(PNID)).len(), 3);
        let list = b.get("/app/campaigns").await;
        assert!(list.html.contains(&format!("data-campaign=\"{id}\"")));

        // An agent sees campaigns, without the buttons.
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let mut a = Browser::sign_in(app, &t.slug, &agent.email, &agent.password).await;
        let page = a.get(&page_url).await;
        assert_eq!(page.status, 200);
        assert!(!page.html.contains("id=\"campaign-actions\""));
        let r = a.get("/app/campaigns/new").await;
        assert_eq!(r.status, 403);
        wa.stop().await;
    })
    .await;
}

/// Posts the campaign page's `action` button.
async fn action(
    b: &mut Browser,
    id: &str,
    csrf: &str,
    action: &str,
) -> crate::dashboard::client::Page {
    b.post(
        &format!("/app/campaigns/{id}/action"),
        &[("csrf", csrf), ("action", action)],
    )
    .await
}
