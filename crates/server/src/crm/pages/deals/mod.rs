//! The deal pages (docs/DASHBOARD.md): the board and the list
//! (`/app/deals`, [`board`]), a deal and the new-deal form
//! (`/app/deals/{id}`, [`deal`]) and Settings → Pipelines ([`pipelines`]).
//! Adapters over [`crate::crm::deals`]; what they share is here.

mod board;
mod deal;
mod pipelines;

use crate::crm::deals::board::{DealChoices, Member};
use crate::crm::deals::{Deal, Pipeline, money};
use crate::dashboard::page::render;
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::Timestamp;
use std::str::FromStr;

pub fn router() -> Router<AppState> {
    const ONE: &str = "/app/deals/{id}";
    const PIPELINE: &str = "/app/settings/pipelines/{id}";
    Router::new()
        .route(
            "/app/deals",
            get(board::view_deals).post(board::create_deal),
        )
        .route("/app/deals/new", get(deal::view_new_deal))
        .route(ONE, get(deal::view_deal))
        .route(&format!("{ONE}/update"), post(deal::update_deal))
        .route(&format!("{ONE}/move"), post(board::move_deal))
        .route(&format!("{ONE}/won"), post(deal::win_deal))
        .route(&format!("{ONE}/lost"), post(deal::lose_deal))
        .route(&format!("{ONE}/reopen"), post(deal::reopen_deal))
        .route(&format!("{ONE}/delete"), post(deal::delete_deal))
        .route(
            "/app/settings/pipelines",
            get(pipelines::view_pipelines).post(pipelines::create_pipeline),
        )
        .route(
            &format!("{PIPELINE}/update"),
            post(pipelines::update_pipeline),
        )
        .route(
            &format!("{PIPELINE}/delete"),
            post(pipelines::delete_pipeline),
        )
        .route(&format!("{PIPELINE}/stages"), post(pipelines::create_stage))
        .route(
            &format!("{PIPELINE}/stages/{{stage}}/update"),
            post(pipelines::update_stage),
        )
        .route(
            &format!("{PIPELINE}/stages/{{stage}}/delete"),
            post(pipelines::delete_stage),
        )
}

/// An option of a select: an id and what it shows.
#[derive(Debug, Clone)]
pub struct Opt {
    pub id: String,
    pub name: String,
}

impl From<&Member> for Opt {
    fn from(m: &Member) -> Self {
        Opt {
            id: m.id.to_string(),
            name: m.name.clone(),
        }
    }
}

/// A pipeline's stages, for a select's `<optgroup>`.
#[derive(Debug, Clone)]
pub struct StageGroup {
    pub name: String,
    pub stages: Vec<Opt>,
}

pub fn pipeline_opt(p: &Pipeline) -> Opt {
    Opt {
        id: p.id.to_string(),
        name: p.name.clone(),
    }
}

pub fn stage_opts(p: &Pipeline) -> Vec<Opt> {
    p.stages
        .iter()
        .map(|s| Opt {
            id: s.id.to_string(),
            name: s.name.clone(),
        })
        .collect()
}

pub fn stage_groups(pipelines: &[Pipeline]) -> Vec<StageGroup> {
    pipelines
        .iter()
        .map(|p| StageGroup {
            name: p.name.clone(),
            stages: stage_opts(p),
        })
        .collect()
}

pub fn member_opts(c: &DealChoices) -> Vec<Opt> {
    c.members.iter().map(Opt::from).collect()
}

pub fn currencies() -> Vec<&'static str> {
    money::codes().collect()
}

/// A deal as a card or a row of the list shows it.
#[derive(Debug, Clone)]
pub struct DealRow {
    pub id: String,
    pub title: String,
    pub value: String,
    pub pipeline: String,
    pub stage: String,
    pub status: &'static str,
    pub contact_id: Option<String>,
    pub contact: String,
    pub owner: String,
    pub close: String,
}

impl From<&Deal> for DealRow {
    fn from(d: &Deal) -> Self {
        DealRow {
            id: d.id.to_string(),
            title: d.title.clone(),
            value: d.value_label(),
            pipeline: d.pipeline_name.clone(),
            stage: d.stage_name.clone(),
            status: d.status.as_str(),
            contact_id: d.contact_id.map(|c| c.to_string()),
            contact: d.contact_name.clone().unwrap_or_default(),
            owner: d.owner_name.clone().unwrap_or_default(),
            close: d.expected_close_on.clone().unwrap_or_default(),
        }
    }
}

/// What a deal form shows again after a refusal.
#[derive(Debug, Clone, Default)]
pub struct DealDraft {
    pub title: String,
    pub value: String,
    pub currency: String,
    pub stage_id: String,
    pub owner_id: String,
    pub expected_close_on: String,
}

/// An optional id from a form field: empty is `None`.
pub fn form_id<T: FromStr>(field: &'static str, raw: &str) -> AppResult<Option<T>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| AppError::validation(field, "choose one of the list"))
}

/// An optional text field: empty is `None`.
pub fn form_text(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A time as the pages show it.
pub fn time(t: Timestamp, state: &AppState) -> String {
    when(t, state.now())
}

/// The message shown beside a refused form, or (for anything but a
/// refusal) the error for the error page.
pub fn refusal(e: AppError) -> AppResult<String> {
    inline(&e).ok_or(e)
}

/// A page shown again with a refusal answers 422.
pub fn unprocessable(mut res: Response) -> Response {
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

/// Renders a page template.
pub fn show(t: &impl Template) -> Response {
    render(t)
}
