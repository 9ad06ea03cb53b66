//! Genesys Cloud Open Messaging as a library: the wire types, the outbound
//! webhook signature, region hosts, an API client and a local Genesys
//! sandbox. No database; see
//! `shared/reference/genesys-open-messaging.md` for the wire formats.
//!
//! Modules:
//! - [`wire`]: serde types of every body we send to Genesys (inbound
//!   messages, events, receipts, integrations) and receive from it (outbound
//!   webhook messages, conversations, errors, tokens), camelCase on the wire;
//!   unknown fields are ignored.
//! - [`signature`]: `X-Hub-Signature-256: sha256=<base64 HMAC-SHA256>` of the
//!   outbound webhook ([`signature::verify`], constant time, and
//!   [`signature::sign`]).
//! - [`region`]: region names and host suffixes ([`region::host_of`]).
//! - [`client`]: [`GenesysClient`] (OAuth client credentials, integrations,
//!   inbound messages, receipts and events, conversations) and
//!   [`GenesysError`].
//! - [`sandbox`]: [`GenesysSandbox`], a local stand-in for Genesys Cloud
//!   (OAuth, the Open Messaging API, an agent that answers through the signed
//!   outbound webhook), for tests and demos; [`run`] serves it standalone.
//!
//! ```no_run
//! # async fn demo() -> Result<(), genesys::GenesysError> {
//! use std::time::Duration;
//! use genesys::{GenesysClient, Session};
//!
//! let host = genesys::region::host_of("eu-west-1").map_err(genesys::GenesysError::Config)?;
//! let client = GenesysClient::new(None, Duration::from_secs(10))?;
//! let token = client.token(&host, "client-id", "client-secret").await?;
//! let session = Session { host: &host, token: &token.access_token };
//! let conversation = client.get_conversation(&session, "d06cb41e-f938-4dcf-b823-c8af1a39d7e5").await?;
//! println!("ended: {}", conversation.ended());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod client;
pub mod region;
pub mod sandbox;
pub mod signature;
pub mod wire;

pub use client::{GenesysClient, GenesysError, Session, Token};
pub use sandbox::{
    AgentAttachment, Fetched, GenesysSandbox, RecordedEvent, RecordedInbound, RecordedReceipt,
    SandboxArgs, SandboxOptions, run,
};
