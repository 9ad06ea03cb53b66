//! The tenant's audit log names people and can be narrowed; `/metrics` can
//! be kept private and names no tenant; logged paths hide webhook tokens.

use domain::Clock as _;
use domain::{Permission, TenantId, Timestamp};
use serde_json::{Value, json};
use server::auth::{TenantCtx, Via};
use std::sync::{Arc, Mutex};
use testkit::{Auth, TestApp, each_engine};

async fn audit(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/audit-log?limit=200&{query}"),
            Auth::Bearer(token),
        )
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn field<'a>(items: &'a [Value], name: &str) -> Vec<&'a str> {
    items
        .iter()
        .map(|e| e[name].as_str().unwrap_or(""))
        .collect()
}

#[tokio::test]
async fn the_audit_log_names_who_acted_and_filters_by_actor_action_and_time() {
    each_engine(|app| async move {
        let t = app.create_tenant("audit-names").await;
        let owner = t.owner.token.clone();
        let me = format!("Test User <{}>", t.owner.email);
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::Bearer(&owner),
                json!({ "name": "crm sync", "scopes": ["api_keys:manage", "audit:read"] }),
            )
            .await;
        let (key, key_id) = (
            r.body["secret"].as_str().unwrap().to_owned(),
            r.body["api_key"]["id"].as_str().unwrap().to_owned(),
        );
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::ApiKey(&key),
                json!({ "name": "child", "scopes": ["audit:read"] }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let system = TenantCtx::system(t.id.parse::<TenantId>().unwrap(), Via::Worker);
        let robot = server::team::keys::NewApiKey {
            name: "robot".into(),
            scopes: Some(vec![Permission::AuditRead]),
            expires_at: None,
        };
        server::team::keys::create_api_key(&app.state, &system, robot)
            .await
            .unwrap();
        app.advance(2 * 86_400);
        let login = app.login(&t.slug, &t.owner.email, &t.owner.password, None).await;
        let owner = login.body["access_token"].as_str().unwrap().to_owned();
        let r = app
            .post(
                "/api/v1/invites",
                Auth::Bearer(&owner),
                json!({ "email": "late@audit-names.example.com", "role": "agent" }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);

        let all = audit(&app, &owner, "").await;
        let names = field(&all, "actor_name");
        for who in [me.as_str(), "API key \u{201c}crm sync\u{201d}", "system via worker", "operator"] {
            assert!(names.contains(&who), "{who} in {names:?}");
        }
        assert!(!names.contains(&"user"), "{names:?}");

        let mine = audit(&app, &owner, &format!("actor=user:{}", t.owner.id)).await;
        assert!(!mine.is_empty());
        assert!(field(&mine, "actor_name").iter().all(|n| *n == me));
        let by_key = audit(&app, &owner, &format!("actor=api_key:{key_id}")).await;
        assert_eq!(field(&by_key, "action"), ["api_key.create"]);
        let by_system = audit(&app, &owner, "actor=system").await;
        assert_eq!(field(&by_system, "actor_name"), ["system via worker"]);
        let by_operator = audit(&app, &owner, "actor=operator").await;
        assert!(field(&by_operator, "action").contains(&"tenant.create"));

        let keys = audit(&app, &owner, "action=api_key").await;
        assert_eq!(field(&keys, "action"), ["api_key.create"; 3]);
        assert_eq!(audit(&app, &owner, "action=api_key.create").await.len(), 3);
        assert!(audit(&app, &owner, "action=api_key.cre").await.is_empty());

        let day_ago = app.clock.now().plus_seconds(-86_400).to_rfc3339();
        let day = |t: Timestamp| t.to_rfc3339()[..10].to_owned();
        let recent = audit(&app, &owner, &format!("since={day_ago}")).await;
        assert_eq!(field(&recent, "action"), ["invite.create", "auth.login"]);
        let today = day(app.clock.now());
        let recent = audit(&app, &owner, &format!("since={today}&until={today}")).await;
        assert_eq!(field(&recent, "action"), ["invite.create", "auth.login"]);
        let older = audit(&app, &owner, &format!("until={day_ago}")).await;
        assert!(!field(&older, "action").contains(&"invite.create"));
        assert_eq!(older.len(), all.len() - 2);

        let bad = app.get("/api/v1/audit-log?actor=nobody", Auth::Bearer(&owner)).await;
        assert_eq!((bad.status, bad.code()), (422, "validation_failed"), "{}", bad.body);

        // The dashboard page shows the same names and narrows the same way.
        let login = app
            .post(
                "/api/v1/auth/login",
                Auth::None,
                json!({ "tenant": t.slug, "email": t.owner.email, "password": t.owner.password, "mode": "cookie" }),
            )
            .await;
        let cookie = login.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let page = |q: String| {
            let cookie = cookie.clone();
            let app = &app;
            async move {
                let r = app
                    .request(reqwest::Method::GET, &format!("/app/settings/audit{q}"), Auth::None, None, &[("cookie", &cookie)])
                    .await;
                assert_eq!(r.status, 200);
                r.text
            }
        };
        let html = page(String::new()).await;
        for who in ["Test User &#60;owner@audit-names.example.com&#62;", "API key \u{201c}crm sync\u{201d}", "system via worker", "operator"] {
            assert!(html.contains(&format!("<td>{who}</td>")), "{who} on the page: {html}");
        }
        let html = page(format!("?actor=api_key:{key_id}&action=&since=&until=")).await;
        assert!(html.contains("API key \u{201c}crm sync\u{201d}</td>"), "{html}");
        assert!(!html.contains("invite.create") && !html.contains("system via worker</td>"));
        let html = page(format!("?since={today}")).await;
        assert!(html.contains("invite.create") && !html.contains("api_key.create"));
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn metrics_can_require_a_token_and_carry_no_tenant_labels() {
    for engine in testkit::engines() {
        let app = TestApp::start_with(engine, |c| {
            c.metrics_token = Some(server::config::Secret::new("metrics-secret"));
        })
        .await;
        let t = app.create_tenant("metrics-quiet").await;
        for path in ["/api/v1/tenant", &format!("/api/v1/users/{}", t.owner.id)] {
            assert_eq!(
                app.get(path, Auth::Bearer(&t.owner.token)).await.status,
                200
            );
        }
        assert_eq!(app.get("/metrics", Auth::None).await.status, 401);
        assert_eq!(app.get("/metrics", Auth::Bearer("guess")).await.status, 401);
        let r = app.get("/metrics", Auth::Bearer("metrics-secret")).await;
        assert_eq!(r.status, 200);
        assert!(
            r.text.contains("switchboard_http_requests_total"),
            "{}",
            r.text
        );
        for secret in [&t.id, &t.slug, &t.owner.id] {
            assert!(!r.text.contains(secret.as_str()), "{secret} in the metrics");
        }
        for label in ["tenant=\"", "tenant_id=\"", "slug=\""] {
            assert!(!r.text.contains(label), "no {label} label");
        }
        app.stop().await;

        // Without a token configured, /metrics is open (for a private port).
        let open = TestApp::start(engine).await;
        assert_eq!(open.get("/metrics", Auth::None).await.status, 200);
        open.stop().await;
    }
}

/// Log lines, as the process's log would show them.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test]
async fn debug_logs_never_show_the_own_app_webhook_token() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    // The test runs on one thread, the server's tasks with it.
    let _guard = tracing::subscriber::set_default(subscriber);
    for engine in testkit::engines() {
        let app = TestApp::start(engine).await;
        let token = format!("ownapp{}", uuid::Uuid::new_v4().simple());
        let path = format!("/webhooks/whatsapp/{token}");
        app.post(
            &path,
            Auth::None,
            json!({ "object": "whatsapp_business_account" }),
        )
        .await;
        app.get(
            &format!("{path}?hub.mode=subscribe&hub.challenge=1"),
            Auth::None,
        )
        .await;
        app.stop().await;
        let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
        assert!(
            text.contains("/webhooks/whatsapp/{token}"),
            "the request was logged at debug"
        );
        assert!(!text.contains(&token), "the token is in the log");
    }
}
