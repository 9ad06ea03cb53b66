//! The operator's analytics pages in the console: every workspace by
//! volume over a span (`/app/operator/analytics`), and one workspace's
//! figures (`/app/operator/tenants/{id}/analytics`), each look audited.
//! Adapters over [`super::operator`].

use super::charts::{Series, bars};
use super::operator::{TenantVolume, tenant_report, tenants};
use super::reports::messages::{MessagesReport, messages};
use super::reports::response::{Performance, response_times};
use super::reports::{Reading, SpanQuery};
use crate::auth::OperatorCtx;
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::render;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::TenantId;

#[derive(Template)]
#[template(path = "operator_analytics.html")]
struct TenantsPage {
    csrf: String,
    tab: &'static str,
    from: String,
    to: String,
    query: String,
    error: Option<String>,
    tenants: Vec<TenantVolume>,
}

#[derive(Template)]
#[template(path = "operator_tenant_analytics.html")]
struct TenantPage {
    csrf: String,
    tab: &'static str,
    tenant_id: String,
    query: String,
    messages: MessagesReport,
    chart: String,
    response: Performance,
    conversations: i64,
}

/// `?from=&to=` of a span as asked.
fn query_of(q: &SpanQuery) -> String {
    let pairs: Vec<(&str, &str)> = [("from", &q.from), ("to", &q.to)]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", crate::dashboard::paging::query(&pairs))
    }
}

pub async fn view_tenants(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<SpanQuery>,
) -> AppResult<Response> {
    let (report, error) = match tenants(&state, &ctx, &q).await {
        Ok(r) => (Some(r), None),
        Err(AppError::Validation(fields)) => {
            let why = fields.iter().map(|f| format!("{}: {}", f.field, f.message));
            (None, Some(why.collect::<Vec<_>>().join("; ")))
        }
        Err(e) => return Err(e),
    };
    let (from, to) = match &report {
        Some(r) => (r.span.from.to_string(), r.span.to.to_string()),
        None => (
            q.from.clone().unwrap_or_default(),
            q.to.clone().unwrap_or_default(),
        ),
    };
    let page = TenantsPage {
        csrf,
        tab: "analytics",
        query: query_of(&q),
        from,
        to,
        tenants: report.map(|r| r.tenants).unwrap_or_default(),
        error: error.clone(),
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, render(&page)).into_response())
}

pub async fn view_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<TenantId>,
    Query(q): Query<SpanQuery>,
) -> AppResult<Response> {
    let both = async |r: &mut Reading| {
        let m = messages(r).await?;
        let t = response_times(r).await?;
        Ok((m, t))
    };
    let (messages, times) = tenant_report(&state, &ctx, id, "overview", &q, both).await?;
    let labels: Vec<String> = messages.days.iter().map(|d| d.day.clone()).collect();
    let ins: Vec<i64> = messages.days.iter().map(|d| d.totals.messages_in).collect();
    let outs: Vec<i64> = messages
        .days
        .iter()
        .map(|d| d.totals.messages_out)
        .collect();
    let chart = bars(
        "Messages per day",
        &labels,
        &[
            Series {
                name: "Messages in",
                values: &ins,
                class: "series-in",
            },
            Series {
                name: "Messages out",
                values: &outs,
                class: "series-out",
            },
        ],
    );
    Ok(render(&TenantPage {
        csrf,
        tab: "analytics",
        tenant_id: id.to_string(),
        query: query_of(&q),
        chart,
        conversations: times.conversations,
        response: times.overall,
        messages,
    }))
}
