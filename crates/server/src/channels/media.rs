//! Media of inbound messages: fetched from Meta in the background (Meta's
//! download URLs last minutes, its media ids weeks) into the media store,
//! and served to the tenant through `GET /api/v1/media/{id}`.
//!
//! Where the bytes are kept is the media store ([`super::media_store`]):
//! a local directory or S3-compatible object storage.

use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::{MediaFailed, MediaRef};
use domain::{MediaId, MessageId, TenantId, Timestamp};
use sha2::{Digest, Sha256};
use store::inbox::{MediaStatus, StoredMedia};
use store::{StoreError, TenantTx};
use whatsapp::ErrorClass;
use whatsapp::webhook::MessageContent;

/// Meta's media id and MIME type, when an inbound message carries media.
pub fn media_of(content: &MessageContent) -> Option<(&str, Option<&str>)> {
    match content {
        MessageContent::Image(m)
        | MessageContent::Video(m)
        | MessageContent::Audio(m)
        | MessageContent::Document(m)
        | MessageContent::Sticker(m) => Some((m.id.as_str(), m.mime_type.as_deref())),
        _ => None,
    }
}

/// What a fetch attempt concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// Stored, failed for good, or nothing to fetch.
    Settled,
    /// Meta could not answer now: try again later.
    Retry(String),
}

/// Downloads media `id` of `tenant` from Meta into the media store.
pub async fn fetch(state: &AppState, tenant: TenantId, id: MediaId) -> anyhow::Result<Fetch> {
    let mut tx = state.store.tenant_read(tenant).await?;
    let media = tx.find_media(id).await?;
    if media.status != MediaStatus::Pending {
        tx.commit().await?;
        return Ok(Fetch::Settled);
    }
    let channel = match tx.find_channel(media.channel_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => {
            drop(tx);
            let mut tx = state.store.tenant(tenant).await?;
            failed(&mut tx, id, media.message_id, CHANNEL_GONE, state.now()).await?;
            tx.commit().await?;
            return Ok(Fetch::Settled);
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    let token = state.secrets.open_str(&channel.access_token)?;

    let result = state
        .graph
        .fetch_media(&token, &media.wa_media_id, Some(&channel.phone_number_id))
        .await;
    let now = state.now();
    match result {
        Ok((info, downloaded)) => {
            let bytes = &downloaded.data;
            let relative = state.media.put(tenant, id, bytes.clone()).await?;
            let sha256 = hex::encode(Sha256::digest(bytes));
            let mime = downloaded
                .content_type
                .as_deref()
                .or(info.mime_type.as_deref());
            let mut tx = state.store.tenant(tenant).await?;
            tx.set_media_stored(
                id,
                StoredMedia {
                    mime_type: mime,
                    size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                    sha256: &sha256,
                    path: &relative,
                },
                now,
            )
            .await?;
            let event = Event::MediaStored(MediaRef {
                media_id: id,
                message_id: media.message_id,
            });
            record(&mut tx, event, now);
            tx.commit().await?;
            metrics::counter!("switchboard_media_fetches_total", "outcome" => "stored")
                .increment(1);
            Ok(Fetch::Settled)
        }
        Err(e) => match e.class() {
            ErrorClass::Retryable { .. } => {
                metrics::counter!("switchboard_media_fetches_total", "outcome" => "retry")
                    .increment(1);
                Ok(Fetch::Retry(e.to_string()))
            }
            // An expired token is fixed by new credentials, which the send
            // path reports; a permanent refusal (media gone, too large) ends
            // here with the reason kept for the tenant to see.
            ErrorClass::Permanent { .. } | ErrorClass::Credentials { .. } => {
                let mut tx = state.store.tenant(tenant).await?;
                failed(&mut tx, id, media.message_id, &e.to_string(), now).await?;
                tx.commit().await?;
                metrics::counter!("switchboard_media_fetches_total", "outcome" => "failed")
                    .increment(1);
                Ok(Fetch::Settled)
            }
        },
    }
}

/// Why media fails when its number was disconnected before it was fetched.
pub const CHANNEL_GONE: &str = "the number was disconnected before the media was fetched";

/// Records that media `id` of message `message_id` failed for good.
async fn failed(
    tx: &mut TenantTx,
    id: MediaId,
    message_id: MessageId,
    reason: &str,
    now: Timestamp,
) -> store::StoreResult<()> {
    tx.set_media_failed(id, reason, now).await?;
    let event = Event::MediaFailed(MediaFailed {
        media_id: id,
        message_id,
        reason: reason.to_owned(),
    });
    record(tx, event, now);
    Ok(())
}

/// The fetch job of media `id` was given up (`error`): media still
/// pending fails with the reason, so none stays pending for ever.
pub async fn give_up(
    tx: &mut TenantTx,
    id: MediaId,
    error: &str,
    now: Timestamp,
) -> anyhow::Result<()> {
    match tx.find_media(id).await {
        Ok(m) if m.status == MediaStatus::Pending => {
            let reason = format!("not fetched: {error}");
            Ok(failed(tx, id, m.message_id, &reason, now).await?)
        }
        Ok(_) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
