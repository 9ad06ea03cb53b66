//! `GET|POST|DELETE /graph/{version}/{id}`: one Meta node, whichever the id
//! names for the caller's tenant ([`super::known`]) — a number, a WABA, a
//! media item or a template — relayed to Meta with that number's token.
//! Media info comes back with Switchboard's download URL in place of
//! Meta's (see [`super::media`]).

use super::api::{Caller, Sent, check_version};
use super::error::{MetaError, require};
use super::known::{Known, require as known};
use super::proxy::{Call, forward};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use domain::Permission;

/// Reads a number, a WABA, a media item's info or a template.
pub async fn get_object(
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    require(&ctx, Permission::InboxRead)?;
    let object = known(&state, &ctx, &id, "get").await?;
    if let Known::Media { channel, stored } = &object {
        return super::media::media_info(&state, &ctx, &version, &id, channel, *stored).await;
    }
    let call = Call::new(Method::GET, &version, id).sent(sent);
    Ok(forward(&state, &ctx, object.channel(), call)
        .await?
        .into_response())
}

/// Edits a template (Meta's only `POST` on a bare id that is relayed).
pub async fn update_object(
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let Known::Template(channel) = known(&state, &ctx, &id, "post").await? else {
        return Err(MetaError::unknown_object(&id, "post"));
    };
    require(&ctx, Permission::CampaignsManage)?;
    let call = Call::new(Method::POST, &version, id).sent(sent);
    Ok(forward(&state, &ctx, &channel, call).await?.into_response())
}

/// Deletes uploaded media at Meta.
pub async fn delete_object(
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let Known::Media { channel, .. } = known(&state, &ctx, &id, "delete").await? else {
        return Err(MetaError::unknown_object(&id, "delete"));
    };
    require(&ctx, Permission::InboxWrite)?;
    let call = Call::new(Method::DELETE, &version, id.clone()).sent(sent);
    let answer = forward(&state, &ctx, &channel, call).await?;
    if answer.ok() {
        super::known::forget(&state, &ctx, &id).await?;
    }
    Ok(answer.into_response())
}
