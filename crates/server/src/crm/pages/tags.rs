//! Settings → Tags (the catalogue: list, create, rename, recolour, delete)
//! and the forms that put a tag on or take it off a conversation (thread
//! header) or a contact (contact page). Adapters over [`crate::crm::tags`]:
//! each parses the form, calls one rule and renders or redirects.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::tags::{self as rules, TagChange, TagUsage};
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
use domain::{ContactId, ConversationId, TagId};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/settings/tags", get(view_tags).post(create_tag))
        .route("/app/settings/tags/{id}/update", post(update_tag))
        .route("/app/settings/tags/{id}/delete", post(delete_tag))
        .route("/app/inbox/{id}/tags", post(tag_conversation))
        .route(
            "/app/inbox/{id}/tags/{tag}/remove",
            post(untag_conversation),
        )
        .route("/app/contacts/{id}/tags", post(tag_contact))
        .route("/app/contacts/{id}/tags/{tag}/remove", post(untag_contact))
}

/// The fields of the create and edit forms.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TagForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub colour: String,
}

#[derive(Template)]
#[template(path = "settings_tags.html")]
struct TagsPage {
    shell: Shell,
    tab: &'static str,
    tags: Vec<TagUsage>,
    /// What the create form shows again after a refusal.
    draft: TagForm,
    error: Option<String>,
}

/// Colours the create form suggests, in turn.
const PALETTE: [&str; 8] = [
    "#2563eb", "#16a34a", "#dc2626", "#ca8a04", "#9333ea", "#0891b2", "#db2777", "#64748b",
];

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    draft: Option<TagForm>,
    error: Option<String>,
) -> AppResult<Response> {
    let tags = rules::tag_usage(state, ctx).await?;
    let draft = draft.unwrap_or_else(|| TagForm {
        name: String::new(),
        colour: PALETTE[tags.len() % PALETTE.len()].to_owned(),
    });
    Ok(render(&TagsPage {
        shell: shell.with_tab("settings"),
        tab: "tags",
        tags,
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
    draft: Option<TagForm>,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = page(state, shell, ctx, draft, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

pub async fn view_tags(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, None, None).await
}

pub async fn create_tag(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    Form(form): Form<TagForm>,
) -> AppResult<Response> {
    match rules::create_tag(&state, &ctx, &form.name, &form.colour).await {
        Ok(_) => Ok(Redirect::to("/app/settings/tags").into_response()),
        Err(e) => refused(&state, shell, &ctx, e, Some(form)).await,
    }
}

pub async fn update_tag(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<TagId>,
    Form(form): Form<TagForm>,
) -> AppResult<Response> {
    let change = TagChange {
        name: Some(form.name),
        colour: Some(form.colour),
    };
    match rules::update_tag(&state, &ctx, id, change).await {
        Ok(_) => Ok(Redirect::to("/app/settings/tags").into_response()),
        Err(e) => refused(&state, shell, &ctx, e, None).await,
    }
}

pub async fn delete_tag(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<TagId>,
) -> AppResult<Response> {
    rules::delete_tag(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/settings/tags").into_response())
}

/// The tag picked in an "add a tag" form.
#[derive(Debug, Deserialize)]
pub struct PickForm {
    #[serde(default)]
    tag: String,
}

fn picked(form: &PickForm) -> AppResult<TagId> {
    form.tag
        .parse()
        .map_err(|_| AppError::validation("tag", "choose a tag"))
}

pub async fn tag_conversation(
    State(state): State<AppState>,
    w: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
    Form(form): Form<PickForm>,
) -> AppResult<Response> {
    rules::set_conversation_tag(&state, &w, id, picked(&form)?, true).await?;
    Ok(Redirect::to(&format!("/app/inbox/{id}#tags")).into_response())
}

pub async fn untag_conversation(
    State(state): State<AppState>,
    w: Authorized<perm::InboxWrite>,
    ApiPath((id, tag)): ApiPath<(ConversationId, TagId)>,
) -> AppResult<Response> {
    rules::set_conversation_tag(&state, &w, id, tag, false).await?;
    Ok(Redirect::to(&format!("/app/inbox/{id}#tags")).into_response())
}

pub async fn tag_contact(
    State(state): State<AppState>,
    w: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactId>,
    Form(form): Form<PickForm>,
) -> AppResult<Response> {
    rules::set_contact_tag(&state, &w, id, picked(&form)?, true).await?;
    Ok(Redirect::to(&format!("/app/contacts/{id}#tags")).into_response())
}

pub async fn untag_contact(
    State(state): State<AppState>,
    w: Authorized<perm::InboxWrite>,
    ApiPath((id, tag)): ApiPath<(ContactId, TagId)>,
) -> AppResult<Response> {
    rules::set_contact_tag(&state, &w, id, tag, false).await?;
    Ok(Redirect::to(&format!("/app/contacts/{id}#tags")).into_response())
}
