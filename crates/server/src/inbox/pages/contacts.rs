//! Contacts: the searchable list and a contact's page with their
//! conversations.

use crate::auth::{Authorized, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::{contact_name, when};
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::http::pagination::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::ContactId;
use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub wa_id: String,
    pub opted_out: bool,
    pub since: String,
}

#[derive(Debug, Deserialize)]
pub struct ContactsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    cursor: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    shell: Shell,
    q: String,
    contacts: Vec<ContactRow>,
    next: Option<String>,
}

pub async fn view_contacts(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(query): Query<ContactsQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let page = PageQuery {
        limit: Some(50),
        cursor: Some(query.cursor.clone()),
    }
    .request()?;
    let contacts =
        crate::inbox::contacts::list_contacts(&state, &ctx, Some(query.q.trim()), page).await?;
    Ok(render(&ContactsPage {
        shell: shell.with_tab("contacts"),
        q: query.q.clone(),
        next: contacts.next.map(|u| u.to_string()),
        contacts: contacts
            .items
            .into_iter()
            .map(|c| ContactRow {
                id: c.id.to_string(),
                name: contact_name(&c),
                wa_id: c.wa_id.clone().map(|w| format!("+{w}")).unwrap_or_default(),
                opted_out: c.opted_out_at.is_some(),
                since: when(c.created_at, now),
            })
            .collect(),
    }))
}

#[derive(Debug, Clone)]
pub struct ContactConversation {
    pub id: String,
    pub status: &'static str,
    pub last: String,
    pub unread: i64,
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    shell: Shell,
    contact: ContactRow,
    conversations: Vec<ContactConversation>,
}

pub async fn view_contact(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ContactId>,
) -> AppResult<Response> {
    let now = state.now();
    let detail = crate::inbox::contacts::get_contact(&state, &ctx, id).await?;
    let (c, conversations) = (detail.contact, detail.conversations);
    Ok(render(&ContactPage {
        shell: shell.with_tab("contacts"),
        contact: ContactRow {
            id: c.id.to_string(),
            name: contact_name(&c),
            wa_id: c.wa_id.clone().map(|w| format!("+{w}")).unwrap_or_default(),
            opted_out: c.opted_out_at.is_some(),
            since: when(c.created_at, now),
        },
        conversations: conversations
            .into_iter()
            .map(|v| ContactConversation {
                id: v.id.to_string(),
                status: v.status.as_str(),
                last: when(v.last_message_at, now),
                unread: v.unread_count,
            })
            .collect(),
    }))
}
