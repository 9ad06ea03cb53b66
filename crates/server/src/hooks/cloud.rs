//! Cloud-API-format endpoints: a bot written for Meta's Cloud API gets
//! Meta's own webhooks for its tenant's numbers, as Meta would send them
//! to it (issue 21, docs/WEBHOOKS.md "Cloud API format").
//!
//! When webhook processing applies a stored webhook, every change
//! (`entry[].changes[]`) goes to the tenant owning the number its
//! `metadata.phone_number_id` names (or, for account-level changes without
//! one, to each tenant with numbers of the entry's WABA), exactly as the
//! events in it are routed. In the same transaction, each of that tenant's
//! enabled Cloud-API endpoints gets one delivery: Meta's envelope around
//! the tenant's changes only, the values byte for byte as Meta sent them.
//! From there it is an ordinary delivery (stored, retried, logged,
//! replayable), signed `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of
//! the body>` with the endpoint's secret, which the bot knows as its app
//! secret. A delivery's event id is the stored webhook's id, so processing
//! a webhook twice never queues it twice.
//!
//! Before an endpoint is saved (and whenever its URL changes or it is
//! enabled) Switchboard runs Meta's verification handshake against it.

use super::{jobs, ssrf};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ChannelId, DeliveryId, EventId, Timestamp, WebhookId};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::Sha256;
use store::TenantTx;
use store::hooks::HookFormat;
use store::hooks::deliveries::NewHookDelivery;

/// The name a test delivery to a Cloud-API endpoint is logged under.
pub const TEST_EVENT: &str = "whatsapp.test";

/// The header a Cloud-API endpoint's deliveries are signed in.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// One change of a webhook, as Meta sent it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The entry's id: the WABA.
    pub entry_id: String,
    pub field: String,
    pub value: Box<RawValue>,
    /// `value.metadata.phone_number_id`, when it names a number.
    pub phone_number_id: Option<String>,
}

#[derive(Deserialize)]
struct InEnvelope {
    #[serde(default)]
    entry: Vec<InEntry>,
}

#[derive(Deserialize)]
struct InEntry {
    id: String,
    #[serde(default)]
    changes: Vec<InChange>,
}

#[derive(Deserialize)]
struct InChange {
    field: String,
    value: Box<RawValue>,
}

#[derive(Deserialize)]
struct Routing {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: Option<String>,
}

/// The changes of webhook body `body`, in body order (none when it is not
/// an envelope Meta sends).
pub fn changes(body: &[u8]) -> Vec<Change> {
    let Ok(envelope) = serde_json::from_slice::<InEnvelope>(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in envelope.entry {
        for c in entry.changes {
            let phone_number_id = serde_json::from_str::<Routing>(c.value.get())
                .ok()
                .and_then(|r| r.metadata)
                .and_then(|m| m.phone_number_id);
            out.push(Change {
                entry_id: entry.id.clone(),
                field: c.field,
                value: c.value,
                phone_number_id,
            });
        }
    }
    out
}

/// A tenant's share of one stored webhook: its changes, each with the
/// number it concerns (`None`: account-level).
#[derive(Debug, Clone)]
pub struct Forward {
    pub webhook: WebhookId,
    pub changes: Vec<(Change, Option<ChannelId>)>,
}

#[derive(Serialize)]
struct OutEnvelope<'a> {
    object: &'static str,
    entry: Vec<OutEntry<'a>>,
}

#[derive(Serialize)]
struct OutEntry<'a> {
    id: &'a str,
    changes: Vec<OutChange<'a>>,
}

#[derive(Serialize)]
struct OutChange<'a> {
    value: &'a RawValue,
    field: &'a str,
}

/// Meta's envelope around `changes` (consecutive changes of one WABA in
/// one entry, as Meta groups them).
pub fn body(changes: &[&Change]) -> String {
    let mut entry: Vec<OutEntry<'_>> = Vec::new();
    for c in changes {
        let change = OutChange {
            value: &c.value,
            field: &c.field,
        };
        match entry.last_mut() {
            Some(last) if last.id == c.entry_id => last.changes.push(change),
            _ => entry.push(OutEntry {
                id: &c.entry_id,
                changes: vec![change],
            }),
        }
    }
    let envelope = OutEnvelope {
        object: "whatsapp_business_account",
        entry,
    };
    serde_json::to_string(&envelope).unwrap_or_default()
}

/// Queues, in `tx` (the tenant's), one delivery of each forward to each of
/// the tenant's enabled Cloud-API endpoints that takes one of its numbers.
pub async fn queue(tx: &mut TenantTx, forwards: &[Forward], now: Timestamp) -> anyhow::Result<()> {
    if forwards.is_empty() {
        return Ok(());
    }
    let endpoints: Vec<_> = tx
        .enabled_hook_endpoints()
        .await?
        .into_iter()
        .filter(|e| e.format == HookFormat::CloudApi)
        .collect();
    for f in forwards {
        for e in &endpoints {
            let wanted: Vec<&Change> = f
                .changes
                .iter()
                .filter(|(_, channel)| match (channel, &e.channel_ids) {
                    (Some(c), Some(only)) => only.contains(c),
                    _ => true,
                })
                .map(|(c, _)| c)
                .collect();
            let Some(first) = wanted.first() else {
                continue;
            };
            let id = DeliveryId::new();
            let inserted = tx
                .insert_hook_delivery(&NewHookDelivery {
                    id,
                    endpoint_id: e.id,
                    event_id: EventId::from_uuid(f.webhook.as_uuid()),
                    event_name: &format!("whatsapp.{}", first.field),
                    event_seq: None,
                    body: &body(&wanted),
                    now,
                })
                .await?;
            if inserted {
                jobs::enqueue_attempt(tx, id, now, now).await?;
            }
        }
    }
    Ok(())
}

/// The `X-Hub-Signature-256` value of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What a test delivery to a Cloud-API endpoint carries: the sample Meta's
/// dashboard sends for the `messages` field.
pub fn test_body() -> String {
    serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "0", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "16505551111", "phone_number_id": "123456123" },
            "contacts": [{ "profile": { "name": "test user name" }, "wa_id": "16315551181" }],
            "messages": [{ "from": "16315551181", "id": "ABGGFlA5Fpa", "timestamp": "1504902988",
                           "type": "text", "text": { "body": "this is a text message" } }]
        }}]}]
    })
    .to_string()
}

/// Meta's verification handshake against `url`: a GET with `hub.mode`,
/// `hub.verify_token` and a random `hub.challenge`, which the endpoint must
/// answer 200 with the challenge alone.
pub async fn verify(state: &AppState, url: &str, verify_token: &str) -> AppResult<()> {
    let mut url = ssrf::check_url(&state.config.webhooks, url).await?;
    let challenge = u64::from_le_bytes(crate::crypto::random_bytes::<8>()).to_string();
    let refused = |why: String| {
        AppError::Rule(
            "webhook_verification_failed",
            format!("the endpoint did not pass Meta's verification handshake: {why}"),
        )
    };
    url.query_pairs_mut()
        .append_pair("hub.mode", "subscribe")
        .append_pair("hub.verify_token", verify_token)
        .append_pair("hub.challenge", &challenge);
    let answer = state
        .hooks
        .client
        .get(url)
        .send()
        .await
        .map_err(|e| refused(super::deliver::describe(e)))?;
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(refused(format!("it answered HTTP {}", status.as_u16())));
    }
    if text.trim() != challenge {
        return Err(refused(
            "it did not answer with hub.challenge (is the verify token the bot's?)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_NUMBERS: &str = r#"{"object":"whatsapp_business_account","entry":[
        {"id":"W1","changes":[
            {"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"P1"},"messages":[{"id":"a"}]},"field":"messages"},
            {"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"2","phone_number_id":"P2"},"statuses":[{"id":"b"}]},"field":"messages"}]},
        {"id":"W2","changes":[{"value":{"event":"APPROVED","message_template_id":9},"field":"message_template_status_update"}]}]}"#;

    #[test]
    fn changes_keep_their_order_values_and_routing() {
        let found = changes(TWO_NUMBERS.as_bytes());
        let keys: Vec<(&str, &str, Option<&str>)> = found
            .iter()
            .map(|c| {
                (
                    c.entry_id.as_str(),
                    c.field.as_str(),
                    c.phone_number_id.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("W1", "messages", Some("P1")),
                ("W1", "messages", Some("P2")),
                ("W2", "message_template_status_update", None)
            ]
        );
        assert!(found[0].value.get().contains(r#""messages":[{"id":"a"}]"#));
        assert!(changes(b"not json").is_empty());
        assert!(changes(br#"{"object":"page"}"#).is_empty());
    }

    #[test]
    fn a_body_holds_only_the_changes_given_in_meta_s_envelope() {
        let found = changes(TWO_NUMBERS.as_bytes());
        let text = body(&[&found[1], &found[2]]);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["object"], "whatsapp_business_account");
        assert_eq!(v["entry"].as_array().unwrap().len(), 2);
        assert_eq!(v["entry"][0]["id"], "W1");
        assert_eq!(v["entry"][0]["changes"].as_array().unwrap().len(), 1);
        assert_eq!(
            v["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"],
            "P2"
        );
        assert_eq!(
            v["entry"][1]["changes"][0]["field"],
            "message_template_status_update"
        );
        assert!(!text.contains("P1"));
        // Consecutive changes of one WABA share an entry.
        let both = body(&[&found[0], &found[1]]);
        let v: serde_json::Value = serde_json::from_str(&both).unwrap();
        assert_eq!(v["entry"].as_array().unwrap().len(), 1);
        assert_eq!(v["entry"][0]["changes"].as_array().unwrap().len(), 2);
    }

    /// Computed independently:
    /// `python3 -c 'import hmac,hashlib; print(hmac.new(b"app-secret", b"{\"a\":1}", hashlib.sha256).hexdigest())'`
    #[test]
    fn signatures_match_an_independent_implementation() {
        assert_eq!(
            signature("app-secret", br#"{"a":1}"#),
            format!("sha256={}", KNOWN)
        );
    }
    const KNOWN: &str = "a2ac6607a24977f9757e6d78319ae1660ad42ffeee0ee3f0dff30a92bcf85448";
}
