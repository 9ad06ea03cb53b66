//! The WhatsApp Cloud API protocol as a library: wire types, webhook parsing
//! and signature checks, a Graph API client and the error taxonomy. No
//! database, no HTTP server; see `docs/reference/whatsapp-cloud-api.md` for
//! the wire formats this crate implements.
//!
//! Modules:
//! - [`webhook`]: the webhook envelope (`object` / `entry` / `changes` /
//!   `value`), inbound messages of every type, statuses and template status
//!   updates; [`parse_webhook`] and [`WebhookPayload::events`], which flattens
//!   a body into [`WebhookEvent`]s. Parsing is forgiving: unknown fields,
//!   message types and values are kept raw, never dropped and never a parse
//!   failure.
//! - [`signature`]: `X-Hub-Signature-256` verification ([`verify_signature`],
//!   constant time) and generation ([`sign`]).
//! - [`outgoing`]: the bodies of `POST /{phone_number_id}/messages`
//!   ([`OutgoingMessage`], mark-as-read) and the send response, serialising to
//!   Meta's exact JSON and deserialising from it.
//! - [`client`]: [`GraphClient`], sending messages, media upload/download,
//!   phone number lookup and template management over `reqwest`.
//! - [`error`]: Meta's error envelope ([`MetaError`]), [`GraphError`], and
//!   [`classify`] mapping an error code to retry / permanent / credentials
//!   with back-off advice; [`error::codes`] names every code.
//! - [`shared`]: types used both inbound and outbound (locations, contact
//!   cards).
//!
//! ```no_run
//! # async fn demo(body: &[u8], header: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
//! use whatsapp::{GraphClient, OutgoingMessage, WebhookEvent};
//!
//! whatsapp::verify_signature(b"app-secret", body, header)?;
//! let payload = whatsapp::parse_webhook(body)?;
//! for event in payload.events() {
//!     if let WebhookEvent::Message { phone_number_id, message, .. } = event {
//!         let client = GraphClient::new()?;
//!         let reply = OutgoingMessage::text(message.from.as_deref().unwrap_or_default(), "Hi!")
//!             .with_reply_to(message.id.clone());
//!         client.send(phone_number_id, "access-token", &reply).await?;
//!     }
//! }
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

mod lenient;

pub mod client;
pub mod error;
pub mod outgoing;
pub mod shared;
pub mod signature;
pub mod webhook;

pub use client::{GraphClient, GraphClientBuilder};
pub use error::{ErrorClass, ErrorEnvelope, GraphError, MetaError, RetryAdvice, classify, codes};
pub use outgoing::{OutgoingMessage, Recipient, SendOptions, SendResponse};
pub use signature::{SIGNATURE_HEADER, SignatureError, sign, verify_signature};
pub use webhook::{
    InboundMessage, MessageContent, ParseError, Status, StatusKind, WebhookEvent, WebhookPayload,
    parse_webhook,
};
