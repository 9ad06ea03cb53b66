//! Accepting an invitation (`/api/v1/auth/accept-invite`, public): an
//! adapter over [`crate::team::invites::accept_invite`].

use crate::error::{AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::team::api::me::UserView;
use crate::team::invites::{self, Acceptance};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvite {
    /// The invitation token (`sbi_…`).
    pub token: String,
    pub name: String,
    pub password: String,
}

/// Accept an invitation: creates the user with the invited role.
#[utoipa::path(post, path = "/api/v1/auth/accept-invite", tag = "auth", request_body = AcceptInvite,
    responses((status = 201, body = UserView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept_invite(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AcceptInvite>,
) -> AppResult<(StatusCode, Json<UserView>)> {
    let input = Acceptance {
        token: body.token,
        name: body.name,
        password: body.password,
    };
    let accepted = invites::accept_invite(&state, input).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(accepted.user))))
}
