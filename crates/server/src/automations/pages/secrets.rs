//! A saved workflow's page beyond the builder: when its schedule fires
//! next, in the workspace's time zone, and its inbound URL and signing
//! secret (read through [`inbound::secrets`]), with "Make new secrets"
//! (`POST /app/automations/{id}/secrets/roll`, [`inbound::roll_secrets`]).
//! The secrets are shown on that one workflow's page only, never in lists.

use super::form::Saved;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::automations::inbound;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use crate::tenancy::zone::{display_local, own_time_zone};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::WorkflowId;

/// What the page shows about a saved workflow besides its definition.
#[derive(Debug, Clone)]
pub struct About {
    /// When its schedule fires next, in the workspace's zone.
    pub next_run: Option<String>,
    pub inbound_url: String,
    pub signing_secret: String,
}

pub(super) async fn about(state: &AppState, ctx: &TenantCtx, saved: &Saved) -> AppResult<About> {
    let opened = inbound::secrets(state, ctx, saved.id).await?;
    let next_run = match saved.next_fire_at {
        Some(at) => Some(display_local(&own_time_zone(state, ctx).await?, at)),
        None => None,
    };
    Ok(About {
        next_run,
        inbound_url: opened.inbound_url,
        signing_secret: opened.signing_secret,
    })
}

/// New secrets: the old inbound URL stops working at once.
pub async fn roll_workflow_secrets(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
) -> AppResult<Response> {
    inbound::roll_secrets(&state, &ctx, id).await?;
    Ok(Redirect::to(&format!("/app/automations/{id}?done=secrets")).into_response())
}
