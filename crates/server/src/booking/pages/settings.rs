//! `/app/bookings/settings`: the booking bot's settings as one form (the
//! numbers it answers on as boxes to tick, its greeting and language, the
//! time zone, weekly hours, holidays and closures, the booking window,
//! the idle timeout, reminders, payment methods and custom replies).
//! Adapters over [`crate::booking::settings`]; a refusal comes back with
//! each reason beside its field and the form as typed.

use super::settings_fields::{SettingsFields, field_of};
use super::{Posted, Problems, refusal};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::booking::settings as rules;
use crate::dashboard::page::{Shell, render};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

const PAGE: &str = "/app/bookings/settings";

/// A number the bot may answer on.
struct NumberRow {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "booking_settings.html")]
struct SettingsPage {
    shell: Shell,
    tab: &'static str,
    /// Whether the settings were ever saved.
    saved: bool,
    numbers: Vec<NumberRow>,
    fields: SettingsFields,
    zones: Vec<String>,
    problems: Problems,
    ok: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    typed: Option<SettingsFields>,
    problems: Problems,
    (ok, error): (Option<String>, Option<String>),
) -> AppResult<Response> {
    let saved = rules::get_settings(state, ctx).await?;
    let numbers = crate::campaigns::choices::choices(state, ctx)
        .await?
        .numbers
        .into_iter()
        .map(|n| NumberRow {
            id: n.id.to_string(),
            label: n.label,
        })
        .collect();
    Ok(render(&SettingsPage {
        shell: shell.with_tab("bookings"),
        tab: "settings",
        saved: saved.updated_at.is_some(),
        numbers,
        fields: typed.unwrap_or_else(|| SettingsFields::of(&saved)),
        zones: crate::tenancy::zone::zone_names(),
        problems,
        ok,
        error,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsQuery {
    done: String,
}

pub async fn view_settings(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(q): Query<SettingsQuery>,
) -> AppResult<Response> {
    let ok = (q.done == "saved")
        .then(|| "Saved: the bot works by these settings from now on.".to_owned());
    page(&state, shell, &ctx, None, Problems::default(), (ok, None)).await
}

/// Numbers each reason about an item of a list (`closures[1].end` →
/// "line 2: …"), since the form shows the list as lines.
fn numbered(e: AppError) -> AppError {
    let AppError::Validation(all) = e else {
        return e;
    };
    let line = |path: &str| -> Option<usize> {
        let (_, rest) = path.split_once('[')?;
        let (n, _) = rest.split_once(']')?;
        n.parse::<usize>().ok().map(|n| n + 1)
    };
    AppError::Validation(
        all.into_iter()
            .map(|f| match (f.field.starts_with("weekly"), line(&f.field)) {
                (false, Some(n)) if !f.field.starts_with("channel_ids") => FieldError {
                    message: format!("line {n}: {}", f.message),
                    field: f.field,
                },
                _ => f,
            })
            .collect(),
    )
}

pub async fn update_settings(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    body: String,
) -> AppResult<Response> {
    let fields = SettingsFields::read(&Posted::parse(&body));
    let (input, mut unread) = fields.input();
    let result = if unread.is_empty() {
        rules::set_settings(&state, &ctx, input).await.map(drop)
    } else {
        // What the form could not read, and what the rules say of the
        // rest (checked, not saved; the zone only fills a blank one in).
        if let Err(AppError::Validation(more)) = rules::Settings::parse(input, "UTC", None) {
            unread.extend(more);
        }
        Err(AppError::Validation(unread))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{PAGE}?done=saved")).into_response()),
        Err(e) => {
            let r = refusal(numbered(e), field_of)?;
            let shown = (None, Some(r.error));
            let mut res = page(&state, shell, &ctx, Some(fields), r.problems, shown).await?;
            *res.status_mut() = r.status;
            Ok(res)
        }
    }
}
