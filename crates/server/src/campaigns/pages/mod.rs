//! Campaigns in the dashboard: the list (`/app/campaigns`), the two-step
//! form of a new one ([`form`]), and a campaign's page with its live
//! figures and funnel, its recipients, and the buttons that start,
//! schedule, pause, resume, cancel, retry and delete it. Adapters over
//! [`crate::campaigns`]; everything works without JavaScript, and the
//! figures follow the event stream when it is there.

mod form;

use crate::auth::{Authorized, TenantCtx, perm};
use crate::campaigns::lifecycle::{self, StartAt};
use crate::campaigns::stats::{
    CampaignStats, campaign_recipients, campaign_stats, recipient_reason, recipient_state,
};
use crate::campaigns::{self as rules};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::CampaignId;
use serde::Deserialize;
use store::campaigns::Campaign;
use store::page::PageRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/app/campaigns",
            get(view_campaigns).post(form::create_campaign),
        )
        .route("/app/campaigns/new", get(form::view_new_campaign))
        .route("/app/campaigns/{id}", get(view_campaign))
        .route("/app/campaigns/{id}/action", post(campaign_action))
}

struct ListRow {
    id: String,
    name: String,
    status: &'static str,
    template: String,
    recipients: i64,
    created: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    shell: Shell,
    rows: Vec<ListRow>,
    can_manage: bool,
}

pub async fn view_campaigns(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Response> {
    let now = state.now();
    let page = rules::list_campaigns(&state, &ctx, PageRequest::new(None, 100)).await?;
    let rows = page
        .items
        .into_iter()
        .map(|c| ListRow {
            id: c.id.to_string(),
            status: c.status.as_str(),
            template: format!("{} ({})", c.template_name, c.template_language),
            recipients: c.recipient_count,
            created: when(c.created_at, now),
            name: c.name,
        })
        .collect();
    Ok(render(&CampaignsPage {
        can_manage: ctx.allows(domain::Permission::CampaignsManage),
        shell: shell.with_tab("campaigns"),
        rows,
    }))
}

struct RecipientLine {
    name: String,
    number: String,
    state: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    shell: Shell,
    c: Campaign,
    status: &'static str,
    stats: CampaignStats,
    funnel: Vec<(&'static str, i64, i64)>,
    recipients: Vec<RecipientLine>,
    filter: String,
    can_manage: bool,
    start_at: String,
    error: Option<String>,
}

impl CampaignPage {
    fn is(&self, s: &str) -> bool {
        self.status == s
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CampaignQuery {
    /// Only recipients in this state (as the API's `status`).
    #[serde(default)]
    show: String,
}

pub async fn view_campaign(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<CampaignId>,
    Query(q): Query<CampaignQuery>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, id, &q.show, None).await
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: CampaignId,
    show: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let (c, stats) = campaign_stats(state, ctx, id).await?;
    let show = show.trim();
    let filter = (!show.is_empty()).then_some(show);
    let rows = campaign_recipients(state, ctx, id, filter, PageRequest::new(None, 100)).await?;
    let top = stats.recipients.max(1);
    let funnel = stats
        .funnel()
        .into_iter()
        .map(|(step, n)| (step, n, n * 100 / top))
        .collect();
    let start_at = c
        .start_at
        .map(|t| t.to_rfc3339_millis())
        .unwrap_or_default();
    Ok(render(&CampaignPage {
        can_manage: ctx.allows(domain::Permission::CampaignsManage),
        shell: shell.with_tab("campaigns"),
        status: c.status.as_str(),
        recipients: rows
            .items
            .iter()
            .map(|r| RecipientLine {
                name: r.contact_name.clone().unwrap_or_default(),
                number: r.wa_id.clone().map(|w| format!("+{w}")).unwrap_or_default(),
                state: recipient_state(r),
                reason: recipient_reason(r),
            })
            .collect(),
        filter: show.to_owned(),
        funnel,
        start_at,
        stats,
        c,
        error,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    action: String,
    /// For `schedule`: wall time in the workspace's zone.
    #[serde(default)]
    local_time: String,
}

pub async fn campaign_action(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<CampaignId>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let done = match form.action.as_str() {
        "start" => lifecycle::start_campaign(&state, &ctx, id, StartAt::Now)
            .await
            .map(drop),
        "schedule" => {
            let when = StartAt::Local(form.local_time.replace(' ', "T"));
            lifecycle::start_campaign(&state, &ctx, id, when)
                .await
                .map(drop)
        }
        "pause" => lifecycle::pause_campaign(&state, &ctx, id).await.map(drop),
        "resume" => lifecycle::resume_campaign(&state, &ctx, id).await.map(drop),
        "cancel" => lifecycle::cancel_campaign(&state, &ctx, id).await.map(drop),
        "retry" => lifecycle::retry_failed(&state, &ctx, id).await.map(drop),
        "delete" => {
            rules::delete_campaign(&state, &ctx, id).await?;
            return Ok(Redirect::to("/app/campaigns").into_response());
        }
        _ => Err(AppError::validation("action", "unknown action")),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/app/campaigns/{id}")).into_response()),
        Err(e) => match crate::dashboard::settings::inline(&e) {
            Some(msg) => {
                let mut res = page(&state, shell, &ctx, id, "", Some(msg)).await?;
                *res.status_mut() = e.status();
                Ok(res)
            }
            None => Err(e),
        },
    }
}
