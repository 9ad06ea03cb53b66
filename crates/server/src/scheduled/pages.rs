//! Dashboard pages: adapters over the area's rules. The list
//! (`/app/scheduled`: status tabs, each message's time in the tenant's
//! zone, why it failed, cancel and change-time buttons), the "Schedule a
//! message" block of a contact's page ([`contact_scheduled`]) and its form
//! on a page of its own (`/app/scheduled/new?contact_id=…`, also where a
//! refused form comes back with the reason).

mod form;

use super::board::{Board, board};
use super::rules;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::contact_name;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use crate::tenancy::zone::{display_local, format_local};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, http::StatusCode};
use domain::{ContactId, ScheduledMessageId};
use serde::Deserialize;
use store::scheduled::{ScheduledFilter, ScheduledStatus};

pub use form::{ScheduleFields, ScheduleForm};

/// Merged into the tenant dashboard (behind the tenant session and CSRF).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/scheduled", get(view_scheduled).post(create_scheduled))
        .route("/app/scheduled/new", get(view_new_scheduled))
        .route("/app/scheduled/{id}/update", post(update_scheduled))
        .route("/app/scheduled/{id}/cancel", post(cancel_scheduled))
}

/// One scheduled message as a row.
#[derive(Debug, Clone)]
pub struct ScheduledRow {
    pub id: String,
    /// Its time for people, in the tenant's zone (`2025-03-30 09:00 WEST`).
    pub when: String,
    /// The same for the change-time input (`YYYY-MM-DDTHH:MM`).
    pub local_time: String,
    pub contact_id: String,
    pub contact: String,
    pub number: String,
    pub kind: &'static str,
    pub summary: String,
    pub status: &'static str,
    /// Why it failed: `code: reason`.
    pub failure: String,
    /// Still scheduled: it may be changed or cancelled.
    pub pending: bool,
}

fn rows(b: &Board) -> Vec<ScheduledRow> {
    b.items
        .iter()
        .map(|s| {
            let m = &s.stored;
            ScheduledRow {
                id: m.id.to_string(),
                when: display_local(&b.time_zone, m.send_at),
                local_time: format_local(&b.time_zone, m.send_at),
                contact_id: m.contact_id.to_string(),
                contact: b
                    .contacts
                    .get(&m.contact_id)
                    .map(contact_name)
                    .unwrap_or_default(),
                number: form::number_label(&b.numbers, m.channel_id),
                kind: s.content.kind(),
                summary: s.content.summary(),
                status: m.status.as_str(),
                failure: match (&m.failure_code, &m.failure_reason) {
                    (Some(c), Some(r)) => format!("{c}: {r}"),
                    (Some(c), None) => c.clone(),
                    _ => String::new(),
                },
                pending: m.status == ScheduledStatus::Scheduled,
            }
        })
        .collect()
}

/// The "Scheduled messages" block of a contact's page: theirs, and the
/// form to schedule one more.
#[derive(Debug, Clone)]
pub struct ContactScheduled {
    pub rows: Vec<ScheduledRow>,
    pub form: ScheduleForm,
    /// Why nothing can be scheduled ("" if something can).
    pub blocked: String,
    pub back: String,
}

/// The block of contact `id`'s page.
pub async fn contact_scheduled(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactId,
) -> AppResult<ContactScheduled> {
    let filter = ScheduledFilter {
        status: None,
        contact: Some(id),
    };
    let b = board(state, ctx, filter).await?;
    let back = format!("/app/contacts/{id}#scheduled");
    let form = ScheduleForm::blank(&b, id, &back);
    Ok(ContactScheduled {
        rows: rows(&b),
        blocked: form::blocked(&b, id),
        form,
        back,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "scheduled.html")]
struct ListPage {
    shell: Shell,
    tab: String,
    time_zone: String,
    rows: Vec<ScheduledRow>,
    back: String,
    error: Option<String>,
}

/// The list, on tab `tab` (`scheduled` by default, `all`), with a refusal
/// if any.
async fn list_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    tab: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let (tab, status) = match tab {
        "all" => ("all", None),
        other => {
            let s = ScheduledStatus::parse(other).unwrap_or(ScheduledStatus::Scheduled);
            (s.as_str(), Some(s))
        }
    };
    let filter = ScheduledFilter {
        status,
        contact: None,
    };
    let b = board(state, ctx, filter).await?;
    Ok(render(&ListPage {
        shell: shell.with_tab("scheduled"),
        tab: tab.to_owned(),
        back: format!("/app/scheduled?status={tab}"),
        rows: rows(&b),
        time_zone: b.time_zone,
        error,
    }))
}

pub async fn view_scheduled(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    list_page(&state, shell, &ctx, &q.status, None).await
}

#[derive(Template)]
#[template(path = "scheduled_new.html")]
struct NewPage {
    shell: Shell,
    contact: String,
    form: ScheduleForm,
    blocked: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    contact_id: String,
}

/// The form on its own page, for contact `id`, as typed (`fields`) with
/// the refusal `error`.
async fn new_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: ContactId,
    fields: Option<&ScheduleFields>,
    error: Option<String>,
) -> AppResult<Response> {
    let filter = ScheduledFilter {
        status: Some(ScheduledStatus::Scheduled),
        contact: Some(id),
    };
    let b = board(state, ctx, filter).await?;
    let back = format!("/app/contacts/{id}#scheduled");
    let mut form = ScheduleForm::blank(&b, id, &back);
    if let Some(f) = fields {
        form.keep(f);
    }
    Ok(render(&NewPage {
        shell: shell.with_tab("scheduled"),
        contact: b.contacts.get(&id).map(contact_name).unwrap_or_default(),
        blocked: form::blocked(&b, id),
        form,
        error,
    }))
}

pub async fn view_new_scheduled(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let id = q
        .contact_id
        .parse::<ContactId>()
        .map_err(|_| AppError::NotFound)?;
    new_page(&state, shell, &ctx, id, None, None).await
}

/// Schedules the form's message; back to where it came from, or the form
/// again with the reason.
pub async fn create_scheduled(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    Form(fields): Form<ScheduleFields>,
) -> AppResult<Response> {
    let contact = fields
        .contact_id
        .parse::<ContactId>()
        .map_err(|_| AppError::NotFound)?;
    let result = match fields.new_scheduled(contact) {
        Ok(input) => rules::schedule_message(&state, &ctx, input).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&form::back(&fields.back, "/app/scheduled")).into_response()),
        Err(e) => {
            let Some(msg) = inline(&e) else {
                return Err(e);
            };
            let mut res = new_page(&state, shell, &ctx, contact, Some(&fields), Some(msg)).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    local_time: String,
    #[serde(default)]
    back: String,
}

/// Moves a scheduled message to the wall time typed (tenant's zone).
pub async fn update_scheduled(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ScheduledMessageId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    let change = super::ScheduledChange {
        when: Some(super::When::Local(f.local_time.clone())),
        ..Default::default()
    };
    match rules::update_scheduled(&state, &ctx, id, change).await {
        Ok(_) => Ok(Redirect::to(&form::back(&f.back, "/app/scheduled")).into_response()),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}

pub async fn cancel_scheduled(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ScheduledMessageId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    match rules::cancel_scheduled(&state, &ctx, id).await {
        Ok(()) => Ok(Redirect::to(&form::back(&f.back, "/app/scheduled")).into_response()),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}

/// The list again with a refusal it can explain, or the error page.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    e: AppError,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = list_page(state, shell, ctx, "all", Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}
