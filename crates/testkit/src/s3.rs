//! The test object store: moto's S3 server, started by the README's test
//! command (`scripts/test` sets `SWITCHBOARD_TEST_S3_ENDPOINT` and
//! `SWITCHBOARD_TEST_S3_BUCKET`). Each test writes under a prefix of its
//! own, so tests share the bucket without seeing each other's objects.

use crate::{Engine, WhatsAppTest, engines};
use sandbox::SandboxConfig;
use server::config::{MediaStoreConfig, S3Config, Secret};

/// Which media store a test app keeps media in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaBackend {
    /// `<data dir>/media`.
    Local,
    /// The test bucket, under a fresh prefix.
    S3,
}

fn required(name: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!("{name} is not set: run the tests through scripts/test, which starts an S3 server (scripts/moto)")
    })
}

/// The test bucket's settings with `prefix`. moto takes any credentials.
pub fn s3_config(prefix: &str) -> S3Config {
    S3Config {
        bucket: required("SWITCHBOARD_TEST_S3_BUCKET"),
        endpoint: Some(required("SWITCHBOARD_TEST_S3_ENDPOINT")),
        region: Some("us-east-1".into()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some(Secret::new("testing")),
        prefix: Some(prefix.to_owned()),
    }
}

/// The media store setting for `backend`; S3 under a fresh prefix.
pub fn media_store(backend: MediaBackend) -> MediaStoreConfig {
    match backend {
        MediaBackend::Local => MediaStoreConfig::Local,
        MediaBackend::S3 => {
            MediaStoreConfig::S3(s3_config(&format!("test-{}", uuid::Uuid::now_v7())))
        }
    }
}

/// Runs `test` with a fresh app and sandbox on each engine and with each
/// media store: the local directory, then the S3 bucket.
pub async fn each_media_store_with_sandbox<F, Fut>(test: F)
where
    F: Fn(WhatsAppTest) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for engine in engines() {
        for backend in [MediaBackend::Local, MediaBackend::S3] {
            eprintln!("--- engine: {engine:?}, media store: {backend:?}");
            test(start(engine, backend).await).await;
        }
    }
}

async fn start(engine: Engine, backend: MediaBackend) -> WhatsAppTest {
    WhatsAppTest::start_with_config(engine, SandboxConfig::default(), |c| {
        c.media_store = media_store(backend);
    })
    .await
}
