//! JSON routes of a workflow's secrets (`/api/v1/workflows/{id}/secrets`)
//! and its inbound URL (`/hooks/workflows/{token}`, which its secret
//! authenticates): adapters over [`super::inbound`].

use super::inbound::{self as rules, Opened};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{EventId, WorkflowId};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes behind tenant authentication.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_workflow_secrets))
        .routes(routes!(roll_workflow_secrets))
}

/// The inbound URL, which its own secret authenticates.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive_inbound))
}

/// A workflow's secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowSecretsView {
    /// A POST with a JSON object here starts the workflow, when its
    /// trigger is `inbound` and it is enabled.
    pub inbound_url: String,
    /// Signs the workflow's `call_http` requests
    /// (`Switchboard-Signature`, as outbound webhooks are signed).
    pub signing_secret: String,
}

impl From<Opened> for WorkflowSecretsView {
    fn from(o: Opened) -> Self {
        WorkflowSecretsView {
            inbound_url: o.inbound_url,
            signing_secret: o.signing_secret,
        }
    }
}

/// A workflow's inbound URL and the secret that signs its HTTP calls.
#[utoipa::path(get, path = "/api/v1/workflows/{workflow_id}/secrets", tag = "automations",
    params(("workflow_id" = WorkflowId, Path)),
    responses((status = 200, body = WorkflowSecretsView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_workflow_secrets(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
) -> AppResult<Json<WorkflowSecretsView>> {
    Ok(Json(rules::secrets(&state, &ctx, id).await?.into()))
}

/// New secrets for a workflow: the old inbound URL stops working at once
/// and calls are signed with the new secret from now on.
#[utoipa::path(post, path = "/api/v1/workflows/{workflow_id}/secrets/roll", tag = "automations",
    params(("workflow_id" = WorkflowId, Path)),
    responses((status = 200, body = WorkflowSecretsView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn roll_workflow_secrets(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
) -> AppResult<Json<WorkflowSecretsView>> {
    Ok(Json(rules::roll_secrets(&state, &ctx, id).await?.into()))
}

/// What was stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundAccepted {
    /// The `workflow.inbound_received` event; the run it starts is in the
    /// execution log under this trigger event.
    pub event_id: EventId,
}

/// Start a workflow from outside: a JSON object posted to its inbound
/// URL. It may name the run's contact (`contact_id`, or `phone` in E.164).
/// Answered once stored; the run starts right after.
#[utoipa::path(post, path = "/hooks/workflows/{token}", tag = "automations",
    params(("token" = String, Path, description = "The secret part of the workflow's inbound URL.")),
    request_body = Object,
    responses((status = 202, body = InboundAccepted),
              (status = 404, description = "No workflow has this URL.", body = ErrorBody),
              (status = 409, description = "The workflow is disabled or started otherwise (`workflow_not_inbound`).", body = ErrorBody),
              (status = 422, description = "The body is no JSON object, or names a contact that does not exist.", body = ErrorBody)))]
pub async fn receive_inbound(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> AppResult<(StatusCode, Json<InboundAccepted>)> {
    let event_id = rules::receive(&state, &token, body).await?;
    Ok((StatusCode::ACCEPTED, Json(InboundAccepted { event_id })))
}
