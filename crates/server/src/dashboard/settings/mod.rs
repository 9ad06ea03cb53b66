//! Settings: usage against the plan, WhatsApp numbers, team, API keys,
//! security (TOTP), the audit log, and webhooks, activity and health
//! ([`crate::hooks::pages`]). Each page calls its area's rules.

use crate::channels::pages as numbers;
use crate::team::pages::{keys, security, team};

use super::page::{Shell, render, thousands};
use super::render::when;
use crate::auth::{Authorized, perm};
use crate::billing::usage::PeriodUsage;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use domain::usage::{MessageCategory, Metric};
use store::page::PageRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/settings", get(view_usage))
        .route("/app/settings/time-zone", post(update_time_zone))
        .route(
            "/app/settings/numbers",
            get(numbers::view_numbers).post(numbers::create_number),
        )
        .route(
            "/app/settings/team",
            get(team::view_team).post(team::create_invite),
        )
        .route("/app/settings/team/{id}/role", post(team::update_role))
        .route("/app/settings/team/{id}/remove", post(team::delete_member))
        .route(
            "/app/settings/api-keys",
            get(keys::view_keys).post(keys::create_key),
        )
        .route("/app/settings/api-keys/{id}/revoke", post(keys::revoke_key))
        .route("/app/settings/security", get(security::view_security))
        .route("/app/settings/security/totp", post(security::start_totp))
        .route(
            "/app/settings/security/totp/confirm",
            post(security::confirm_totp),
        )
        .route(
            "/app/settings/security/totp/disable",
            post(security::disable_totp),
        )
        .route("/app/settings/audit", get(view_audit))
        .merge(crate::hooks::pages::router())
}

/// A refusal shown on the settings page itself rather than an error page.
pub(crate) fn inline(e: &AppError) -> Option<String> {
    match e {
        AppError::Validation(fields) => Some(
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field.replace('_', " "), f.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::Rule(..)
        | AppError::Conflict(..)
        | AppError::Forbidden(..)
        | AppError::TooManyRequests(..)
        | AppError::Unavailable(..) => Some(e.to_string()),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct Meter {
    pub label: &'static str,
    pub used: i64,
    /// `None` is unlimited.
    pub limit: Option<i64>,
    pub percent: i64,
    pub level: &'static str,
}

pub(crate) fn meter(label: &'static str, used: i64, limit: Option<i64>) -> Meter {
    let percent = match limit {
        Some(l) if l > 0 => (used * 100 / l).clamp(0, 100),
        Some(_) => 100,
        None => 0,
    };
    let level = match percent {
        p if p >= 100 => "full",
        p if p >= 80 => "high",
        _ => "ok",
    };
    Meter {
        label,
        used,
        limit,
        percent,
        level,
    }
}

#[derive(Template)]
#[template(path = "settings_usage.html")]
struct UsagePage {
    shell: Shell,
    tab: &'static str,
    plan: String,
    status: String,
    slug: String,
    meters: Vec<Meter>,
    /// This billing period's counters.
    current: PeriodRow,
    /// Earlier periods with any usage, newest first.
    history: Vec<PeriodRow>,
    /// The tenant's IANA time zone, and every zone to pick from.
    time_zone: String,
    zones: Vec<String>,
    can_settings: bool,
    error: Option<String>,
}

pub async fn view_usage(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::TenantRead>,
) -> AppResult<Response> {
    usage_page(&state, shell, &ctx, None).await
}

async fn usage_page(
    state: &AppState,
    shell: Shell,
    ctx: &crate::auth::TenantCtx,
    error: Option<String>,
) -> AppResult<Response> {
    let own = crate::tenancy::get_own_tenant(state, ctx).await?;
    let report = crate::billing::usage::usage_report(state, ctx).await?;
    let (limits, usage) = (own.plan.limits, own.usage);
    Ok(render(&UsagePage {
        shell: shell.with_tab("settings"),
        tab: "usage",
        time_zone: own.time_zone,
        zones: crate::tenancy::zone::zone_names(),
        can_settings: ctx.allows(domain::Permission::SettingsManage),
        error,
        plan: own.plan.name,
        status: own.tenant.status.as_str().to_owned(),
        slug: own.tenant.slug,
        meters: vec![
            meter(
                "Messages sent this month",
                report.current.count(Metric::MessagesOutTotal),
                limits.messages_per_month,
            ),
            meter("Team members", usage.users, limits.agents),
            meter("WhatsApp numbers", usage.numbers, limits.numbers),
        ],
        current: PeriodRow::new(&report.current),
        history: report.history.iter().map(PeriodRow::new).collect(),
    }))
}

/// A billing period's counters as the usage page shows them.
#[derive(Debug, Clone)]
pub struct PeriodRow {
    /// `March 2026`.
    pub month: String,
    /// `1 March 2026`.
    pub from: String,
    /// The period's last day.
    pub to: String,
    /// Every counter: its stored name, its label, and the count.
    pub counts: Vec<(&'static str, &'static str, String)>,
}

impl PeriodRow {
    fn new(p: &PeriodUsage) -> Self {
        let to = super::page::day(p.end.plus_seconds(-1));
        let from = super::page::day(p.start);
        PeriodRow {
            month: from
                .split_once(' ')
                .map_or(from.clone(), |(_, m)| m.to_owned()),
            from,
            to,
            counts: Metric::ALL
                .iter()
                .map(|m| (m.as_str(), metric_label(*m), thousands(p.count(*m))))
                .collect(),
        }
    }
}

/// What a counter is called on the page.
fn metric_label(m: Metric) -> &'static str {
    match m {
        Metric::MessagesOutTotal => "Messages sent",
        Metric::MessagesOut(MessageCategory::Marketing) => "Marketing",
        Metric::MessagesOut(MessageCategory::Utility) => "Utility",
        Metric::MessagesOut(MessageCategory::Authentication) => "Authentication",
        Metric::MessagesOut(MessageCategory::Service) => "Service",
        Metric::MessagesIn => "Messages received",
        Metric::ApiCalls => "API calls",
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// Sets the workspace's time zone (`settings:manage`).
pub async fn update_time_zone(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    axum::Form(form): axum::Form<TimeZoneForm>,
) -> AppResult<Response> {
    match crate::tenancy::zone::set_time_zone(&state, &ctx, &form.time_zone).await {
        Ok(_) => Ok(axum::response::IntoResponse::into_response(
            axum::response::Redirect::to("/app/settings"),
        )),
        Err(e) => {
            let Some(msg) = inline(&e) else {
                return Err(e);
            };
            let mut res = usage_page(&state, shell, &ctx, Some(msg)).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub time: String,
    pub actor: String,
    pub action: String,
    pub target: String,
}

/// The audit page's filters, as the form sends them.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditForm {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
}

#[derive(Template)]
#[template(path = "settings_audit.html")]
struct AuditPage {
    shell: Shell,
    tab: &'static str,
    entries: Vec<AuditRow>,
    form: AuditForm,
    /// (value, label) of each actor the log can be narrowed to.
    actors: Vec<(String, String)>,
    error: Option<String>,
}

pub async fn view_audit(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::AuditRead>,
    Query(form): Query<AuditForm>,
) -> AppResult<Response> {
    let now = state.now();
    let query = crate::audit::AuditQuery {
        actor: Some(form.actor.clone()),
        action: Some(form.action.clone()),
        since: Some(form.since.clone()),
        until: Some(form.until.clone()),
    };
    let (entries, error) = match query.filter() {
        Ok(filter) => {
            let page = PageRequest::new(None, 100);
            let page = crate::audit::list_audit_log(&state, &ctx, &filter, page).await?;
            (page.items, None)
        }
        Err(e) => (
            Vec::new(),
            Some(inline(&e).unwrap_or_else(|| e.to_string())),
        ),
    };
    let actors = crate::audit::audit_actor_choices(&state, &ctx).await?;
    Ok(render(&AuditPage {
        shell: shell.with_tab("settings"),
        tab: "audit",
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                time: when(e.created_at, now),
                actor: crate::audit::actor_label(&e),
                target: match &e.target_id {
                    Some(id) => format!("{} {id}", e.target_kind),
                    None => e.target_kind.clone(),
                },
                action: e.action,
            })
            .collect(),
        form,
        actors,
        error,
    }))
}
