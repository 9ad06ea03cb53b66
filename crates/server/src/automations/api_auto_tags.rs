//! JSON routes of auto-tag rules (`/api/v1/auto-tag-rules`): adapters
//! over [`super::auto_tags`].

use super::auto_tags::{self as rules, Matcher, NewRule, Rule, RuleChanges};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{AutoTagRuleId, TagId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_auto_tag_rules, create_auto_tag_rule))
        .routes(routes!(
            get_auto_tag_rule,
            update_auto_tag_rule,
            delete_auto_tag_rule
        ))
}

/// An auto-tag rule as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AutoTagRuleView {
    pub id: AutoTagRuleId,
    pub name: String,
    /// Rules apply in ascending position.
    pub position: i64,
    pub enabled: bool,
    pub matcher: Matcher,
    /// The tag it puts on the contact.
    pub tag_id: TagId,
    /// Whether a match stops the rules after it.
    pub stop: bool,
    /// How many times it tagged someone, and when last.
    pub matches: i64,
    pub last_matched_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Rule> for AutoTagRuleView {
    fn from(r: Rule) -> Self {
        let s = r.stored;
        AutoTagRuleView {
            id: s.id,
            name: s.name,
            position: s.position,
            enabled: s.enabled,
            matcher: r.matcher,
            tag_id: s.tag_id,
            stop: s.stop,
            matches: s.matches,
            last_matched_at: s.last_matched_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutoTagRuleList {
    /// In the order they apply.
    pub items: Vec<AutoTagRuleView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAutoTagRule {
    /// Unique in the workspace, in any case.
    #[schema(max_length = 100)]
    pub name: String,
    /// Default: enabled.
    #[serde(default = "yes")]
    pub enabled: bool,
    pub matcher: Matcher,
    pub tag_id: TagId,
    /// A match stops the rules after it (default: no).
    #[serde(default)]
    pub stop: bool,
    /// Where it goes in the order (default: last).
    #[schema(minimum = -1000000, maximum = 1000000)]
    pub position: Option<i64>,
}

fn yes() -> bool {
    true
}

/// Create an auto-tag rule: a customer's message (keywords or a pattern)
/// or a contact's fields (conditions) that puts a tag on the contact. It
/// applies from now on, never to history.
#[utoipa::path(post, path = "/api/v1/auto-tag-rules", tag = "automations",
    request_body = CreateAutoTagRule,
    responses((status = 201, body = AutoTagRuleView),
              (status = 409, description = "Another rule has the name (`auto_tag_rule_name_taken`).", body = ErrorBody),
              (status = 422, description = "Invalid (each field by path), a tag or attribute the workspace does not have, or 100 rules already (`too_many_auto_tag_rules`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_auto_tag_rule(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(body): ApiJson<CreateAutoTagRule>,
) -> AppResult<(StatusCode, Json<AutoTagRuleView>)> {
    let new = NewRule {
        name: body.name,
        enabled: body.enabled,
        matcher: body.matcher,
        tag_id: body.tag_id,
        stop: body.stop,
        position: body.position,
    };
    let rule = rules::create_rule(&state, &ctx, new).await?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// The workspace's auto-tag rules, in the order they apply.
#[utoipa::path(get, path = "/api/v1/auto-tag-rules", tag = "automations",
    responses((status = 200, body = AutoTagRuleList)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_auto_tag_rules(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
) -> AppResult<Json<AutoTagRuleList>> {
    let items = rules::list_rules(&state, &ctx).await?;
    Ok(Json(AutoTagRuleList {
        items: items.into_iter().map(AutoTagRuleView::from).collect(),
    }))
}

/// One auto-tag rule, with how often it matched.
#[utoipa::path(get, path = "/api/v1/auto-tag-rules/{rule_id}", tag = "automations",
    params(("rule_id" = AutoTagRuleId, Path)),
    responses((status = 200, body = AutoTagRuleView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_auto_tag_rule(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<AutoTagRuleId>,
) -> AppResult<Json<AutoTagRuleView>> {
    Ok(Json(rules::get_rule(&state, &ctx, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAutoTagRule {
    #[schema(max_length = 100)]
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub matcher: Option<Matcher>,
    pub tag_id: Option<TagId>,
    pub stop: Option<bool>,
    /// A new place in the order.
    #[schema(minimum = -1000000, maximum = 1000000)]
    pub position: Option<i64>,
}

/// Change an auto-tag rule, its place in the order, or enable or disable
/// it.
#[utoipa::path(patch, path = "/api/v1/auto-tag-rules/{rule_id}", tag = "automations",
    params(("rule_id" = AutoTagRuleId, Path)),
    request_body = UpdateAutoTagRule,
    responses((status = 200, body = AutoTagRuleView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_auto_tag_rule(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<AutoTagRuleId>,
    ApiJson(body): ApiJson<UpdateAutoTagRule>,
) -> AppResult<Json<AutoTagRuleView>> {
    let changes = RuleChanges {
        name: body.name,
        enabled: body.enabled,
        matcher: body.matcher,
        tag_id: body.tag_id,
        stop: body.stop,
        position: body.position,
    };
    Ok(Json(
        rules::update_rule(&state, &ctx, id, changes).await?.into(),
    ))
}

/// Delete an auto-tag rule (the tags it put on stay).
#[utoipa::path(delete, path = "/api/v1/auto-tag-rules/{rule_id}", tag = "automations",
    params(("rule_id" = AutoTagRuleId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_auto_tag_rule(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<AutoTagRuleId>,
) -> AppResult<StatusCode> {
    rules::delete_rule(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
