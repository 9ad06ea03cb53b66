//! `GET|POST|DELETE /graph/{version}/{waba_id}/message_templates`: a WABA's
//! templates at Meta (list, create, delete), relayed with a token of one
//! of the tenant's numbers on that WABA. Created templates are recorded as
//! the tenant's, so `GET|POST /graph/{version}/{template_id}` reach them
//! before the library syncs them. The library itself (`/api/v1/templates`)
//! learns of changes from Meta's webhooks and syncs, as for any change
//! made at Meta.

use super::api::{Caller, Sent, check_version};
use super::error::{MetaError, require};
use super::known::waba;
use super::media::record_created;
use super::proxy::{Call, forward};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use domain::Permission;
use store::graph::GraphObjectKind;

pub async fn list_templates(
    State(state): State<AppState>,
    Path((version, waba_id)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = waba(&state, &ctx, &waba_id, "get").await?;
    require(&ctx, Permission::InboxRead)?;
    let call = Call::new(
        Method::GET,
        &version,
        format!("{waba_id}/message_templates"),
    )
    .sent(sent);
    Ok(forward(&state, &ctx, &channel, call).await?.into_response())
}

pub async fn create_template(
    State(state): State<AppState>,
    Path((version, waba_id)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = waba(&state, &ctx, &waba_id, "post").await?;
    require(&ctx, Permission::CampaignsManage)?;
    let call = Call::new(
        Method::POST,
        &version,
        format!("{waba_id}/message_templates"),
    )
    .sent(sent);
    let answer = forward(&state, &ctx, &channel, call).await?;
    record_created(&state, &ctx, &answer, GraphObjectKind::Template, &channel).await?;
    Ok(answer.into_response())
}

/// Deletes by `name` (every language) or `hsm_id` (one), as Meta does.
pub async fn delete_templates(
    State(state): State<AppState>,
    Path((version, waba_id)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = waba(&state, &ctx, &waba_id, "delete").await?;
    require(&ctx, Permission::CampaignsManage)?;
    let one = hsm_id(sent.query.as_deref());
    let call = Call::new(
        Method::DELETE,
        &version,
        format!("{waba_id}/message_templates"),
    )
    .sent(sent);
    let answer = forward(&state, &ctx, &channel, call).await?;
    if answer.ok()
        && let Some(hsm_id) = one
    {
        super::known::forget(&state, &ctx, &hsm_id).await?;
    }
    Ok(answer.into_response())
}

/// `hsm_id` of a query string.
fn hsm_id(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "hsm_id")
        .map(|(_, v)| v.into_owned())
}
