//! Saved searches in the inbox: links above the conversation list (the
//! team's shared ones and your own), a "Save this search" form that keeps
//! the list's current filters under a name, and removing one.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::saved_searches::create_saved_search as save;
use crate::crm::saved_searches::{
    InboxFilter, NewSavedSearch, delete_saved_search as remove, list_saved_searches,
};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use domain::SavedSearchId;
use serde::Deserialize;
use std::collections::BTreeMap;
use store::page::PageRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/saved-searches", post(create_saved_search))
        .route("/app/saved-searches/{id}/delete", post(delete_saved_search))
}

/// How many saved searches the inbox shows.
const SHOWN: u32 = 50;

/// One saved search as a link above the list.
#[derive(Debug, Clone)]
pub struct SavedLink {
    pub id: String,
    pub name: String,
    /// The inbox's query string for it.
    pub query: String,
    pub shared: bool,
    /// The list shows exactly this search now.
    pub active: bool,
}

/// The saved searches the inbox shows above its list.
#[derive(Debug, Clone, Default)]
pub struct SavedSearchBar {
    pub links: Vec<SavedLink>,
}

/// The bar for a list whose query string is `current`.
pub async fn bar(state: &AppState, ctx: &TenantCtx, current: &str) -> AppResult<SavedSearchBar> {
    let current = InboxFilter::from_params(&params(current)).query_string();
    let found = list_saved_searches(state, ctx, PageRequest::new(None, SHOWN)).await?;
    let mut links: Vec<SavedLink> = found
        .items
        .into_iter()
        .map(|s| SavedLink {
            id: s.id.to_string(),
            active: s.query == current,
            name: s.name,
            query: s.query,
            shared: s.shared,
        })
        .collect();
    links.sort_by_key(|l| l.name.to_lowercase());
    Ok(SavedSearchBar { links })
}

fn params(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    pub name: String,
    /// The list's query string.
    #[serde(default)]
    pub filter: String,
    /// A ticked checkbox.
    #[serde(default)]
    pub shared: Option<String>,
}

pub async fn create_saved_search(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    Form(f): Form<SaveForm>,
) -> AppResult<Response> {
    let filter = InboxFilter::from_params(&params(&f.filter));
    let input = NewSavedSearch {
        name: f.name,
        filter,
        shared: f.shared.is_some(),
    };
    let s = save(&state, &ctx, input).await?;
    Ok(Redirect::to(&format!("/app/inbox?{}", s.query)).into_response())
}

pub async fn delete_saved_search(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = id
        .parse::<SavedSearchId>()
        .map_err(|_| AppError::NotFound)?;
    remove(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/inbox").into_response())
}
