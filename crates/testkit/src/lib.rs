//! Test kit: a real Switchboard server on port 0 over a fresh database.
//!
//! [`each_engine`] runs a test body once on SQLite (a temp file) and once on
//! PostgreSQL when `TEST_DATABASE_URL` names a superuser connection (the
//! README's test command starts a throwaway cluster and sets it). On
//! PostgreSQL each test gets its own database, owned by a non-superuser
//! role without BYPASSRLS, exactly as production should run.
//!
//! Helpers create tenants and users through the public API, so tests start
//! from the state a real customer would be in.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client;
mod engine;
mod genesys;
pub mod process;
pub mod receiver;
mod s3;
mod smtp;
mod whatsapp;

pub use client::{Auth, Resp};
pub use engine::{Engine, each_engine, engines, fresh_pg_database, pg_admin_url};
pub use genesys::{GENESYS_CLIENT, GenesysTest, each_engine_with_genesys};
pub use s3::{MediaBackend, each_media_store_with_sandbox, media_store, s3_config};
pub use smtp::{CaughtMail, SmtpCatcher};
pub use whatsapp::{
    APP_SECRET, WhatsAppTest, assert_each_sent_once_or_failed, each_engine_with_sandbox,
};

use domain::{ManualClock, Role};
use serde_json::{Value, json};
use server::crypto::SecretBox;
use server::{AppState, Config, RunningServer};
use std::sync::Arc;

/// A fresh directory for one test, under the workspace's `target/`.
pub fn test_dir() -> tempfile::TempDir {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-data");
    std::fs::create_dir_all(&base).expect("target/test-data");
    tempfile::Builder::new()
        .prefix("app-")
        .tempdir_in(base)
        .expect("temp dir")
}

/// A running server with its own database and a hand-moved clock.
pub struct TestApp {
    pub engine: Engine,
    pub url: String,
    pub state: AppState,
    pub clock: ManualClock,
    pub client: reqwest::Client,
    pub operator_email: String,
    pub operator_password: String,
    /// Where the SQLite file, key file and media of this app live.
    pub dir: std::path::PathBuf,
    server: Option<RunningServer>,
}

/// A tenant made through the operator API, with its owner signed in.
#[derive(Debug, Clone)]
pub struct TestTenant {
    pub id: String,
    pub slug: String,
    /// The first API key (owner scopes).
    pub api_key: String,
    pub owner: TestUser,
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
    /// A JWT access token.
    pub token: String,
    pub refresh_token: String,
}

impl TestApp {
    /// Starts a server on `engine` with a fresh database.
    pub async fn start(engine: Engine) -> TestApp {
        Self::start_with(engine, |_| {}).await
    }

    /// Like [`start`](Self::start), letting the test adjust the configuration.
    pub async fn start_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> TestApp {
        server::telemetry::init_logging();
        let dir = test_dir().keep();
        let database_url = match engine {
            Engine::Sqlite => format!("sqlite://{}", dir.join("test.db").display()),
            Engine::Postgres => engine::fresh_pg_database().await,
        };
        // Bound first, so the links the server hands out (webhook URLs,
        // invites, media links) name the address it really serves on.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut config = Config {
            database_url,
            data_dir: dir.to_owned(),
            public_url: format!("http://{address}"),
            master_key: Some(server::config::Secret::new(SecretBox::new_key_spec(
                "test1",
            ))),
            // Tests deliver outbound webhooks to receivers on 127.0.0.1 over
            // plain HTTP; tests of the refusals turn these off again.
            webhooks: server::config::WebhooksConfig {
                allow_http: true,
                allow_private: true,
                ..Default::default()
            },
            ..Config::default()
        };
        adjust(&mut config);
        let clock = ManualClock::starting_now();
        let state = server::build_state(config, Arc::new(clock.clone()))
            .await
            .expect("server state");
        let operator_password = server::server::bootstrap_operator(&state)
            .await
            .expect("bootstrap")
            .expect("fresh database has no operator");
        let running = server::start(listener, state.clone()).unwrap();
        TestApp {
            engine,
            url: running.url(),
            operator_email: state.config.operator_email.clone(),
            state,
            clock,
            client: reqwest::Client::new(),
            operator_password,
            dir,
            server: Some(running),
        }
    }

    /// Another node on this app's database, with the same configuration
    /// (adjusted by `adjust`) and clock but its own pools: for tests of
    /// several nodes sharing one database. It serves no HTTP; spawn its
    /// workers with `server::jobs::Worker::spawn`.
    pub async fn another_node(&self, adjust: impl FnOnce(&mut Config)) -> server::AppState {
        let mut config = self.state.config.clone();
        adjust(&mut config);
        server::build_state(config, Arc::new(self.clock.clone()))
            .await
            .expect("second node")
    }

    /// Stops the server gracefully.
    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
    }

    /// Signs the operator in and returns an access token.
    pub async fn operator_token(&self) -> String {
        let r = self
            .post(
                "/api/v1/operator/login",
                Auth::None,
                json!({ "email": self.operator_email, "password": self.operator_password }),
            )
            .await;
        assert_eq!(r.status, 200, "operator login: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Creates a tenant through the operator API and signs its owner in.
    pub async fn create_tenant(&self, slug: &str) -> TestTenant {
        let op = self.operator_token().await;
        let email = format!("owner@{slug}.example.com");
        let r = self
            .post(
                "/api/v1/operator/tenants",
                Auth::Bearer(&op),
                json!({ "name": format!("Tenant {slug}"), "slug": slug, "owner_email": email }),
            )
            .await;
        assert_eq!(r.status, 201, "create tenant: {}", r.body);
        let invite = r.body["owner_invite"]["token"].as_str().unwrap().to_owned();
        let owner = self.accept_invite(slug, &invite, &email).await;
        TestTenant {
            id: r.body["tenant"]["id"].as_str().unwrap().to_owned(),
            slug: slug.to_owned(),
            api_key: r.body["api_key"]["secret"].as_str().unwrap().to_owned(),
            owner,
        }
    }

    /// Invites a user with `role` into `tenant` (as its owner), accepts and signs in.
    pub async fn add_user(&self, tenant: &TestTenant, role: Role, name: &str) -> TestUser {
        let email = format!("{name}@{}.example.com", tenant.slug);
        let r = self
            .post(
                "/api/v1/invites",
                Auth::Bearer(&tenant.owner.token),
                json!({ "email": email, "role": role }),
            )
            .await;
        assert_eq!(r.status, 201, "invite: {}", r.body);
        let token = r.body["token"].as_str().unwrap().to_owned();
        self.accept_invite(&tenant.slug, &token, &email).await
    }

    async fn accept_invite(&self, slug: &str, token: &str, email: &str) -> TestUser {
        let password = format!("pw-{}", uuid::Uuid::now_v7());
        let r = self
            .post(
                "/api/v1/auth/accept-invite",
                Auth::None,
                json!({ "token": token, "name": "Test User", "password": password }),
            )
            .await;
        assert_eq!(r.status, 201, "accept invite: {}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        let login = self.login(slug, email, &password, None).await;
        assert_eq!(login.status, 200, "login: {}", login.body);
        TestUser {
            id,
            email: email.to_owned(),
            password,
            token: login.body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: login.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// `POST /api/v1/auth/login` in token mode.
    pub async fn login(&self, slug: &str, email: &str, password: &str, totp: Option<&str>) -> Resp {
        let mut body = json!({ "tenant": slug, "email": email, "password": password });
        if let Some(code) = totp {
            body["totp_code"] = Value::String(code.to_owned());
        }
        self.post("/api/v1/auth/login", Auth::None, body).await
    }

    /// Advances the server's clock.
    pub fn advance(&self, seconds: i64) {
        self.clock.advance_seconds(seconds);
    }
}

/// The directory is removed by hand when the app goes, rather than by a
/// `TempDir` field: with the field, SQLite intermittently lost its
/// directory mid-test under parallel runs (new connections failed with
/// "unable to open database file"), which this layout does not show.
impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl TestApp {
    /// Runs every background job due now, deterministically.
    pub async fn drain(&self) -> usize {
        server::jobs::drain(&self.state).await
    }

    /// Drains jobs until `check` holds (it is given each pass), or panics
    /// after 10 seconds. For work that arrives asynchronously, such as the
    /// sandbox's webhooks.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            self.drain().await;
            if check().await {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for: {what}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
