//! Private notes in the dashboard: shown inline in a conversation's thread
//! among its messages, in time order, and listed on a contact's page; the
//! note forms beside the reply box and on the contact page; editing and
//! removing one's own. Adapters over [`crate::crm::notes`].

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::notes::{self as rules, Note, NoteOn, can_change};
use crate::dashboard::render::when;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use domain::{ContactId, ConversationId, NoteId, Timestamp};
use serde::Deserialize;
use store::crm::notes::NoteFilter;
use store::inbox::Message;
use store::page::PageRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/inbox/{id}/notes", post(create_conversation_note))
        .route("/app/contacts/{id}/notes", post(create_contact_note))
        .route("/app/notes/{id}/update", post(update_note))
        .route("/app/notes/{id}/delete", post(delete_note))
}

/// A note as the thread and the contact page show it.
#[derive(Debug, Clone)]
pub struct NoteRow {
    pub id: String,
    pub author: String,
    pub body: String,
    pub time: String,
    pub edited: bool,
    /// The conversation it is on, when listed on a contact's page.
    pub conversation: Option<String>,
    pub can_change: bool,
}

fn row(ctx: &TenantCtx, n: &Note, now: Timestamp) -> NoteRow {
    NoteRow {
        id: n.id.to_string(),
        author: n.author.name.clone(),
        body: n.body.clone(),
        time: when(n.created_at, now),
        edited: n.updated_at != n.created_at,
        conversation: n.conversation_id.map(|c| c.to_string()),
        can_change: can_change(ctx, n),
    }
}

/// A conversation's notes, placed among its messages: slot `i` holds the
/// notes written before message `i` (and after the one before it); the
/// last slot those after every message.
#[derive(Debug, Clone, Default)]
pub struct ThreadNotes {
    slots: Vec<Vec<NoteRow>>,
    /// Where the note form posts.
    pub action: String,
}

impl ThreadNotes {
    /// The notes to show before message `i` (`i` = the number of messages:
    /// after the last).
    pub fn at(&self, i: impl std::borrow::Borrow<usize>) -> &[NoteRow] {
        self.slots
            .get(*i.borrow())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The thread shows a conversation's latest 100 messages
/// (`inbox::conversations::get_thread`).
const THREAD_MESSAGES: usize = 100;

/// The notes of `conversation` placed among `messages` (the thread's, in
/// any order). When the thread shows only its latest messages, notes
/// older than the first one shown are left out.
pub async fn thread_notes(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
    messages: &[Message],
) -> AppResult<ThreadNotes> {
    let now = state.now();
    let mut times: Vec<Timestamp> = messages.iter().map(|m| m.created_at).collect();
    times.sort();
    let since = times.first().filter(|_| times.len() >= THREAD_MESSAGES);
    let filter = NoteFilter {
        conversation: Some(conversation),
        contact: None,
    };
    let page = PageRequest::new(None, PageRequest::MAX_LIMIT);
    let mut notes = rules::list_notes(state, ctx, filter, page).await?.items;
    notes.reverse();
    let mut slots = vec![Vec::new(); times.len() + 1];
    for n in notes
        .iter()
        .filter(|n| since.is_none_or(|s| n.created_at >= *s))
    {
        let i = times.partition_point(|t| *t <= n.created_at);
        // In its own thread, a note needs no link to it.
        let r = NoteRow {
            conversation: None,
            ..row(ctx, n, now)
        };
        slots[i].push(r);
    }
    Ok(ThreadNotes {
        slots,
        action: format!("/app/inbox/{conversation}/notes"),
    })
}

/// A contact's notes (on it and on its conversations), newest first.
#[derive(Debug, Clone, Default)]
pub struct ContactNotes {
    pub notes: Vec<NoteRow>,
    /// Where the note form posts.
    pub action: String,
}

pub async fn contact_notes(
    state: &AppState,
    ctx: &TenantCtx,
    contact: ContactId,
) -> AppResult<ContactNotes> {
    let now = state.now();
    let filter = NoteFilter {
        conversation: None,
        contact: Some(contact),
    };
    let page = PageRequest::new(None, PageRequest::MAX_LIMIT);
    let notes = rules::list_notes(state, ctx, filter, page).await?.items;
    Ok(ContactNotes {
        notes: notes.iter().map(|n| row(ctx, n, now)).collect(),
        action: format!("/app/contacts/{contact}/notes"),
    })
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    body: String,
}

pub async fn create_conversation_note(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    let on = NoteOn::Conversation(id);
    let note = rules::create_note(&state, &ctx, on, &form.body).await?;
    Ok(Redirect::to(&note.link()).into_response())
}

pub async fn create_contact_note(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactId>,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    let note = rules::create_note(&state, &ctx, NoteOn::Contact(id), &form.body).await?;
    Ok(Redirect::to(&note.link()).into_response())
}

pub async fn update_note(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<NoteId>,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    let note = rules::update_note(&state, &ctx, id, &form.body).await?;
    Ok(Redirect::to(&note.link()).into_response())
}

pub async fn delete_note(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<NoteId>,
) -> AppResult<Response> {
    let note = rules::delete_note(&state, &ctx, id).await?;
    let back = note.link();
    let back = back.split('#').next().unwrap_or("/app/inbox");
    Ok(Redirect::to(&format!("{back}#notes")).into_response())
}
