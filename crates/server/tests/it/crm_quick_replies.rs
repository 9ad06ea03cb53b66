//! Quick replies through the API, on both engines: the catalogue (unique
//! shortcuts, validated fields, who may change it, events and audit
//! entries) and filling one in for a conversation from its contact and the
//! calling agent, with the placeholders left empty reported.

use crate::crm_tags::{conversation, event_names};
use crate::dashboard::client::Browser;
use domain::Role;
use sandbox::CustomerProfile;
use serde_json::json;
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine, each_engine_with_sandbox};

/// Gives `t` one of each thing this area makes, so the cross-tenant walk
/// (isolation.rs) probes its routes with real ids: a quick reply (the
/// conversation it is filled in for comes from crm_tags' seed).
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let r = app
        .post(
            "/api/v1/quick-replies",
            Auth::Bearer(&t.owner.token),
            json!({ "shortcut": "seed", "title": "Seeded", "body": "Hi {{contact.name}}" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[tokio::test]
async fn the_quick_reply_catalogue_has_unique_shortcuts_and_belongs_to_admins() {
    each_engine(|app| async move {
        let t = app.create_tenant("qr-catalogue").await;
        let owner = Auth::Bearer(&t.owner.token);
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let r = app
            .post(
                "/api/v1/quick-replies",
                owner,
                json!({ "shortcut": "hours", "title": " Opening hours ",
                        "body": "We are open 9 to 5.\r\nSee you!" }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["title"], json!("Opening hours"));
        assert_eq!(r.body["body"], json!("We are open 9 to 5.\nSee you!"));
        let id = r.body["id"].as_str().unwrap().to_owned();

        let r = app
            .post(
                "/api/v1/quick-replies",
                owner,
                json!({ "shortcut": "hours", "title": "Again", "body": "x" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (409, "quick_reply_shortcut_taken"));
        for bad in [
            json!({ "shortcut": "Hours", "title": "t", "body": "b" }),
            json!({ "shortcut": "two words", "title": "t", "body": "b" }),
            json!({ "shortcut": "s".repeat(33), "title": "t", "body": "b" }),
            json!({ "shortcut": "ok", "title": "  ", "body": "b" }),
            json!({ "shortcut": "ok", "title": "t", "body": "b".repeat(4097) }),
            json!({ "shortcut": "ok", "title": "t" }),
        ] {
            let r = app.post("/api/v1/quick-replies", owner, bad.clone()).await;
            assert_eq!(r.status, 422, "{bad}: {}", r.body);
        }
        let r = app
            .post(
                "/api/v1/quick-replies",
                owner,
                json!({ "shortcut": "long", "title": "t", "body": "é".repeat(4096) }),
            )
            .await;
        assert_eq!(r.status, 201, "4,096 characters fit");

        // Agents list and read them but do not change them.
        let a = Auth::Bearer(&agent.token);
        let r = app.get("/api/v1/quick-replies", a).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
        assert_eq!(
            app.get(&format!("/api/v1/quick-replies/{id}"), a)
                .await
                .status,
            200
        );
        let r = app
            .post(
                "/api/v1/quick-replies",
                a,
                json!({ "shortcut": "mine", "title": "t", "body": "b" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        let r = app.delete(&format!("/api/v1/quick-replies/{id}"), a).await;
        assert_eq!(r.status, 403);

        let r = app
            .patch(
                &format!("/api/v1/quick-replies/{id}"),
                owner,
                json!({ "shortcut": "long" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (409, "quick_reply_shortcut_taken"));
        let r = app
            .patch(
                &format!("/api/v1/quick-replies/{id}"),
                owner,
                json!({ "shortcut": "opening-hours", "body": "Open 9 to 6." }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["shortcut"], json!("opening-hours"));
        assert_eq!(r.body["title"], json!("Opening hours"), "kept");
        assert_eq!(
            app.delete(&format!("/api/v1/quick-replies/{id}"), owner)
                .await
                .status,
            204
        );
        assert_eq!(
            app.get(&format!("/api/v1/quick-replies/{id}"), owner)
                .await
                .status,
            404
        );

        let names = event_names(&app, &t).await;
        let qr: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| n.starts_with("quick_reply."))
            .collect();
        assert_eq!(
            qr,
            [
                "quick_reply.created",
                "quick_reply.created",
                "quick_reply.updated",
                "quick_reply.deleted"
            ]
        );
        let audit = app.get("/api/v1/audit-log?action=quick_reply", owner).await;
        assert_eq!(
            audit.body["items"][0]["action"],
            json!("quick_reply.delete")
        );
        assert_eq!(audit.body["items"].as_array().unwrap().len(), 4);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_quick_reply_is_filled_in_for_a_conversation_and_reports_what_stayed_empty() {
    each_engine(|app| async move {
        let t = app.create_tenant("qr-render").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        let (_, conv) = conversation(
            &app,
            &t,
            "16505550101",
            "Ana Souza",
            json!({ "plan": "gold", "seats": 3 }),
        )
        .await;
        let r = app
            .post(
                "/api/v1/quick-replies",
                Auth::Bearer(&t.owner.token),
                json!({ "shortcut": "welcome", "title": "Welcome",
                        "body": "Hi {{contact.first_name}}, {{ agent.name }} here. Plan: {{contact.plan}} \
                                 ({{contact.seats}} seats).{{contact.shoe_size}}{{nonsense}} Call {{contact.phone}}." }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();

        let path = format!("/api/v1/conversations/{conv}/quick-replies/{id}");
        let r = app.get(&path, Auth::Bearer(&agent.token)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.body["text"],
            json!("Hi Ana, Test User here. Plan: gold (3 seats). Call +16505550101.")
        );
        assert_eq!(r.body["unresolved"], json!(["contact.shoe_size", "nonsense"]));
        assert_eq!(r.body["shortcut"], json!("welcome"));

        // An API key is no agent: its name stays empty, and says so.
        let r = app.get(&path, Auth::ApiKey(&t.api_key)).await;
        assert_eq!(r.status, 200);
        assert!(r.body["text"].as_str().unwrap().starts_with("Hi Ana,  here."));
        assert_eq!(
            r.body["unresolved"],
            json!(["agent.name", "contact.shoe_size", "nonsense"])
        );

        // Reading is enough; every reply at once for the composer.
        let all = app
            .get(&format!("/api/v1/conversations/{conv}/quick-replies"), Auth::Bearer(&viewer.token))
            .await;
        assert_eq!(all.status, 200);
        assert_eq!(all.body["items"][0]["id"], json!(id));
        assert_eq!(all.body["next_cursor"], json!(null));

        let nobody = uuid::Uuid::now_v7();
        let r = app
            .get(&format!("/api/v1/conversations/{nobody}/quick-replies/{id}"), Auth::Bearer(&agent.token))
            .await;
        assert_eq!(r.status, 404);
        let r = app
            .get(&format!("/api/v1/conversations/{conv}/quick-replies/{nobody}"), Auth::Bearer(&agent.token))
            .await;
        assert_eq!(r.status, 404);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn without_javascript_insert_puts_the_filled_in_reply_in_the_box() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("qr-nojs").await;
        wa.connect_number(&t, "106540352242922", "102290129340398")
            .await;
        wa.sandbox.set_customer(
            "16505557001",
            CustomerProfile {
                name: "Ana Customer".into(),
                ..CustomerProfile::default()
            },
        );
        wa.sandbox
            .send_text("106540352242922", "16505557001", "hi")
            .unwrap();
        let list = || async {
            wa.get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
                .await
                .body
        };
        wa.eventually("the message arrives", || async {
            list().await["items"]
                .as_array()
                .is_some_and(|i| !i.is_empty())
        })
        .await;
        let conv = list().await["items"][0]["id"].as_str().unwrap().to_owned();

        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get(&format!("/app/inbox/{conv}")).await;
        assert!(
            !page.html.contains("id=\"qr-select\""),
            "none yet, no select"
        );
        let csrf = page.csrf();
        let form = [
            ("csrf", csrf.as_str()),
            ("shortcut", "hi"),
            ("title", "Greeting"),
            ("body", "Hi {{contact.name}} & welcome!"),
        ];
        let r = b.post("/app/settings/quick-replies", &form).await;
        assert_eq!(r.status, 303, "{}", r.html);
        let r = b.post("/app/settings/quick-replies", &form).await;
        assert_eq!(r.status, 409);
        assert!(r.html.contains("id=\"quick-reply-error\""));
        let page = b.get("/app/settings/quick-replies").await;
        assert!(page.html.contains("/hi</code>"));
        let id = wa
            .get("/api/v1/quick-replies", Auth::ApiKey(&t.api_key))
            .await
            .body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // The thread carries every reply filled in, for the script.
        let page = b.get(&format!("/app/inbox/{conv}")).await;
        assert!(page.html.contains("id=\"qr-select\""));
        assert!(
            page.html
                .contains("data-text=\"Hi Ana Customer &#38; welcome!\""),
            "{}",
            page.html
        );
        // Insert without the script: the thread again, the text in the box.
        let page = b
            .get(&format!("/app/inbox/{conv}?status=open&qr={id}"))
            .await;
        assert_eq!(page.status, 200);
        assert!(
            page.html
                .contains(">Hi Ana Customer &#38; welcome!</textarea>"),
            "{}",
            page.html
        );
        // Sent as it stands.
        let r = b
            .post(
                &format!("/app/inbox/{conv}/reply"),
                &[("csrf", &csrf), ("text", "Hi Ana Customer & welcome!")],
            )
            .await;
        assert_eq!(r.status, 303);
        wa.stop().await;
    })
    .await;
}
