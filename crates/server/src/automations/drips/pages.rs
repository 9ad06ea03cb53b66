//! Drips in the dashboard (`/app/automations/drips`): the list with each
//! drip's subscribers by state, enable / disable and delete buttons, and
//! the form that makes or changes one — its steps as rows (a delay, a
//! text, a template for a closed window), exit rules and quiet hours —
//! which works without the page's script. A drip's own page, its
//! subscribers and their history are [`super::pages_drip`]. Adapters over
//! [`super::rules`]: each parses the form, calls one rule and renders.

use super::definition::{Definition, DelayUnit, DripStep, ExitRules, QuietHours};
use super::pages_drip;
use super::rules::{self, DripChanges, NewDrip};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::scheduled::TemplateContent;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::TagId;
use serde::Deserialize;
use store::drips::SubscriberStatus;

pub(super) const LIST: &str = "/app/automations/drips";

/// Merged into the tenant dashboard (behind the tenant session and CSRF).
pub fn router() -> Router<AppState> {
    const ONE: &str = "/app/automations/drips/{id}";
    Router::new()
        .route(LIST, get(view_drips).post(pages_drip::create_drip))
        .route("/app/automations/drips/new", get(pages_drip::view_new_drip))
        .route(
            ONE,
            get(pages_drip::view_drip).post(pages_drip::update_drip),
        )
        .route(
            &format!("{ONE}/enabled"),
            post(pages_drip::update_drip_enabled),
        )
        .route(&format!("{ONE}/delete"), post(pages_drip::delete_drip))
        .route(&format!("{ONE}/enrol"), post(pages_drip::enrol_contact))
        .route(
            &format!("{ONE}/subscribers/{{sid}}"),
            get(pages_drip::view_drip_subscriber),
        )
        .route(
            &format!("{ONE}/subscribers/{{sid}}/stop"),
            post(pages_drip::stop_drip_subscriber),
        )
}

/// One drip as the list shows it.
struct DripRow {
    id: String,
    name: String,
    enabled: bool,
    steps: usize,
    active: i64,
    completed: i64,
    exited: i64,
}

#[derive(Template)]
#[template(path = "automation_drips.html")]
struct ListPage {
    shell: Shell,
    tab: &'static str,
    rows: Vec<DripRow>,
    ok: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// What the last action did: `enabled`, `disabled`, `deleted`.
    #[serde(default)]
    done: String,
}

fn flash(done: &str) -> Option<String> {
    let m = match done {
        "enabled" => "Enabled: contacts may be enrolled.",
        "disabled" => "Disabled: no one new is enrolled; subscribers under way go on.",
        "deleted" => "Deleted, with its subscribers.",
        _ => return None,
    };
    Some(m.to_owned())
}

pub(super) async fn list_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    ok: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let rows = rules::list_drips(state, ctx)
        .await?
        .into_iter()
        .map(|s| DripRow {
            id: s.drip.id.to_string(),
            enabled: s.drip.enabled,
            steps: s.definition.steps.len(),
            active: s.count(SubscriberStatus::Active),
            completed: s.count(SubscriberStatus::Completed),
            exited: s.count(SubscriberStatus::Exited),
            name: s.drip.name,
        })
        .collect();
    Ok(render(&ListPage {
        shell: shell.with_tab("automations"),
        tab: "drips",
        rows,
        ok,
        error,
    }))
}

pub async fn view_drips(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    list_page(&state, shell, &ctx, flash(&q.done), None).await
}

pub(super) fn done(what: &str) -> Response {
    Redirect::to(&format!("{LIST}?done={what}")).into_response()
}

/// The list again with a refusal it can explain, or the error page.
pub(super) async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    e: AppError,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = list_page(state, shell, ctx, None, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

/// One step's row of the form, as typed.
#[derive(Debug, Clone, Default)]
pub struct StepFields {
    pub delay: String,
    pub unit: String,
    pub text: String,
    pub template_name: String,
    pub template_language: String,
    /// The template's values, comma separated.
    pub template_params: String,
}

/// The drip form as posted (and shown again after a refusal).
#[derive(Debug, Clone, Default)]
pub struct DripFields {
    pub name: String,
    pub enabled: bool,
    pub steps: Vec<StepFields>,
    pub exit_on_reply: bool,
    pub exit_tag_id: String,
    pub goal_tag_id: String,
    pub quiet_start: String,
    pub quiet_end: String,
}

/// Blank step rows the form offers after the drip's own.
const BLANK_ROWS: usize = 2;

impl DripFields {
    /// A new drip's form: exit on reply, one blank step.
    pub fn blank() -> Self {
        DripFields {
            exit_on_reply: true,
            enabled: true,
            ..DripFields::default()
        }
        .padded()
    }

    /// The form of a drip as it is.
    pub fn of(name: &str, enabled: bool, d: &Definition) -> Self {
        let steps = d
            .steps
            .iter()
            .map(|s| {
                let t = s.template.as_ref();
                StepFields {
                    delay: s.delay.to_string(),
                    unit: s.unit.as_str().to_owned(),
                    text: s.text.clone().unwrap_or_default(),
                    template_name: t.map(|t| t.name.clone()).unwrap_or_default(),
                    template_language: t.map(|t| t.language.clone()).unwrap_or_default(),
                    template_params: t.map(|t| t.parameters.join(", ")).unwrap_or_default(),
                }
            })
            .collect();
        let id = |t: Option<TagId>| t.map(|t| t.to_string()).unwrap_or_default();
        DripFields {
            name: name.to_owned(),
            enabled,
            steps,
            exit_on_reply: d.exit.on_reply,
            exit_tag_id: id(d.exit.tag_id),
            goal_tag_id: id(d.exit.goal_tag_id),
            quiet_start: d
                .quiet_hours
                .as_ref()
                .map(|q| q.start.clone())
                .unwrap_or_default(),
            quiet_end: d
                .quiet_hours
                .as_ref()
                .map(|q| q.end.clone())
                .unwrap_or_default(),
        }
        .padded()
    }

    /// The form as typed, with blank rows to add steps in.
    pub fn padded_again(self) -> Self {
        self.padded()
    }

    fn padded(mut self) -> Self {
        for _ in 0..BLANK_ROWS {
            self.steps.push(StepFields {
                unit: "days".into(),
                ..StepFields::default()
            });
        }
        self
    }

    /// Reads the posted pairs: one value per field for the drip, and one
    /// per row, in order, for each step field (blank rows left out).
    pub fn read(pairs: &[(String, String)]) -> Self {
        let mut f = DripFields::default();
        let mut cols: [Vec<&str>; 6] = Default::default();
        for (k, v) in pairs {
            let v = v.as_str();
            match k.as_str() {
                "name" => f.name = v.to_owned(),
                "enabled" => f.enabled = v == "true",
                "exit_on_reply" => f.exit_on_reply = v == "true",
                "exit_tag_id" => f.exit_tag_id = v.to_owned(),
                "goal_tag_id" => f.goal_tag_id = v.to_owned(),
                "quiet_start" => f.quiet_start = v.to_owned(),
                "quiet_end" => f.quiet_end = v.to_owned(),
                "delay" => cols[0].push(v),
                "unit" => cols[1].push(v),
                "text" => cols[2].push(v),
                "template_name" => cols[3].push(v),
                "template_language" => cols[4].push(v),
                "template_params" => cols[5].push(v),
                _ => {}
            }
        }
        let rows = cols.iter().map(Vec::len).max().unwrap_or(0);
        let cell = |c: usize, i: usize| cols[c].get(i).map_or(String::new(), |v| (*v).to_owned());
        for i in 0..rows {
            let s = StepFields {
                delay: cell(0, i),
                unit: cell(1, i),
                text: cell(2, i),
                template_name: cell(3, i),
                template_language: cell(4, i),
                template_params: cell(5, i),
            };
            let blank = [&s.text, &s.template_name, &s.template_language]
                .iter()
                .all(|v| v.trim().is_empty());
            if !blank {
                f.steps.push(s);
            }
        }
        f
    }

    /// The definition it describes (the rules check the rest).
    pub fn definition(&self) -> AppResult<Definition> {
        let mut steps = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            let delay = match s.delay.trim() {
                "" => 0,
                d => d.parse::<i64>().map_err(|_| {
                    AppError::validation(format!("steps[{i}].delay"), "a whole number")
                })?,
            };
            let unit = DelayUnit::parse(s.unit.trim()).ok_or_else(|| {
                AppError::validation(
                    format!("steps[{i}].unit"),
                    "seconds, minutes, hours or days",
                )
            })?;
            let template = (!s.template_name.trim().is_empty()).then(|| TemplateContent {
                name: s.template_name.clone(),
                language: s.template_language.clone(),
                parameters: s
                    .template_params
                    .split(',')
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
                named_parameters: Default::default(),
            });
            steps.push(DripStep {
                delay,
                unit,
                text: Some(s.text.clone()),
                template,
            });
        }
        let tag = |raw: &str, field: &str| -> AppResult<Option<TagId>> {
            match raw.trim() {
                "" => Ok(None),
                t => t
                    .parse::<uuid::Uuid>()
                    .map(|u| Some(TagId::from_uuid(u)))
                    .map_err(|_| AppError::validation(field, "no such tag")),
            }
        };
        let quiet_hours = match (self.quiet_start.trim(), self.quiet_end.trim()) {
            ("", "") => None,
            (start, end) => Some(QuietHours {
                start: start.to_owned(),
                end: end.to_owned(),
            }),
        };
        Ok(Definition {
            steps,
            exit: ExitRules {
                on_reply: self.exit_on_reply,
                tag_id: tag(&self.exit_tag_id, "exit.tag_id")?,
                goal_tag_id: tag(&self.goal_tag_id, "exit.goal_tag_id")?,
            },
            quiet_hours,
        })
    }

    pub fn new_drip(&self) -> AppResult<NewDrip> {
        Ok(NewDrip {
            name: self.name.clone(),
            enabled: self.enabled,
            definition: self.definition()?,
        })
    }

    pub fn changes(&self) -> AppResult<DripChanges> {
        Ok(DripChanges {
            name: Some(self.name.clone()),
            enabled: Some(self.enabled),
            definition: Some(self.definition()?),
        })
    }
}

/// The posted form's pairs, for [`DripFields::read`].
pub type Pairs = Form<Vec<(String, String)>>;
