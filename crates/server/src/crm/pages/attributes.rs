//! Settings → Contact fields: the tenant's custom contact attributes (list,
//! define, relabel, change a choice's options, delete). Adapters over
//! [`crate::crm::attributes`]: each parses the form, calls one rule and
//! renders or redirects.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::attributes::{self as rules, Attribute, AttributeChange, NewAttribute};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::http::pagination::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::AttributeId;
use serde::Deserialize;
use store::crm::attributes::AttributeKind;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/settings/fields", get(view_fields).post(create_field))
        .route("/app/settings/fields/{id}/update", post(update_field))
        .route("/app/settings/fields/{id}/delete", post(delete_field))
}

/// The fields of the create and edit forms; options one per line.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FieldForm {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub label: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub options: String,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A definition as the page shows it.
#[derive(Debug, Clone)]
pub struct FieldRow {
    pub id: String,
    pub key: String,
    pub label: String,
    pub kind: String,
    /// One per line, for the edit form.
    pub options: String,
    /// Comma-separated, for the list.
    pub choices: String,
}

#[derive(Template)]
#[template(path = "settings_fields.html")]
struct FieldsPage {
    shell: Shell,
    tab: &'static str,
    fields: Vec<FieldRow>,
    draft: FieldForm,
    /// The types the create form offers, and which is chosen.
    kinds: Vec<(&'static str, bool)>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    draft: Option<FieldForm>,
    error: Option<String>,
) -> AppResult<Response> {
    let all = PageQuery {
        limit: Some(200),
        cursor: None,
    }
    .request()?;
    let found = rules::list_attributes(state, ctx, all).await?;
    let mut fields: Vec<FieldRow> = found
        .items
        .into_iter()
        .map(|a: Attribute| FieldRow {
            id: a.id.to_string(),
            key: a.key,
            label: a.label,
            kind: a.kind,
            options: a.options.join("\n"),
            choices: a.options.join(", "),
        })
        .collect();
    fields.reverse();
    let draft = draft.unwrap_or_else(|| FieldForm {
        kind: "text".to_owned(),
        ..FieldForm::default()
    });
    let kinds = AttributeKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.as_str() == draft.kind))
        .collect();
    Ok(render(&FieldsPage {
        shell: shell.with_tab("settings"),
        tab: "fields",
        fields,
        draft,
        kinds,
        error,
    }))
}

/// A refusal shown on the page, or the error page for anything else.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    e: AppError,
    draft: Option<FieldForm>,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = page(state, shell, ctx, draft, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

pub async fn view_fields(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, None, None).await
}

pub async fn create_field(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    Form(form): Form<FieldForm>,
) -> AppResult<Response> {
    let input = NewAttribute {
        key: form.key.clone(),
        label: form.label.clone(),
        kind: form.kind.clone(),
        options: if form.kind == "choice" {
            lines(&form.options)
        } else {
            Vec::new()
        },
    };
    match rules::create_attribute(&state, &ctx, input).await {
        Ok(_) => Ok(Redirect::to("/app/settings/fields").into_response()),
        Err(e) => refused(&state, shell, &ctx, e, Some(form)).await,
    }
}

pub async fn update_field(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<AttributeId>,
    Form(form): Form<FieldForm>,
) -> AppResult<Response> {
    let change = AttributeChange {
        label: Some(form.label),
        // Only a choice's form has the options box.
        options: (form.kind == "choice").then(|| lines(&form.options)),
    };
    match rules::update_attribute(&state, &ctx, id, change).await {
        Ok(_) => Ok(Redirect::to("/app/settings/fields").into_response()),
        Err(e) => refused(&state, shell, &ctx, e, None).await,
    }
}

pub async fn delete_field(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<AttributeId>,
) -> AppResult<Response> {
    rules::delete_attribute(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/settings/fields").into_response())
}
