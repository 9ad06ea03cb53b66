//! "Forgot password?" pages for users and operators, and the operator's
//! outbox, over plain HTTP on both engines. Without SMTP the emails are
//! kept, so the links are read from the outbox.

use super::client::{Browser, Page, attrs};
use serde_json::{Value, json};
use testkit::{Auth, TestApp, each_engine};

/// Every email in the outbox, newest first, read through the operator API.
async fn emails(app: &TestApp) -> Vec<Value> {
    let op = app.operator_token().await;
    let r = app
        .get("/api/v1/operator/emails?limit=100", Auth::Bearer(&op))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// The token of the newest reset link kept for `to`.
async fn reset_token(app: &TestApp, to: &str) -> String {
    let list = emails(app).await;
    let newest = list
        .iter()
        .find(|e| e["to"] == to && e["kind"] == "password_reset")
        .unwrap_or_else(|| panic!("a reset email to {to}: {list:?}"));
    let op = app.operator_token().await;
    let path = format!("/api/v1/operator/emails/{}", newest["id"].as_str().unwrap());
    let one = app.get(&path, Auth::Bearer(&op)).await;
    let body = one.body["body"].as_str().unwrap();
    let word = body
        .split_whitespace()
        .find(|w| w.contains("reset-password?token="))
        .unwrap();
    word.split("token=").nth(1).unwrap().to_owned()
}

async fn forgot(b: &mut Browser, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Page {
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    b.post(path, &form).await
}

#[tokio::test]
async fn dashboard_forgot_password_answers_the_same_for_known_and_unknown_accounts() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-forgot").await;
        let mut b = Browser::new(&app);
        // The sign-in page links to the form, keeping the workspace it knows.
        let login = b.get("/app/login?tenant=dash-forgot").await;
        assert!(
            login
                .html
                .contains("href=\"/app/forgot-password?tenant=dash-forgot\""),
            "{}",
            login.html
        );
        let page = b.get("/app/forgot-password?tenant=dash-forgot").await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("name=\"tenant\" value=\"dash-forgot\""));
        let csrf = page.csrf();
        let path = "/app/forgot-password";

        let known = forgot(
            &mut b,
            path,
            &csrf,
            &[("tenant", &t.slug), ("email", &t.owner.email)],
        )
        .await;
        assert_eq!(known.status, 200, "{}", known.html);
        assert!(
            known
                .html
                .contains("If an account exists for that address, we have emailed a link")
        );
        for (tenant, email) in [
            (t.slug.as_str(), "nobody@dash-forgot.example.com"),
            ("no-such-place", t.owner.email.as_str()),
        ] {
            let r = forgot(&mut b, path, &csrf, &[("tenant", tenant), ("email", email)]).await;
            assert_eq!(r.status, 200);
            assert_eq!(
                r.html, known.html,
                "{tenant}/{email}: the same page, word for word"
            );
        }
        // Input that does not read as an address is shown on the form.
        let r = forgot(
            &mut b,
            path,
            &csrf,
            &[("tenant", &t.slug), ("email", "not-an-address")],
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(
            r.html.contains("id=\"forgot-error\"") && r.html.contains("not a valid email address"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("id=\"forgot-form\"") && r.html.contains("value=\"not-an-address\"")
        );
        let r = forgot(
            &mut b,
            path,
            &csrf,
            &[("tenant", ""), ("email", &t.owner.email)],
        )
        .await;
        assert_eq!(r.status, 422);
        assert!(r.html.contains("workspace: required"), "{}", r.html);
        // A cross-site POST (no token) is refused and asks for nothing.
        let r = Browser::new(&app)
            .post(path, &[("tenant", &t.slug), ("email", &t.owner.email)])
            .await;
        assert_eq!(r.status, 403);

        // One link went out, to the owner only.
        let resets: Vec<Value> = emails(&app)
            .await
            .into_iter()
            .filter(|e| e["kind"] == "password_reset")
            .collect();
        assert_eq!(resets.len(), 1, "{resets:?}");
        assert_eq!(resets[0]["to"], json!(t.owner.email));

        // The operators' form: no workspace, the same answer either way.
        let mut o = Browser::new(&app);
        let login = o.get("/app/operator/login").await;
        assert!(
            login
                .html
                .contains("href=\"/app/operator/forgot-password\"")
        );
        let page = o.get("/app/operator/forgot-password").await;
        assert_eq!(page.status, 200);
        assert!(!page.html.contains("name=\"tenant\""));
        let csrf = page.csrf();
        let path = "/app/operator/forgot-password";
        let known = forgot(&mut o, path, &csrf, &[("email", &app.operator_email)]).await;
        assert_eq!(known.status, 200);
        let unknown = forgot(
            &mut o,
            path,
            &csrf,
            &[("email", "someone@else.example.com")],
        )
        .await;
        assert_eq!(unknown.html, known.html);
        let resets = emails(&app)
            .await
            .into_iter()
            .filter(|e| e["kind"] == "password_reset")
            .count();
        assert_eq!(resets, 2, "one more, to the operator");
    })
    .await;
}

#[tokio::test]
async fn dashboard_reset_link_sets_a_new_password_once() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-reset").await;
        let ask = json!({ "tenant": t.slug, "email": t.owner.email });
        let r = app
            .post("/api/v1/auth/forgot-password", Auth::None, ask.clone())
            .await;
        assert_eq!(r.status, 202);
        let token = reset_token(&app, &t.owner.email).await;
        let mut b = Browser::new(&app);
        let page = b.get(&format!("/app/reset-password?token={token}")).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("id=\"reset-form\""), "{}", page.html);
        let csrf = page.csrf();
        let set = |password: &'static str, confirm: &'static str| {
            [
                ("csrf", csrf.clone()),
                ("token", token.clone()),
                ("password", password.into()),
                ("confirm", confirm.into()),
            ]
        };

        // The two passwords differ: said on the form, nothing changes.
        let r = post_to(
            &mut b,
            "/app/reset-password",
            set("a brand new password", "a brand new passw0rd"),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(
            r.html.contains("id=\"reset-error\"") && r.html.contains("not the same"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("id=\"reset-form\""),
            "the form is there to try again"
        );
        assert!(
            !r.html.contains("a brand new password"),
            "passwords are not echoed"
        );
        // A weak one, likewise.
        let r = post_to(&mut b, "/app/reset-password", set("short", "short")).await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains("password: must be at least 10 characters"),
            "{}",
            r.html
        );
        assert_eq!(
            app.login(&t.slug, &t.owner.email, &t.owner.password, None)
                .await
                .status,
            200
        );

        let r = post_to(
            &mut b,
            "/app/reset-password",
            set("a brand new password", "a brand new password"),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(
            r.html.contains("Your password is set") && r.html.contains("href=\"/app/login\""),
            "{}",
            r.html
        );
        assert!(
            !r.html.contains(&token),
            "the used token is not in the page"
        );
        assert_eq!(
            app.login(&t.slug, &t.owner.email, &t.owner.password, None)
                .await
                .status,
            401
        );
        assert_eq!(
            app.login(&t.slug, &t.owner.email, "a brand new password", None)
                .await
                .status,
            200
        );

        // The link again: said on the page, with the way to a new one.
        let r = post_to(
            &mut b,
            "/app/reset-password",
            set("yet another password", "yet another password"),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(
            r.html.contains("unknown, used or out of date"),
            "{}",
            r.html
        );
        assert!(
            !r.html.contains("id=\"reset-form\"")
                && r.html.contains("href=\"/app/forgot-password\"")
        );
        assert!(!r.html.contains(&token));
        let r = b.get("/app/reset-password").await;
        assert_eq!(r.status, 422, "a link without its token");
        assert!(!r.html.contains("id=\"reset-form\""));

        // The operators' form does not take a user's link; theirs it does.
        let r = app
            .post("/api/v1/auth/forgot-password", Auth::None, ask)
            .await;
        assert_eq!(r.status, 202);
        let user_token = reset_token(&app, &t.owner.email).await;
        let r = app
            .post(
                "/api/v1/operator/forgot-password",
                Auth::None,
                json!({ "email": app.operator_email }),
            )
            .await;
        assert_eq!(r.status, 202);
        let operator_token = reset_token(&app, &app.operator_email).await;
        let mut o = Browser::new(&app);
        let page = o
            .get(&format!("/app/operator/reset-password?token={user_token}"))
            .await;
        let csrf = page.csrf();
        let pw = "the operator's new password";
        let form = |token: &str| {
            [
                ("csrf", csrf.clone()),
                ("token", token.to_owned()),
                ("password", pw.into()),
                ("confirm", pw.into()),
            ]
        };
        let r = post_to(&mut o, "/app/operator/reset-password", form(&user_token)).await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(r.html.contains("href=\"/app/operator/forgot-password\""));
        let r = post_to(
            &mut o,
            "/app/operator/reset-password",
            form(&operator_token),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(r.html.contains("href=\"/app/operator/login\""));
        let r = app
            .post(
                "/api/v1/operator/login",
                Auth::None,
                json!({ "email": app.operator_email, "password": pw }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    })
    .await;
}

async fn post_to(b: &mut Browser, path: &str, form: [(&str, String); 4]) -> Page {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &form).await
}

#[tokio::test]
async fn dashboard_operator_outbox_lists_kept_emails_and_shows_their_text() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-outbox").await;
        let mut o = Browser::sign_in_operator(&app).await;
        let r = o.get("/app/operator/emails").await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(
            r.html
                .contains("href=\"/app/operator/emails\" aria-current=\"page\""),
            "the Emails tab is lit"
        );
        assert!(
            r.html.contains("id=\"emails-kept\""),
            "it says emails are kept, not sent"
        );
        assert!(
            r.html.contains(&t.owner.email)
                && r.html.contains("invitation")
                && r.html.contains("kept")
        );
        let ids = attrs(&r.html, "data-id");
        assert_eq!(ids.len(), 1, "{}", r.html);
        let invitation = ids[0].clone();

        let one = o.get(&format!("/app/operator/emails/{invitation}")).await;
        assert_eq!(one.status, 200, "{}", one.html);
        assert!(
            one.html
                .contains("You are invited to Tenant dash-outbox on Switchboard")
        );
        let body = &one.html[one.html.find("id=\"email-body\"").unwrap()..];
        assert!(body.contains("/app/accept-invite?token=sbi_"), "{body}");

        // Newest first, fifty to a page.
        // (One reset link per account every five minutes: move the clock.)
        for _ in 0..50 {
            let ask = json!({ "tenant": t.slug, "email": t.owner.email });
            assert_eq!(
                app.post("/api/v1/auth/forgot-password", Auth::None, ask)
                    .await
                    .status,
                202
            );
            app.advance(5 * 60 + 1);
        }
        let first = o.get("/app/operator/emails").await;
        let ids = attrs(&first.html, "data-id");
        assert_eq!(ids.len(), 50);
        assert!(!ids.contains(&invitation), "the oldest is on the next page");
        let older = attrs(&first.html, "href")
            .into_iter()
            .find(|h| h.starts_with("/app/operator/emails?cursor="))
            .unwrap();
        let second = o.get(&older).await;
        assert_eq!(attrs(&second.html, "data-id"), [invitation.as_str()]);
        assert!(
            second.html.contains("href=\"/app/operator/emails\""),
            "a way back to the newest"
        );

        // A tenant's session opens neither page.
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        for path in [
            "/app/operator/emails".to_owned(),
            format!("/app/operator/emails/{invitation}"),
        ] {
            let r = b.get(&path).await;
            assert_eq!(
                (r.status, r.location.as_deref()),
                (303, Some("/app/operator/login")),
                "{path}"
            );
            assert!(!r.html.contains("sbi_") && !r.html.contains(&t.owner.email));
        }
        let r = o
            .get("/app/operator/emails/01900000-0000-7000-8000-000000000000")
            .await;
        assert_eq!(r.status, 404);
    })
    .await;
}
