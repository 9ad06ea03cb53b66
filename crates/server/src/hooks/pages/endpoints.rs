//! Settings → Webhooks: the tenant's endpoints with their 24-hour success
//! rate, and creating one (its signing secret is shown once, in the answer
//! to the form, like an API key's).

use super::form::{self, Fields};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::hooks::endpoints::{self as rules, Endpoint, NewEndpoint};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use store::hooks::HookFormat;
use store::page::PageRequest;

/// One endpoint as the list shows it.
#[derive(Debug, Clone)]
pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub events: String,
    pub description: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub rate: String,
    pub rate_level: &'static str,
}

impl From<Endpoint> for EndpointRow {
    fn from(e: Endpoint) -> Self {
        EndpointRow {
            id: e.id.to_string(),
            url: e.url,
            events: if e.format == "cloud_api" {
                "Meta's webhooks (Cloud API format)".into()
            } else {
                e.events.join(", ")
            },
            description: e.description.unwrap_or_default(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            rate: form::rate(e.success_rate_24h),
            rate_level: form::rate_level(e.success_rate_24h),
        }
    }
}

/// What the create form shows again after a refusal.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub url: String,
    pub events: Vec<String>,
    pub events_other: String,
    pub description: String,
    pub headers: String,
}

#[derive(Template)]
#[template(path = "settings_webhooks.html")]
struct WebhooksPage {
    shell: Shell,
    tab: &'static str,
    endpoints: Vec<EndpointRow>,
    choices: Vec<String>,
    draft: Draft,
    /// The new endpoint's id and signing secret, shown this once.
    created: Option<(String, String)>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    draft: Draft,
    created: Option<(String, String)>,
    error: Option<String>,
) -> AppResult<Response> {
    let listed =
        rules::list_endpoints(state, ctx, PageRequest::new(None, PageRequest::MAX_LIMIT)).await?;
    Ok(render(&WebhooksPage {
        shell: shell.with_tab("settings"),
        tab: "webhooks",
        endpoints: listed.items.into_iter().map(EndpointRow::from).collect(),
        choices: form::event_choices(),
        draft,
        created,
        error,
    }))
}

pub async fn view_webhooks(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::WebhooksManage>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, Draft::default(), None, None).await
}

pub async fn create_endpoint(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::WebhooksManage>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let draft = Draft {
        url: form::field(&fields, "url").trim().to_owned(),
        events: fields
            .iter()
            .filter(|(k, _)| k == "event")
            .map(|(_, v)| v.clone())
            .collect(),
        events_other: form::field(&fields, "events_other").to_owned(),
        description: form::field(&fields, "description").to_owned(),
        headers: form::field(&fields, "headers").to_owned(),
    };
    let created = if form::field(&fields, "format") == "cloud_api" {
        let secret = form::field(&fields, "secret").trim();
        let input = NewEndpoint {
            url: draft.url.clone(),
            description: Some(draft.description.clone()),
            enabled: Some(true),
            format: HookFormat::CloudApi,
            verify_token: Some(form::field(&fields, "verify_token").trim().to_owned()),
            secret: (!secret.is_empty()).then(|| secret.to_owned()),
            ..NewEndpoint::default()
        };
        rules::create_endpoint(&state, &ctx, input).await
    } else {
        match form::headers(&draft.headers) {
            Ok(headers) => {
                let input = NewEndpoint {
                    url: draft.url.clone(),
                    events: form::events(&fields),
                    description: Some(draft.description.clone()),
                    enabled: Some(true),
                    headers: Some(headers),
                    ..NewEndpoint::default()
                };
                rules::create_endpoint(&state, &ctx, input).await
            }
            Err(e) => Err(e),
        }
    };
    match created {
        Ok(c) => {
            let shown = (c.endpoint.id.to_string(), c.secret);
            page(&state, shell, &ctx, Draft::default(), Some(shown), None).await
        }
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, draft, None, Some(msg)).await,
            None => Err(e),
        },
    }
}
