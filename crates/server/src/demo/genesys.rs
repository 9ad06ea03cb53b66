//! The demo's contact centre: a Genesys sandbox in-process, with an agent
//! who answers every message, and the Delivery number linked to it through
//! the API as a business would. A customer who asks for an agent (or a
//! human) is handed to Genesys; the agent's answers come back on WhatsApp,
//! and the inbox shows the conversation as with Genesys until someone
//! takes it back.

use anyhow::Context;
use serde_json::{Value, json};

/// The sandbox's OAuth client.
const CLIENT: (&str, &str) = ("demo-genesys-client", "demo-genesys-secret");

/// A Genesys sandbox whose agent answers every text.
pub(super) async fn start_sandbox() -> anyhow::Result<genesys::GenesysSandbox> {
    genesys::GenesysSandbox::start(genesys::SandboxOptions {
        clients: vec![(CLIENT.0.to_owned(), CLIENT.1.to_owned())],
        auto_reply: true,
        ..genesys::SandboxOptions::default()
    })
    .await
}

/// The credentials, and the link of `channel` (handed over on "agent" or
/// "human").
pub(super) async fn seed_genesys<F, Fut>(call: &F, key: &str, channel: &Value) -> anyhow::Result<()>
where
    F: Fn(reqwest::Method, &str, Option<&str>, Value) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Value>>,
{
    call(
        reqwest::Method::PUT,
        "/api/v1/genesys/account",
        Some(key),
        json!({ "region": "eu-west-1", "client_id": CLIENT.0, "client_secret": CLIENT.1 }),
    )
    .await
    .context("the demo's Genesys credentials")?;
    let path = format!(
        "/api/v1/genesys/links/{}",
        channel.as_str().unwrap_or_default()
    );
    call(
        reqwest::Method::PUT,
        &path,
        Some(key),
        json!({ "routing": "handover", "keywords": ["agent", "human"] }),
    )
    .await
    .context("the demo's Genesys link")?;
    Ok(())
}
