//! The inbox thread and Genesys: while the conversation is with Genesys, a
//! banner says since when and who handed it over, with "Take back"; while
//! it is not and its number is linked, "Hand to Genesys". Both buttons
//! post and come back to the thread.

use super::reason_words;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::render::when;
use crate::error::{AppError, AppResult};
use crate::genesys::handover::{self, HandoverView};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ConversationId, Timestamp, UserId};

/// What the thread page shows about Genesys.
#[derive(Debug, Clone, Default)]
pub struct ThreadGenesys {
    /// While the conversation is with Genesys: since when, and who (or
    /// what) handed it over, in words.
    pub with: Option<(String, String)>,
    /// Whether "Hand to Genesys" is offered (to those who may write).
    pub can_hand_over: bool,
}

impl ThreadGenesys {
    /// Nothing to show: the number is not linked.
    pub fn is_empty(&self) -> bool {
        self.with.is_none() && !self.can_hand_over
    }
}

/// Where conversation `id` is with Genesys.
pub async fn thread_genesys(
    state: &AppState,
    ctx: &TenantCtx,
    id: ConversationId,
) -> AppResult<ThreadGenesys> {
    match handover::current(state, ctx, id).await? {
        Some(h) => {
            let since = Timestamp::parse_rfc3339(&h.started_at)
                .map(|t| when(t, state.now()))
                .unwrap_or_default();
            Ok(ThreadGenesys {
                with: Some((since, handed_by(state, ctx, &h).await?)),
                can_hand_over: false,
            })
        }
        None => Ok(ThreadGenesys {
            with: None,
            can_hand_over: handover::can_hand_over(state, ctx, id).await?,
        }),
    }
}

/// Who handed `h` over: a teammate by name, else the reason in words.
async fn handed_by(state: &AppState, ctx: &TenantCtx, h: &HandoverView) -> AppResult<String> {
    let user = h
        .handed_by
        .strip_prefix("user:")
        .and_then(|u| u.parse::<UserId>().ok());
    match (h.reason.as_str(), user) {
        ("agent", Some(u)) => match crate::team::users::get_user(state, ctx, u).await {
            Ok(u) if u.name.is_empty() => Ok(u.email),
            Ok(u) => Ok(u.name),
            Err(AppError::NotFound) => Ok("a removed user".to_owned()),
            Err(e) => Err(e),
        },
        (reason, _) => Ok(reason_words(reason).to_owned()),
    }
}

fn back(id: ConversationId) -> Response {
    Redirect::to(&format!("/app/inbox/{id}")).into_response()
}

pub async fn hand_over(
    State(state): State<AppState>,
    w: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Response> {
    handover::hand_over(&state, &w, id).await?;
    Ok(back(id))
}

pub async fn take_back(
    State(state): State<AppState>,
    w: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Response> {
    handover::take_back(&state, &w, id).await?;
    Ok(back(id))
}
