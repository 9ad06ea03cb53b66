//! `/app/analytics/response-times`: the targets, first response and
//! resolution (median, 90th percentile) against the span before, per
//! agent and per team, the conversations that missed a target (each
//! linking to its thread), and the targets form (`settings:manage`; POST
//! `/app/analytics/targets`, a refusal shown beside its field with the
//! form as typed).

use super::{AnalyticsQuery, Frame, RESPONSE_TIMES, duration, load};
use crate::analytics::reports::response::{Breach, Performance, ResponseReport, response_times};
use crate::analytics::settings::{TargetsInput, set_targets};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::paging::query;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;

/// A row of figures: one set of conversations' response and resolution.
struct Row {
    name: String,
    responses: i64,
    response_median: String,
    response_p90: String,
    resolutions: i64,
    resolution_median: String,
    resolution_p90: String,
    breaches: i64,
}

impl Row {
    fn of(name: String, p: &Performance) -> Row {
        Row {
            name,
            responses: p.first_response.count,
            response_median: duration(p.first_response.median_seconds),
            response_p90: duration(p.first_response.p90_seconds),
            resolutions: p.resolution.count,
            resolution_median: duration(p.resolution.median_seconds),
            resolution_p90: duration(p.resolution.p90_seconds),
            breaches: p.breaches,
        }
    }
}

/// A conversation that missed a target, as listed.
struct BreachRow {
    conversation_id: String,
    opened: String,
    target: &'static str,
    took: String,
    limit: String,
    ongoing: bool,
    assignee: String,
}

/// What the page shows of the report.
struct Shown {
    first_response_target: String,
    resolution_target: String,
    conversations: i64,
    /// This span's and the span before's.
    overall: Vec<Row>,
    agents: Vec<Row>,
    teams: Vec<Row>,
    breaches: Vec<BreachRow>,
}

/// The targets form, as saved or as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TargetsForm {
    first_response_minutes: String,
    resolution_minutes: String,
    /// The span the page showed, to go back to.
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "analytics_response.html")]
struct ResponsePage {
    shell: Shell,
    frame: Frame,
    report: Option<Shown>,
    form: TargetsForm,
    /// Reasons beside the form's fields.
    problems: HashMap<String, String>,
    ok: Option<String>,
    form_error: Option<String>,
}

impl ResponsePage {
    fn problem(&self, field: &str) -> Option<&String> {
        self.problems.get(field)
    }
}

fn shown(r: ResponseReport) -> Shown {
    let names: HashMap<&str, &str> = r
        .agents
        .iter()
        .filter_map(|a| Some((a.user_id.as_deref()?, a.name.as_deref()?)))
        .collect();
    let zone = jiff::tz::TimeZone::get(&r.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let opened = |at: &str| {
        at.parse::<jiff::Timestamp>()
            .map(|t| zone.to_datetime(t).strftime("%-d %b %H:%M").to_string())
            .unwrap_or_else(|_| at.to_owned())
    };
    let breach = |b: &Breach| BreachRow {
        conversation_id: b.conversation_id.clone(),
        opened: opened(&b.opened_at),
        target: if b.target == "first_response" {
            "First response"
        } else {
            "Resolution"
        },
        took: duration(Some(b.minutes * 60)),
        limit: duration(Some(b.target_minutes * 60)),
        ongoing: b.ongoing,
        assignee: b
            .assigned_user_id
            .as_deref()
            .map_or("Unassigned", |id| {
                names.get(id).copied().unwrap_or("A former member")
            })
            .to_owned(),
    };
    Shown {
        first_response_target: duration(Some(r.targets.first_response_minutes * 60)),
        resolution_target: duration(Some(r.targets.resolution_minutes * 60)),
        conversations: r.conversations,
        overall: vec![
            Row::of("These days".to_owned(), &r.overall),
            Row::of("The days before".to_owned(), &r.previous),
        ],
        agents: r
            .agents
            .iter()
            .map(|a| {
                let name = match (&a.user_id, &a.name) {
                    (None, _) => "Unassigned".to_owned(),
                    (Some(_), Some(n)) => n.clone(),
                    (Some(_), None) => "A former member".to_owned(),
                };
                Row::of(name, &a.performance)
            })
            .collect(),
        teams: r
            .teams
            .iter()
            .map(|t| {
                let name = match (&t.team_id, &t.name) {
                    (None, _) => "No team".to_owned(),
                    (Some(_), Some(n)) => n.clone(),
                    (Some(_), None) => "A deleted team".to_owned(),
                };
                Row::of(name, &t.performance)
            })
            .collect(),
        breaches: r.breaches.iter().map(breach).collect(),
    }
}

/// The page for `q`'s span, with the targets form as `typed` (as saved
/// when `None`).
async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    q: &AnalyticsQuery,
    typed: Option<TargetsForm>,
    problems: (HashMap<String, String>, Option<String>),
) -> AppResult<Response> {
    let (frame, report) = load(state, ctx, RESPONSE_TIMES, q, response_times).await?;
    let form = typed.unwrap_or_else(|| TargetsForm {
        first_response_minutes: report
            .as_ref()
            .map(|r| r.targets.first_response_minutes.to_string())
            .unwrap_or_default(),
        resolution_minutes: report
            .as_ref()
            .map(|r| r.targets.resolution_minutes.to_string())
            .unwrap_or_default(),
        from: frame.from.clone(),
        to: frame.to.clone(),
    });
    let status = frame.status;
    let ok = (q.done == "targets")
        .then(|| "Targets saved: breaches are measured against them from now on.".to_owned());
    let mut res = render(&ResponsePage {
        shell: shell.with_tab("analytics"),
        frame,
        report: report.map(shown),
        form,
        problems: problems.0,
        ok,
        form_error: problems.1,
    });
    *res.status_mut() = status;
    Ok(res)
}

pub async fn view_response_times(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::AnalyticsRead>,
    Query(q): Query<AnalyticsQuery>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, &q, None, Default::default()).await
}

/// A whole number of minutes typed into `field`.
fn minutes(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> i64 {
    raw.trim().parse().unwrap_or_else(|_| {
        errors.push(FieldError {
            field: field.to_owned(),
            message: "a whole number of minutes".to_owned(),
        });
        0
    })
}

pub async fn update_targets(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    Form(form): Form<TargetsForm>,
) -> AppResult<Response> {
    let back = AnalyticsQuery {
        from: form.from.clone(),
        to: form.to.clone(),
        done: String::new(),
    };
    let mut errors = Vec::new();
    let input = TargetsInput {
        first_response_minutes: minutes(
            "first_response_minutes",
            &form.first_response_minutes,
            &mut errors,
        ),
        resolution_minutes: minutes("resolution_minutes", &form.resolution_minutes, &mut errors),
    };
    let saved = if errors.is_empty() {
        set_targets(&state, &ctx, input).await.map(drop)
    } else {
        Err(AppError::Validation(errors))
    };
    match saved {
        Ok(()) => {
            let q = query(&[("from", &back.from), ("to", &back.to), ("done", "targets")]);
            let to = format!("{}?{q}", RESPONSE_TIMES.path);
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Validation(all)) => {
            let problems = all.into_iter().map(|f| (f.field, f.message)).collect();
            let error = Some("Not saved: see the reasons beside the fields.".to_owned());
            let mut res = page(&state, shell, &ctx, &back, Some(form), (problems, error)).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}
