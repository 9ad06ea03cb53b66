//! Search (`/app/search`): messages containing the words, and contacts
//! whose name or number contains them.

use crate::auth::{Authorized, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::{body, contact_name, when};
use crate::error::{AppError, AppResult};
use crate::http::pagination::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    cursor: String,
}

struct Hit {
    conversation_id: String,
    contact: String,
    direction: &'static str,
    text: String,
    time: String,
}

struct NoteHit {
    link: String,
    author: String,
    body: String,
    time: String,
}

struct ContactHit {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    shell: Shell,
    q: String,
    problem: Option<String>,
    hits: Vec<Hit>,
    contacts: Vec<ContactHit>,
    notes: Vec<NoteHit>,
    next: Option<String>,
}

pub async fn view_search(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(form): Query<SearchForm>,
) -> AppResult<Response> {
    let now = state.now();
    let q = form.q.trim().to_owned();
    let mut page = SearchPage {
        shell: shell.with_tab("search"),
        q: q.clone(),
        problem: None,
        hits: Vec::new(),
        contacts: Vec::new(),
        notes: Vec::new(),
        next: None,
    };
    if q.is_empty() {
        return Ok(render(&page));
    }
    let request = PageQuery {
        limit: Some(50),
        cursor: Some(form.cursor.clone()),
    }
    .request()?;
    let hits = match crate::inbox::search::search_messages(&state, &ctx, &q, request).await {
        Ok(hits) => hits,
        Err(AppError::Validation(fields)) => {
            let what = fields
                .first()
                .map(|f| f.message.as_str())
                .unwrap_or("words");
            page.problem = Some(format!("Search for {what}."));
            return Ok(render(&page));
        }
        Err(e) => return Err(e),
    };
    page.next = hits.next.map(|u| u.to_string());
    page.hits = hits
        .items
        .into_iter()
        .map(|h| Hit {
            conversation_id: h.message.conversation_id.to_string(),
            contact: h.contact_label,
            direction: h.message.direction.as_str(),
            text: body(&h.message.kind, &h.message.content).1,
            time: when(h.message.created_at, now),
        })
        .collect();
    if form.cursor.is_empty() {
        let first = PageQuery {
            limit: Some(20),
            cursor: None,
        }
        .request()?;
        let contacts = crate::inbox::contacts::list_contacts(&state, &ctx, Some(&q), first).await?;
        page.contacts = contacts
            .items
            .iter()
            .map(|c| ContactHit {
                id: c.id.to_string(),
                name: contact_name(c),
            })
            .collect();
        let notes = crate::crm::notes::search_notes(&state, &ctx, &q, first).await?;
        page.notes = notes
            .items
            .into_iter()
            .map(|n| NoteHit {
                link: n.link(),
                author: n.author.name,
                body: n.body,
                time: when(n.created_at, now),
            })
            .collect();
    }
    Ok(render(&page))
}
