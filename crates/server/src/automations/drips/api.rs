//! JSON routes of drips (`/api/v1/drips`): adapters over [`super::rules`];
//! their subscribers and enrolments are [`super::api_subscribers`].

use super::definition::{Definition, DripStep, ExitRules, QuietHours};
use super::rules::{self, DripChanges, NewDrip, Shown};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{DripId, Timestamp};
use serde::{Deserialize, Serialize};
use store::drips::SubscriberStatus;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_drips, create_drip))
        .routes(routes!(get_drip, update_drip, delete_drip))
        .merge(super::api_subscribers::router())
}

/// How many subscribers a drip has in each state.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriberCounts {
    pub active: i64,
    pub completed: i64,
    pub exited: i64,
}

/// A drip as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DripView {
    pub id: DripId,
    pub name: String,
    /// Only an enabled drip takes new subscribers; subscribers under way
    /// go on either way.
    pub enabled: bool,
    pub steps: Vec<DripStep>,
    pub exit: ExitRules,
    pub quiet_hours: Option<QuietHours>,
    pub subscribers: SubscriberCounts,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Shown> for DripView {
    fn from(s: Shown) -> Self {
        let subscribers = SubscriberCounts {
            active: s.count(SubscriberStatus::Active),
            completed: s.count(SubscriberStatus::Completed),
            exited: s.count(SubscriberStatus::Exited),
        };
        DripView {
            id: s.drip.id,
            name: s.drip.name,
            enabled: s.drip.enabled,
            steps: s.definition.steps,
            exit: s.definition.exit,
            quiet_hours: s.definition.quiet_hours,
            subscribers,
            created_at: s.drip.created_at,
            updated_at: s.drip.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DripList {
    pub items: Vec<DripView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDrip {
    /// Unique in the workspace, in any case.
    #[schema(max_length = 100)]
    pub name: String,
    /// Take subscribers from the start (default: yes).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// 1 to 50 steps, in order.
    pub steps: Vec<DripStep>,
    /// Default: exit on a reply.
    #[serde(default)]
    pub exit: ExitRules,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

fn yes() -> bool {
    true
}

/// Create a drip sequence (docs/DESIGN.md, "Drip sequences"): steps sent
/// one after another at their delays (a text while the contact's 24-hour
/// window is open, the step's template otherwise), until the last or an
/// exit rule (a reply, a tag, the goal tag, an opt-out).
#[utoipa::path(post, path = "/api/v1/drips", tag = "automations",
    request_body = CreateDrip,
    responses((status = 201, body = DripView),
              (status = 409, description = "Another drip has the name (`drip_name_taken`).", body = ErrorBody),
              (status = 422, description = "Invalid (each field by path: `steps[1].text`), a tag the workspace does not have, or 200 drips already (`too_many_drips`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_drip(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(body): ApiJson<CreateDrip>,
) -> AppResult<(StatusCode, Json<DripView>)> {
    let new = NewDrip {
        name: body.name,
        enabled: body.enabled,
        definition: Definition {
            steps: body.steps,
            exit: body.exit,
            quiet_hours: body.quiet_hours,
        },
    };
    let shown = rules::create_drip(&state, &ctx, new).await?;
    Ok((StatusCode::CREATED, Json(shown.into())))
}

/// The workspace's drips, by name, with their subscribers' counts.
#[utoipa::path(get, path = "/api/v1/drips", tag = "automations",
    responses((status = 200, body = DripList)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_drips(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
) -> AppResult<Json<DripList>> {
    let items = rules::list_drips(&state, &ctx).await?;
    Ok(Json(DripList {
        items: items.into_iter().map(DripView::from).collect(),
    }))
}

/// One drip.
#[utoipa::path(get, path = "/api/v1/drips/{drip_id}", tag = "automations",
    params(("drip_id" = DripId, Path)),
    responses((status = 200, body = DripView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_drip(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
) -> AppResult<Json<DripView>> {
    Ok(Json(rules::get_drip(&state, &ctx, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDrip {
    #[schema(max_length = 100)]
    pub name: Option<String>,
    /// Enable or disable it.
    pub enabled: Option<bool>,
    /// New steps: subscribers under way go on by step index from their
    /// next step (past the last one, they complete).
    pub steps: Option<Vec<DripStep>>,
    pub exit: Option<ExitRules>,
    /// `null` takes the quiet hours away.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<QuietHours>)]
    pub quiet_hours: Option<Option<QuietHours>>,
}

/// Change a drip's name, steps, exit rules or quiet hours, or enable or
/// disable it.
#[utoipa::path(patch, path = "/api/v1/drips/{drip_id}", tag = "automations",
    params(("drip_id" = DripId, Path)),
    request_body = UpdateDrip,
    responses((status = 200, body = DripView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_drip(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    ApiJson(body): ApiJson<UpdateDrip>,
) -> AppResult<Json<DripView>> {
    let definition = if body.steps.is_some() || body.exit.is_some() || body.quiet_hours.is_some() {
        let now = rules::get_drip(&state, &ctx, id).await?.definition;
        Some(Definition {
            steps: body.steps.unwrap_or(now.steps),
            exit: body.exit.unwrap_or(now.exit),
            quiet_hours: body.quiet_hours.unwrap_or(now.quiet_hours),
        })
    } else {
        None
    };
    let changes = DripChanges {
        name: body.name,
        enabled: body.enabled,
        definition,
    };
    Ok(Json(
        rules::update_drip(&state, &ctx, id, changes).await?.into(),
    ))
}

/// Delete a drip with its subscribers and their history (the messages it
/// sent stay in their conversations).
#[utoipa::path(delete, path = "/api/v1/drips/{drip_id}", tag = "automations",
    params(("drip_id" = DripId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_drip(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
) -> AppResult<StatusCode> {
    rules::delete_drip(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
