//! Settings → Templates: each account's library with its statuses (and
//! why Meta rejected a template), a button that reads it again from Meta,
//! a page per template with its WhatsApp bubble (filled in with sample
//! values, server-side; live with the page's script) and delete, and the
//! authoring form ([`authoring`]). Adapters over [`crate::templates`].

mod authoring;
pub mod preview;

use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use crate::templates::layout::Layout;
use crate::templates::sync::SyncTarget;
use crate::templates::{self as rules, lower};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::{Permission, TemplateId};
use preview::{Bubble, VarInput, inputs, values_from_form};
use serde::Deserialize;

/// Merged into the tenant dashboard (behind the tenant session and CSRF).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/settings/templates", get(view_templates))
        .route("/app/settings/templates/sync", post(sync_templates))
        .route(
            "/app/settings/templates/new",
            get(authoring::view_new_template).post(authoring::create_template),
        )
        .route("/app/settings/templates/{id}", get(view_template))
        .route("/app/settings/templates/{id}/delete", post(delete_template))
}

const BACK: &str = "/app/settings/templates";

/// The status pill's words, and a reason when Meta gave one.
pub struct Row {
    pub id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub status: String,
    pub reason: Option<String>,
    pub quality: Option<String>,
    pub waba_id: String,
    pub snippet: String,
}

/// A WhatsApp Business Account the tenant's numbers belong to.
pub struct Account {
    pub waba_id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "settings_templates.html")]
struct ListPage {
    shell: Shell,
    tab: &'static str,
    rows: Vec<Row>,
    accounts: Vec<Account>,
    /// The account shown ("" for all).
    waba: String,
    can_manage: bool,
    flash: Option<String>,
    error: Option<String>,
}

/// The accounts of the tenant's numbers, each once.
pub(crate) async fn accounts(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<Account>> {
    let (_, channels) = crate::crm::teams::routing_choices(state, ctx).await?;
    let mut out: Vec<Account> = Vec::new();
    for c in channels {
        let number = c
            .verified_name
            .map(|n| format!("{n} ({})", c.display_phone_number))
            .unwrap_or(c.display_phone_number);
        match out.iter_mut().find(|a| a.waba_id == c.waba_id) {
            Some(a) => a.label.push_str(&format!(", {number}")),
            None => out.push(Account {
                label: format!("{number} · account {}", c.waba_id),
                waba_id: c.waba_id,
            }),
        }
    }
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    waba: String,
    #[serde(default)]
    synced: Option<String>,
}

async fn list_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    q: ListQuery,
    error: Option<String>,
) -> AppResult<Response> {
    let waba = Some(q.waba.as_str()).filter(|w| !w.is_empty());
    let rows = rules::library(state, ctx, waba)
        .await?
        .into_iter()
        .map(|t| {
            let body = Layout::from_components(&t.components).body;
            Row {
                id: t.id.to_string(),
                name: t.name,
                language: t.language,
                category: lower(&t.category),
                status: lower(&t.status),
                reason: t.rejected_reason,
                quality: t.quality.as_deref().map(lower),
                waba_id: t.waba_id,
                snippet: body.chars().take(90).collect(),
            }
        })
        .collect();
    Ok(render(&ListPage {
        shell: shell.with_tab("settings"),
        tab: "templates",
        rows,
        accounts: accounts(state, ctx).await?,
        waba: q.waba,
        can_manage: ctx.allows(Permission::CampaignsManage),
        flash: q.synced,
        error,
    }))
}

pub async fn view_templates(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    list_page(&state, shell, &ctx, q, None).await
}

#[derive(Debug, Deserialize)]
pub struct SyncForm {
    #[serde(default)]
    waba: String,
}

pub async fn sync_templates(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Form(form): Form<SyncForm>,
) -> AppResult<Response> {
    let target = match form.waba.as_str() {
        "" => SyncTarget::All,
        w => SyncTarget::Waba(w.to_owned()),
    };
    let outcome = match crate::templates::sync::sync_templates(&state, &ctx, target).await {
        Ok(o) => o,
        Err(e) => {
            let Some(msg) = inline(&e) else { return Err(e) };
            let q = ListQuery {
                waba: form.waba,
                synced: None,
            };
            let mut res = list_page(&state, shell, &ctx, q, Some(msg)).await?;
            *res.status_mut() = e.status();
            return Ok(res);
        }
    };
    let total: u32 = outcome.synced.iter().map(|r| r.total).sum();
    let changed: u32 = outcome
        .synced
        .iter()
        .map(|r| r.added + r.updated + r.removed)
        .sum();
    let mut msg = format!("Synced with Meta: {total} templates, {changed} changed.");
    for f in &outcome.failed {
        let why = if f.retrying {
            "Meta could not be reached; it will be read again automatically.".to_owned()
        } else {
            f.error.to_string()
        };
        msg.push_str(&format!(" Account {}: {why}", f.waba_id));
    }
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("waba", &form.waba)
        .append_pair("synced", &msg)
        .finish();
    Ok(Redirect::to(&format!("{BACK}?{q}")).into_response())
}

#[derive(Template)]
#[template(path = "template_detail.html")]
struct DetailPage {
    shell: Shell,
    tab: &'static str,
    id: String,
    name: String,
    language: String,
    category: String,
    status: String,
    reason: Option<String>,
    quality: Option<String>,
    parameter_format: String,
    waba_id: String,
    meta_id: String,
    synced: String,
    bubble: Bubble,
    inputs: Vec<VarInput>,
    can_manage: bool,
    error: Option<String>,
}

async fn detail_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: TemplateId,
    fields: &[(String, String)],
    error: Option<String>,
) -> AppResult<Response> {
    let t = rules::get_template(state, ctx, id).await?;
    let layout = Layout::from_components(&t.components);
    let values = values_from_form(fields);
    let now = state.now();
    Ok(render(&DetailPage {
        shell: shell.with_tab("settings"),
        tab: "templates",
        id: t.id.to_string(),
        bubble: Bubble::of(&layout, &values),
        inputs: inputs(&layout, &values),
        category: lower(&t.category),
        status: lower(&t.status),
        reason: t.rejected_reason,
        quality: t.quality.as_deref().map(lower),
        parameter_format: t
            .parameter_format
            .as_deref()
            .map(lower)
            .unwrap_or_else(|| "positional".into()),
        waba_id: t.waba_id,
        meta_id: t.meta_id.unwrap_or_default(),
        synced: t.synced_at.map(|s| when(s, now)).unwrap_or_default(),
        name: t.name,
        language: t.language,
        can_manage: ctx.allows(Permission::CampaignsManage),
        error,
    }))
}

/// A template; `?var_1=…` fills its bubble with values.
pub async fn view_template(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<TemplateId>,
    Query(fields): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    detail_page(&state, shell, &ctx, id, &fields, None).await
}

pub async fn delete_template(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<TemplateId>,
) -> AppResult<Response> {
    match rules::delete_template(&state, &ctx, id).await {
        Ok(()) => Ok(Redirect::to(BACK).into_response()),
        Err(e) => {
            let Some(msg) = inline(&e) else { return Err(e) };
            let mut res = detail_page(&state, shell, &ctx, id, &[], Some(msg)).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}
