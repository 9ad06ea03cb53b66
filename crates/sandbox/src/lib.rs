//! A local simulator of the WhatsApp Cloud API (Meta Graph API), built from
//! `docs/reference/whatsapp-cloud-api.md` independently of the `whatsapp`
//! client crate so that the client can be tested against it.
//!
//! # Pointing a Cloud API client at the sandbox
//!
//! Any client that talks to `https://graph.facebook.com/{version}` works:
//!
//! * **Base URL**: [`Sandbox::base_url`] (e.g. `http://127.0.0.1:9090`) instead of
//!   `https://graph.facebook.com`. Graph paths keep their shape:
//!   `{base}/v23.0/{phone_number_id}/messages`, `{base}/v23.0/{media_id}`,
//!   `{base}/v23.0/{waba_id}/message_templates`; any `v<major>.<minor>` works.
//! * **Token**: the `access_token` of the number ([`NumberSpec`]), sent as
//!   `Authorization: Bearer <token>`. A wrong token gets code 190 (HTTP 401);
//!   a valid token used on another number gets 100 / subcode 33.
//! * **Webhooks**: set the callback URL ([`SandboxConfig::webhook_url`],
//!   [`Sandbox::set_webhook`] or `POST /_sandbox/webhook`); bodies are signed
//!   with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body, app_secret)>`.
//! * **Media download URLs** point back at the sandbox and need the Bearer token.
//!
//! Standalone: `switchboard sandbox` ([`run`] / [`SandboxArgs`]) starts one
//! demo number `106540352242922` (WABA `102290129340398`, token
//! `sandbox-token`) unless `--number` is given.
//!
//! # What it simulates
//!
//! Sends of every kind with Meta's validation and error envelopes; status
//! webhooks `sent -> delivered -> read` (or `failed`) with `conversation` /
//! `pricing` and `biz_opaque_callback_data`; the 24-hour customer-service
//! window (free-form outside it: 200 + wamid, then a `failed` status 131047);
//! customers' business-scoped user ids (BSUIDs: `contacts[].user_id`,
//! `from_user_id`, `recipient_user_id`, sends by `recipient`, see
//! [`UserIdMode`]); templates (must exist in the language and be APPROVED: 132001/132015/
//! 132016, parameter counts 132000); per-number throughput (token bucket,
//! 130429) and an optional pair rate limit (131056); media upload/retrieve/
//! download/delete; phone-number, WABA and template `fields=` selections
//! (every documented field accepted, as client libraries such as pywa ask
//! for all of them); the business profile (`whatsapp_business_profile`);
//! template CRUD with filters, paging, `summary=` and status webhooks.
//!
//! Simulated customers and test hooks live under `/_sandbox/` (table below)
//! and on [`Sandbox`]: inbound messages of
//! any type, what each customer received, scripts, faults ([`Faults`]),
//! a sandbox clock, counters and the webhook log.
//!
//! # Control API
//!
//! | route | body / query |
//! |---|---|
//! | `POST /_sandbox/inbound` | [`InboundMessage`], e.g. `{"phone_number_id":"…","from":"16505551234","type":"text","body":"Hi"}` |
//! | `GET /_sandbox/customers/{wa_id}/messages` | `?phone_number_id=` |
//! | `PUT /_sandbox/customers/{wa_id}` | [`CustomerProfile`] `{"name":"Ana","reachable":true,"read_receipts":true}`, plus `"user_id"`: a BSUID to use, `null` for none ([`UserIdMode`]) |
//! | `GET /_sandbox/customers/{wa_id}/user_id` | `?phone_number_id=` -> `{"user_id":"US.…"}` |
//! | `POST /_sandbox/customers/{wa_id}/read` | `{"phone_number_id":"…","message_id":"wamid…"?}` |
//! | `GET /_sandbox/messages`, `GET /_sandbox/messages/{wamid}` | `?phone_number_id=&to=` |
//! | `POST /_sandbox/scripts` | [`Script`] |
//! | `GET/POST /_sandbox/numbers` | [`NumberSpec`] |
//! | `GET/POST /_sandbox/templates`, `POST /_sandbox/templates/{id}/status` | [`TemplateSpec`], [`TemplateStatusUpdate`] |
//! | `GET/PUT /_sandbox/faults` | [`Faults`] |
//! | `GET/PUT /_sandbox/webhook`, `POST /_sandbox/webhook/pause` / `resume`, `GET /_sandbox/webhooks` | `{"url":"…","app_secret":"…"}` |
//! | `GET /_sandbox/clock`, `POST /_sandbox/clock/advance` | `{"seconds":90000}` |
//! | `POST /_sandbox/errors` | `{"phone_number_id":"…","code":131000,"details":"…"}` |
//! | `GET /_sandbox/counters`, `POST /_sandbox/counters/reset` | |
#![forbid(unsafe_code)]

mod app;
mod catalog;
mod cli;
mod config;
mod control;
mod customer;
mod faults;
mod graph;
mod lifecycle;
mod ratelimit;
mod records;
mod sandbox;
mod script;
mod state;
mod webhook;

pub use catalog::{TemplateSpec, TemplateStatusUpdate};
pub use cli::{SandboxArgs, run};
pub use config::{DEFAULT_RATE_LIMIT, MAX_RATE_LIMIT, NumberSpec, PairRateLimit, SandboxConfig};
pub use customer::{
    ContactCard, ContactName, ContactPhone, InboundContent, InboundMedia, InboundMessage,
    InboundReceipt, Referral,
};
pub use faults::{ErrorMode, ErrorRate, Faults, WebhookFaults};
pub use sandbox::{GRAPH_VERSION, Sandbox};
pub use script::{Script, ScriptResult, ScriptSend, ScriptStep, StepResult};
pub use state::{
    Counters, CustomerProfile, InboundRecord, NumberCounters, OutboundMessage, StatusStep,
    Template, UserIdMode, WebhookCounters, WebhookRecord,
};
pub use webhook::{sign, to_meta_bytes};

/// Meta error helpers (titles, envelope) for tests and tools.
pub mod errors {
    pub use crate::graph::errors::{GraphError, default_details, is_transient, title};
}
