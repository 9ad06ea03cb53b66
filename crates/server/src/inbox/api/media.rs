//! Inbound media served to the tenant (`GET /api/v1/media/{media_id}`),
//! under the same authorisation as the inbox: the URL alone gives nothing.

use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::MediaId;
use serde::Serialize;
use store::inbox::Media;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_media))
}

/// A message's media as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaView {
    pub id: MediaId,
    /// Where to fetch the bytes (needs the same credentials as the API).
    pub url: String,
    pub mime_type: Option<String>,
    /// `pending` (being fetched from Meta), `stored` or `failed`.
    pub status: String,
    pub size_bytes: Option<i64>,
    /// Why the fetch failed, when it did.
    pub error: Option<String>,
}

impl From<&Media> for MediaView {
    fn from(m: &Media) -> Self {
        MediaView {
            id: m.id,
            url: format!("/api/v1/media/{}", m.id),
            mime_type: m.mime_type.clone(),
            status: m.status.as_str().to_owned(),
            size_bytes: m.size_bytes,
            error: m.error.clone(),
        }
    }
}

/// Types a browser may show inline; anything else is served as a download.
fn shown_inline(mime: &str) -> bool {
    let base = mime.split(';').next().unwrap_or("").trim();
    matches!(
        base,
        "image/jpeg"
            | "image/png"
            | "image/webp"
            | "audio/aac"
            | "audio/amr"
            | "audio/mpeg"
            | "audio/mp4"
            | "audio/ogg"
            | "video/mp4"
            | "video/3gpp"
    )
}

/// The bytes of a message's media. `409 media_not_ready` while it is still
/// being fetched from Meta (or when the fetch failed; the message shows why).
#[utoipa::path(get, path = "/api/v1/media/{media_id}", tag = "inbox",
    params(("media_id" = MediaId, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("session_cookie" = [])))]
pub async fn get_media(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<MediaId>,
) -> AppResult<Response> {
    let (media, bytes) = crate::inbox::messages::get_media(&state, &ctx, id).await?;
    let mime = media
        .mime_type
        .as_deref()
        .unwrap_or("application/octet-stream");
    let content_type =
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = if shown_inline(mime) {
        "inline"
    } else {
        "attachment"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(disposition),
            ),
            // Whatever a customer sent must never run as our page.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            ),
        ],
        bytes,
    )
        .into_response())
}
