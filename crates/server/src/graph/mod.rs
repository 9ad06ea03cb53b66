//! The Cloud-API-compatible endpoint (`/graph/{version}/…`): clients
//! written for Meta's API work against Switchboard by changing the base
//! URL. The rules are the inbox's and the channel's; this area only finds
//! the number a call names and relays read receipts.

pub mod api;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use store::StoreError;
use store::channels::Channel;

/// The tenant's channel with Meta's `phone_number_id`, if it has one.
pub async fn find_channel(
    state: &AppState,
    ctx: &TenantCtx,
    phone_number_id: &str,
) -> AppResult<Option<Channel>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let channels = tx.list_channels().await?;
    tx.commit().await?;
    Ok(channels
        .into_iter()
        .find(|c| c.phone_number_id == phone_number_id))
}

/// Why a read receipt was not relayed.
#[derive(Debug)]
pub enum MarkReadError {
    /// No message of this tenant has that wamid.
    UnknownMessage,
    App(AppError),
    /// Meta refused it.
    Graph(whatsapp::GraphError),
}

impl From<AppError> for MarkReadError {
    fn from(e: AppError) -> Self {
        MarkReadError::App(e)
    }
}

/// Marks the conversation of message `wamid` read here, and the message
/// read on WhatsApp (the customer sees blue ticks; `typing` shows a typing
/// indicator too).
pub async fn mark_read(
    state: &AppState,
    ctx: &TenantCtx,
    channel: &Channel,
    wamid: &str,
    typing: bool,
) -> Result<(), MarkReadError> {
    let conversation = {
        let mut tx = state
            .store
            .tenant_read(ctx.tenant_id)
            .await
            .map_err(AppError::from)?;
        let found = tx.find_message_by_wamid(wamid).await;
        tx.commit().await.map_err(AppError::from)?;
        match found {
            Ok(m) => m.conversation_id,
            Err(StoreError::NotFound) => return Err(MarkReadError::UnknownMessage),
            Err(e) => return Err(AppError::from(e).into()),
        }
    };
    crate::inbox::conversations::mark_read(state, ctx, conversation).await?;
    let token = state
        .secrets
        .open_str(&channel.access_token)
        .map_err(AppError::internal)?;
    state
        .graph
        .mark_as_read(&channel.phone_number_id, &token, wamid, typing)
        .await
        .map_err(MarkReadError::Graph)
}
