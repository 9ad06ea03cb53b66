//! The CRM's dashboard pages: adapters over [`crate::crm`]'s rules. Each
//! parses the form or query, calls one rule and renders.

mod attributes;
mod deals;
mod imports;
pub mod notes;
mod notifications;
pub mod quick_replies;
pub mod saved_searches;
mod segments;
pub mod tags;
pub mod tasks;
mod teams;

use crate::state::AppState;
use axum::Router;

/// Merged into the tenant dashboard (behind the tenant session and CSRF).
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(attributes::router())
        .merge(deals::router())
        .merge(imports::router())
        .merge(notes::router())
        .merge(notifications::router())
        .merge(quick_replies::router())
        .merge(saved_searches::router())
        .merge(segments::router())
        .merge(tags::router())
        .merge(tasks::router())
        .merge(teams::router())
}
