//! Search (`/api/v1/search/messages`).

use super::views::{MessageView, message_view};
use crate::auth::{Authorized, perm};
use crate::crm::notes::Note;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::ApiQuery;
use crate::http::pagination::{PageQuery, Paged};
use crate::inbox;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ContactId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_messages))
        .routes(routes!(search_notes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to find (letters and digits; each matches as a prefix,
    /// every word must be in the message).
    #[param(min_length = 1, max_length = 200)]
    pub q: String,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// A message that matched, with the contact it was exchanged with.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageHitView {
    /// The message's id (also `message.id`).
    pub id: domain::MessageId,
    pub contact_id: ContactId,
    pub message: MessageView,
}

/// Messages containing every word of `q`, newest first (deleted messages
/// are never found).
#[utoipa::path(get, path = "/api/v1/search/messages", tag = "inbox", params(SearchQuery),
    responses((status = 200, body = Paged<MessageHitView>), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn search_messages(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> AppResult<Json<Paged<MessageHitView>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let hits = inbox::search::search_messages(&state, &ctx, &q.q, page).await?;
    Ok(Json(Paged::from_page(hits, |h| MessageHitView {
        id: h.message.id,
        contact_id: h.contact_id,
        message: message_view(h.message),
    })))
}

/// Private notes containing every word of `q`, newest first (matched as
/// messages are).
#[utoipa::path(get, path = "/api/v1/search/notes", tag = "crm", params(SearchQuery),
    responses((status = 200, body = Paged<Note>), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn search_notes(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> AppResult<Json<Paged<Note>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let found = crate::crm::notes::search_notes(&state, &ctx, &q.q, page).await?;
    Ok(Json(Paged::from_page(found, |n| n)))
}
