//! Settings → Templates and the thread over plain HTTP, on both engines:
//! the library with its status pills, the authoring form's server-side
//! preview (the page without JavaScript) and its refusals beside the
//! fields, a template's page with values tried and delete, the sync
//! button; in a thread whose window closed, the picker's bubble and a
//! sent template shown as the customer read it.

use super::{library, meta_template};
use crate::channels::{PNID_A, WABA_A, conversations};
use crate::dashboard::client::Browser;
use domain::Role;
use testkit::{WhatsAppTest, each_engine_with_sandbox};

const CUSTOMER: &str = "16505551234";

#[tokio::test]
async fn the_dashboard_authors_previews_and_deletes_templates_and_threads_show_them() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("tpl-pages").await;
        let channel = wa.connect_number(&t, PNID_A, WABA_A).await;
        meta_template(
            &wa,
            "order_ready",
            "APPROVED",
            "Hi {{1}}, order {{2}} is ready.",
        );
        wa.drain().await;
        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;

        let page = b.get("/app/settings/templates").await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains(">order_ready</a>"), "{}", page.html);
        assert!(page.html.contains("pill tpl-approved"));

        // Without JavaScript, "Preview" draws the bubble on the server and
        // adds an example field per parameter.
        let csrf = b.get("/app/settings/templates/new").await.csrf();
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("channel", channel.as_str()),
            ("name", "welcome_note"),
            ("language", "en_US"),
            ("category", "marketing"),
            ("parameter_format", "positional"),
            ("header_format", "text"),
            ("header_text", "Welcome!"),
            ("body", "Hello {{1}}, welcome to {{2}}."),
            ("footer", "Acme Inc."),
            ("button_type_0", "quick_reply"),
            ("button_text_0", "Stop promotions"),
            ("action", "preview"),
        ];
        let page = b.post("/app/settings/templates/new", &form).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("name=\"example_1\""), "{}", page.html);
        assert!(page.html.contains("name=\"example_2\""));
        assert!(page.html.contains("Hello {{1}}, welcome to {{2}}.</p>"));
        form.extend([("example_1", "Ana"), ("example_2", "Acme")]);
        let page = b.post("/app/settings/templates/new", &form).await;
        assert!(
            page.html.contains(">Hello Ana, welcome to Acme.</p>"),
            "{}",
            page.html
        );
        assert!(page.html.contains(">Welcome!</p>") && page.html.contains(">Stop promotions</li>"));

        // Meta's rules, beside the fields, the form kept.
        let mut bad = form.clone();
        bad.retain(|(k, _)| *k != "action" && *k != "name");
        bad.extend([("name", "Welcome Note"), ("action", "submit")]);
        let page = b.post("/app/settings/templates/new", &bad).await;
        assert_eq!(page.status, 422);
        assert!(page.html.contains("data-field=\"name\""), "{}", page.html);
        assert!(page.html.contains("value=\"Welcome Note\""));
        assert!(
            wa.sandbox.templates(Some(WABA_A)).len() == 1,
            "Meta saw nothing"
        );

        let mut good = form.clone();
        good.retain(|(k, _)| *k != "action");
        good.push(("action", "submit"));
        let r = b.post("/app/settings/templates/new", &good).await;
        assert_eq!(r.status, 303, "{}", r.html);
        let at = r.location.unwrap();
        assert!(at.starts_with("/app/settings/templates/"), "{at}");
        assert!(
            wa.sandbox
                .templates(Some(WABA_A))
                .iter()
                .any(|m| m.name == "welcome_note")
        );
        let page = b.get(&at).await;
        assert!(page.html.contains("tpl-pending"), "{}", page.html);
        assert!(page.html.contains(">Hello Ana, welcome to Acme.</p>"));
        let page = b.get(&format!("{at}?var_1=Rita")).await;
        assert!(
            page.html.contains(">Hello Rita, welcome to Acme.</p>"),
            "{}",
            page.html
        );

        let csrf = page.csrf();
        let r = b
            .post(
                "/app/settings/templates/sync",
                &[("csrf", csrf.as_str()), ("waba", "")],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = b.get(r.location.as_deref().unwrap()).await;
        assert!(page.html.contains("id=\"templates-ok\""), "{}", page.html);
        let r = b
            .post(&format!("{at}/delete"), &[("csrf", csrf.as_str())])
            .await;
        assert_eq!(r.status, 303);
        assert!(
            !wa.sandbox
                .templates(Some(WABA_A))
                .iter()
                .any(|m| m.name == "welcome_note")
        );
        assert_eq!(library(&wa, &t, "").await.len(), 1);

        // An agent reads the library but does not author.
        let agent = wa.add_user(&t, Role::Agent, "agent").await;
        let mut a = Browser::sign_in(&wa, &t.slug, &agent.email, &agent.password).await;
        let page = a.get("/app/settings/templates").await;
        assert_eq!(page.status, 200);
        assert!(!page.html.contains("id=\"new-template\""));
        assert_eq!(a.get("/app/settings/templates/new").await.status, 403);

        // A thread whose window closed offers the template with its bubble;
        // what was sent shows as the customer read it.
        wa.sandbox
            .send_text(PNID_A, CUSTOMER, "Is my order ready?")
            .unwrap();
        wa.eventually("the customer's message arrives", || async {
            !conversations(&wa, &t).await.is_empty()
        })
        .await;
        let conv = conversations(&wa, &t).await[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        wa.advance(25 * 3600);
        let page = b.get(&format!("/app/inbox/{conv}")).await;
        assert!(
            page.html.contains("data-name=\"order_ready\""),
            "{}",
            page.html
        );
        assert!(page.html.contains(">Hi Ana, order #1042 is ready.</p>"));
        assert!(page.html.contains("name=\"var_2\""));
        let template_id = library(&wa, &t, "").await[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let csrf = page.csrf();
        let r = b
            .post(
                &format!("/app/inbox/{conv}/template"),
                &[
                    ("csrf", csrf.as_str()),
                    ("template_id", template_id.as_str()),
                    ("var_1", "Rita"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "a missing value is refused beside the box");
        assert!(r.html.contains("values.body.2"), "{}", r.html);
        let r = b
            .post(
                &format!("/app/inbox/{conv}/template"),
                &[
                    ("csrf", csrf.as_str()),
                    ("template_id", template_id.as_str()),
                    ("var_1", "Rita"),
                    ("var_2", "#77"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        wa.drain().await;
        let sent = wa.sandbox.received(PNID_A, CUSTOMER);
        assert!(format!("{sent:?}").contains("#77"), "{sent:?}");
        let page = b.get(&format!("/app/inbox/{conv}")).await;
        assert!(page.html.contains("data-template-message"), "{}", page.html);
        assert!(page.html.contains(">Hi Rita, order #77 is ready.</p>"));
        wa.stop().await;
    })
    .await;
}
