//! Sign-in, sessions, tokens, TOTP and throttling.
use domain::Clock as _;

use serde_json::json;
use server::auth::totp;
use server::error::AppError;
use server::team::sessions::SignIn;
use store::auth::SessionKind;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn login_refresh_and_logout_revoke_the_session() {
    each_engine(|app| async move {
        let t = app.create_tenant("auth-flow").await;
        let me = app.get("/api/v1/me", Auth::Bearer(&t.owner.token)).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.body["user"]["email"], json!(t.owner.email));

        let wrong = app
            .login("auth-flow", &t.owner.email, "not-the-password", None)
            .await;
        assert_eq!((wrong.status, wrong.code()), (401, "invalid_credentials"));
        let nobody = app
            .login("no-such-tenant", &t.owner.email, &t.owner.password, None)
            .await;
        assert_eq!((nobody.status, nobody.code()), (401, "invalid_credentials"));

        // Refresh rotates: the new pair works, the old refresh token does not.
        let r = app
            .post(
                "/api/v1/auth/refresh",
                Auth::None,
                json!({ "refresh_token": t.owner.refresh_token }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let access = r.body["access_token"].as_str().unwrap().to_owned();
        let again = app
            .post(
                "/api/v1/auth/refresh",
                Auth::None,
                json!({ "refresh_token": t.owner.refresh_token }),
            )
            .await;
        assert_eq!(again.status, 401);
        assert_eq!(
            app.get("/api/v1/me", Auth::Bearer(&access)).await.status,
            200
        );

        // Access tokens expire with the clock.
        app.advance(16 * 60);
        let r = app.get("/api/v1/me", Auth::Bearer(&access)).await;
        assert_eq!((r.status, r.code()), (401, "invalid_credentials"));

        // Logout kills the session and so every access token of it.
        let login = app
            .login("auth-flow", &t.owner.email, &t.owner.password, None)
            .await;
        let token = login.body["access_token"].as_str().unwrap().to_owned();
        let refresh = login.body["refresh_token"].as_str().unwrap().to_owned();
        assert_eq!(
            app.post("/api/v1/auth/logout", Auth::Bearer(&token), json!({}))
                .await
                .status,
            204
        );
        assert_eq!(
            app.get("/api/v1/me", Auth::Bearer(&token)).await.status,
            401
        );
        let r = app
            .post(
                "/api/v1/auth/refresh",
                Auth::None,
                json!({ "refresh_token": refresh }),
            )
            .await;
        assert_eq!(r.status, 401);
    })
    .await;
}

#[tokio::test]
async fn cookie_sessions_are_http_only_and_need_the_csrf_header_to_change_things() {
    each_engine(|app| async move {
        let t = app.create_tenant("auth-cookie").await;
        let r = app
            .post("/api/v1/auth/login", Auth::None, json!({ "tenant": "auth-cookie", "email": t.owner.email, "password": t.owner.password, "mode": "cookie" }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let set_cookie = r.headers["set-cookie"].to_str().unwrap().to_owned();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        assert!(!set_cookie.contains("Secure"), "plain-http deployments cannot set Secure cookies");
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        assert!(r.body["access_token"].is_null());

        let me = app.request(reqwest::Method::GET, "/api/v1/me", Auth::None, None, &[("cookie", &cookie)]).await;
        assert_eq!(me.status, 200);
        let body = json!({ "email": "csrf@auth-cookie.example.com", "role": "viewer" });
        let forged = app.request(reqwest::Method::POST, "/api/v1/invites", Auth::None, Some(body.clone()), &[("cookie", &cookie)]).await;
        assert_eq!((forged.status, forged.code()), (403, "csrf_check_failed"));
        let ok = app
            .request(reqwest::Method::POST, "/api/v1/invites", Auth::None, Some(body), &[("cookie", &cookie), ("x-requested-with", "fetch")])
            .await;
        assert_eq!(ok.status, 201, "{}", ok.body);
    })
    .await;
}

#[tokio::test]
async fn totp_once_enrolled_is_required_and_recovery_codes_work_once() {
    each_engine(|app| async move {
        let t = app.create_tenant("auth-mfa").await;
        let r = app.post("/api/v1/me/mfa/totp", Auth::Bearer(&t.owner.token), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let secret = r.body["secret"].as_str().unwrap().to_owned();
        assert!(r.body["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/"));

        // Not in force until confirmed.
        assert_eq!(app.login("auth-mfa", &t.owner.email, &t.owner.password, None).await.status, 200);
        let bad = app.post("/api/v1/me/mfa/totp/confirm", Auth::Bearer(&t.owner.token), json!({ "code": "000000" })).await;
        assert_eq!(bad.status, 422);
        let now = app.clock.now().as_unix_seconds();
        let code = totp::code_at(&secret, now).unwrap();
        let r = app.post("/api/v1/me/mfa/totp/confirm", Auth::Bearer(&t.owner.token), json!({ "code": code })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let recovery: Vec<String> = serde_json::from_value(r.body["recovery_codes"].clone()).unwrap();
        assert_eq!(recovery.len(), 10);

        let r = app.login("auth-mfa", &t.owner.email, &t.owner.password, None).await;
        assert_eq!((r.status, r.code()), (401, "mfa_required"));
        let r = app.login("auth-mfa", &t.owner.email, &t.owner.password, Some("123456")).await;
        assert_eq!((r.status, r.code()), (401, "invalid_mfa_code"));
        // The confirming code is spent: the next step's code signs in.
        app.advance(30);
        let code = totp::code_at(&secret, now + 30).unwrap();
        let r = app.login("auth-mfa", &t.owner.email, &t.owner.password, Some(&code)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["user"]["mfa_enabled"], json!(true));

        let with_recovery = json!({ "tenant": "auth-mfa", "email": t.owner.email, "password": t.owner.password, "recovery_code": recovery[0].to_uppercase() });
        assert_eq!(app.post("/api/v1/auth/login", Auth::None, with_recovery.clone()).await.status, 200);
        let reused = app.post("/api/v1/auth/login", Auth::None, with_recovery).await;
        assert_eq!((reused.status, reused.code()), (401, "invalid_mfa_code"));
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_account() {
    each_engine(|app| async move {
        let t = app.create_tenant("auth-throttle").await;
        for _ in 0..3 {
            let r = app
                .login("auth-throttle", &t.owner.email, "wrong-password", None)
                .await;
            assert_eq!(r.status, 401);
        }
        // From this address, even the right password waits now (other
        // addresses do not: tests/it/access.rs).
        let r = app
            .login("auth-throttle", &t.owner.email, &t.owner.password, None)
            .await;
        assert_eq!((r.status, r.code()), (429, "too_many_attempts"));
        assert!(r.headers.contains_key("retry-after"));
        app.advance(15 * 60 + 1);
        let r = app
            .login("auth-throttle", &t.owner.email, &t.owner.password, None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    })
    .await;
}

/// The counters live in the database every node shares: failures made
/// through two nodes add up, so spreading guesses over nodes gains
/// nothing, and a success on one clears them for both. Neither node alone
/// saw enough failures to slow anyone down.
#[tokio::test]
async fn sign_in_failures_are_throttled_across_nodes() {
    each_engine(|app| async move {
        let t = app.create_tenant("throttle-nodes").await;
        let other = app.another_node(|_| {}).await;
        // The second node's sign-in, from the address the first node sees.
        let on_other = |password: &str| {
            server::team::sessions::sign_in(
                &other,
                SignIn {
                    tenant: Some(t.slug.clone()),
                    email: t.owner.email.clone(),
                    password: password.to_owned(),
                    totp_code: None,
                    recovery_code: None,
                    kind: SessionKind::Refresh,
                    ip: Some("127.0.0.1".to_owned()),
                },
            )
        };
        let wrong = || app.login(&t.slug, &t.owner.email, "wrong-password", None);
        let refusal = |e: AppError| (e.status().as_u16(), e.code());

        assert_eq!(wrong().await.status, 401);
        let e = on_other("wrong-password").await.unwrap_err();
        assert_eq!(refusal(e), (401, "invalid_credentials"));
        assert_eq!(wrong().await.status, 401);
        // Three failures in all (two here, one there): both nodes wait now.
        let e = on_other(&t.owner.password).await.unwrap_err();
        assert!(
            matches!(e, AppError::TooManyRequests("too_many_attempts", _, 1)),
            "{e:?}"
        );
        let r = app
            .login(&t.slug, &t.owner.email, &t.owner.password, None)
            .await;
        assert_eq!((r.status, r.code()), (429, "too_many_attempts"));
        assert_eq!(r.headers["retry-after"], "1");

        // A success on the other node clears the account's counters for
        // the first one too: its next failure is free again.
        app.advance(1);
        assert!(on_other(&t.owner.password).await.is_ok());
        for _ in 0..3 {
            assert_eq!(wrong().await.status, 401);
        }
        let e = on_other("wrong-password").await.unwrap_err();
        assert_eq!(refusal(e), (429, "too_many_attempts"));
    })
    .await;
}

#[tokio::test]
async fn invitations_work_once_and_expire() {
    each_engine(|app| async move {
        let t = app.create_tenant("auth-invite").await;
        let r = app
            .post(
                "/api/v1/invites",
                Auth::Bearer(&t.owner.token),
                json!({ "email": "new@auth-invite.example.com", "role": "agent" }),
            )
            .await;
        let token = r.body["token"].as_str().unwrap().to_owned();
        let accept = json!({ "token": token, "name": "New Agent", "password": "a-long-password" });
        let short = json!({ "token": token, "name": "New Agent", "password": "short" });
        let r = app
            .post("/api/v1/auth/accept-invite", Auth::None, short)
            .await;
        assert_eq!(
            (r.status, r.body["error"]["fields"][0]["field"].as_str()),
            (422, Some("password"))
        );
        let r = app
            .post("/api/v1/auth/accept-invite", Auth::None, accept.clone())
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["role"], json!("agent"));
        let r = app
            .post("/api/v1/auth/accept-invite", Auth::None, accept)
            .await;
        assert_eq!((r.status, r.code()), (422, "invite_invalid"));

        let r = app
            .post(
                "/api/v1/invites",
                Auth::Bearer(&t.owner.token),
                json!({ "email": "late@auth-invite.example.com", "role": "agent" }),
            )
            .await;
        let token = r.body["token"].as_str().unwrap().to_owned();
        app.advance(8 * 86_400);
        let r = app
            .post(
                "/api/v1/auth/accept-invite",
                Auth::None,
                json!({ "token": token, "name": "Late", "password": "a-long-password" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (422, "invite_invalid"));
    })
    .await;
}

/// Signs in to `slug` as `email` with a wrong password, the request
/// carrying `X-Forwarded-For: forwarded_for`; the status.
async fn wrong_password_via(
    app: &testkit::TestApp,
    slug: &str,
    email: &str,
    forwarded_for: &str,
) -> u16 {
    let body = json!({ "tenant": slug, "email": email, "password": "wrong-password" });
    let headers = [("x-forwarded-for", forwarded_for)];
    let r = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            Auth::None,
            Some(body),
            &headers,
        )
        .await;
    r.status
}

/// Behind a load balancer every caller would share its address. From a
/// trusted proxy the throttle counts the address it forwards; from
/// anyone else the header is ignored, so forging it gains nothing.
#[tokio::test]
async fn the_throttle_counts_forwarded_addresses_from_trusted_proxies_only() {
    for engine in testkit::engines() {
        // The test client connects from 127.0.0.1: here, the balancer.
        let app = testkit::TestApp::start_with(engine, |c| {
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .await;
        let t = app.create_tenant("auth-proxy").await;
        for _ in 0..3 {
            assert_eq!(
                wrong_password_via(&app, "auth-proxy", &t.owner.email, "198.51.100.7").await,
                401
            );
        }
        assert_eq!(
            wrong_password_via(&app, "auth-proxy", &t.owner.email, "198.51.100.7").await,
            429
        );
        // Another caller behind the same balancer is not slowed down.
        assert_eq!(
            wrong_password_via(&app, "auth-proxy", &t.owner.email, "198.51.100.8").await,
            401
        );
        app.stop().await;

        // Nothing trusted: the header is the caller's own word, ignored.
        let app = testkit::TestApp::start(engine).await;
        let t = app.create_tenant("auth-forged").await;
        for n in 0..3 {
            let forged = format!("198.51.100.{n}");
            assert_eq!(
                wrong_password_via(&app, "auth-forged", &t.owner.email, &forged).await,
                401
            );
        }
        assert_eq!(
            wrong_password_via(&app, "auth-forged", &t.owner.email, "198.51.100.99").await,
            429
        );
        app.stop().await;
    }
}
