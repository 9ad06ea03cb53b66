//! Which Meta ids a tenant may reach through `/graph/`, and with whose
//! credentials: its numbers (phone number ids) and their WABAs; media of
//! its inbound messages (`media`) or uploaded through the endpoint
//! (`graph_objects`); templates of its library (`message_templates`) or
//! created through the endpoint. Anything else answers Meta's 100/33,
//! the same whether the object is another tenant's or does not exist, and
//! is never relayed: a key cannot use another tenant's token.

use super::error::MetaError;
use crate::auth::TenantCtx;
use crate::state::AppState;
use domain::MediaId;
use store::StoreError;
use store::channels::{Channel, ChannelStatus};
use store::graph::GraphObjectKind;

/// What an id names, for this tenant.
#[derive(Debug, Clone)]
pub enum Known {
    Number(Channel),
    /// A WABA, with one of its numbers (for the token).
    Waba(Channel),
    /// Media: `stored` is the inbound media Switchboard keeps, if it is.
    Media {
        channel: Channel,
        stored: Option<MediaId>,
    },
    Template(Channel),
}

impl Known {
    /// The number whose credentials reach the object.
    pub fn channel(&self) -> &Channel {
        match self {
            Known::Number(c) | Known::Waba(c) | Known::Template(c) => c,
            Known::Media { channel, .. } => channel,
        }
    }
}

/// What `id` names for the caller's tenant, if anything.
pub async fn resolve(
    state: &AppState,
    ctx: &TenantCtx,
    id: &str,
) -> Result<Option<Known>, MetaError> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let channels = tx.list_channels().await?;
    let found = lookup(&mut tx, channels, id).await;
    tx.commit().await?;
    found
}

async fn lookup(
    tx: &mut store::TenantTx,
    channels: Vec<Channel>,
    id: &str,
) -> Result<Option<Known>, MetaError> {
    if let Some(c) = channels.iter().find(|c| c.phone_number_id == id) {
        return Ok(Some(Known::Number(c.clone())));
    }
    if let Some(c) = of_waba(&channels, id) {
        return Ok(Some(Known::Waba(c)));
    }
    let by_id = |channel_id| channels.iter().find(|c| c.id == channel_id).cloned();
    if let Some(o) = tx.find_graph_object(id).await? {
        let Some(channel) = by_id(o.channel_id) else {
            return Ok(None);
        };
        return Ok(Some(match o.kind {
            GraphObjectKind::Media => Known::Media {
                channel,
                stored: None,
            },
            GraphObjectKind::Template => Known::Template(channel),
        }));
    }
    if let Some(media_id) = tx.find_media_id_by_wa_media_id(id).await? {
        let media = tx.find_media(media_id).await?;
        return Ok(by_id(media.channel_id).map(|channel| Known::Media {
            channel,
            stored: Some(media_id),
        }));
    }
    match tx.find_template_by_meta_id(id).await {
        Ok(t) => Ok(of_waba(&channels, &t.waba_id).map(Known::Template)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A number of WABA `waba_id` (an active one if there is one).
fn of_waba(channels: &[Channel], waba_id: &str) -> Option<Channel> {
    let mut of = channels.iter().filter(|c| c.waba_id == waba_id);
    let first = of.clone().next()?;
    Some(
        of.find(|c| c.status == ChannelStatus::Active)
            .unwrap_or(first)
            .clone(),
    )
}

/// What `id` names, or Meta's 100/33 (`method`: `get`, `post`, `delete`).
pub async fn require(
    state: &AppState,
    ctx: &TenantCtx,
    id: &str,
    method: &str,
) -> Result<Known, MetaError> {
    resolve(state, ctx, id)
        .await?
        .ok_or_else(|| MetaError::unknown_object(id, method))
}

/// The tenant's number `pnid`, or Meta's 100/33.
pub async fn number(
    state: &AppState,
    ctx: &TenantCtx,
    pnid: &str,
    method: &str,
) -> Result<Channel, MetaError> {
    super::find_channel(state, ctx, pnid)
        .await?
        .ok_or_else(|| MetaError::unknown_object(pnid, method))
}

/// A number of the tenant's WABA `waba_id`, or Meta's 100/33.
pub async fn waba(
    state: &AppState,
    ctx: &TenantCtx,
    waba_id: &str,
    method: &str,
) -> Result<Channel, MetaError> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let channels = tx.list_channels().await?;
    tx.commit().await?;
    of_waba(&channels, waba_id).ok_or_else(|| MetaError::unknown_object(waba_id, method))
}

/// Records that the tenant made Meta object `object_id` through `channel`.
pub async fn record(
    state: &AppState,
    ctx: &TenantCtx,
    object_id: &str,
    kind: GraphObjectKind,
    channel: &Channel,
) -> Result<(), MetaError> {
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.insert_graph_object(object_id, kind, channel.id, state.now())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets object `object_id` (deleted at Meta).
pub async fn forget(state: &AppState, ctx: &TenantCtx, object_id: &str) -> Result<(), MetaError> {
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.delete_graph_object(object_id).await?;
    tx.commit().await?;
    Ok(())
}
