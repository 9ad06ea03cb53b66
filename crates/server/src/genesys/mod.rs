//! The Genesys Cloud bridge: conversations handed to contact-centre agents
//! through Genesys Open Messaging (`../shared/reference/genesys-open-messaging.md`).
//!
//! - [`account`]: a workspace's Genesys credentials, checked by obtaining
//!   a token; [`tokens`] caches tokens per workspace.
//! - [`links`]: each number's Open Messaging integration, its webhook URL
//!   here and its signature secret, and which conversations go to Genesys.
//! - [`handover`]: the rules that hand a conversation to Genesys and take
//!   it back.
//! - [`consumer`]: the `genesys.bridge` consumer of the event log: a
//!   customer's message in a conversation with Genesys (or one that hands
//!   it over) is queued for Genesys; our messages' statuses become
//!   receipts for the agents' messages they carried.
//! - [`push`]: the job that says what is queued to Genesys, in order, once.
//! - [`reply`]: an agent's message from Genesys' webhook ([`webhook`]),
//!   sent on WhatsApp under every rule, or refused with a failed receipt.
//! - [`check`]: asks Genesys whether its conversations ended, and hands
//!   them back.
//! - [`media_link`]: signed, expiring links to our media store, through
//!   which Genesys fetches customers' attachments.
//! - [`api`], [`pages`]: the adapters.

pub mod account;
pub mod api;
pub mod check;
pub mod consumer;
pub mod handover;
pub mod jobs;
pub mod links;
pub mod media_link;
pub mod pages;
pub mod push;
pub mod render;
pub mod reply;
pub mod tokens;
pub mod webhook;

use crate::config::Config;

/// The bridge's client and token cache, shared by every handler.
#[derive(Debug)]
pub struct Runtime {
    pub client: genesys::GenesysClient,
    pub tokens: tokens::Tokens,
}

impl Runtime {
    /// How long a call to Genesys may take.
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

    pub fn new(config: &Config) -> anyhow::Result<Runtime> {
        let client = genesys::GenesysClient::new(config.genesys_base_url.clone(), Self::TIMEOUT)
            .map_err(|e| anyhow::anyhow!("building the Genesys client: {e}"))?;
        Ok(Runtime {
            client,
            tokens: tokens::Tokens::default(),
        })
    }
}
