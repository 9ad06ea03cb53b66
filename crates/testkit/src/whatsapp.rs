//! A test app wired to an in-process Cloud API sandbox over real HTTP: the
//! server's Graph base URL points at the sandbox, and the sandbox delivers
//! signed webhooks to the server's platform webhook URL.

use crate::{Auth, Engine, TestApp, TestTenant};
use sandbox::{NumberSpec, Sandbox, SandboxConfig};
use serde_json::json;

/// The platform Meta app secret shared by the server and the sandbox.
pub const APP_SECRET: &str = "test-app-secret";

/// A test app and its sandbox.
pub struct WhatsAppTest {
    pub app: TestApp,
    pub sandbox: Sandbox,
}

impl std::ops::Deref for WhatsAppTest {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl WhatsAppTest {
    pub async fn start(engine: Engine) -> WhatsAppTest {
        Self::start_with(engine, SandboxConfig::default()).await
    }

    pub async fn start_with(engine: Engine, sandbox_config: SandboxConfig) -> WhatsAppTest {
        Self::start_with_config(engine, sandbox_config, |_| {}).await
    }

    /// Like [`start_with`](Self::start_with), also adjusting the server's configuration.
    pub async fn start_with_config(
        engine: Engine,
        mut sandbox_config: SandboxConfig,
        adjust: impl FnOnce(&mut server::Config),
    ) -> WhatsAppTest {
        sandbox_config.app_secret = APP_SECRET.to_owned();
        let sandbox = Sandbox::start(sandbox_config)
            .await
            .expect("sandbox starts");
        let base = sandbox.base_url();
        let app = TestApp::start_with(engine, |c| {
            c.graph_base_url = base;
            c.meta_app_secret = Some(server::config::Secret::new(APP_SECRET));
            c.meta_verify_token = Some(server::config::Secret::new("platform-verify-token"));
            adjust(c);
        })
        .await;
        sandbox.set_webhook(
            Some(format!("{}/webhooks/whatsapp", app.url)),
            APP_SECRET.to_owned(),
        );
        WhatsAppTest { app, sandbox }
    }

    /// Registers `phone_number_id` in the sandbox and connects it to `tenant`
    /// through the API; returns the channel id.
    pub async fn connect_number(
        &self,
        tenant: &TestTenant,
        phone_number_id: &str,
        waba_id: &str,
    ) -> String {
        let token = format!("token-{phone_number_id}");
        self.sandbox
            .add_number(NumberSpec::new(phone_number_id, waba_id, &token))
            .expect("sandbox number");
        let r = self
            .app
            .post(
                "/api/v1/channels",
                Auth::ApiKey(&tenant.api_key),
                json!({ "phone_number_id": phone_number_id, "waba_id": waba_id, "access_token": token }),
            )
            .await;
        assert_eq!(r.status, 201, "connect number: {}", r.body);
        r.body["id"].as_str().expect("channel id").to_owned()
    }

    pub async fn stop(self) {
        self.sandbox.shutdown().await;
        self.app.stop().await;
    }
}

/// Runs `test` on both engines with a fresh app and sandbox each time.
pub async fn each_engine_with_sandbox<F, Fut>(test: F)
where
    F: Fn(WhatsAppTest) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    eprintln!("--- engine: sqlite");
    test(WhatsAppTest::start(Engine::Sqlite).await).await;
    if crate::pg_admin_url().is_some() {
        eprintln!("--- engine: postgres");
        test(WhatsAppTest::start(Engine::Postgres).await).await;
    } else if std::env::var("SWITCHBOARD_REQUIRE_PG").is_ok_and(|v| v == "1") {
        panic!("SWITCHBOARD_REQUIRE_PG=1 but TEST_DATABASE_URL is not set");
    }
}

/// Requires every message in `ids` to have reached the customer exactly
/// once (matched by the message id we send in `biz_opaque_callback_data`)
/// or to have failed with Meta's reason.
pub async fn assert_each_sent_once_or_failed(
    store: &store::Store,
    tenant: domain::TenantId,
    ids: &[domain::MessageId],
    outbound: &[sandbox::OutboundMessage],
) {
    let mut tx = store.tenant(tenant).await.unwrap();
    for id in ids {
        let m = tx.find_message(*id).await.unwrap();
        let key = id.to_string();
        let copies = outbound
            .iter()
            .filter(|o| o.biz_opaque_callback_data.as_deref() == Some(key.as_str()))
            .count();
        if m.status == domain::messaging::MessageStatus::Failed {
            assert!(
                m.error_code.is_some() || m.error_title.is_some(),
                "failed without a reason: {m:?}"
            );
        } else {
            assert_eq!(
                copies, 1,
                "message {id} ({:?}) reached the customer {copies} times",
                m.status
            );
        }
    }
    tx.commit().await.unwrap();
}
