//! Settings → Quick replies: the catalogue of canned responses (list,
//! create, edit, delete). The composer's side (typing `/`, or the select
//! and "Insert" without JavaScript) is in the thread page, which embeds
//! the replies filled in for its conversation. Adapters over
//! [`crate::crm::quick_replies`].

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::quick_replies::{self as rules, QuickReplyInput, RenderedQuickReply};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::{ConversationId, QuickReplyId};
use serde::Deserialize;
use store::crm::quick_replies::QuickReply;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/app/settings/quick-replies",
            get(view_quick_replies).post(create_quick_reply),
        )
        .route(
            "/app/settings/quick-replies/{id}/update",
            post(update_quick_reply),
        )
        .route(
            "/app/settings/quick-replies/{id}/delete",
            post(delete_quick_reply),
        )
}

/// The fields of the create and edit forms.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QuickReplyForm {
    #[serde(default)]
    pub shortcut: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

impl From<QuickReplyForm> for QuickReplyInput {
    fn from(f: QuickReplyForm) -> Self {
        QuickReplyInput {
            shortcut: Some(f.shortcut),
            title: Some(f.title),
            body: Some(f.body),
        }
    }
}

#[derive(Template)]
#[template(path = "settings_quick_replies.html")]
struct QuickRepliesPage {
    shell: Shell,
    tab: &'static str,
    replies: Vec<QuickReply>,
    /// What the create form shows again after a refusal.
    draft: QuickReplyForm,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    draft: QuickReplyForm,
    error: Option<String>,
) -> AppResult<Response> {
    let replies = rules::all_quick_replies(state, ctx).await?;
    Ok(render(&QuickRepliesPage {
        shell: shell.with_tab("settings"),
        tab: "quick-replies",
        replies,
        draft,
        error,
    }))
}

/// A refusal shown on the page, or the error page for anything else.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    e: AppError,
    draft: QuickReplyForm,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = page(state, shell, ctx, draft, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

pub async fn view_quick_replies(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, QuickReplyForm::default(), None).await
}

pub async fn create_quick_reply(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    Form(form): Form<QuickReplyForm>,
) -> AppResult<Response> {
    match rules::create_quick_reply(&state, &ctx, form.clone().into()).await {
        Ok(_) => Ok(Redirect::to("/app/settings/quick-replies").into_response()),
        Err(e) => refused(&state, shell, &ctx, e, form).await,
    }
}

pub async fn update_quick_reply(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<QuickReplyId>,
    Form(form): Form<QuickReplyForm>,
) -> AppResult<Response> {
    match rules::update_quick_reply(&state, &ctx, id, form.into()).await {
        Ok(_) => Ok(Redirect::to("/app/settings/quick-replies").into_response()),
        Err(e) => refused(&state, shell, &ctx, e, QuickReplyForm::default()).await,
    }
}

pub async fn delete_quick_reply(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<QuickReplyId>,
) -> AppResult<Response> {
    rules::delete_quick_reply(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/settings/quick-replies").into_response())
}

/// The reply box's quick replies: every one filled in for the thread's
/// conversation (embedded in the page for the `/` picker and the
/// select), and the text of the one chosen with "Insert" (no JavaScript:
/// the thread is shown again with it in the box).
#[derive(Debug, Clone, Default)]
pub struct Composer {
    pub replies: Vec<RenderedQuickReply>,
    pub draft: String,
}

/// The composer's quick replies for `conversation` (none when the box
/// takes no free text: `writable` is false), with `chosen` (a quick reply
/// id from the `qr` parameter, or empty) as the draft.
pub async fn composer(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
    chosen: &str,
    writable: bool,
) -> AppResult<Composer> {
    if !writable {
        return Ok(Composer::default());
    }
    let replies = rules::render_quick_replies(state, ctx, conversation, None).await?;
    let draft = replies
        .iter()
        .find(|r| r.id.to_string() == chosen)
        .map(|r| r.text.clone())
        .unwrap_or_default();
    Ok(Composer { replies, draft })
}
