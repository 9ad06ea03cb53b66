//! The CRM's JSON routes: adapters over [`crate::crm`]'s rules.

mod attributes;
mod deals;
mod notes;
mod notifications;
mod quick_replies;
mod tags;
mod tasks;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(attributes::router())
        .merge(deals::router())
        .merge(notes::router())
        .merge(notifications::router())
        .merge(quick_replies::router())
        .merge(tags::router())
        .merge(tasks::router())
}
