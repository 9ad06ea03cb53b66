//! Auto-tag rules in the dashboard (`/app/automations/auto-tag-rules`):
//! the rules in the order they apply, with enable / disable, move up /
//! down and delete buttons, and the form that adds one. Adapters over
//! [`crate::automations::auto_tags`]; a refusal comes back on the page,
//! each reason beside its field and the form as typed.

use super::choices::Choices;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::automations::auto_tags::{self as rules, Matcher, Rule, RuleChanges};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::AutoTagRuleId;
use fields::{RuleFields, field_of};
use serde::Deserialize;

mod fields;

const PAGE: &str = "/app/automations/auto-tag-rules";

/// One rule as the table shows it.
struct RuleRow {
    id: String,
    position: i64,
    name: String,
    matches_what: String,
    tag: String,
    enabled: bool,
    stop: bool,
    matches: i64,
    last_matched: String,
}

/// What a rule matches, in words.
fn in_words(m: &Matcher) -> String {
    match m {
        Matcher::Message { keywords, pattern } => {
            let mut parts = Vec::new();
            if !keywords.is_empty() {
                let words: Vec<String> = keywords.iter().map(|k| format!("“{k}”")).collect();
                parts.push(format!("keywords {}", words.join(", ")));
            }
            if let Some(p) = pattern {
                parts.push(format!("pattern /{p}/"));
            }
            format!("message: {}", parts.join(" or "))
        }
        Matcher::Contact { conditions } => match conditions.len() {
            1 => "contact: 1 condition".to_owned(),
            n => format!("contact: {n} conditions"),
        },
    }
}

#[derive(Template)]
#[template(path = "automation_tags.html")]
struct RulesPage {
    shell: Shell,
    tab: &'static str,
    rows: Vec<RuleRow>,
    choices: Choices,
    fields: RuleFields,
    /// Reasons by form field (`name`, `tag_id`, `keywords`, `pattern`,
    /// `conditions`).
    problems: Vec<(&'static str, String)>,
    ok: Option<String>,
    error: Option<String>,
}

impl RulesPage {
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

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    fields: RuleFields,
    problems: Vec<(&'static str, String)>,
    ok: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let list = rules::list_rules(state, ctx).await?;
    let choices = Choices::load(state, ctx).await?;
    let rows = list
        .into_iter()
        .map(|r| {
            let tag_id = r.stored.tag_id.to_string();
            RuleRow {
                id: r.stored.id.to_string(),
                position: r.stored.position,
                matches_what: in_words(&r.matcher),
                tag: choices
                    .tags
                    .iter()
                    .find(|c| c.value == tag_id)
                    .map_or_else(|| "a deleted tag".to_owned(), |c| c.label.clone()),
                enabled: r.stored.enabled,
                stop: r.stored.stop,
                matches: r.stored.matches,
                last_matched: r
                    .stored
                    .last_matched_at
                    .map_or_else(|| "never".to_owned(), |t| when(t, now)),
                name: r.stored.name,
            }
        })
        .collect();
    Ok(render(&RulesPage {
        shell: shell.with_tab("automations"),
        tab: "auto-tag-rules",
        rows,
        choices,
        fields,
        problems,
        ok,
        error,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesQuery {
    /// What the last action did: `created`, `enabled`, `disabled`,
    /// `moved`, `deleted`.
    #[serde(default)]
    done: String,
}

fn flash(done: &str) -> Option<String> {
    let m = match done {
        "created" => "Created: it applies to new messages and contact changes from now on.",
        "enabled" => "Enabled.",
        "disabled" => "Disabled: it tags no one until you enable it.",
        "moved" => "Moved.",
        "deleted" => "Deleted. The tags it put on stay.",
        _ => return None,
    };
    Some(m.to_owned())
}

fn done(what: &str) -> Response {
    Redirect::to(&format!("{PAGE}?done={what}")).into_response()
}

pub async fn view_auto_tag_rules(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(q): Query<RulesQuery>,
) -> AppResult<Response> {
    let fields = RuleFields::default();
    page(
        &state,
        shell,
        &ctx,
        fields,
        Vec::new(),
        flash(&q.done),
        None,
    )
    .await
}

/// The page again with a refusal it can explain (reasons by field, the
/// form as typed), or the error page.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    fields: RuleFields,
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
    let mut res = page(state, shell, ctx, fields, problems, None, error).await?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn create_auto_tag_rule(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Form(fields): Form<RuleFields>,
) -> AppResult<Response> {
    let result = match fields.parse() {
        Ok(new) => rules::create_rule(&state, &ctx, new).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(done("created")),
        Err(e) => refused(&state, shell, &ctx, fields, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EnabledForm {
    /// `true` to enable, anything else to disable.
    #[serde(default)]
    enabled: String,
}

pub async fn update_auto_tag_rule_enabled(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<AutoTagRuleId>,
    Form(f): Form<EnabledForm>,
) -> AppResult<Response> {
    let enabled = f.enabled == "true";
    let changes = RuleChanges {
        enabled: Some(enabled),
        ..RuleChanges::default()
    };
    match rules::update_rule(&state, &ctx, id, changes).await {
        Ok(_) => Ok(done(if enabled { "enabled" } else { "disabled" })),
        Err(e) => refused(&state, shell, &ctx, RuleFields::default(), e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    /// `up` or `down`.
    #[serde(default)]
    direction: String,
}

/// The positions, first to last, for `rules` (in the order they apply)
/// once reordered, changing as few rules as possible: the positions they
/// already hold when all differ (moving one past its neighbour swaps
/// their two), else 1, 2, 3… (ties are broken by id, which a swap could
/// not undo).
fn positions(rules: &[Rule]) -> Vec<i64> {
    let held: Vec<i64> = rules.iter().map(|r| r.stored.position).collect();
    if held.windows(2).all(|w| w[0] < w[1]) {
        held
    } else {
        (1..).take(rules.len()).collect()
    }
}

/// Moves a rule one place up or down in the order (the first stays first,
/// the last last).
pub async fn move_auto_tag_rule(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<AutoTagRuleId>,
    Form(f): Form<MoveForm>,
) -> AppResult<Response> {
    let all = rules::list_rules(&state, &ctx).await?;
    let Some(at) = all.iter().position(|r| r.stored.id == id) else {
        return Err(AppError::NotFound);
    };
    let to = match f.direction.as_str() {
        "up" => at.checked_sub(1),
        "down" => Some(at + 1).filter(|&i| i < all.len()),
        _ => {
            let e = AppError::validation("direction", "up or down");
            return refused(&state, shell, &ctx, RuleFields::default(), e).await;
        }
    };
    let Some(to) = to else {
        return Ok(done("moved"));
    };
    let mut order: Vec<&Rule> = all.iter().collect();
    order.swap(at, to);
    for (rule, position) in order.iter().zip(positions(&all)) {
        if rule.stored.position == position {
            continue;
        }
        let changes = RuleChanges {
            position: Some(position),
            ..RuleChanges::default()
        };
        if let Err(e) = rules::update_rule(&state, &ctx, rule.stored.id, changes).await {
            return refused(&state, shell, &ctx, RuleFields::default(), e).await;
        }
    }
    Ok(done("moved"))
}

pub async fn delete_auto_tag_rule(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<AutoTagRuleId>,
) -> AppResult<Response> {
    match rules::delete_rule(&state, &ctx, id).await {
        Ok(()) => Ok(done("deleted")),
        Err(e) => refused(&state, shell, &ctx, RuleFields::default(), e).await,
    }
}
