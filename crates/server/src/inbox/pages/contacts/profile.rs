//! The contact page's own blocks: the edit form (with an input per custom
//! attribute, by type), the "Message" form (a number, then a text while
//! that number's window is open, or one of its approved templates), the
//! activity timeline, duplicates with a merge button, and delete. Also the
//! contact list's attribute filter inputs.

use super::ContactsQuery;
use crate::auth::TenantCtx;
use crate::dashboard::page::Shell;
use crate::dashboard::render::when;
use crate::error::AppResult;
use crate::inbox::contacts::{merge, message, timeline};
use crate::inbox::pages::compose::{TemplateChoice, approved_templates};
use crate::state::AppState;
use domain::Permission;
use serde::Deserialize;
use serde_json::Value;
use store::crm::attributes::{AttributeDef, AttributeKind};
use store::inbox::{Contact, Conversation};
use store::page::PageRequest;

/// The contact page's URL parameters.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactPageQuery {
    /// What the last action did: `created`, `saved`, `merged`.
    #[serde(default)]
    pub done: String,
    /// The number the "Message" form sends from.
    #[serde(default)]
    pub number: String,
    /// The timeline's page: entries older than this event.
    #[serde(default)]
    pub before: String,
}

/// One custom attribute as a form input (edit form, or list filter).
#[derive(Debug, Clone)]
pub struct FieldInput {
    pub key: String,
    pub label: String,
    /// `text`, `number`, `date`, `boolean` or `choice`.
    pub kind: &'static str,
    /// The contact's value, or the filter's `attr.<key>` value.
    pub value: String,
    /// A filter's `attr.<key>.gte` and `.lte` (numbers and dates).
    pub low: String,
    pub high: String,
    /// A select's choices (choice, boolean) and whether each is chosen.
    pub options: Vec<(String, bool)>,
}

fn input(def: &AttributeDef, value: String) -> FieldInput {
    let options = match def.kind {
        AttributeKind::Choice => def
            .options
            .iter()
            .map(|o| (o.clone(), *o == value))
            .collect(),
        AttributeKind::Boolean => ["true", "false"]
            .iter()
            .map(|o| ((*o).to_owned(), *o == value))
            .collect(),
        _ => Vec::new(),
    };
    FieldInput {
        key: def.key.clone(),
        label: def.label.clone(),
        kind: def.kind.as_str(),
        value,
        low: String::new(),
        high: String::new(),
        options,
    }
}

/// A stored value as a form shows it.
fn shown(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The contact list's filter inputs, filled from the URL.
pub fn filter_inputs(defs: &[AttributeDef], q: &ContactsQuery) -> Vec<FieldInput> {
    defs.iter()
        .map(|d| {
            let mut f = input(d, q.value(&format!("attr.{}", d.key)));
            f.low = q.value(&format!("attr.{}.gte", d.key));
            f.high = q.value(&format!("attr.{}.lte", d.key));
            f
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub event: String,
    pub summary: String,
    pub when: String,
}

#[derive(Debug, Clone)]
pub struct DuplicateRow {
    pub id: String,
    pub name: String,
    pub wa_id: String,
    pub reasons: String,
}

#[derive(Debug, Clone)]
pub struct NumberChoice {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

/// Everything the contact page's own blocks show.
#[derive(Debug, Clone, Default)]
pub struct ContactProfile {
    pub id: String,
    /// The team's name (the edit form's value; empty: none).
    pub name: String,
    pub profile_name: String,
    pub email: String,
    pub language: String,
    pub has_number: bool,
    pub fields: Vec<FieldInput>,
    pub numbers: Vec<NumberChoice>,
    /// The number the "Message" form sends from.
    pub number: String,
    pub window_open: bool,
    pub window_text: String,
    pub templates: Vec<TemplateChoice>,
    pub templates_error: Option<String>,
    /// Whether the templates were read (a number was chosen).
    pub templates_loaded: bool,
    pub timeline: Vec<TimelineRow>,
    /// The query string of the timeline's next page.
    pub timeline_next: Option<String>,
    pub duplicates: Vec<DuplicateRow>,
    pub can_delete: bool,
    pub ok: Option<&'static str>,
    pub error: Option<String>,
}

pub async fn build(
    state: &AppState,
    shell: &Shell,
    ctx: &TenantCtx,
    c: &Contact,
    conversations: &[Conversation],
    q: &ContactPageQuery,
    error: Option<String>,
) -> AppResult<ContactProfile> {
    let now = state.now();
    let defs = crate::crm::attributes::all_attributes(state, ctx).await?;
    let before = uuid::Uuid::parse_str(q.before.trim()).ok();
    let events = timeline::timeline(state, ctx, c.id, PageRequest::new(before, 20)).await?;
    let duplicates = merge::duplicates(state, ctx, c.id).await?;
    let channels = if shell.can_write {
        message::sending_numbers(state, ctx).await?
    } else {
        Vec::new()
    };
    // The number chosen, else the one of their latest conversation, else
    // the first.
    let chosen = channels
        .iter()
        .find(|ch| ch.id.to_string() == q.number)
        .or_else(|| {
            conversations
                .first()
                .and_then(|v| channels.iter().find(|ch| ch.id == v.channel_id))
        })
        .or(channels.first());
    let window = chosen.and_then(|ch| conversations.iter().find(|v| v.channel_id == ch.id));
    let window_open = window.is_some_and(|v| v.window_open(now));
    let window_text = match (window_open, window.and_then(|v| v.window_closes_at)) {
        (true, Some(t)) => format!("They wrote to this number recently: text messages are open until {}.", when(t, now)),
        (false, Some(_)) => "They have not written to this number in the last 24 hours: only an approved template can be sent.".to_owned(),
        _ => "They have not written to this number: only an approved template can start the conversation.".to_owned(),
    };
    // Templates are read from Meta only once a number is chosen (the
    // "From" form), not on every look at the contact.
    let asked = !q.number.is_empty();
    let (templates, templates_error) = match chosen {
        Some(ch) if asked && !window_open && c.wa_id.is_some() => {
            match approved_templates(state, ctx, ch).await {
                Ok(t) => (t, None),
                Err(e) => (Vec::new(), Some(e)),
            }
        }
        _ => (Vec::new(), None),
    };
    Ok(ContactProfile {
        id: c.id.to_string(),
        name: c.name.clone().unwrap_or_default(),
        profile_name: c.profile_name.clone().unwrap_or_default(),
        email: c.email.clone().unwrap_or_default(),
        language: c.language.clone().unwrap_or_default(),
        has_number: c.wa_id.is_some(),
        fields: defs
            .iter()
            .map(|d| input(d, shown(c.attributes.get(&d.key))))
            .collect(),
        numbers: channels
            .iter()
            .map(|ch| NumberChoice {
                id: ch.id.to_string(),
                label: match &ch.verified_name {
                    Some(n) => format!("{} ({n})", ch.display_phone_number),
                    None => ch.display_phone_number.clone(),
                },
                selected: chosen.is_some_and(|x| x.id == ch.id),
            })
            .collect(),
        number: chosen.map(|ch| ch.id.to_string()).unwrap_or_default(),
        window_open,
        window_text,
        templates,
        templates_error,
        templates_loaded: asked,
        timeline: events
            .items
            .into_iter()
            .map(|e| TimelineRow {
                when: when(e.at, now),
                event: e.event,
                summary: e.summary,
            })
            .collect(),
        timeline_next: events.next.map(|n| format!("before={n}#timeline")),
        duplicates: duplicates
            .into_iter()
            .map(|d| DuplicateRow {
                id: d.contact.id.to_string(),
                name: crate::dashboard::render::contact_name(&d.contact),
                wa_id: d.contact.phone.clone().unwrap_or_default(),
                reasons: d.reasons.join(", "),
            })
            .collect(),
        can_delete: ctx.allows(Permission::SettingsManage),
        ok: match q.done.as_str() {
            "created" => Some("Contact created."),
            "saved" => Some("Saved."),
            "merged" => {
                Some("Merged: the other contact's conversations, notes and tags are here now.")
            }
            _ => None,
        },
        error,
    })
}
