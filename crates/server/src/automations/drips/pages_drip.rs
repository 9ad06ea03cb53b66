//! A drip's page in the dashboard (`/app/automations/drips/{id}`): its
//! form (see [`super::pages`]), its subscribers with their state, and the
//! form that enrols a contact; a subscriber's own page with its history
//! and a stop button. Adapters over [`super::rules`] and
//! [`super::enrol`].

use super::definition::DelayUnit;
use super::enrol::{self, Outcome};
use super::enrol_csv::find_contact_by_key;
use super::pages::{DripFields, LIST, Pairs, done, list_page, refused};
use super::rules;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::{contact_name, when};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{DripId, DripSubscriberId};
use serde::Deserialize;
use store::drips::DripSubscriber;
use store::page::PageRequest;

/// A subscriber as the drip's page lists it.
struct SubscriberRow {
    id: String,
    contact: String,
    status: String,
    reason: String,
    step: i64,
    next: String,
    enrolled: String,
}

#[derive(Template)]
#[template(path = "automation_drip.html")]
struct DripPage {
    shell: Shell,
    tab: &'static str,
    /// `None` for a new drip.
    id: Option<String>,
    fields: DripFields,
    tags: Vec<(String, String)>,
    units: Vec<&'static str>,
    subscribers: Vec<SubscriberRow>,
    ok: Option<String>,
    error: Option<String>,
}

impl DripPage {
    fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("{LIST}/{id}"),
            None => LIST.to_owned(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DripQuery {
    /// What the last action did: `created`, `saved`, `enrolled`,
    /// `already_enrolled`, `opted_out`, `stopped`.
    #[serde(default)]
    done: String,
}

fn flash(done: &str) -> Option<String> {
    let m = match done {
        "created" => "Created.",
        "saved" => "Saved: subscribers under way follow the new steps from their next one.",
        "enrolled" => "Enrolled: the first step is on its way at its delay.",
        "already_enrolled" => "That contact is in this drip already.",
        "opted_out" => "That contact opted out of messages: not enrolled.",
        "stopped" => "Stopped: it is sent nothing more.",
        _ => return None,
    };
    Some(m.to_owned())
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: Option<DripId>,
    fields: Option<DripFields>,
    ok: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let tags = crate::crm::tags::all_tags(state, ctx)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let (fields, subscribers) = match id {
        None => (fields.unwrap_or_else(DripFields::blank), Vec::new()),
        Some(id) => {
            let shown = rules::get_drip(state, ctx, id).await?;
            let fields = fields.unwrap_or_else(|| {
                DripFields::of(&shown.drip.name, shown.drip.enabled, &shown.definition)
            });
            let page = PageRequest::new(None, PageRequest::MAX_LIMIT);
            let subs = rules::list_subscribers(state, ctx, id, None, page).await?;
            let ids: Vec<_> = subs.items.iter().map(|s| s.contact_id).collect();
            let contacts = rules::contacts_of(state, ctx, &ids).await?;
            let rows = subs
                .items
                .into_iter()
                .map(|s| {
                    let contact = contacts
                        .iter()
                        .find(|c| c.id == s.contact_id)
                        .map_or_else(|| "a deleted contact".to_owned(), contact_name);
                    row(s, contact, now)
                })
                .collect();
            (fields, rows)
        }
    };
    Ok(render(&DripPage {
        shell: shell.with_tab("automations"),
        tab: "drips",
        id: id.map(|i| i.to_string()),
        fields,
        tags,
        units: DelayUnit::ALL.iter().map(|u| u.as_str()).collect(),
        subscribers,
        ok,
        error,
    }))
}

fn row(s: DripSubscriber, contact: String, now: domain::Timestamp) -> SubscriberRow {
    SubscriberRow {
        id: s.id.to_string(),
        contact,
        status: s.status.as_str().to_owned(),
        reason: s.exit_reason.unwrap_or_default(),
        step: s.step + 1,
        next: s.next_at.map_or_else(String::new, |t| when(t, now)),
        enrolled: when(s.enrolled_at, now),
    }
}

/// The page again with the form as typed and the refusal, or the error
/// page for one it cannot explain.
async fn refused_form(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: Option<DripId>,
    fields: DripFields,
    e: AppError,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = page(state, shell, ctx, id, Some(fields), None, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

fn to_drip(id: DripId, what: &str) -> Response {
    Redirect::to(&format!("{LIST}/{id}?done={what}")).into_response()
}

pub async fn view_new_drip(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, None, None, None, None).await
}

pub async fn create_drip(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Form(pairs): Pairs,
) -> AppResult<Response> {
    let fields = DripFields::read(&pairs);
    let result = match fields.new_drip() {
        Ok(new) => rules::create_drip(&state, &ctx, new).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => Ok(to_drip(s.drip.id, "created")),
        Err(e) => refused_form(&state, shell, &ctx, None, fields.padded_again(), e).await,
    }
}

pub async fn view_drip(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    Query(q): Query<DripQuery>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, Some(id), None, flash(&q.done), None).await
}

pub async fn update_drip(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    Form(pairs): Pairs,
) -> AppResult<Response> {
    let fields = DripFields::read(&pairs);
    let result = match fields.changes() {
        Ok(changes) => rules::update_drip(&state, &ctx, id, changes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(to_drip(id, "saved")),
        Err(e) => refused_form(&state, shell, &ctx, Some(id), fields.padded_again(), e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EnabledForm {
    /// `true` to enable, anything else to disable.
    #[serde(default)]
    enabled: String,
}

pub async fn update_drip_enabled(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    Form(f): Form<EnabledForm>,
) -> AppResult<Response> {
    let enabled = f.enabled == "true";
    let changes = rules::DripChanges {
        enabled: Some(enabled),
        ..rules::DripChanges::default()
    };
    match rules::update_drip(&state, &ctx, id, changes).await {
        Ok(_) => Ok(done(if enabled { "enabled" } else { "disabled" })),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}

pub async fn delete_drip(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
) -> AppResult<Response> {
    match rules::delete_drip(&state, &ctx, id).await {
        Ok(()) => Ok(done("deleted")),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EnrolForm {
    /// A contact's id or phone number.
    #[serde(default)]
    contact: String,
}

pub async fn enrol_contact(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    Form(f): Form<EnrolForm>,
) -> AppResult<Response> {
    let result = match find_contact_by_key(&state, &ctx, &f.contact).await {
        Ok(contact) => enrol::enrol_contacts(&state, &ctx, id, &[contact]).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(done) => {
            let what = match done.first().map(|(_, o)| *o) {
                Some(Outcome::Enrolled) => "enrolled",
                Some(Outcome::AlreadyEnrolled) => "already_enrolled",
                Some(Outcome::OptedOut) => "opted_out",
                _ => "",
            };
            Ok(to_drip(id, what))
        }
        Err(e) => {
            let Some(msg) = inline(&e) else {
                return Err(e);
            };
            let mut res = page(&state, shell, &ctx, Some(id), None, None, Some(msg)).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

/// One step of a subscriber's history, for its page.
struct HistoryRow {
    step: i64,
    outcome: String,
    kind: String,
    message_id: String,
    detail: String,
    at: String,
}

#[derive(Template)]
#[template(path = "automation_drip_subscriber.html")]
struct SubscriberPage {
    shell: Shell,
    tab: &'static str,
    drip_id: String,
    drip_name: String,
    subscriber: SubscriberRow,
    detail: String,
    active: bool,
    history: Vec<HistoryRow>,
}

pub async fn view_drip_subscriber(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath((drip, sid)): ApiPath<(DripId, DripSubscriberId)>,
) -> AppResult<Response> {
    let now = state.now();
    let shown = rules::get_drip(&state, &ctx, drip).await?;
    let (s, sends) = rules::get_subscriber(&state, &ctx, drip, sid).await?;
    let contacts = rules::contacts_of(&state, &ctx, &[s.contact_id]).await?;
    let contact = contacts
        .first()
        .map_or_else(|| "a deleted contact".to_owned(), contact_name);
    let history = sends
        .into_iter()
        .map(|h| HistoryRow {
            step: h.step + 1,
            outcome: h.outcome,
            kind: h.kind,
            message_id: h.message_id.map(|m| m.to_string()).unwrap_or_default(),
            detail: h.detail.unwrap_or_default(),
            at: when(h.created_at, now),
        })
        .collect();
    let active = s.status == store::drips::SubscriberStatus::Active;
    let detail = s.exit_detail.clone().unwrap_or_default();
    Ok(render(&SubscriberPage {
        shell: shell.with_tab("automations"),
        tab: "drips",
        drip_id: drip.to_string(),
        drip_name: shown.drip.name,
        subscriber: row(s, contact, now),
        detail,
        active,
        history,
    }))
}

pub async fn stop_drip_subscriber(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath((drip, sid)): ApiPath<(DripId, DripSubscriberId)>,
) -> AppResult<Response> {
    match enrol::stop_subscriber(&state, &ctx, drip, sid).await {
        Ok(_) => Ok(to_drip(drip, "stopped")),
        Err(e) => {
            let Some(msg) = inline(&e) else {
                return Err(e);
            };
            let mut res = list_page(&state, shell, &ctx, None, Some(msg)).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}
