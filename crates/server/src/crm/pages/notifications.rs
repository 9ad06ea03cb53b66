//! `/app/notifications`: the signed-in user's notifications, newest
//! first; opening one marks it read and goes where it points; "mark all
//! read". Adapters over [`crate::crm::notifications`].

use crate::auth::TenantCtx;
use crate::crm::notifications::{self as rules, Kind};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::NotificationId;
use serde::Deserialize;
use store::page::PageRequest;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/notifications", get(view_notifications))
        .route("/app/notifications/read-all", post(mark_all_read))
        .route("/app/notifications/{id}/open", post(open_notification))
}

#[derive(Debug, Clone)]
pub struct NotificationRow {
    pub id: String,
    pub kind: &'static str,
    pub title: String,
    pub time: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    shell: Shell,
    items: Vec<NotificationRow>,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NotificationsQuery {
    #[serde(default)]
    cursor: String,
}

pub async fn view_notifications(
    State(state): State<AppState>,
    shell: Shell,
    ctx: TenantCtx,
    Query(q): Query<NotificationsQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let after = Uuid::parse_str(&q.cursor).ok();
    let page = rules::list_notifications(&state, &ctx, false, PageRequest::new(after, 50)).await?;
    Ok(render(&NotificationsPage {
        shell: shell.with_tab("notifications"),
        next: page.next.map(|u| u.to_string()),
        items: page
            .items
            .into_iter()
            .map(|n| NotificationRow {
                id: n.id.to_string(),
                kind: match n.kind {
                    Kind::Mention => "Mention",
                    Kind::TaskDue => "Task due",
                    Kind::TaskAssigned => "Task assigned",
                },
                title: n.title,
                time: when(n.created_at, now),
                unread: n.read_at.is_none(),
            })
            .collect(),
    }))
}

/// Marks it read and follows its link.
pub async fn open_notification(
    State(state): State<AppState>,
    ctx: TenantCtx,
    ApiPath(id): ApiPath<NotificationId>,
) -> AppResult<Response> {
    let n = rules::mark_read(&state, &ctx, id).await?;
    // Links are dashboard paths we wrote; anything else goes nowhere else.
    let to = if n.link.starts_with("/app/") {
        n.link
    } else {
        "/app/notifications".to_owned()
    };
    Ok(Redirect::to(&to).into_response())
}

pub async fn mark_all_read(State(state): State<AppState>, ctx: TenantCtx) -> AppResult<Response> {
    rules::mark_all_read(&state, &ctx).await?;
    Ok(Redirect::to("/app/notifications").into_response())
}
