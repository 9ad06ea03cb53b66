//! Public records kept by the sandbox: customers, messages, templates,
//! counters and the webhook log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a simulated customer behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerProfile {
    /// `contacts[].profile.name` in inbound webhooks.
    pub name: String,
    /// `false`: sends to this customer are accepted, then fail with 131026.
    pub reachable: bool,
    /// `false`: no `read` statuses for this customer (read receipts off).
    pub read_receipts: bool,
}

impl Default for CustomerProfile {
    fn default() -> Self {
        Self {
            name: "Sandbox Customer".to_owned(),
            reachable: true,
            read_receipts: true,
        }
    }
}

/// The business-scoped user id (BSUID) a simulated customer has.
///
/// Webhooks carry it as `contacts[].user_id`, `messages[].from_user_id` and
/// `statuses[].recipient_user_id`; sends may address it as `recipient`.
/// Control-API JSON: `"derived"`, `{"fixed": "US.13491208655302741918"}`,
/// `"absent"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserIdMode {
    /// `<country>.` + 20 digits derived from the number's WABA and the
    /// wa_id: stable, and different per business (BSUIDs are business-scoped).
    #[default]
    Derived,
    /// This exact id, on every number.
    Fixed(String),
    /// No BSUID at all: payloads as before BSUIDs (no `user_id`,
    /// `from_user_id`, `recipient_user_id`, no `contacts` on statuses).
    Absent,
}

/// One status step of an outbound message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusStep {
    pub status: String,
    pub timestamp: i64,
}

/// A message a business number sent to a customer (what the customer "received").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// The wamid returned by the send call.
    pub id: String,
    pub phone_number_id: String,
    /// Normalised recipient wa_id.
    pub to: String,
    /// `to` exactly as the request gave it.
    pub input: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The `<type>` object of the send body (e.g. `{"body": "hi"}` for text).
    pub content: Value,
    /// `context.message_id` of a quoted reply.
    pub context: Option<String>,
    pub biz_opaque_callback_data: Option<String>,
    /// Pricing category: `service`, or the template category in lower case.
    pub category: String,
    /// Pricing type: `regular` or `free_customer_service`.
    pub pricing_type: String,
    /// Latest status: `accepted`, `sent`, `delivered`, `read` or `failed`.
    pub status: String,
    pub statuses: Vec<StatusStep>,
    /// Error code of a `failed` status.
    pub error_code: Option<i64>,
    /// Sandbox-clock Unix seconds at acceptance.
    pub accepted_at: i64,
    /// Global acceptance order.
    pub seq: u64,
}

/// A message a simulated customer sent to a business number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundRecord {
    pub id: String,
    pub phone_number_id: String,
    pub from: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub timestamp: i64,
    /// Marked read by the business (`status: read` on the messages endpoint).
    pub read: bool,
}

/// A message template of a WABA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    pub waba_id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub status: String,
    #[serde(default)]
    pub components: Value,
    #[serde(default = "positional")]
    pub parameter_format: String,
    #[serde(default = "none_reason")]
    pub rejected_reason: String,
    /// Other documented management-API fields given at creation or edit
    /// (`message_send_ttl_seconds`, `sub_category`, `previous_category`, ...),
    /// answered back as stored.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, Value>,
}

fn positional() -> String {
    "POSITIONAL".to_owned()
}

fn none_reason() -> String {
    "NONE".to_owned()
}

/// Per-number counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumberCounters {
    /// Sends answered 200 + wamid (including ones that later fail).
    pub accepted: u64,
    /// Synchronous errors by code.
    pub rejected: BTreeMap<String, u64>,
    /// Asynchronous `failed` statuses by code.
    pub failed: BTreeMap<String, u64>,
    /// Accepted sends whose `biz_opaque_callback_data` was already accepted
    /// earlier from the same number (duplicate sends).
    pub duplicate_callback_data: u64,
    /// Customer messages delivered to this number.
    pub inbound: u64,
    /// Inbound messages marked read by the business.
    pub marked_read: u64,
}

/// Webhook delivery counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhookCounters {
    /// Events (messages, statuses, template updates, errors) produced.
    pub events: u64,
    /// Distinct bodies built (a batch counts once; a duplicate delivery does not).
    pub bodies: u64,
    /// HTTP POST attempts, retries and duplicates included.
    pub attempts: u64,
    /// Attempts answered 200.
    pub delivered: u64,
    /// Attempts that failed (non-200, timeout, connection error).
    pub failed_attempts: u64,
    /// Bodies dropped because no webhook URL is set or attempts ran out.
    pub dropped: u64,
    /// Extra copies sent by the duplicate fault.
    pub duplicates: u64,
}

/// Snapshot of all counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    pub numbers: BTreeMap<String, NumberCounters>,
    pub webhooks: WebhookCounters,
}

/// One webhook body and what happened to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookRecord {
    pub seq: u64,
    /// Exact body bytes (as UTF-8) that were signed and POSTed.
    pub body: String,
    pub signature: String,
    pub attempts: u32,
    pub delivered: bool,
    /// Last HTTP status received (None: no answer / no URL).
    pub last_status: Option<u16>,
}
