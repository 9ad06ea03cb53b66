//! One endpoint: its settings (edit, roll the secret, send a test event,
//! delete) and its delivery log with filters and pages, with "replay all
//! dead". Each action calls one rule, then comes back to this page.

use super::form::{self, Fields};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::hooks::endpoints::{self as rules, EndpointChange};
use crate::hooks::log::{self, Delivery, DeliveryFilter, ReplayScope};
use crate::http::extract::ApiPath;
use crate::http::pagination::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{EndpointId, Timestamp};
use serde::Deserialize;

/// The log's filters and page, and what the last action did, as the URL
/// carries them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub cursor: String,
    /// `saved`, `test` or `replayed` after an action.
    #[serde(default)]
    pub done: String,
    /// How many deliveries a replay queued.
    #[serde(default)]
    pub n: String,
}

impl LogQuery {
    fn filters(&self) -> [(&'static str, &str); 4] {
        [
            ("status", &self.status),
            ("event", &self.event),
            ("since", &self.since),
            ("until", &self.until),
        ]
    }

    pub fn filtered(&self) -> bool {
        self.filters().iter().any(|(_, v)| !v.is_empty())
    }

    fn filter(&self) -> AppResult<DeliveryFilter> {
        Ok(DeliveryFilter {
            status: Some(self.status.clone()).filter(|s| !s.is_empty()),
            event: Some(self.event.trim().to_owned()).filter(|s| !s.is_empty()),
            since: form::time_bound("since", &self.since, false)?,
            until: form::time_bound("until", &self.until, true)?,
        })
    }

    fn flash(&self) -> Option<String> {
        match self.done.as_str() {
            "saved" => Some("Saved.".to_owned()),
            "test" => {
                Some("A webhook.test event is on its way; it appears in the log below.".to_owned())
            }
            "replayed" => Some(format!(
                "{} dead deliveries queued again.",
                self.n.parse::<u64>().unwrap_or(0)
            )),
            "replayed-one" => Some("The delivery is queued again.".to_owned()),
            _ => None,
        }
    }
}

/// One delivery as the log shows it.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub id: String,
    pub event: String,
    pub status: String,
    pub attempts: i64,
    pub answer: String,
    pub created: String,
    pub next: String,
}

impl DeliveryRow {
    pub fn new(d: Delivery, now: Timestamp) -> Self {
        DeliveryRow {
            id: d.id.to_string(),
            event: d.event,
            answer: match (d.last_status, d.last_error) {
                (Some(s), _) => format!("HTTP {s}"),
                (None, Some(e)) => e,
                (None, None) => String::new(),
            },
            next: d.next_attempt_at.map(|t| when(t, now)).unwrap_or_default(),
            status: d.status,
            attempts: d.attempts,
            created: when(d.created_at, now),
        }
    }
}

#[derive(Template)]
#[template(path = "settings_webhook.html")]
struct EndpointPage {
    shell: Shell,
    tab: &'static str,
    id: String,
    url: String,
    description: String,
    enabled: bool,
    disabled_reason: Option<String>,
    failing_since: Option<String>,
    rate: String,
    rate_level: &'static str,
    header_names: String,
    choices: Vec<String>,
    checked: Vec<String>,
    events_other: String,
    events: String,
    /// It takes Meta's webhooks (the Cloud API format), not events.
    cloud: bool,
    deliveries: Vec<DeliveryRow>,
    q: LogQuery,
    /// The query string of the next page, if there is one.
    older: Option<String>,
    /// A rolled secret (shown this once) and until when the old one signs.
    secret: Option<(String, String)>,
    ok: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: EndpointId,
    q: LogQuery,
    secret: Option<(String, String)>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let e = rules::get_endpoint(state, ctx, id).await?;
    let mut error = error;
    let request = PageQuery {
        limit: Some(50),
        cursor: Some(q.cursor.clone()),
    }
    .request();
    let found = match q.filter().and_then(|f| request.map(|p| (f, p))) {
        Ok((filter, p)) => match log::list_deliveries(state, ctx, id, filter, p).await {
            Ok(found) => Some(found),
            Err(e) => match inline(&e) {
                Some(msg) => {
                    error.get_or_insert(msg);
                    None
                }
                None => return Err(e),
            },
        },
        Err(e) => {
            error.get_or_insert(inline(&e).unwrap_or_else(|| e.to_string()));
            None
        }
    };
    let (deliveries, next) = found.map_or((Vec::new(), None), |f| (f.items, f.next));
    let older = next.map(|n| {
        let cursor = n.to_string();
        let mut pairs = q.filters().to_vec();
        pairs.push(("cursor", &cursor));
        crate::dashboard::paging::query(&pairs)
    });
    let (checked, events_other) = form::split_events(&e.events);
    Ok(render(&EndpointPage {
        shell: shell.with_tab("settings"),
        tab: "webhooks",
        id: id.to_string(),
        ok: q.flash(),
        description: e.description.unwrap_or_default(),
        enabled: e.enabled,
        disabled_reason: e.disabled_reason,
        failing_since: e.failing_since.map(|t| when(t, now)),
        rate: form::rate(e.success_rate_24h),
        rate_level: form::rate_level(e.success_rate_24h),
        header_names: e.header_names.join(", "),
        choices: form::event_choices(),
        checked,
        events_other,
        events: e.events.join(", "),
        cloud: e.format == "cloud_api",
        url: e.url,
        deliveries: deliveries
            .into_iter()
            .map(|d| DeliveryRow::new(d, now))
            .collect(),
        q,
        older,
        secret,
        error,
    }))
}

pub async fn view_endpoint(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
    Query(q): Query<LogQuery>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, id, q, None, None).await
}

fn back(id: EndpointId, done: &str) -> Response {
    Redirect::to(&format!("/app/settings/webhooks/{id}?done={done}")).into_response()
}

/// Shows a refusal on the endpoint page, or the error page for the rest.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: EndpointId,
    e: AppError,
) -> AppResult<Response> {
    match inline(&e) {
        Some(msg) => page(state, shell, ctx, id, LogQuery::default(), None, Some(msg)).await,
        None => Err(e),
    }
}

pub async fn update_endpoint(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let raw = form::field(&fields, "headers");
    let headers = if form::ticked(&fields, "clear_headers") {
        Ok(Some(Default::default()))
    } else if raw.trim().is_empty() {
        Ok(None)
    } else {
        form::headers(raw).map(Some)
    };
    let change = headers.map(|headers| EndpointChange {
        url: Some(form::field(&fields, "url").trim().to_owned()),
        events: Some(form::events(&fields)),
        description: Some(form::field(&fields, "description").to_owned()),
        enabled: Some(form::ticked(&fields, "enabled")),
        headers,
        verify_token: Some(form::field(&fields, "verify_token").trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        ..EndpointChange::default()
    });
    let result = match change {
        Ok(change) => rules::update_endpoint(&state, &ctx, id, change).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(back(id, "saved")),
        Err(e) => refused(&state, shell, &ctx, id, e).await,
    }
}

pub async fn roll_secret(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let overlap = match form::field(&fields, "overlap_hours").trim() {
        "" => Ok(None),
        h => h
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::validation("overlap_hours", "a whole number of hours")),
    };
    let rolled = match overlap {
        Ok(hours) => rules::roll_secret(&state, &ctx, id, hours).await,
        Err(e) => Err(e),
    };
    match rolled {
        Ok(r) => {
            let until = when(r.previous_valid_until, state.now());
            let shown = Some((r.secret, until));
            page(&state, shell, &ctx, id, LogQuery::default(), shown, None).await
        }
        Err(e) => refused(&state, shell, &ctx, id, e).await,
    }
}

pub async fn send_test(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
) -> AppResult<Response> {
    match rules::send_test(&state, &ctx, id).await {
        Ok(_) => Ok(back(id, "test")),
        Err(e) => refused(&state, shell, &ctx, id, e).await,
    }
}

pub async fn replay_dead(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
) -> AppResult<Response> {
    match log::replay_endpoint(&state, &ctx, id, ReplayScope::Dead).await {
        Ok(n) => Ok(
            Redirect::to(&format!("/app/settings/webhooks/{id}?done=replayed&n={n}"))
                .into_response(),
        ),
        Err(e) => refused(&state, shell, &ctx, id, e).await,
    }
}

pub async fn delete_endpoint(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath(id): ApiPath<EndpointId>,
) -> AppResult<Response> {
    rules::delete_endpoint(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/settings/webhooks").into_response())
}
