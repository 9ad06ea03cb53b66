//! API keys: create (the secret is shown once, on the answer to the form)
//! and revoke, through the rules in [`crate::team::keys`].

use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use crate::team::keys::{self, NewApiKey};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ApiKeyId, Permission};
use store::page::PageRequest;

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub last_used: String,
    pub created: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "settings_keys.html")]
struct KeysPage {
    shell: Shell,
    tab: &'static str,
    keys: Vec<KeyRow>,
    scopes: Vec<&'static str>,
    secret: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    secret: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let listed = keys::list_api_keys(state, ctx, PageRequest::new(None, 200)).await?;
    Ok(render(&KeysPage {
        shell: shell.with_tab("settings"),
        tab: "api-keys",
        scopes: ctx
            .permissions()
            .into_iter()
            .map(Permission::as_str)
            .collect(),
        keys: listed
            .items
            .into_iter()
            .map(|k| KeyRow {
                id: k.id.to_string(),
                revoked: k.revoked_at.is_some(),
                name: k.name,
                prefix: k.prefix,
                scopes: k
                    .scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                last_used: k
                    .last_used_at
                    .map(|t| when(t, now))
                    .unwrap_or_else(|| "never".into()),
                created: when(k.created_at, now),
            })
            .collect(),
        secret,
        error,
    }))
}

pub async fn view_keys(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::ApiKeysManage>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, None, None).await
}

pub async fn create_key(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::ApiKeysManage>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let name = fields
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let scopes: Vec<Permission> = fields
        .iter()
        .filter(|(k, _)| k == "scope")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let input = NewApiKey {
        name,
        scopes: Some(scopes).filter(|s| !s.is_empty()),
        expires_at: None,
    };
    match keys::create_api_key(&state, &ctx, input).await {
        Ok(created) => page(&state, shell, &ctx, Some(created.secret), None).await,
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, None, Some(msg)).await,
            None => Err(e),
        },
    }
}

pub async fn revoke_key(
    State(state): State<AppState>,
    ctx: Authorized<perm::ApiKeysManage>,
    ApiPath(id): ApiPath<ApiKeyId>,
) -> AppResult<Response> {
    keys::revoke_api_key(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/settings/api-keys").into_response())
}
