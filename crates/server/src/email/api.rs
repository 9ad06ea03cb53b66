//! The operator's outbox (`/api/v1/operator/emails`).

use super::outbox::{self, ReadEmail};
use crate::auth::OperatorCtx;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{EmailId, TenantId, Timestamp};
use serde::Serialize;
use store::emails::Email;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes behind the operator's token.
pub fn operator_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_emails))
        .routes(routes!(get_email))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailView {
    pub id: EmailId,
    /// The workspace it is about; `null` for an operator's.
    pub tenant_id: Option<TenantId>,
    pub to: String,
    /// `invitation`, `password_reset`, `usage_warning`, `webhook_disabled`,
    /// `task_reminder`.
    pub kind: String,
    pub subject: String,
    /// `queued`, `sent`, `failed` (given up) or `kept` (no SMTP configured:
    /// read it here).
    pub status: String,
    pub attempts: i64,
    /// The SMTP server's last answer, when a try failed.
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// The text; only in `GET /api/v1/operator/emails/{email_id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl From<Email> for EmailView {
    fn from(e: Email) -> Self {
        EmailView {
            id: e.id,
            tenant_id: e.tenant_id,
            to: e.to_address,
            kind: e.kind,
            subject: e.subject,
            status: e.status,
            attempts: e.attempts,
            last_error: e.last_error,
            created_at: e.created_at,
            sent_at: e.sent_at,
            body: None,
        }
    }
}

/// Every email the platform wrote, newest first.
#[utoipa::path(get, path = "/api/v1/operator/emails", tag = "operator",
    params(PageQuery),
    responses((status = 200, body = Paged<EmailView>)), security(("bearer" = [])))]
pub async fn list_emails(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<EmailView>>> {
    let emails = outbox::list(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(emails, EmailView::from)))
}

/// One email, with its text.
#[utoipa::path(get, path = "/api/v1/operator/emails/{email_id}", tag = "operator",
    params(("email_id" = EmailId, Path)),
    responses((status = 200, body = EmailView), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_email(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<EmailId>,
) -> AppResult<Json<EmailView>> {
    let ReadEmail { email, body } = outbox::read(&state, &ctx, id).await?;
    let mut view = EmailView::from(email);
    view.body = Some(body);
    Ok(Json(view))
}
