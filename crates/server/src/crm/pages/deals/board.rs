//! `/app/deals`: a pipeline's board (a column per stage, cards with a
//! "Move to" form that the script turns into drag and drop) or, with
//! `?view=list`, the filtered list; and the forms posted from the board
//! (create, move).

use super::{
    DealDraft, DealRow, Opt, StageGroup, currencies, form_id, form_text, member_opts, pipeline_opt,
    refusal, show, stage_groups, stage_opts, unprocessable,
};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::deals::board::{self as rules, CARDS_PER_COLUMN};
use crate::crm::deals::records::{self, NewDeal};
use crate::crm::deals::{DealStatus, money, moves};
use crate::dashboard::page::Shell;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::http::pagination::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{DealId, PipelineId, StageId};
use serde::Deserialize;
use store::crm::deals::DealFilter;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DealsQuery {
    view: String,
    pipeline: String,
    stage: String,
    status: String,
    owner: String,
    contact: String,
    cursor: String,
}

/// One stage's column.
#[derive(Debug, Clone)]
pub struct ColumnRow {
    pub id: String,
    pub name: String,
    pub count: i64,
    pub total: String,
    pub cards: Vec<DealRow>,
    pub more: i64,
}

#[derive(Template)]
#[template(path = "deals_board.html")]
struct BoardPage {
    shell: Shell,
    view: &'static str,
    pipelines: Vec<Opt>,
    pipeline: Option<Opt>,
    stages: Vec<Opt>,
    columns: Vec<ColumnRow>,
    won: i64,
    lost: i64,
    members: Vec<Opt>,
    currencies: Vec<&'static str>,
    draft: DealDraft,
    error: Option<String>,
}

/// The list's filters as the form shows them again.
#[derive(Debug, Clone, Default)]
pub struct FilterView {
    pub pipeline: String,
    pub stage: String,
    pub status: String,
    pub owner: String,
    pub contact: String,
}

#[derive(Template)]
#[template(path = "deals_list.html")]
struct ListPage {
    shell: Shell,
    view: &'static str,
    pipelines: Vec<Opt>,
    pipeline: Option<Opt>,
    stage_groups: Vec<StageGroup>,
    statuses: Vec<Opt>,
    members: Vec<Opt>,
    filter: FilterView,
    deals: Vec<DealRow>,
    next: Option<String>,
}

async fn board_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    pipeline: Option<PipelineId>,
    draft: Option<DealDraft>,
    error: Option<String>,
) -> AppResult<Response> {
    let b = rules::board(state, ctx, pipeline).await?;
    let stages = b.pipeline.as_ref().map(stage_opts).unwrap_or_default();
    let draft = draft.unwrap_or_else(|| DealDraft {
        currency: b.currency.clone(),
        stage_id: stages.first().map(|s| s.id.clone()).unwrap_or_default(),
        ..Default::default()
    });
    let columns = b
        .columns
        .iter()
        .map(|c| ColumnRow {
            id: c.stage.id.to_string(),
            name: c.stage.name.clone(),
            count: c.count,
            total: if c.totals.is_empty() {
                money::format(0, &b.currency)
            } else {
                c.totals.join(" + ")
            },
            cards: c.deals.iter().map(DealRow::from).collect(),
            more: c.count - c.deals.len().min(CARDS_PER_COLUMN) as i64,
        })
        .collect();
    Ok(show(&BoardPage {
        shell: shell.with_tab("deals"),
        view: "board",
        pipelines: b.pipelines.iter().map(pipeline_opt).collect(),
        pipeline: b.pipeline.as_ref().map(pipeline_opt),
        stages,
        columns,
        won: b.won,
        lost: b.lost,
        members: b.members.iter().map(Opt::from).collect(),
        currencies: currencies(),
        draft,
        error,
    }))
}

pub async fn view_deals(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(q): Query<DealsQuery>,
) -> AppResult<Response> {
    let pipeline = form_id::<PipelineId>("pipeline", &q.pipeline)?;
    if q.view != "list" {
        return board_page(&state, shell, &ctx, pipeline, None, None).await;
    }
    let status = match q.status.as_str() {
        "open" => Some(DealStatus::Open),
        "won" => Some(DealStatus::Won),
        "lost" => Some(DealStatus::Lost),
        _ => None,
    };
    let filter = DealFilter {
        pipeline,
        stage: form_id::<StageId>("stage", &q.stage)?,
        status: status.map(Into::into),
        owner: form_id("owner", &q.owner)?,
        contact: form_id("contact", &q.contact)?,
    };
    let page = PageQuery {
        limit: Some(50),
        cursor: Some(q.cursor.clone()),
    }
    .request()?;
    let (found, choices) = rules::deal_list(&state, &ctx, &filter, page).await?;
    let next = found.next.map(|n| {
        let query = [
            ("view", "list"),
            ("pipeline", q.pipeline.as_str()),
            ("stage", q.stage.as_str()),
            ("status", q.status.as_str()),
            ("owner", q.owner.as_str()),
            ("contact", q.contact.as_str()),
            ("cursor", &n.to_string()),
        ];
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query.iter().filter(|(_, v)| !v.is_empty()))
            .finish();
        format!("/app/deals?{query}")
    });
    let statuses = [
        ("", "Any"),
        ("open", "Open"),
        ("won", "Won"),
        ("lost", "Lost"),
    ]
    .into_iter()
    .map(|(id, name)| Opt {
        id: id.to_owned(),
        name: name.to_owned(),
    })
    .collect();
    let chosen = choices
        .pipelines
        .iter()
        .find(|p| Some(p.id) == pipeline)
        .map(pipeline_opt);
    Ok(show(&ListPage {
        shell: shell.with_tab("deals"),
        view: "list",
        pipelines: choices.pipelines.iter().map(pipeline_opt).collect(),
        pipeline: chosen,
        stage_groups: stage_groups(&choices.pipelines),
        statuses,
        members: member_opts(&choices),
        filter: FilterView {
            pipeline: q.pipeline.clone(),
            stage: q.stage.clone(),
            status: q.status.clone(),
            owner: q.owner.clone(),
            contact: q.contact.clone(),
        },
        deals: found.items.iter().map(DealRow::from).collect(),
        next,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DealForm {
    title: String,
    pipeline_id: String,
    stage_id: String,
    value: String,
    currency: String,
    owner_id: String,
    contact_id: String,
    expected_close_on: String,
    /// `board`: back to the board; otherwise the new deal's page.
    next: String,
}

/// Creates a deal from the board's form or the new-deal page.
pub async fn create_deal(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    Form(form): Form<DealForm>,
) -> AppResult<Response> {
    let currency = form.currency.trim().to_ascii_uppercase();
    let pipeline = form_id::<PipelineId>("pipeline", &form.pipeline_id)
        .ok()
        .flatten();
    let created = async {
        let input = NewDeal {
            title: form.title.clone(),
            pipeline_id: pipeline,
            stage_id: form_id("stage_id", &form.stage_id)?,
            value_minor: money::parse_major(&form.value, &currency)?,
            currency: currency.clone(),
            contact_id: form_id("contact_id", &form.contact_id)?,
            owner_id: form_id("owner_id", &form.owner_id)?,
            expected_close_on: form_text(&form.expected_close_on),
        };
        records::create_deal(&state, &ctx, input).await
    }
    .await;
    match created {
        Ok(d) if form.next == "board" => {
            Ok(Redirect::to(&format!("/app/deals?pipeline={}", d.pipeline_id)).into_response())
        }
        Ok(d) => Ok(Redirect::to(&format!("/app/deals/{}", d.id)).into_response()),
        Err(e) => {
            let msg = refusal(e)?;
            let draft = DealDraft {
                title: form.title.clone(),
                value: form.value.clone(),
                currency,
                stage_id: form.stage_id.clone(),
                owner_id: form.owner_id.clone(),
                expected_close_on: form.expected_close_on.clone(),
            };
            if form.next == "board" {
                let res = board_page(&state, shell, &ctx, pipeline, Some(draft), Some(msg)).await?;
                return Ok(unprocessable(res));
            }
            let contact = form_id("contact_id", &form.contact_id).ok().flatten();
            let res =
                super::deal::new_deal_page(&state, shell, &ctx, contact, None, draft, Some(msg))
                    .await?;
            Ok(unprocessable(res))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    stage_id: String,
    /// The board the form is on (shown again after a refusal).
    pipeline: String,
    next: String,
}

/// The "Move to" form of a card (and of the deal page), which the board's
/// script also posts when a card is dropped on another column.
pub async fn move_deal(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let moved = match form_id::<StageId>("stage_id", &form.stage_id) {
        Ok(Some(stage)) => moves::move_deal(&state, &ctx, id, stage).await,
        Ok(None) => Err(crate::error::AppError::validation(
            "stage_id",
            "choose a stage",
        )),
        Err(e) => Err(e),
    };
    match moved {
        Ok(d) if form.next == "board" => {
            Ok(Redirect::to(&format!("/app/deals?pipeline={}", d.pipeline_id)).into_response())
        }
        Ok(d) => Ok(Redirect::to(&format!("/app/deals/{}", d.id)).into_response()),
        Err(e) => {
            let msg = refusal(e)?;
            if form.next == "board" {
                let pipeline = form_id::<PipelineId>("pipeline", &form.pipeline)
                    .ok()
                    .flatten();
                let res = board_page(&state, shell, &ctx, pipeline, None, Some(msg)).await?;
                return Ok(unprocessable(res));
            }
            let res = super::deal::deal_page(&state, shell, &ctx, id, Some(msg)).await?;
            Ok(unprocessable(res))
        }
    }
}
