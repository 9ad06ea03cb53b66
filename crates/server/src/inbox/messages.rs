//! Messages and their media, as the tenant reads them. Sending is
//! `crate::channels::send::send_message`.

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ConversationId, MediaId};
use store::inbox::{Media, MediaStatus, Message};
use store::page::{Page, PageRequest};

/// A conversation's messages, newest first, each with its media if any.
pub async fn list_messages(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
    page: PageRequest,
) -> AppResult<Page<(Message, Option<Media>)>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_conversation(conversation).await?;
    let page = tx.list_messages(conversation, page).await?;
    let ids: Vec<_> = page.items.iter().map(|m| m.id).collect();
    let mut media = tx.list_media_of_messages(&ids).await?;
    tx.commit().await?;
    let items = page
        .items
        .into_iter()
        .map(|m| {
            // A deleted message's media is not shown either.
            let found = media
                .iter()
                .position(|x| x.message_id == m.id && m.deleted_at.is_none())
                .map(|i| media.swap_remove(i));
            (m, found)
        })
        .collect();
    Ok(Page {
        items,
        next: page.next,
    })
}

/// One media item with its bytes; `409 media_not_ready` while it is
/// still being fetched from Meta, or if the fetch failed.
pub async fn get_media(
    state: &AppState,
    ctx: &TenantCtx,
    id: MediaId,
) -> AppResult<(Media, bytes::Bytes)> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let media = tx.find_media(id).await?;
    tx.commit().await?;
    let (MediaStatus::Stored, Some(path)) = (media.status, media.path.as_deref()) else {
        return Err(AppError::Conflict(
            "media_not_ready",
            format!("this media is {}", media.status.as_str()),
        ));
    };
    let bytes = state.media.get(path).await.map_err(AppError::internal)?;
    Ok((media, bytes))
}
