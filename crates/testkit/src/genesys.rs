//! A test app wired to both sandboxes over real HTTP: the Cloud API
//! sandbox (Meta) and the Genesys sandbox, with the server's Genesys base
//! URL pointing at the latter.

use crate::{Auth, Engine, TestTenant, WhatsAppTest};
use genesys::{GenesysSandbox, SandboxOptions};
use serde_json::{Value, json};

/// The OAuth client the Genesys sandbox accepts by default.
pub const GENESYS_CLIENT: (&str, &str) = ("sandbox-client", "sandbox-secret");

/// A test app, its Meta sandbox and its Genesys sandbox.
pub struct GenesysTest {
    pub wa: WhatsAppTest,
    pub genesys: GenesysSandbox,
}

impl std::ops::Deref for GenesysTest {
    type Target = WhatsAppTest;
    fn deref(&self) -> &WhatsAppTest {
        &self.wa
    }
}

impl GenesysTest {
    pub async fn start(engine: Engine) -> GenesysTest {
        let genesys = GenesysSandbox::start(SandboxOptions::default())
            .await
            .expect("Genesys sandbox starts");
        let base = genesys.base_url();
        let wa = WhatsAppTest::start_with_config(engine, Default::default(), |c| {
            c.genesys_base_url = Some(base);
        })
        .await;
        GenesysTest { wa, genesys }
    }

    /// Sets `tenant`'s Genesys credentials (the sandbox's client) and links
    /// number `channel` with `link` (`{"routing": …, "keywords": […]}`);
    /// the link as the API answers it.
    pub async fn link(&self, tenant: &TestTenant, channel: &str, link: Value) -> Value {
        let key = Auth::ApiKey(&tenant.api_key);
        let r = self
            .app
            .put(
                "/api/v1/genesys/account",
                key,
                json!({ "region": "eu-west-1", "client_id": GENESYS_CLIENT.0,
                        "client_secret": GENESYS_CLIENT.1 }),
            )
            .await;
        assert_eq!(r.status, 200, "Genesys account: {}", r.body);
        let r = self
            .app
            .put(&format!("/api/v1/genesys/links/{channel}"), key, link)
            .await;
        assert!(
            r.status == 201 || r.status == 200,
            "Genesys link: {}",
            r.body
        );
        r.body
    }

    pub async fn stop(self) {
        self.genesys.shutdown().await;
        self.wa.stop().await;
    }
}

/// Runs `test` on both engines with a fresh app and both sandboxes.
pub async fn each_engine_with_genesys<F, Fut>(test: F)
where
    F: Fn(GenesysTest) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    eprintln!("--- engine: sqlite");
    test(GenesysTest::start(Engine::Sqlite).await).await;
    if crate::pg_admin_url().is_some() {
        eprintln!("--- engine: postgres");
        test(GenesysTest::start(Engine::Postgres).await).await;
    } else if std::env::var("SWITCHBOARD_REQUIRE_PG").is_ok_and(|v| v == "1") {
        panic!("SWITCHBOARD_REQUIRE_PG=1 but TEST_DATABASE_URL is not set");
    }
}
