//! Media through `/graph/`: upload at Meta with the number's token (the
//! id recorded as the tenant's), info, and download.
//!
//! Meta's media URL needs the number's Meta token, which a client of
//! Switchboard never holds; so the info's `url` is Switchboard's own
//! `{public_url}/graph/media/{media_id}`, which takes the client's API key
//! and serves the bytes with their content type. Clients (pywa included)
//! send their token to whatever URL the info gave, so this works
//! unchanged. Inbound media Switchboard already stored is served from the
//! media store without asking Meta (whose inbound ids expire after a week);
//! anything else is fetched from Meta on the way.

use super::api::{Caller, Sent, check_version};
use super::error::{MetaError, require};
use super::known::{Known, require as known};
use super::proxy::{Answer, Call, forward, token_of};
use crate::auth::TenantCtx;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use domain::{MediaId, Permission};
use serde_json::{Value, json};
use store::channels::Channel;
use store::graph::GraphObjectKind;
use store::inbox::MediaStatus;

/// Uploads a file at Meta for number `pnid` (Meta's multipart body, relayed
/// as is).
pub async fn upload_media(
    State(state): State<AppState>,
    Path((version, pnid)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    require(&ctx, Permission::InboxWrite)?;
    let channel = super::known::number(&state, &ctx, &pnid, "post").await?;
    let mut call = Call::new(Method::POST, &version, format!("{pnid}/media")).sent(sent);
    call.media = true;
    let answer = forward(&state, &ctx, &channel, call).await?;
    record_created(&state, &ctx, &answer, GraphObjectKind::Media, &channel).await?;
    Ok(answer.into_response())
}

/// Records the object Meta's successful answer names (`id`) as the
/// tenant's.
pub async fn record_created(
    state: &AppState,
    ctx: &TenantCtx,
    answer: &Answer,
    kind: GraphObjectKind,
    channel: &Channel,
) -> Result<(), MetaError> {
    if !answer.ok() {
        return Ok(());
    }
    let id = answer.json().and_then(|v| match &v["id"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    match id {
        Some(id) => super::known::record(state, ctx, &id, kind, channel).await,
        None => Ok(()),
    }
}

/// Switchboard's download URL of media `id`.
pub fn download_url(state: &AppState, id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!(
        "{}/graph/media/{id}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// Media `id`'s info, with Switchboard's download URL: stored inbound
/// media from its row, anything else from Meta.
pub async fn media_info(
    state: &AppState,
    ctx: &TenantCtx,
    version: &str,
    id: &str,
    channel: &Channel,
    stored: Option<MediaId>,
) -> Result<Response, MetaError> {
    if let Some(media_id) = stored {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let media = tx.find_media(media_id).await?;
        tx.commit().await?;
        if media.status == MediaStatus::Stored {
            return Ok(axum::Json(json!({
                "messaging_product": "whatsapp",
                "url": download_url(state, id),
                "mime_type": media.mime_type,
                "sha256": media.sha256,
                "file_size": media.size_bytes,
                "id": id,
            }))
            .into_response());
        }
    }
    let answer = forward(state, ctx, channel, Call::new(Method::GET, version, id)).await?;
    match answer.json() {
        Some(mut info) if answer.ok() => {
            info["url"] = json!(download_url(state, id));
            Ok(answer.with_json(&info))
        }
        _ => Ok(answer.into_response()),
    }
}

/// `GET /graph/media/{media_id}`: the bytes of a media item the tenant
/// knows, with its content type.
pub async fn download_media(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Caller(ctx): Caller,
) -> Result<Response, MetaError> {
    require(&ctx, Permission::InboxRead)?;
    let Known::Media { channel, stored } = known(&state, &ctx, &id, "get").await? else {
        return Err(MetaError::unknown_object(&id, "get"));
    };
    let (bytes, mime) = media_bytes(&state, &ctx, &id, &channel, stored).await?;
    let ct = mime
        .as_deref()
        .and_then(|m| HeaderValue::from_str(m).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, ct);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    Ok(r)
}

/// The bytes of media `id` and their content type: from the media store
/// when Switchboard keeps them, else from Meta with the number's token.
async fn media_bytes(
    state: &AppState,
    ctx: &TenantCtx,
    id: &str,
    channel: &Channel,
    stored: Option<MediaId>,
) -> Result<(Bytes, Option<String>), MetaError> {
    if let Some(media_id) = stored {
        match crate::inbox::messages::get_media(state, ctx, media_id).await {
            Ok((media, bytes)) => return Ok((bytes, media.mime_type)),
            // Not fetched yet, or the fetch failed: ask Meta.
            Err(AppError::Conflict(..)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let token = token_of(state, channel)?;
    let (info, media) = state
        .graph
        .fetch_media(&token, id, Some(&channel.phone_number_id))
        .await
        .map_err(|e| match e.meta() {
            Some(meta) => MetaError::from_code(e.code().unwrap_or(100), &meta.message),
            None => MetaError::unavailable(e.to_string()),
        })?;
    Ok((media.data, media.content_type.or(info.mime_type)))
}
