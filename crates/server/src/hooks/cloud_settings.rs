//! The Cloud API format's settings of an endpoint, checked: the verify
//! token, an app secret the tenant supplies, the numbers it takes, and
//! Meta's handshake again when its address or token changes.

use super::endpoints::{EndpointChange, NewEndpoint};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ChannelId, EndpointId};
use store::TenantTx;
use store::hooks::HookFormat;

/// Runs the handshake again before a Cloud-API endpoint receives at a new
/// address, with a new token, or again after being disabled (before the
/// change's transaction: the request may take a while).
pub(super) async fn reverify(
    state: &AppState,
    ctx: &TenantCtx,
    id: EndpointId,
    url: Option<&str>,
    change: &EndpointChange,
) -> AppResult<()> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let e = tx.find_hook_endpoint(id).await?;
    tx.commit().await?;
    let enabled = change.enabled.unwrap_or(e.enabled);
    let url = url.unwrap_or(&e.url);
    let again = !e.enabled || url != e.url || change.verify_token.is_some();
    if e.format != HookFormat::CloudApi || !enabled || !again {
        return Ok(());
    }
    let token = match (&change.verify_token, &e.verify_token) {
        (Some(t), _) => t.clone(),
        (None, Some(sealed)) => state.secrets.open_str(sealed).map_err(AppError::internal)?,
        (None, None) => String::new(),
    };
    super::cloud::verify(state, url, &token).await
}

/// The Cloud-API settings of `input`, checked: refused on a Switchboard
/// endpoint, the verify token required on a Cloud-API one.
pub(super) struct CloudSettings {
    pub channel_ids: Option<Vec<ChannelId>>,
    pub verify_token: Option<String>,
}

pub(super) fn cloud_settings(input: &NewEndpoint) -> AppResult<CloudSettings> {
    match input.format {
        HookFormat::Switchboard => {
            if input.channel_ids.is_some() || input.verify_token.is_some() || input.secret.is_some()
            {
                return Err(AppError::validation(
                    "format",
                    "channel_ids, verify_token and secret belong to Cloud API endpoints (format cloud_api)",
                ));
            }
            Ok(CloudSettings {
                channel_ids: None,
                verify_token: None,
            })
        }
        HookFormat::CloudApi => {
            let Some(token) = input.verify_token.clone() else {
                return Err(AppError::validation(
                    "verify_token",
                    "required: Meta's handshake sends it to your endpoint",
                ));
            };
            check_verify_token(&token)?;
            if let Some(secret) = &input.secret {
                let ok = (16..=200).contains(&secret.len())
                    && secret.bytes().all(|b| b.is_ascii_graphic());
                if !ok {
                    return Err(AppError::validation(
                        "secret",
                        "16 to 200 visible ASCII characters",
                    ));
                }
            }
            Ok(CloudSettings {
                channel_ids: input.channel_ids.clone().filter(|ids| !ids.is_empty()),
                verify_token: Some(token),
            })
        }
    }
}

pub(super) fn check_verify_token(token: &str) -> AppResult<()> {
    if (1..=200).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(AppError::validation(
            "verify_token",
            "1 to 200 visible ASCII characters",
        ))
    }
}

/// Refuses channel ids that are not this tenant's numbers.
pub(super) async fn own_channels(tx: &mut TenantTx, ids: Option<&[ChannelId]>) -> AppResult<()> {
    for id in ids.unwrap_or_default() {
        match tx.find_channel(*id).await {
            Ok(_) => {}
            Err(store::StoreError::NotFound) => {
                return Err(AppError::validation(
                    "channel_ids",
                    format!("{id} is not one of this workspace's numbers"),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
