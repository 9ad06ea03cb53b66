//! Access and sessions: open event streams end when their credential stops
//! holding, API keys answer to their creator, a TOTP code works once, and
//! sign-in throttling slows guessers without locking the owner out.

use domain::Clock as _;
use domain::Role;
use serde_json::{Value, json};
use server::auth::totp;
use std::time::Duration;
use testkit::{Auth, TestApp, each_engine};

/// Each engine, with open streams re-checking their credential every 50 ms.
async fn each_engine_fast_recheck<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for engine in testkit::engines() {
        let app = TestApp::start_with(engine, |c| c.stream_recheck_ms = 50).await;
        test(app).await;
    }
}

async fn open_stream(app: &TestApp, auth: Auth<'_>) -> reqwest::Response {
    let req = app.client.get(format!("{}/api/v1/events", app.url));
    let req = match auth {
        Auth::Bearer(t) => req.bearer_auth(t),
        Auth::ApiKey(k) => req.header("x-api-key", k),
        Auth::None => req,
    };
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    res
}

/// What the stream sent until it ended, or `None` if it is still open
/// after `wait`.
async fn until_end(res: &mut reqwest::Response, wait: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = String::new();
    loop {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Ok(None) | Err(_)) => return Some(seen),
            Err(_) => return None,
        }
    }
}

async fn ends(res: &mut reqwest::Response, why: &str) -> String {
    until_end(res, Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("the stream is still open after {why}"))
}

async fn create_key(app: &TestApp, token: &str, scopes: Value) -> (String, String) {
    let r = app
        .post(
            "/api/v1/api-keys",
            Auth::Bearer(token),
            json!({ "name": "stream reader", "scopes": scopes }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    (secret, r.body["api_key"]["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_open_event_stream_ends_when_its_credential_stops_holding() {
    each_engine_fast_recheck(|app| async move {
        let t = app.create_tenant("stream-recheck").await;
        let owner = t.owner.token.clone();
        let admin = app.add_user(&t, Role::Admin, "admin").await;
        let leaver = app.add_user(&t, Role::Agent, "leaver").await;
        let mover = app.add_user(&t, Role::Agent, "mover").await;

        // A revoked key: its stream stays open until the key is revoked.
        let (key, key_id) = create_key(&app, &owner, json!(["inbox:read"])).await;
        let mut s = open_stream(&app, Auth::ApiKey(&key)).await;
        assert!(
            until_end(&mut s, Duration::from_millis(300)).await.is_none(),
            "a stream with a good credential stays open"
        );
        let r = app
            .delete(&format!("/api/v1/api-keys/{key_id}"), Auth::Bearer(&owner))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let said = ends(&mut s, "key revocation").await;
        assert!(said.contains("stream closed: invalid_credentials"), "{said}");

        // Logout ends the session's stream.
        let mut s = open_stream(&app, Auth::Bearer(&leaver.token)).await;
        let r = app
            .post("/api/v1/auth/logout", Auth::Bearer(&leaver.token), json!({}))
            .await;
        assert!(r.status < 300, "{}", r.body);
        ends(&mut s, "logout").await;

        // A password change revokes every session of the user, so a stream
        // opened in another session ends too.
        let other = app
            .login(&t.slug, &mover.email, &mover.password, None)
            .await;
        let other = other.body["access_token"].as_str().unwrap().to_owned();
        let mut s = open_stream(&app, Auth::Bearer(&mover.token)).await;
        let r = app
            .put(
                "/api/v1/me/password",
                Auth::Bearer(&other),
                json!({ "current_password": mover.password, "new_password": "a-new-long-password" }),
            )
            .await;
        assert!(r.status < 300, "{}", r.body);
        ends(&mut s, "session revocation").await;

        // Disabling a user ends their streams and those of their keys.
        let (admin_key, _) = create_key(&app, &admin.token, json!(["inbox:read"])).await;
        let mut by_token = open_stream(&app, Auth::Bearer(&admin.token)).await;
        let mut by_key = open_stream(&app, Auth::ApiKey(&admin_key)).await;
        let r = app
            .patch(
                &format!("/api/v1/users/{}", admin.id),
                Auth::Bearer(&owner),
                json!({ "disabled": true }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        ends(&mut by_token, "disabling the user").await;
        let said = ends(&mut by_key, "disabling the key's creator").await;
        assert!(said.contains("api_key_creator_inactive"), "{said}");

        // Suspending the tenant ends the operator-made key's stream.
        let mut s = open_stream(&app, Auth::ApiKey(&t.api_key)).await;
        let op = app.operator_token().await;
        let r = app
            .post(
                &format!("/api/v1/operator/tenants/{}/suspend", t.id),
                Auth::Bearer(&op),
                json!({ "reason": "unpaid" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let said = ends(&mut s, "tenant suspension").await;
        assert!(said.contains("tenant_suspended"), "{said}");
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_api_key_does_no_more_than_its_creator_may_today() {
    each_engine(|app| async move {
        let t = app.create_tenant("key-creator").await;
        let owner = t.owner.token.clone();
        let admin = app.add_user(&t, Role::Admin, "admin").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;

        // An agent may not mint admin scopes.
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::Bearer(&agent.token),
                json!({ "name": "climb", "scopes": ["audit:read"] }),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (403, "permission_denied"),
            "{}",
            r.body
        );

        // The admin's key, and a key that key makes, read the audit log…
        let (key, _) = create_key(&app, &admin.token, json!(["audit:read", "users:read"])).await;
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::ApiKey(&key),
                json!({ "name": "child", "scopes": ["audit:read"] }),
            )
            .await;
        assert_eq!(r.status, 403, "a key without api_keys:manage makes no keys");
        assert_eq!(
            app.get("/api/v1/audit-log", Auth::ApiKey(&key))
                .await
                .status,
            200
        );

        // …until the admin is made an agent: the key shrinks with them.
        let user = format!("/api/v1/users/{}", admin.id);
        let r = app
            .patch(&user, Auth::Bearer(&owner), json!({ "role": "agent" }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.get("/api/v1/audit-log", Auth::ApiKey(&key)).await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        assert_eq!(
            app.get("/api/v1/users", Auth::ApiKey(&key)).await.status,
            200
        );

        // A disabled creator's keys stop; enabled again, they work again.
        let r = app
            .patch(&user, Auth::Bearer(&owner), json!({ "disabled": true }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.get("/api/v1/users", Auth::ApiKey(&key)).await;
        assert_eq!((r.status, r.code()), (401, "api_key_creator_inactive"));
        let r = app
            .patch(&user, Auth::Bearer(&owner), json!({ "disabled": false }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            app.get("/api/v1/users", Auth::ApiKey(&key)).await.status,
            200
        );

        // A removed creator's keys stop for good.
        assert!(app.delete(&user, Auth::Bearer(&owner)).await.status < 300);
        let r = app.get("/api/v1/users", Auth::ApiKey(&key)).await;
        assert_eq!((r.status, r.code()), (401, "api_key_creator_inactive"));
        // The operator-made first key has no creator and keeps working.
        assert_eq!(
            app.get("/api/v1/audit-log", Auth::ApiKey(&t.api_key))
                .await
                .status,
            200
        );
        app.stop().await;
    })
    .await;
}

/// Turns TOTP on for the user signed in with `token`: returns the seed and
/// the code that confirmed it (spent).
pub(crate) async fn enrol_totp(app: &TestApp, token: &str) -> (String, String) {
    let r = app
        .post("/api/v1/me/mfa/totp", Auth::Bearer(token), json!({}))
        .await;
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    let code = totp::code_at(&secret, app.clock.now().as_unix_seconds()).unwrap();
    let r = app
        .post(
            "/api/v1/me/mfa/totp/confirm",
            Auth::Bearer(token),
            json!({ "code": code }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (secret, code)
}

#[tokio::test]
async fn a_totp_code_signs_in_once() {
    each_engine(|app| async move {
        let t = app.create_tenant("totp-once").await;
        let (slug, email, pw) = (&t.slug, &t.owner.email, &t.owner.password);
        let (secret, code) = enrol_totp(&app, &t.owner.token).await;

        // The code that confirmed enrolment is spent.
        let r = app.login(slug, email, pw, Some(&code)).await;
        assert_eq!((r.status, r.code()), (401, "invalid_mfa_code"));

        app.advance(30);
        let code = totp::code_at(&secret, app.clock.now().as_unix_seconds()).unwrap();
        assert_eq!(app.login(slug, email, pw, Some(&code)).await.status, 200);
        // Still within its step (and the drift allowed), but used.
        let r = app.login(slug, email, pw, Some(&code)).await;
        assert_eq!((r.status, r.code()), (401, "invalid_mfa_code"));
        app.advance(20);
        let r = app.login(slug, email, pw, Some(&code)).await;
        assert_eq!((r.status, r.code()), (401, "invalid_mfa_code"));
        app.advance(10);
        let next = totp::code_at(&secret, app.clock.now().as_unix_seconds()).unwrap();
        assert_eq!(app.login(slug, email, pw, Some(&next)).await.status, 200);
        app.stop().await;
    })
    .await;
}

/// A client whose requests come from 127.0.0.2 rather than 127.0.0.1.
fn from_elsewhere() -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap()
}

fn retry_after(r: &testkit::Resp) -> String {
    assert_eq!(
        (r.status, r.code()),
        (429, "too_many_attempts"),
        "{}",
        r.body
    );
    r.headers["retry-after"].to_str().unwrap().to_owned()
}

/// Five wrong passwords at `path` from 127.0.0.1 with the delays growing
/// (1 s, 2 s, 4 s); then the right one from 127.0.0.2 at once is let in,
/// while 127.0.0.1 still waits.
async fn guess_then_sign_in_elsewhere(app: &TestApp, path: &str, wrong: Value, right: Value) {
    let attempt = || app.post(path, Auth::None, wrong.clone());
    for _ in 0..3 {
        assert_eq!(attempt().await.status, 401);
    }
    for wait in [1, 2, 4] {
        assert_eq!(retry_after(&attempt().await), wait.to_string());
        if wait < 4 {
            app.advance(wait);
            assert_eq!(attempt().await.status, 401);
        }
    }
    let elsewhere = from_elsewhere()
        .post(format!("{}{path}", app.url))
        .json(&right)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 200, "the right password from elsewhere");
    let r = app.post(path, Auth::None, right.clone()).await;
    assert_eq!(retry_after(&r), "4", "the guessing address still waits");
    app.advance(4);
    assert_eq!(app.post(path, Auth::None, right).await.status, 200);
}

#[tokio::test]
async fn failed_sign_ins_slow_the_guessing_address_and_never_lock_the_account() {
    each_engine(|app| async move {
        let t = app.create_tenant("throttle-addr").await;
        let user = |pw: &str| json!({ "tenant": t.slug, "email": t.owner.email, "password": pw });
        let (wrong, right) = (user("wrong-password"), user(&t.owner.password));
        guess_then_sign_in_elsewhere(&app, "/api/v1/auth/login", wrong, right).await;

        let op = |pw: &str| json!({ "email": app.operator_email, "password": pw });
        let (wrong, right) = (op("wrong-password"), op(&app.operator_password));
        guess_then_sign_in_elsewhere(&app, "/api/v1/operator/login", wrong, right).await;
        app.stop().await;
    })
    .await;
}

/// A failed sign-in is answered only once it is counted (in the database
/// every node shares), so a burst of guesses cannot outrun its own
/// counting: with SQLite's one writer held elsewhere, failures made at once
/// wait for it, for users and the operator alike; once it is free each is
/// answered, and every one of them was counted.
#[tokio::test]
async fn a_failed_sign_in_is_counted_before_it_is_answered() {
    let app = TestApp::start(testkit::Engine::Sqlite).await;
    let t = app.create_tenant("signin-counted").await;
    let attempts = [
        (
            "/api/v1/auth/login",
            json!({ "tenant": t.slug, "email": t.owner.email, "password": "wrong-password" }),
        ),
        (
            "/api/v1/operator/login",
            json!({ "email": app.operator_email, "password": "wrong-password" }),
        ),
    ];
    for (path, body) in attempts {
        let held = app.state.store.system().await.unwrap();
        let burst =
            futures::future::join_all((0..3).map(|_| app.post(path, Auth::None, body.clone())));
        tokio::pin!(burst);
        assert!(
            tokio::time::timeout(Duration::from_millis(500), &mut burst)
                .await
                .is_err(),
            "{path} answered a failure before counting it"
        );
        drop(held);
        for r in burst.await {
            assert_eq!(r.status, 401, "{path}: {}", r.body);
        }
        // All three counted: the next try from this address waits.
        let r = app.post(path, Auth::None, body).await;
        assert_eq!(retry_after(&r), "1", "{path}");
    }
    app.stop().await;
}
