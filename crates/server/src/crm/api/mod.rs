//! The CRM's JSON routes: adapters over [`crate::crm`]'s rules.

mod attributes;
mod deals;
mod export;
mod imports;
mod notes;
mod notifications;
mod quick_replies;
mod saved_searches;
mod segments;
mod tags;
mod tasks;
mod teams;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(attributes::router())
        .merge(deals::router())
        .merge(export::router())
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
