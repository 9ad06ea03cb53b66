//! The Cloud-API-compatible endpoint's own records (`graph_objects`): the
//! Meta objects a tenant made through `/graph/…` (uploaded media, created
//! templates) and the number whose credentials reach each, so an API key
//! reaches only its own tenant's objects at Meta. Objects the tenant has
//! otherwise (its numbers, inbound media, synced templates) are in their
//! areas' tables.

use crate::db::{TenantTx, exec, run};
use crate::error::{StoreError, StoreResult};
use domain::{ChannelId, MediaId, Timestamp};
use uuid::Uuid;

/// What kind of Meta object a recorded id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphObjectKind {
    Media,
    Template,
}

impl GraphObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GraphObjectKind::Media => "media",
            GraphObjectKind::Template => "template",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "media" => Some(GraphObjectKind::Media),
            "template" => Some(GraphObjectKind::Template),
            _ => None,
        }
    }
}

/// A Meta object the tenant made through the endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphObject {
    /// Meta's id.
    pub object_id: String,
    pub kind: GraphObjectKind,
    /// The number whose credentials made it.
    pub channel_id: ChannelId,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    object_id: String,
    kind: String,
    channel_id: Uuid,
    created_at: i64,
}

impl TryFrom<Row> for GraphObject {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(GraphObject {
            kind: GraphObjectKind::parse(&r.kind)
                .ok_or_else(|| StoreError::corrupt(format!("graph object kind {}", r.kind)))?,
            object_id: r.object_id,
            channel_id: ChannelId::from_uuid(r.channel_id),
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

impl TenantTx {
    /// Records that the tenant made Meta object `object_id` with the
    /// credentials of number `channel` (again: kept as first recorded).
    pub async fn insert_graph_object(
        &mut self,
        object_id: &str,
        kind: GraphObjectKind,
        channel: ChannelId,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO graph_objects (tenant_id, object_id, kind, channel_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, object_id) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(object_id)
        .bind(kind.as_str())
        .bind(channel.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// The recorded object with Meta's id `object_id`, if the tenant made it.
    pub async fn find_graph_object(&mut self, object_id: &str) -> StoreResult<Option<GraphObject>> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            "SELECT object_id, kind, channel_id, created_at FROM graph_objects \
             WHERE tenant_id = $1 AND object_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(object_id)
        .fetch_optional(c)
        .await)?;
        row.map(TryInto::try_into).transpose()
    }

    /// Forgets recorded object `object_id` (deleted at Meta); whether it
    /// was recorded.
    pub async fn delete_graph_object(&mut self, object_id: &str) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM graph_objects WHERE tenant_id = $1 AND object_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(object_id)
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// The tenant's inbound media with Meta's id `wa_media_id`, if any
    /// (the newest, should a customer's media id come twice).
    pub async fn find_media_id_by_wa_media_id(
        &mut self,
        wa_media_id: &str,
    ) -> StoreResult<Option<MediaId>> {
        let row: Option<(Uuid,)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT id FROM media WHERE tenant_id = $1 AND wa_media_id = $2 \
             ORDER BY created_at DESC, id DESC LIMIT 1"
        )
        .bind(self.tenant.as_uuid())
        .bind(wa_media_id)
        .fetch_optional(c)
        .await)?;
        Ok(row.map(|(id,)| MediaId::from_uuid(id)))
    }
}
