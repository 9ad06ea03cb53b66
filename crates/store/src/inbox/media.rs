//! Media of inbound messages: one row per message that carries a media id,
//! `pending` until the background fetch stores the bytes (`stored`) or
//! gives up (`failed`).

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{ChannelId, MediaId, MessageId, Timestamp};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaStatus {
    Pending,
    Stored,
    Failed,
}

impl MediaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaStatus::Pending => "pending",
            MediaStatus::Stored => "stored",
            MediaStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(MediaStatus::Pending),
            "stored" => Some(MediaStatus::Stored),
            "failed" => Some(MediaStatus::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Media {
    pub id: MediaId,
    pub message_id: MessageId,
    pub channel_id: ChannelId,
    /// Meta's media id.
    pub wa_media_id: String,
    pub mime_type: Option<String>,
    pub status: MediaStatus,
    pub size_bytes: Option<i64>,
    /// Hex SHA-256 of the stored bytes.
    pub sha256: Option<String>,
    /// Where the bytes are, relative to the media store's root.
    pub path: Option<String>,
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    message_id: Uuid,
    channel_id: Uuid,
    wa_media_id: String,
    mime_type: Option<String>,
    status: String,
    size_bytes: Option<i64>,
    sha256: Option<String>,
    path: Option<String>,
    error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Media {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(Media {
            id: MediaId::from_uuid(r.id),
            message_id: MessageId::from_uuid(r.message_id),
            channel_id: ChannelId::from_uuid(r.channel_id),
            wa_media_id: r.wa_media_id,
            mime_type: r.mime_type,
            status: MediaStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("media status {}", r.status)))?,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            path: r.path,
            error: r.error,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const SELECT: &str = "SELECT id, message_id, channel_id, wa_media_id, mime_type, status, \
     size_bytes, sha256, path, error, created_at, updated_at FROM media";

/// What a finished fetch found.
#[derive(Debug, Clone)]
pub struct StoredMedia<'a> {
    pub mime_type: Option<&'a str>,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub path: &'a str,
}

impl TenantTx {
    /// Records that `message` carries Meta media `wa_media_id`, once per
    /// message: a redelivery returns `None`.
    pub async fn insert_media(
        &mut self,
        message: MessageId,
        channel: ChannelId,
        wa_media_id: &str,
        mime_type: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Option<Media>> {
        let id = MediaId::new();
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO media (tenant_id, id, message_id, channel_id, wa_media_id, mime_type, \
                                status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) \
             ON CONFLICT (tenant_id, message_id) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(message.as_uuid())
        .bind(channel.as_uuid())
        .bind(wa_media_id)
        .bind(mime_type)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        if n == 0 {
            return Ok(None);
        }
        self.find_media(id).await.map(Some)
    }

    pub async fn find_media(&mut self, id: MediaId) -> StoreResult<Media> {
        let sql = format!("{SELECT} WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// The media of the given messages (those that have any): one range
    /// scan over the unique `(tenant_id, message_id)` index between the
    /// smallest and largest id (a page of a thread is such a range).
    pub async fn list_media_of_messages(
        &mut self,
        messages: &[MessageId],
    ) -> StoreResult<Vec<Media>> {
        let (Some(lo), Some(hi)) = (messages.iter().min(), messages.iter().max()) else {
            return Ok(Vec::new());
        };
        let sql =
            format!("{SELECT} WHERE tenant_id = $1 AND message_id >= $2 AND message_id <= $3");
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(lo.as_uuid())
        .bind(hi.as_uuid())
        .fetch_all(c)
        .await)?;
        let mut found = Vec::new();
        for row in rows {
            let media = Media::try_from(row)?;
            if messages.contains(&media.message_id) {
                found.push(media);
            }
        }
        Ok(found)
    }

    /// Records the bytes of `id` as stored.
    pub async fn set_media_stored(
        &mut self,
        id: MediaId,
        stored: StoredMedia<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE media SET status = 'stored', mime_type = COALESCE($3, mime_type), \
                              size_bytes = $4, sha256 = $5, path = $6, error = NULL, \
                              updated_at = $7 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(stored.mime_type)
        .bind(stored.size_bytes)
        .bind(stored.sha256)
        .bind(stored.path)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Gives up on fetching `id`, keeping the reason.
    pub async fn set_media_failed(
        &mut self,
        id: MediaId,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE media SET status = 'failed', error = $3, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'pending'"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(error)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}
