//! The inbox over plain HTTP, on both engines: replies go through the
//! API's send rules (refusals shown beside the reply box), conversation
//! actions, filters, and the embedded assets.

use super::client::Browser;
use domain::Role;
use serde_json::json;
use testkit::{Auth, TestApp, WhatsAppTest, each_engine, each_engine_with_sandbox};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const CUSTOMER: &str = "16505557000";

#[tokio::test]
async fn dashboard_replies_obey_the_window_and_actions_change_the_conversation() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("dash-reply").await;
        let viewer = wa.add_user(&t, Role::Viewer, "vic").await;
        wa.connect_number(&t, PNID, WABA).await;
        wa.sandbox
            .send_text(PNID, CUSTOMER, "where is my parcel?")
            .unwrap();
        wa.eventually("the message arrives", || async {
            let r = wa
                .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
                .await;
            r.body["items"].as_array().is_some_and(|i| !i.is_empty())
        })
        .await;
        let r = wa
            .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
            .await;
        let id = r.body["items"][0]["id"].as_str().unwrap().to_owned();
        let api = |path: String| {
            let wa = &wa;
            let key = t.api_key.clone();
            async move { wa.get(&path, Auth::ApiKey(&key)).await.body }
        };

        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get(&format!("/app/inbox/{id}")).await;
        assert_eq!(page.status, 200);
        assert_eq!(
            api(format!("/api/v1/conversations/{id}")).await["unread_count"],
            json!(0),
            "opening it marks it read"
        );
        let csrf = page.csrf();
        let r = b
            .post(
                &format!("/app/inbox/{id}/reply"),
                &[("csrf", &csrf), ("text", "On its way!")],
            )
            .await;
        assert_eq!(
            (r.status, r.location.clone()),
            (303, Some(format!("/app/inbox/{id}#composer")))
        );
        let msgs = api(format!("/api/v1/conversations/{id}/messages")).await;
        assert_eq!(
            msgs["items"][0]["content"]["text"]["body"],
            json!("On its way!"),
            "queued like an API send"
        );

        // Outside the window the same rule as the API refuses, beside the box.
        wa.advance(25 * 3600);
        let r = b
            .post(
                &format!("/app/inbox/{id}/reply"),
                &[("csrf", &csrf), ("text", "Hello?")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains("id=\"flash\"") && r.html.contains("only templates may be sent"),
            "{}",
            r.html
        );
        let msgs = api(format!("/api/v1/conversations/{id}/messages")).await;
        assert_eq!(
            msgs["items"].as_array().unwrap().len(),
            2,
            "nothing more was queued"
        );

        // Assign, resolve, filter, reopen.
        let act = |action: &'static str| [("csrf", csrf.clone()), ("action", action.to_owned())];
        for (action, check) in [("assign_me", "assigned"), ("resolve", "resolved")] {
            let form = act(action);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = b.post(&format!("/app/inbox/{id}/update"), &form).await;
            assert_eq!(r.status, 303, "{action}: {}", r.html);
            let c = api(format!("/api/v1/conversations/{id}")).await;
            match check {
                "assigned" => assert_eq!(c["assigned_user_id"], json!(t.owner.id)),
                _ => assert_eq!(c["status"], json!("resolved")),
            }
        }
        assert!(
            !b.get("/app/inbox")
                .await
                .html
                .contains(&format!("data-id=\"{id}\"")),
            "not among open ones"
        );
        assert!(
            b.get("/app/inbox?status=resolved")
                .await
                .html
                .contains(&format!("data-id=\"{id}\""))
        );
        assert!(
            b.get("/app/inbox?status=all&assigned=me")
                .await
                .html
                .contains(&format!("data-id=\"{id}\""))
        );
        assert!(
            !b.get("/app/inbox?status=all&assigned=none")
                .await
                .html
                .contains(&format!("data-id=\"{id}\""))
        );
        assert!(
            b.get("/app/inbox?status=all&q=7000")
                .await
                .html
                .contains(&format!("data-id=\"{id}\"")),
            "search by number"
        );
        assert!(
            !b.get("/app/inbox?status=all&q=nobody")
                .await
                .html
                .contains(&format!("data-id=\"{id}\""))
        );
        let form = act("reopen");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            b.post(&format!("/app/inbox/{id}/update"), &form)
                .await
                .status,
            303
        );
        assert_eq!(
            api(format!("/api/v1/conversations/{id}")).await["status"],
            json!("open")
        );

        // A viewer reads but cannot act.
        let mut v = Browser::sign_in(&wa, &t.slug, &viewer.email, &viewer.password).await;
        let page = v.get(&format!("/app/inbox/{id}")).await;
        assert!(page.html.contains("can read conversations but not reply"));
        let csrf = page.csrf();
        for path in ["reply", "update"] {
            let r = v
                .post(
                    &format!("/app/inbox/{id}/{path}"),
                    &[("csrf", &csrf), ("text", "x"), ("action", "resolve")],
                )
                .await;
            assert_eq!(r.status, 403, "{path}");
        }
        wa.drain().await;
        assert_eq!(
            wa.sandbox.received(PNID, CUSTOMER).len(),
            1,
            "only the reply inside the window went out"
        );
    })
    .await;
}

#[tokio::test]
async fn dashboard_assets_are_embedded_and_cacheable() {
    each_engine(|app: TestApp| async move {
        let mut b = Browser::new(&app);
        for (name, mime) in [
            ("app.css", "text/css"),
            ("app.js", "text/javascript"),
            ("icon.svg", "image/svg+xml"),
        ] {
            let r = b.get(&format!("/app/assets/{name}")).await;
            assert_eq!(r.status, 200, "{name}");
            assert!(
                r.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with(mime)
            );
            assert!(
                r.headers["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("max-age")
            );
            let etag = r.headers["etag"].to_str().unwrap().to_owned();
            let again = b
                .http_get_with(&format!("/app/assets/{name}"), ("if-none-match", &etag))
                .await;
            assert_eq!(again, 304, "{name} revalidates");
        }
        assert_eq!(b.get("/app/assets/nothing.js").await.status, 404);
    })
    .await;
}
