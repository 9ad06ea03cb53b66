//! The operator console's outbox (`/app/operator/emails`): every email the
//! platform wrote, newest first, and one email with its text. Without SMTP
//! this is where invitations and reset links wait to be passed on.
//! [`super::outbox`] does the reading.

use super::outbox::{self, ReadEmail};
use crate::auth::OperatorCtx;
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::render;
use crate::dashboard::paging::log_page;
use crate::dashboard::render::when;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use domain::{EmailId, Timestamp};
use serde::Deserialize;
use store::emails::Email;

/// Routes behind the operator's cookie.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/operator/emails", get(view_emails))
        .route("/app/operator/emails/{id}", get(view_email))
}

/// An email as a row of the outbox, or the head of its page.
#[derive(Debug, Clone)]
pub struct EmailRow {
    pub id: String,
    /// The workspace it is about; empty for an operator's own.
    pub tenant_id: String,
    pub to: String,
    pub kind: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub created: String,
    pub sent: String,
}

impl EmailRow {
    fn new(e: Email, now: Timestamp) -> Self {
        EmailRow {
            id: e.id.to_string(),
            tenant_id: e.tenant_id.map(|t| t.to_string()).unwrap_or_default(),
            to: e.to_address,
            kind: e.kind.replace('_', " "),
            subject: e.subject,
            status: e.status,
            attempts: e.attempts,
            last_error: e.last_error.unwrap_or_default(),
            created: when(e.created_at, now),
            sent: e.sent_at.map(|t| when(t, now)).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    cursor: String,
}

#[derive(Template)]
#[template(path = "operator_emails.html")]
struct EmailsPage {
    csrf: String,
    tab: &'static str,
    emails: Vec<EmailRow>,
    /// Whether this is a later page (offer the newest).
    paged: bool,
    /// The query string of the next (older) page.
    older: Option<String>,
    error: Option<String>,
    /// No SMTP server: emails are kept here, not sent.
    kept: bool,
}

pub async fn view_emails(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<OutboxQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let page = log_page(Ok(()), &q.cursor, &[], |(), page| {
        outbox::list(&state, &ctx, page)
    })
    .await?;
    Ok(render(&EmailsPage {
        csrf,
        tab: "emails",
        emails: page
            .items
            .into_iter()
            .map(|e| EmailRow::new(e, now))
            .collect(),
        paged: !q.cursor.is_empty(),
        older: page.older,
        error: page.error,
        kept: !state.mailer.sends(),
    }))
}

#[derive(Template)]
#[template(path = "operator_email.html")]
struct EmailPage {
    csrf: String,
    tab: &'static str,
    email: EmailRow,
    body: String,
}

pub async fn view_email(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    ApiPath(id): ApiPath<EmailId>,
) -> AppResult<Response> {
    let ReadEmail { email, body } = outbox::read(&state, &ctx, id).await?;
    Ok(render(&EmailPage {
        csrf,
        tab: "emails",
        email: EmailRow::new(email, state.now()),
        body,
    }))
}
