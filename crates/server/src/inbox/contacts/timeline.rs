//! A contact's activity timeline, read from the event log: every event
//! whose payload names the contact or one of their conversations
//! (conversations, messages, consent, notes, tags, tasks, deals…), newest
//! first, each with a short summary. Delivery receipts (sent, delivered,
//! read, played) and "read by the team" are left out: they would bury the
//! rest.

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::{ContactId, EventId, Permission, Timestamp};
use serde_json::Value;
use store::events::StoredEvent;
use store::page::{Page, PageRequest};

/// Events the timeline does not show.
pub const NOT_SHOWN: &[&str] = &[
    "message.sent",
    "message.delivered",
    "message.read",
    "message.played",
    "message.status_out_of_order",
    "conversation.read",
];

/// One entry of the timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub id: EventId,
    pub seq: i64,
    /// The event's name (`message.received`).
    pub event: String,
    pub at: Timestamp,
    pub summary: String,
    pub payload: Value,
}

/// `id`'s timeline, newest first; the cursor is the last entry's id.
pub async fn timeline(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactId,
    page: PageRequest,
) -> AppResult<Page<TimelineEntry>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_contact(id).await?;
    let events = tx.contact_timeline(id, NOT_SHOWN, page).await?;
    tx.commit().await?;
    Ok(Page {
        items: events.items.into_iter().map(entry).collect(),
        next: events.next,
    })
}

fn entry(e: StoredEvent) -> TimelineEntry {
    TimelineEntry {
        summary: summary(&e.name, &e.payload),
        id: e.id,
        seq: e.seq,
        event: e.name,
        at: e.created_at,
        payload: e.payload,
    }
}

/// A short sentence about an event, from its name and payload.
pub fn summary(name: &str, p: &Value) -> String {
    let s = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or_default();
    let kind = match s("kind") {
        "" => "a".to_owned(),
        k if k.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {k}"),
        k => format!("a {k}"),
    };
    let quoted = |what: &str, key: &str| match s(key) {
        "" => what.to_owned(),
        v => format!("{what}: “{v}”"),
    };
    match name {
        "message.received" => format!("Received {kind} message"),
        "message.queued" => format!("Sent {kind} message"),
        "message.echoed" => format!("Sent {kind} message from the WhatsApp Business app"),
        "message.edited" => "The customer edited a message".to_owned(),
        "message.deleted" => "The customer deleted a message".to_owned(),
        "message.failed" => {
            let why = p["error"]["title"].as_str().unwrap_or("no reason given");
            format!("{} message was not delivered: {why}", capitalised(&kind))
        }
        "conversation.opened" => "Conversation started".to_owned(),
        "conversation.assigned" => {
            if p["assigned_user_id"].is_null() {
                "Conversation unassigned".to_owned()
            } else {
                "Conversation assigned".to_owned()
            }
        }
        "conversation.status_changed" => format!("Conversation marked {}", s("status")),
        "contact.created" => "Contact created".to_owned(),
        "contact.updated" => {
            let fields: Vec<&str> = p["changed"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            format!("Details changed: {}", fields.join(", "))
        }
        "contact.opted_out" => format!("Opted out of messages (via {})", s("via")),
        "contact.opted_in" => format!("Opted back in to messages (via {})", s("via")),
        "contact.merged" => format!(
            "Merged with another contact ({} messages moved)",
            p["messages_moved"].as_u64().unwrap_or(0)
        ),
        "contact.tagged" | "conversation.tagged" => quoted("Tagged", "tag_name"),
        "contact.untagged" | "conversation.untagged" => quoted("Tag removed", "tag_name"),
        other => {
            // Areas added later (notes, tasks, deals, bookings, campaigns)
            // read well enough from their name and title.
            let words = other.replace(['.', '_'], " ");
            quoted(&capitalised(&words), "title")
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::summary;
    use serde_json::json;

    #[test]
    fn summaries_read_like_sentences() {
        assert_eq!(
            summary("message.received", &json!({"kind": "image"})),
            "Received an image message"
        );
        assert_eq!(
            summary("message.queued", &json!({"kind": "template"})),
            "Sent a template message"
        );
        assert_eq!(
            summary(
                "contact.updated",
                &json!({"changed": ["name", "attributes.plan"]})
            ),
            "Details changed: name, attributes.plan"
        );
        assert_eq!(
            summary("task.created", &json!({"title": "Call back"})),
            "Task created: “Call back”"
        );
        assert_eq!(summary("note.created", &json!({})), "Note created");
    }
}
