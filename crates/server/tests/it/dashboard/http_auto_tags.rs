//! The auto-tag rules' tab of Automations over plain HTTP, on both
//! engines: add, refuse (kept as typed), disable, move and delete, and
//! agents refused.

use super::client::{Browser, Page, attrs};
use domain::Role;
use serde_json::json;
use testkit::{Auth, TestApp, engines};

/// Posts the new auto-tag rule form.
async fn add_rule(b: &mut Browser, csrf: &str, fields: &[(&str, &str)]) -> Page {
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    b.post("/app/automations/auto-tag-rules", &form).await
}

#[tokio::test]
async fn dashboard_auto_tag_rules_add_refuse_toggle_move_and_delete() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("dash-auto-tags").await;
        let vip = crate::crm_tags::tag(&app, &t, "VIP", "#e11d48").await;
        let lead = crate::crm_tags::tag(&app, &t, "Lead", "#0891b2").await;
        let page = "/app/automations/auto-tag-rules";
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get(page).await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("id=\"no-auto-tag-rules\""), "{}", r.html);
        assert!(
            r.html
                .contains("href=\"/app/automations/auto-tag-rules\" aria-current=\"page\""),
            "the tab"
        );
        assert!(r.html.contains(&format!("<option value=\"{vip}\"")));
        let csrf = r.csrf();

        // A message rule through the form.
        let r = add_rule(
            &mut b,
            &csrf,
            &[
                ("name", "Pricing"),
                ("tag_id", &vip),
                ("on", "message"),
                ("keywords", "price, how much"),
                ("pattern", ""),
                ("stop", "true"),
                ("enabled", "true"),
            ],
        )
        .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations/auto-tag-rules?done=created"),
            "{}",
            r.html
        );
        let r = b.get("/app/automations/auto-tag-rules?done=created").await;
        assert!(r.html.contains("id=\"auto-tag-rules-ok\""));
        let ids = attrs(&r.html, "data-rule");
        assert_eq!(ids.len(), 1);
        let pricing = ids[0].clone();
        assert_eq!(attrs(&r.html, "data-enabled"), ["true"]);
        assert!(
            r.html.contains("message: keywords “price”, “how much”"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<td class=\"tag\">VIP</td>"));
        assert!(r.html.contains("<td class=\"stop\">yes</td>"));
        assert!(r.html.contains("<td class=\"matches\">0</td>"));
        let api = app
            .get(
                &format!("/api/v1/auto-tag-rules/{pricing}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(
            api.body["matcher"],
            json!({"on": "message", "keywords": ["price", "how much"], "pattern": null})
        );
        assert_eq!(api.body["stop"], json!(true));

        // Refused: neither keywords nor a pattern; the reason beside them,
        // the form as typed.
        let r = add_rule(
            &mut b,
            &csrf,
            &[
                ("name", "Empty"),
                ("tag_id", &lead),
                ("on", "message"),
                ("keywords", " , "),
                ("pattern", ""),
            ],
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(
            r.html.contains(
                "<p class=\"field-error\" data-field=\"keywords\">give keywords or a pattern</p>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("id=\"auto-tag-rules-error\""));
        assert!(r.html.contains("value=\"Empty\""));
        assert!(
            r.html
                .contains(&format!("<option value=\"{lead}\" selected"))
        );
        assert!(
            !r.html.contains("name=\"enabled\" value=\"true\" checked"),
            "unticked stays unticked"
        );
        // Conditions that are not JSON, and a taken name (409).
        let r = add_rule(
            &mut b,
            &csrf,
            &[
                ("name", "Pro"),
                ("tag_id", &lead),
                ("on", "contact"),
                ("conditions", "[{"),
            ],
        )
        .await;
        assert_eq!(r.status, 422);
        assert!(
            r.html
                .contains("data-field=\"conditions\">not a list of conditions"),
            "{}",
            r.html
        );
        assert!(r.html.contains("[{</textarea>"));
        let r = add_rule(
            &mut b,
            &csrf,
            &[
                ("name", "pricing"),
                ("tag_id", &lead),
                ("keywords", "x"),
                ("on", "message"),
            ],
        )
        .await;
        assert_eq!(r.status, 409, "{}", r.html);
        assert!(r.html.contains("another auto-tag rule has this name"));
        assert_eq!(
            attrs(&b.get(page).await.html, "data-rule"),
            [pricing.as_str()]
        );

        // Disable it.
        let r = b
            .post(
                &format!("{page}/{pricing}/enabled"),
                &[("csrf", &csrf), ("enabled", "false")],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations/auto-tag-rules?done=disabled")
        );
        assert_eq!(attrs(&b.get(page).await.html, "data-enabled"), ["false"]);

        // A second rule (a contact rule) goes last; moved above the first.
        let r = add_rule(
            &mut b,
            &csrf,
            &[
                ("name", "Pro plan"),
                ("tag_id", &lead),
                ("on", "contact"),
                ("conditions", r#"[{"type":"has_tag","tag_id":"VIP"}]"#),
                ("enabled", "true"),
            ],
        )
        .await;
        assert_eq!(r.status, 422, "a tag given by name: {}", r.html);
        let conditions = format!(r#"[{{"type":"has_tag","tag_id":"{vip}"}}]"#);
        let r = add_rule(
            &mut b,
            &csrf,
            &[
                ("name", "Pro plan"),
                ("tag_id", &lead),
                ("on", "contact"),
                ("conditions", &conditions),
                ("enabled", "true"),
            ],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let r = b.get(page).await;
        let ids = attrs(&r.html, "data-rule");
        assert_eq!(ids[0], pricing);
        let pro = ids[1].clone();
        assert!(r.html.contains("contact: 1 condition"), "{}", r.html);
        let r = b
            .post(
                &format!("{page}/{pro}/move"),
                &[("csrf", &csrf), ("direction", "up")],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations/auto-tag-rules?done=moved")
        );
        assert_eq!(
            attrs(&b.get(page).await.html, "data-rule"),
            [pro.as_str(), pricing.as_str()]
        );
        let listed = app
            .get("/api/v1/auto-tag-rules", Auth::ApiKey(&t.api_key))
            .await;
        let order: Vec<&str> = listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(order, [pro.as_str(), pricing.as_str()], "the order applied");
        // Moving the first up changes nothing; down puts it back.
        let r = b
            .post(
                &format!("{page}/{pro}/move"),
                &[("csrf", &csrf), ("direction", "up")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(
            attrs(&b.get(page).await.html, "data-rule"),
            [pro.as_str(), pricing.as_str()]
        );
        b.post(
            &format!("{page}/{pro}/move"),
            &[("csrf", &csrf), ("direction", "down")],
        )
        .await;
        assert_eq!(
            attrs(&b.get(page).await.html, "data-rule"),
            [pricing.as_str(), pro.as_str()]
        );

        // Delete the first.
        let r = b
            .post(&format!("{page}/{pricing}/delete"), &[("csrf", &csrf)])
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations/auto-tag-rules?done=deleted")
        );
        assert_eq!(attrs(&b.get(page).await.html, "data-rule"), [pro.as_str()]);
        let gone = app
            .get(
                &format!("/api/v1/auto-tag-rules/{pricing}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(gone.status, 404);

        // Agents may not manage them.
        let agent = app.add_user(&t, Role::Agent, "alex").await;
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        let r = a.get(page).await;
        assert_eq!(r.status, 403);
        assert!(r.html.contains("campaigns:manage"), "{}", r.html);
        let csrf = a.get("/app/inbox").await.csrf();
        for (path, form) in [
            (
                format!("{page}/{pro}/delete"),
                vec![("csrf", csrf.as_str())],
            ),
            (
                format!("{page}/{pro}/move"),
                vec![("csrf", csrf.as_str()), ("direction", "down")],
            ),
            (
                page.to_owned(),
                vec![
                    ("csrf", csrf.as_str()),
                    ("name", "Sneaky"),
                    ("keywords", "x"),
                ],
            ),
        ] {
            assert_eq!(a.post(&path, &form).await.status, 403, "{path}");
        }
        assert_eq!(attrs(&b.get(page).await.html, "data-rule"), [pro.as_str()]);
    }
}
