//! Business hours in the dashboard (`/app/automations/business-hours`):
//! the workspace's schedule as a form, the numbers with whether each has
//! its own, and a number's own schedule on a page of its own (set or
//! removed). Adapters over [`crate::automations::hours`]; a refusal comes
//! back on the page, each reason beside its field and the form as typed.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::automations::hours::{self as rules, is_open};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ChannelId;
use fields::{HoursFields, field_of};
use serde::Deserialize;

mod fields;

pub const PAGE: &str = "/app/automations/business-hours";

/// A number, and whether it has its own schedule.
struct NumberRow {
    id: String,
    label: String,
    own: bool,
}

#[derive(Template)]
#[template(path = "automation_hours.html")]
struct HoursPage {
    shell: Shell,
    tab: &'static str,
    /// `None`: the workspace's schedule; else the number it is about.
    number: Option<NumberRow>,
    /// Where the form posts.
    action: String,
    /// Whether the schedule exists (else the form shows a suggestion).
    saved: bool,
    /// Open now, by the saved schedule.
    open_now: bool,
    fields: HoursFields,
    zones: Vec<String>,
    /// On the workspace's page: the numbers.
    numbers: Vec<NumberRow>,
    /// Reasons by form field (`time_zone`, `monday`…, `holidays`,
    /// `welcome_message`, `away_message`).
    problems: Vec<(&'static str, String)>,
    ok: Option<String>,
    error: Option<String>,
}

impl HoursPage {
    /// The reasons about form field `field`, if any.
    fn err(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self
            .problems
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!all.is_empty()).then(|| all.join("; "))
    }
}

/// What a page shows besides the schedule as saved: the form as typed,
/// the reasons by field, and what the last action did.
#[derive(Default)]
struct Shown {
    typed: Option<HoursFields>,
    problems: Vec<(&'static str, String)>,
    ok: Option<String>,
    error: Option<String>,
}

/// The page about number `channel`'s hours (`None`: the workspace's),
/// with the numbers, the zone and the schedule as saved.
async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    channel: Option<ChannelId>,
    shown: Shown,
) -> AppResult<Response> {
    let Shown {
        typed,
        problems,
        ok,
        error,
    } = shown;
    let rules::Listed {
        schedules,
        time_zone: zone,
    } = rules::list_hours(state, ctx).await?;
    let outreach = crate::campaigns::choices::choices(state, ctx).await?;
    let mut numbers: Vec<NumberRow> = outreach
        .numbers
        .into_iter()
        .map(|n| NumberRow {
            own: schedules.iter().any(|s| s.stored.channel_id == Some(n.id)),
            id: n.id.to_string(),
            label: n.label,
        })
        .collect();
    let number = match channel {
        Some(c) => {
            let at = numbers.iter().position(|n| n.id == c.to_string());
            Some(numbers.remove(at.ok_or(AppError::NotFound)?))
        }
        None => None,
    };
    let saved = schedules.iter().find(|s| s.stored.channel_id == channel);
    let fields = match (typed, saved) {
        (Some(f), _) => f,
        (None, Some(s)) => HoursFields::of(&s.hours),
        (None, None) => HoursFields::blank(&zone),
    };
    let action = match channel {
        Some(c) => format!("{PAGE}/{c}"),
        None => PAGE.to_owned(),
    };
    Ok(render(&HoursPage {
        shell: shell.with_tab("automations"),
        tab: "business-hours",
        open_now: saved.is_none_or(|s| is_open(&s.hours, state.now())),
        saved: saved.is_some(),
        number,
        action,
        fields,
        zones: crate::tenancy::zone::zone_names(),
        numbers: if channel.is_some() {
            Vec::new()
        } else {
            numbers
        },
        problems,
        ok,
        error,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct HoursQuery {
    /// What the last action did: `saved`, `removed`.
    #[serde(default)]
    done: String,
}

fn flash(done: &str) -> Option<String> {
    let m = match done {
        "saved" => "Saved: the hours and messages apply to messages from now on.",
        "removed" => "Removed: the workspace's hours apply to this number again.",
        _ => return None,
    };
    Some(m.to_owned())
}

fn done(channel: Option<ChannelId>, what: &str) -> Response {
    let to = match (channel, what) {
        (Some(c), "saved") => format!("{PAGE}/{c}?done=saved"),
        _ => format!("{PAGE}?done={what}"),
    };
    Redirect::to(&to).into_response()
}

/// The page again with a refusal it can explain (reasons by field, the
/// form as typed), or the error page.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    channel: Option<ChannelId>,
    fields: HoursFields,
    e: AppError,
) -> AppResult<Response> {
    let status = e.status();
    let mut problems = Vec::new();
    let error = match e {
        AppError::Validation(all) => {
            let mut top = Vec::new();
            for f in all {
                match field_of(&f.field) {
                    "" => top.push(f),
                    field => problems.push((field, f.message)),
                }
            }
            if top.is_empty() {
                Some("Not saved: see the reasons beside the fields.".to_owned())
            } else {
                inline(&AppError::Validation(top))
            }
        }
        other => match inline(&other) {
            Some(msg) => Some(msg),
            None => return Err(other),
        },
    };
    let shown = Shown {
        typed: Some(fields),
        problems,
        ok: None,
        error,
    };
    let mut res = page(state, shell, ctx, channel, shown).await?;
    *res.status_mut() = status;
    Ok(res)
}

async fn save(
    state: AppState,
    shell: Shell,
    ctx: &TenantCtx,
    channel: Option<ChannelId>,
    fields: HoursFields,
) -> AppResult<Response> {
    match rules::set_hours(&state, ctx, channel, fields.input()).await {
        Ok(_) => Ok(done(channel, "saved")),
        Err(e) => refused(&state, shell, ctx, channel, fields, e).await,
    }
}

pub async fn view_business_hours(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(q): Query<HoursQuery>,
) -> AppResult<Response> {
    let shown = Shown {
        ok: flash(&q.done),
        ..Shown::default()
    };
    page(&state, shell, &ctx, None, shown).await
}

pub async fn update_business_hours(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Form(fields): Form<HoursFields>,
) -> AppResult<Response> {
    save(state, shell, &ctx, None, fields).await
}

pub async fn view_number_hours(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ChannelId>,
    Query(q): Query<HoursQuery>,
) -> AppResult<Response> {
    let shown = Shown {
        ok: flash(&q.done),
        ..Shown::default()
    };
    page(&state, shell, &ctx, Some(id), shown).await
}

pub async fn update_number_hours(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ChannelId>,
    Form(fields): Form<HoursFields>,
) -> AppResult<Response> {
    save(state, shell, &ctx, Some(id), fields).await
}

pub async fn delete_number_hours(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ChannelId>,
) -> AppResult<Response> {
    match rules::delete_hours(&state, &ctx, Some(id)).await {
        Ok(()) => Ok(done(Some(id), "removed")),
        Err(e) => {
            let fields = HoursFields::default();
            refused(&state, shell, &ctx, Some(id), fields, e).await
        }
    }
}
