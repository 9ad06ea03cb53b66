//! The new-campaign form, in two steps that need no script: first the
//! name, the number and the template (`GET /app/campaigns/new`), then,
//! for that template, a value for each of its parameters and the
//! audience (a segment, tags, or numbers pasted one per line or from a
//! CSV's first column), posted to `/app/campaigns`.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::campaigns::audience::AudienceSpec;
use crate::campaigns::choices::{Choices, TemplateChoice, choices};
use crate::campaigns::variables::Variable;
use crate::campaigns::{self as rules, CampaignInput};
use crate::dashboard::page::{Shell, render};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Step {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub template: String,
}

#[derive(Template)]
#[template(path = "campaign_new.html")]
struct NewPage {
    shell: Shell,
    step: Step,
    choices: Choices,
    /// The template chosen, once the first step is done.
    chosen: Option<TemplateChoice>,
    /// What was typed, shown again after a refusal.
    typed: HashMap<String, String>,
    error: Option<String>,
}

impl NewPage {
    fn typed(&self, key: &str) -> &str {
        self.typed.get(key).map(String::as_str).unwrap_or_default()
    }
    fn ticked(&self, key: &str, value: &str) -> bool {
        self.typed
            .get(key)
            .is_some_and(|v| v.split('\n').any(|x| x == value))
    }
}

pub async fn view_new_campaign(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(step): Query<Step>,
) -> AppResult<Response> {
    new_page(&state, shell, &ctx, step, HashMap::new(), None).await
}

async fn new_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    step: Step,
    typed: HashMap<String, String>,
    error: Option<String>,
) -> AppResult<Response> {
    let choices = choices(state, ctx).await?;
    let chosen = choices
        .templates
        .iter()
        .find(|t| t.id.to_string() == step.template)
        .cloned();
    Ok(render(&NewPage {
        shell: shell.with_tab("campaigns"),
        step,
        choices,
        chosen,
        typed,
        error,
    }))
}

/// The second step's fields: repeated keys (`tag`) joined by new lines.
fn fields(body: &str) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        out.entry(k.into_owned())
            .and_modify(|e| {
                e.push('\n');
                e.push_str(&v);
            })
            .or_insert_with(|| v.into_owned());
    }
    out
}

fn input(f: &HashMap<String, String>, parameters: &[String]) -> AppResult<CampaignInput> {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    fn id<T: std::str::FromStr>(raw: String, k: &str, what: &str) -> AppResult<T> {
        raw.parse()
            .map_err(|_| AppError::validation(k, format!("choose {what}")))
    }
    let variables = parameters
        .iter()
        .map(|p| Variable {
            parameter: p.clone(),
            text: get(&format!("var_{p}")),
            fallback: Some(get(&format!("fallback_{p}"))).filter(|s| !s.is_empty()),
        })
        .collect();
    let mut audience = AudienceSpec::default();
    match get("audience").as_str() {
        "segment" => audience.segment_id = Some(id(get("segment"), "segment", "a segment")?),
        "tags" => {
            for t in get("tag").lines().filter(|t| !t.is_empty()) {
                let tag = t
                    .parse()
                    .map_err(|_| AppError::validation("tag", "choose tags"))?;
                audience.tag_ids.push(tag);
            }
        }
        _ => {
            // One number per line, or a CSV's first column.
            audience.phones = get("phones")
                .lines()
                .filter_map(|l| l.split([',', ';']).next())
                .map(|n| n.trim().trim_matches('"').to_owned())
                .filter(|n| n.starts_with('+'))
                .collect();
        }
    }
    Ok(CampaignInput {
        name: Some(get("name")),
        channel_id: Some(id(get("channel"), "channel", "a number")?),
        template_id: Some(id(get("template"), "template", "a template")?),
        variables: Some(variables),
        audience: Some(audience),
    })
}

pub async fn create_campaign(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    body: String,
) -> AppResult<Response> {
    let f = fields(&body);
    let step = Step {
        name: f.get("name").cloned().unwrap_or_default(),
        channel: f.get("channel").cloned().unwrap_or_default(),
        template: f.get("template").cloned().unwrap_or_default(),
    };
    let parameters = choices(&state, &ctx)
        .await?
        .templates
        .into_iter()
        .find(|t| t.id.to_string() == step.template)
        .map(|t| t.parameters)
        .unwrap_or_default();
    let made = match input(&f, &parameters) {
        Ok(i) => rules::create_campaign(&state, &ctx, i).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(c) => Ok(Redirect::to(&format!("/app/campaigns/{}", c.id)).into_response()),
        Err(e) => match crate::dashboard::settings::inline(&e) {
            Some(msg) => {
                let mut res = new_page(&state, shell, &ctx, step, f, Some(msg)).await?;
                *res.status_mut() = e.status();
                Ok(res)
            }
            None => Err(e),
        },
    }
}
