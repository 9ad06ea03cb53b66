//! `/app/deals/{id}`: a deal with its stage history, its edit form, won /
//! lost (with a reason) / reopen and delete; and `/app/deals/new`, the
//! full create form (from a contact's page, with the contact filled in).

use super::{
    DealDraft, Opt, StageGroup, currencies, form_id, form_text, member_opts, refusal, show,
    stage_groups, time, unprocessable,
};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::deals::board as reads;
use crate::crm::deals::records::{self, DealChange};
use crate::crm::deals::{money, moves};
use crate::dashboard::page::Shell;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ContactId, DealId, PipelineId};
use serde::Deserialize;

/// A deal as its page shows it.
#[derive(Debug, Clone)]
pub struct DealView {
    pub id: String,
    pub title: String,
    pub value: String,
    /// The value as the edit form shows it (`1250.50`).
    pub value_major: String,
    pub currency: String,
    pub pipeline_id: String,
    pub pipeline: String,
    pub stage_id: String,
    pub stage: String,
    pub status: &'static str,
    pub lost_reason: String,
    pub contact_id: Option<String>,
    pub contact: String,
    pub owner_id: String,
    pub owner: String,
    pub close: String,
    pub closed: String,
    pub created: String,
}

/// A row of the stage history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub from: Option<String>,
    pub to: String,
    pub who: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "deal.html")]
struct DealPage {
    shell: Shell,
    deal: DealView,
    history: Vec<HistoryRow>,
    stage_groups: Vec<StageGroup>,
    members: Vec<Opt>,
    currencies: Vec<&'static str>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "deal_new.html")]
struct NewDealPage {
    shell: Shell,
    stage_groups: Vec<StageGroup>,
    members: Vec<Opt>,
    currencies: Vec<&'static str>,
    contact: Option<(String, String)>,
    draft: DealDraft,
    error: Option<String>,
}

pub(super) async fn deal_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: DealId,
    error: Option<String>,
) -> AppResult<Response> {
    let (detail, choices) = reads::deal_page(state, ctx, id).await?;
    let d = &detail.deal;
    let who = |name: &Option<String>, by: &str| match name {
        Some(n) => n.clone(),
        None if by.starts_with("api_key:") => "an API key".to_owned(),
        None => "someone".to_owned(),
    };
    let view = DealView {
        id: d.id.to_string(),
        title: d.title.clone(),
        value: d.value_label(),
        value_major: money::major(d.value_minor, &d.currency),
        currency: d.currency.clone(),
        pipeline_id: d.pipeline_id.to_string(),
        pipeline: d.pipeline_name.clone(),
        stage_id: d.stage_id.to_string(),
        stage: d.stage_name.clone(),
        status: d.status.as_str(),
        lost_reason: d.lost_reason.clone().unwrap_or_default(),
        contact_id: d.contact_id.map(|c| c.to_string()),
        contact: d.contact_name.clone().unwrap_or_default(),
        owner_id: d.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        owner: d.owner_name.clone().unwrap_or_default(),
        close: d.expected_close_on.clone().unwrap_or_default(),
        closed: d.closed_at.map(|t| time(t, state)).unwrap_or_default(),
        created: time(d.created_at, state),
    };
    let history = detail
        .stage_history
        .iter()
        .map(|h| HistoryRow {
            from: h.from_stage_name.clone(),
            to: h.to_stage_name.clone(),
            who: who(&h.user_name, &h.changed_by),
            when: time(h.changed_at, state),
        })
        .collect();
    Ok(show(&DealPage {
        shell: shell.with_tab("deals"),
        deal: view,
        history,
        stage_groups: stage_groups(&choices.pipelines),
        members: member_opts(&choices),
        currencies: currencies(),
        error,
    }))
}

pub async fn view_deal(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<DealId>,
) -> AppResult<Response> {
    deal_page(&state, shell, &ctx, id, None).await
}

/// The new-deal form; with no stage chosen yet, the first stage of
/// `pipeline` (else of the first pipeline) is.
pub(super) async fn new_deal_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    contact: Option<ContactId>,
    pipeline: Option<PipelineId>,
    mut draft: DealDraft,
    error: Option<String>,
) -> AppResult<Response> {
    let choices = reads::deal_choices(state, ctx, contact).await?;
    if draft.stage_id.is_empty() {
        draft.stage_id = choices
            .pipelines
            .iter()
            .find(|p| Some(p.id) == pipeline)
            .or(choices.pipelines.first())
            .and_then(|p| p.stages.first())
            .map(|s| s.id.to_string())
            .unwrap_or_default();
    }
    Ok(show(&NewDealPage {
        shell: shell.with_tab("deals"),
        stage_groups: stage_groups(&choices.pipelines),
        members: member_opts(&choices),
        currencies: currencies(),
        contact: choices
            .contact
            .as_ref()
            .map(|(id, name)| (id.to_string(), name.clone())),
        draft,
        error,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewDealQuery {
    pipeline: String,
    contact_id: String,
}

pub async fn view_new_deal(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    Query(q): Query<NewDealQuery>,
) -> AppResult<Response> {
    let contact = form_id::<ContactId>("contact_id", &q.contact_id)?;
    let pipeline = form_id::<PipelineId>("pipeline", &q.pipeline)?;
    let draft = DealDraft {
        currency: "USD".to_owned(),
        ..Default::default()
    };
    new_deal_page(&state, shell, &ctx, contact, pipeline, draft, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    title: String,
    value: String,
    currency: String,
    owner_id: String,
    expected_close_on: String,
    detach_contact: String,
}

pub async fn update_deal(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
    Form(form): Form<EditForm>,
) -> AppResult<Response> {
    let currency = form.currency.trim().to_ascii_uppercase();
    let changed = async {
        let change = DealChange {
            title: Some(form.title.clone()),
            value_minor: Some(money::parse_major(&form.value, &currency)?),
            currency: Some(currency.clone()),
            contact_id: (!form.detach_contact.is_empty()).then_some(None),
            owner_id: Some(form_id("owner_id", &form.owner_id)?),
            expected_close_on: Some(form_text(&form.expected_close_on)),
        };
        records::update_deal(&state, &ctx, id, change).await
    }
    .await;
    done(&state, shell, &ctx, id, changed.map(drop)).await
}

pub async fn win_deal(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
) -> AppResult<Response> {
    let r = moves::win_deal(&state, &ctx, id).await.map(drop);
    done(&state, shell, &ctx, id, r).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LostForm {
    reason: String,
}

pub async fn lose_deal(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
    Form(form): Form<LostForm>,
) -> AppResult<Response> {
    let r = moves::lose_deal(&state, &ctx, id, &form.reason)
        .await
        .map(drop);
    done(&state, shell, &ctx, id, r).await
}

pub async fn reopen_deal(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
) -> AppResult<Response> {
    let r = moves::reopen_deal(&state, &ctx, id).await.map(drop);
    done(&state, shell, &ctx, id, r).await
}

pub async fn delete_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
) -> AppResult<Response> {
    records::delete_deal(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/deals").into_response())
}

/// Back to the deal's page, or the page again with the refusal.
async fn done(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: DealId,
    result: AppResult<()>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/app/deals/{id}")).into_response()),
        Err(e) => {
            let msg = refusal(e)?;
            Ok(unprocessable(
                deal_page(state, shell, ctx, id, Some(msg)).await?,
            ))
        }
    }
}
