//! The Cloud-API-compatible endpoint (`/graph/…`): a bot written for
//! Meta's Cloud API (pywa, whatsapp-api-js, plain HTTP) runs on Switchboard
//! by changing its base URL to `{public_url}/graph` and its token to a
//! tenant API key.
//!
//! - [`sends`]: `POST /{v}/{pnid}/messages` sends under every rule of the
//!   inbox and answers with Meta's wamid (or Meta's refusal).
//! - [`objects`], [`media`], [`templates`], [`numbers`]: Meta's other
//!   endpoints, relayed ([`proxy`]) with the number's own credentials, but
//!   only for ids this tenant owns ([`known`]); anything else is Meta's
//!   100/33, so no key reaches another tenant's numbers, WABAs, media or
//!   templates.
//! - [`error`]: every answer under `/graph/`, unknown paths and wrong
//!   methods included, is in Meta's envelope, because a client decides on
//!   `error.code`.
//!
//! The rules are the inbox's and the channels'; this area finds what a
//! call names, relays, and records what the tenant made at Meta
//! (`graph_objects`).

pub mod api;
pub mod error;
pub mod known;
pub mod media;
pub mod numbers;
pub mod objects;
pub mod proxy;
pub mod sends;
pub mod templates;

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

/// The phone number ids of the tenant's numbers.
pub async fn tenant_numbers(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<String>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let channels = tx.list_channels().await?;
    tx.commit().await?;
    Ok(channels.into_iter().map(|c| c.phone_number_id).collect())
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
