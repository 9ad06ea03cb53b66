//! `/api/v1/notes`: private notes on conversations and contacts. Adapters
//! over [`crate::crm::notes`].

use crate::auth::{Authorized, perm};
use crate::crm::notes::{self as rules, Note, NoteOn};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ContactId, ConversationId, NoteId};
use serde::Deserialize;
use store::crm::notes::NoteFilter;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notes, create_note))
        .routes(routes!(get_note, update_note, delete_note))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoteQuery {
    /// Only the notes on this conversation.
    pub conversation_id: Option<ConversationId>,
    /// Only the notes about this contact: on it and on its conversations.
    pub contact_id: Option<ContactId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    /// The conversation to write it on (give this or `contact_id`).
    pub conversation_id: Option<ConversationId>,
    /// The contact to write it on (give this or `conversation_id`).
    pub contact_id: Option<ContactId>,
    /// 1 to 10,000 characters. `@name` mentions a teammate (their email's
    /// local part, or their name without spaces), who is notified.
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNote {
    /// The new text; teammates it newly mentions are notified.
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
}

/// Private notes, newest first: the tenant's, a conversation's, or a
/// contact's (on it and on its conversations).
#[utoipa::path(get, path = "/api/v1/notes", tag = "crm", params(NoteQuery),
    responses((status = 200, body = Paged<Note>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_notes(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<NoteQuery>,
) -> AppResult<Json<Paged<Note>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let filter = NoteFilter {
        conversation: q.conversation_id,
        contact: q.contact_id,
    };
    let found = rules::list_notes(&state, &ctx, filter, page).await?;
    Ok(Json(Paged::from_page(found, |n| n)))
}

/// Write a private note on a conversation or a contact. It is never sent
/// to the customer.
#[utoipa::path(post, path = "/api/v1/notes", tag = "crm", request_body = CreateNote,
    responses((status = 201, body = Note),
              (status = 422, description = "Invalid, or no such conversation or contact.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_note(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<CreateNote>,
) -> AppResult<(StatusCode, Json<Note>)> {
    let on = match (body.conversation_id, body.contact_id) {
        (Some(c), None) => NoteOn::Conversation(c),
        (None, Some(c)) => NoteOn::Contact(c),
        _ => {
            return Err(AppError::validation(
                "conversation_id",
                "give exactly one of conversation_id and contact_id",
            ));
        }
    };
    let note = rules::create_note(&state, &ctx, on, &body.body).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// One note.
#[utoipa::path(get, path = "/api/v1/notes/{note_id}", tag = "crm",
    params(("note_id" = NoteId, Path)),
    responses((status = 200, body = Note)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_note(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<NoteId>,
) -> AppResult<Json<Note>> {
    Ok(Json(rules::get_note(&state, &ctx, id).await?))
}

/// Change a note's text (its author, an owner or an admin).
#[utoipa::path(patch, path = "/api/v1/notes/{note_id}", tag = "crm",
    params(("note_id" = NoteId, Path)), request_body = UpdateNote,
    responses((status = 200, body = Note),
              (status = 403, description = "Not the note's author, an owner or an admin (`not_author`), or no permission.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_note(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<NoteId>,
    ApiJson(body): ApiJson<UpdateNote>,
) -> AppResult<Json<Note>> {
    Ok(Json(
        rules::update_note(&state, &ctx, id, &body.body).await?,
    ))
}

/// Remove a note (its author, an owner or an admin).
#[utoipa::path(delete, path = "/api/v1/notes/{note_id}", tag = "crm",
    params(("note_id" = NoteId, Path)),
    responses((status = 204),
              (status = 403, description = "Not the note's author, an owner or an admin (`not_author`), or no permission.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_note(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<NoteId>,
) -> AppResult<StatusCode> {
    rules::delete_note(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
