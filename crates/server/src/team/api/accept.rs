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
    /// Your name as the team sees it.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

/// Accept an invitation: creates the user with the invited role.
#[utoipa::path(post, path = "/api/v1/auth/accept-invite", tag = "auth", request_body = AcceptInvite,
    responses((status = 201, body = UserView),
              (status = 409, description = "Someone with this email is already on the team (`email_taken`).", body = ErrorBody),
              (status = 422, description = "The invitation is unknown, used or expired (`invite_invalid`), or a field is invalid.", body = ErrorBody),
              (status = 423, description = "The tenant is suspended (`tenant_suspended`).", body = ErrorBody),
              (status = 429, description = "The plan's seats are taken (`plan_limit_reached`).", body = ErrorBody)))]
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
