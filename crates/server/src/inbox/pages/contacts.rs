//! Contacts: the list (search, opt-out and custom attribute filters, a
//! "New contact" form) and a contact's page: their conversations, the
//! edit form, "Message", the activity timeline, duplicates with merge, and
//! delete. The page's own blocks are built in [`profile`]; the forms' POST
//! handlers are in [`actions`].

mod actions;
mod profile;

use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::{contact_name, when};
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::http::pagination::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use domain::ContactId;

pub use profile::ContactPageQuery;

/// The contact list and pages, with their forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/app/contacts",
            get(view_contacts).post(actions::create_contact),
        )
        .route("/app/contacts/{id}", get(view_contact))
        .route("/app/contacts/{id}/update", post(actions::update_contact))
        .route("/app/contacts/{id}/delete", post(actions::delete_contact))
        .route("/app/contacts/{id}/message", post(actions::message_contact))
        .route("/app/contacts/{id}/merge", post(actions::merge_contact))
}

#[derive(Debug, Clone)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub wa_id: String,
    pub opted_out: bool,
    pub since: String,
    pub tags: Vec<store::crm::tags::Tag>,
}

/// The list's filters and page, as the URL carries them: `q`,
/// `opted_out` (`true`, `false` or empty), `attr.<key>[.gte|.lte]`,
/// `cursor`.
#[derive(Debug, Clone, Default)]
pub struct ContactsQuery {
    pub q: String,
    pub opted_out: String,
    /// A tag id, or empty.
    pub tag: String,
    pub cursor: String,
    /// Every parameter, for the attribute filters and the next page's link.
    pub all: Vec<(String, String)>,
}

impl ContactsQuery {
    fn from_pairs(all: Vec<(String, String)>) -> Self {
        let get = |k: &str| {
            all.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        ContactsQuery {
            q: get("q"),
            opted_out: get("opted_out"),
            tag: get("tag"),
            cursor: get("cursor"),
            all: all
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .cloned()
                .collect(),
        }
    }

    /// The value of filter parameter `name`, as typed.
    pub fn value(&self, name: &str) -> String {
        self.all
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The query string of this list without its cursor.
    fn without_cursor(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.all.iter().filter(|(k, _)| k != "cursor") {
            s.append_pair(k, v);
        }
        s.finish()
    }
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    shell: Shell,
    q: ContactsQuery,
    filtered: bool,
    /// One filter input (or pair of bounds) per custom attribute.
    filters: Vec<profile::FieldInput>,
    contacts: Vec<ContactRow>,
    next: Option<String>,
    /// What the "New contact" form shows again after a refusal.
    draft: actions::NewContactForm,
    error: Option<String>,
    /// The tag filter's choices.
    tag_options: Vec<store::crm::tags::Tag>,
}

pub async fn view_contacts(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(all): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    list_page(
        &state,
        shell,
        &ctx,
        ContactsQuery::from_pairs(all),
        None,
        None,
    )
    .await
}

/// The contact list, with a refusal of the "New contact" form if any (a
/// refused filter shows inline too).
async fn list_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    q: ContactsQuery,
    draft: Option<actions::NewContactForm>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let defs = crate::crm::attributes::all_attributes(state, ctx).await?;
    let page = PageQuery {
        limit: Some(50),
        cursor: Some(q.cursor.clone()),
    }
    .request()?;
    let query = crate::inbox::contacts::ContactQuery {
        search: Some(q.q.trim().to_owned()),
        tag: q.tag.parse().ok(),
        opted_out: match q.opted_out.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        attributes: q.all.clone(),
    };
    let (contacts, next, error) =
        match crate::inbox::contacts::filter_contacts(state, ctx, &query, page).await {
            Ok(p) => (p.items, p.next, error),
            Err(e) => match crate::dashboard::settings::inline(&e) {
                Some(msg) => (Vec::new(), None, Some(msg)),
                None => return Err(e),
            },
        };
    let filters = profile::filter_inputs(&defs, &q);
    let tag_options = crate::crm::tags::all_tags(state, ctx).await?;
    Ok(render(&ContactsPage {
        tag_options,
        shell: shell.with_tab("contacts"),
        filtered: q.all.iter().any(|(k, _)| k != "cursor"),
        next: next.map(|n| {
            let rest = q.without_cursor();
            if rest.is_empty() {
                format!("cursor={n}")
            } else {
                format!("{rest}&cursor={n}")
            }
        }),
        q,
        filters,
        contacts: contacts
            .into_iter()
            .map(|c| ContactRow {
                id: c.id.to_string(),
                name: contact_name(&c),
                wa_id: c.wa_id.clone().map(|w| format!("+{w}")).unwrap_or_default(),
                opted_out: c.opted_out_at.is_some(),
                since: when(c.created_at, now),
                tags: c.tags,
            })
            .collect(),
        draft: draft.unwrap_or_default(),
        error,
    }))
}

#[derive(Debug, Clone)]
pub struct ContactConversation {
    pub id: String,
    pub status: &'static str,
    pub last: String,
    pub unread: i64,
    /// Who has it ("" if nobody).
    pub assignee: String,
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    shell: Shell,
    contact: ContactRow,
    conversations: Vec<ContactConversation>,
    /// Edit, message, timeline, duplicates, delete ([`profile`]).
    profile: profile::ContactProfile,
    /// Private notes and tasks about the contact (crm::pages).
    note_block: crate::crm::pages::notes::ContactNotes,
    task_block: crate::crm::pages::tasks::ContactTasks,
    /// The contact's deals (crm::deals).
    deal_block: crate::crm::deals::board::ContactDeals,
    /// Their scheduled messages and "Schedule a message" (scheduled::pages).
    scheduled_block: crate::scheduled::pages::ContactScheduled,
    /// The catalogue, to add a tag from (the contact's own are
    /// `contact.tags`).
    tag_options: Vec<store::crm::tags::Tag>,
}

pub async fn view_contact(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ContactId>,
    Query(q): Query<ContactPageQuery>,
) -> AppResult<Response> {
    contact_page(&state, shell, &ctx, id, q, None).await
}

/// A contact's page, with a refusal of one of its forms if any.
async fn contact_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: ContactId,
    q: ContactPageQuery,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let detail = crate::inbox::contacts::get_contact(state, ctx, id).await?;
    let (c, conversations, people) = (detail.contact, detail.conversations, detail.people);
    let profile = profile::build(state, &shell, ctx, &c, &conversations, &q, error).await?;
    let note_block = crate::crm::pages::notes::contact_notes(state, ctx, id).await?;
    let task_block = crate::crm::pages::tasks::contact_tasks(state, ctx, id).await?;
    let deal_block = crate::crm::deals::board::contact_deals(state, ctx, id).await?;
    let scheduled_block = crate::scheduled::pages::contact_scheduled(state, ctx, id).await?;
    let tag_options = crate::crm::tags::all_tags(state, ctx).await?;
    Ok(render(&ContactPage {
        tag_options,
        shell: shell.with_tab("contacts"),
        contact: ContactRow {
            id: c.id.to_string(),
            name: contact_name(&c),
            wa_id: c.wa_id.clone().map(|w| format!("+{w}")).unwrap_or_default(),
            opted_out: c.opted_out_at.is_some(),
            since: when(c.created_at, now),
            tags: c.tags,
        },
        conversations: conversations
            .into_iter()
            .map(|v| ContactConversation {
                id: v.id.to_string(),
                status: v.status.as_str(),
                last: when(v.last_message_at, now),
                unread: v.unread_count,
                assignee: v
                    .assigned_user_id
                    .and_then(|u| people.get(&u).cloned())
                    .unwrap_or_default(),
            })
            .collect(),
        profile,
        note_block,
        task_block,
        deal_block,
        scheduled_block,
    }))
}
