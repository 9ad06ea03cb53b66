//! Dashboard pages over plain HTTP, on both engines: redirects, CSRF,
//! the CSP, permissions, tenant isolation and suspension.

use super::client::Browser;
use domain::Role;
use serde_json::json;
use testkit::{Auth, TestApp, WhatsAppTest, each_engine, each_engine_with_sandbox};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";

#[tokio::test]
async fn dashboard_redirects_to_login_or_inbox() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-redirect").await;
        let mut anon = Browser::new(&app);
        let r = anon.get("/").await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/app")));
        let r = anon.get("/app").await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/app/login")));
        let r = anon.get("/app/inbox").await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/login")),
            "signed-out pages send you to sign in"
        );

        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get("/app").await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/app/inbox")));
        let r = b.get("/app/inbox").await;
        assert_eq!(r.status, 200);
        assert!(
            r.html.contains("No WhatsApp number is connected yet"),
            "the empty inbox says what to do next"
        );
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(
            !r.html.contains("<script>") && !r.html.contains("style="),
            "no inline script or style"
        );

        let mut bad = Browser::new(&app);
        let page = bad.get("/app/login").await;
        let csrf = page.csrf();
        let r = bad
            .post(
                "/app/login",
                &[
                    ("csrf", &csrf),
                    ("tenant", &t.slug),
                    ("email", &t.owner.email),
                    ("password", "wrong"),
                ],
            )
            .await;
        assert_eq!(r.status, 401);
        assert!(
            r.html.contains("wrong tenant, email or password"),
            "{}",
            r.html
        );
    })
    .await;
}

#[tokio::test]
async fn dashboard_forms_without_their_csrf_token_are_refused() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-csrf").await;
        // The login form itself: no token (a cross-site POST) is 403.
        let mut anon = Browser::new(&app);
        let r = anon
            .post(
                "/app/login",
                &[
                    ("tenant", &t.slug),
                    ("email", &t.owner.email),
                    ("password", &t.owner.password),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.html);
        assert!(!anon.cookies.contains_key("sb_session"));

        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get("/app/settings/api-keys").await;
        assert_eq!(page.status, 200);
        let token = page.csrf();
        for csrf in ["", "forged", &format!("{token}x")] {
            let r = b
                .post(
                    "/app/settings/api-keys",
                    &[("csrf", csrf), ("name", "sneaky")],
                )
                .await;
            assert_eq!(r.status, 403, "token {csrf:?}: {}", r.html);
        }
        let r = b.post("/app/logout", &[]).await;
        assert_eq!(r.status, 403, "signing out needs the token too");
        let r = app
            .get("/api/v1/api-keys", Auth::Bearer(&t.owner.token))
            .await;
        assert!(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|k| k["name"] != json!("sneaky")),
            "no key was made"
        );

        // Another session's token is not this session's.
        let mut other = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = other
            .post(
                "/app/settings/api-keys",
                &[("csrf", &token), ("name", "sneaky")],
            )
            .await;
        assert_eq!(r.status, 403);

        let r = b
            .post(
                "/app/settings/api-keys",
                &[("csrf", &token), ("name", "ok key")],
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("sbk_"), "the new key is shown");
        let r = b.post("/app/logout", &[("csrf", &token)]).await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/app/login")));
        let r = b.get("/app/inbox").await;
        assert_eq!(r.status, 303, "the session is over");
    })
    .await;
}

#[tokio::test]
async fn dashboard_follows_the_permission_matrix() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-perms").await;
        let viewer = app.add_user(&t, Role::Viewer, "vera").await;
        let agent = app.add_user(&t, Role::Agent, "alex").await;

        let mut v = Browser::sign_in(&app, &t.slug, &viewer.email, &viewer.password).await;
        assert_eq!(v.get("/app/inbox").await.status, 200);
        assert_eq!(v.get("/app/contacts").await.status, 200);
        for page in ["/app/settings/api-keys", "/app/settings/audit"] {
            assert_eq!(v.get(page).await.status, 403, "{page}");
        }
        let r = v.get("/app/settings/api-keys").await;
        assert_eq!(r.status, 403);
        assert!(
            r.html.contains("api_keys:manage"),
            "the page names the missing permission: {}",
            r.html
        );
        // Settings is everyone's (their own security, health, activity);
        // its menu offers only the pages the role may open.
        let inbox = v.get("/app/inbox").await;
        assert!(
            inbox.html.contains("href=\"/app/settings\""),
            "{}",
            inbox.html
        );
        let health = v.get("/app/settings/health").await;
        assert_eq!(health.status, 200);
        for (link, shown) in [
            ("/app/settings/security", true),
            ("/app/settings/activity", true),
            ("/app/settings/team", true),
            ("/app/settings/api-keys", false),
            ("/app/settings/audit", false),
            ("/app/settings/webhooks", false),
        ] {
            let href = format!("href=\"{link}\"");
            assert_eq!(health.html.contains(&href), shown, "{link}");
        }

        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        let team = a.get("/app/settings/team").await;
        assert_eq!(team.status, 200, "agents see the team");
        assert!(!team.html.contains("id=\"invite\""), "but cannot invite");
        let csrf = team.csrf();
        let r = a
            .post(
                "/app/settings/team",
                &[
                    ("csrf", &csrf),
                    ("email", "x@example.com"),
                    ("role", "admin"),
                ],
            )
            .await;
        assert_eq!(r.status, 403);
        let r = a
            .post("/app/settings/api-keys", &[("csrf", &csrf), ("name", "k")])
            .await;
        assert_eq!(r.status, 403);

        // The owner invites through the same rules as the API.
        let mut o = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let csrf = o.get("/app/settings/team").await.csrf();
        let r = o
            .post(
                "/app/settings/team",
                &[
                    ("csrf", &csrf),
                    ("email", "new@dash-perms.example.com"),
                    ("role", "agent"),
                ],
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.html.contains("/app/accept-invite?token="),
            "the invitation link is shown once"
        );
        let r = o
            .post(
                "/app/settings/team",
                &[("csrf", &csrf), ("email", &agent.email), ("role", "agent")],
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(
            r.html.contains("already on the team"),
            "the API's refusal is shown on the page: {}",
            r.html
        );
    })
    .await;
}

#[tokio::test]
async fn dashboard_pages_of_another_tenant_are_not_found() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let a = wa.create_tenant("dash-iso-a").await;
        let b = wa.create_tenant("dash-iso-b").await;
        wa.connect_number(&a, PNID, WABA).await;
        wa.sandbox
            .send_text(PNID, "16505550100", "hello A")
            .unwrap();
        wa.eventually("the message reaches tenant A", || async {
            let r = wa
                .get("/api/v1/conversations", Auth::ApiKey(&a.api_key))
                .await;
            r.body["items"].as_array().is_some_and(|i| !i.is_empty())
        })
        .await;
        let r = wa
            .get("/api/v1/conversations", Auth::ApiKey(&a.api_key))
            .await;
        let conversation = r.body["items"][0]["id"].as_str().unwrap().to_owned();
        let contact = wa
            .get(
                &format!("/api/v1/conversations/{conversation}"),
                Auth::ApiKey(&a.api_key),
            )
            .await
            .body["contact_id"]
            .as_str()
            .unwrap()
            .to_owned();

        let mut owner_a = Browser::sign_in(&wa, &a.slug, &a.owner.email, &a.owner.password).await;
        let r = owner_a.get(&format!("/app/inbox/{conversation}")).await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("hello A"));
        let r = owner_a.get("/app/inbox").await;
        assert!(
            r.html.contains("Sandbox Customer"),
            "the list shows the contact"
        );

        let mut owner_b = Browser::sign_in(&wa, &b.slug, &b.owner.email, &b.owner.password).await;
        for path in [
            format!("/app/inbox/{conversation}"),
            format!("/app/contacts/{contact}"),
            "/app/inbox/not-an-id".into(),
        ] {
            let r = owner_b.get(&path).await;
            assert_eq!(r.status, 404, "{path}");
            assert!(!r.html.contains("hello A"));
        }
        let csrf = owner_b.get("/app/inbox").await.csrf();
        let r = owner_b
            .post(
                &format!("/app/inbox/{conversation}/reply"),
                &[("csrf", &csrf), ("text", "hi")],
            )
            .await;
        assert_eq!(r.status, 404, "B cannot reply in A's conversation");
        assert!(wa.sandbox.received(PNID, "16505550100").is_empty());
    })
    .await;
}
