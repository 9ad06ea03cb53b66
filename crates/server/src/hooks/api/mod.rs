//! Outbound webhooks' JSON routes (docs/WEBHOOKS.md): endpoints, the
//! delivery log and replays, the execution log and the health figures.
//! Adapters over [`crate::hooks`]'s rules.

mod endpoints;
mod log;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::Timestamp;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            endpoints::list_endpoints,
            endpoints::create_endpoint
        ))
        .routes(routes!(
            endpoints::get_endpoint,
            endpoints::update_endpoint,
            endpoints::delete_endpoint
        ))
        .routes(routes!(endpoints::roll_secret))
        .routes(routes!(endpoints::send_test))
        .routes(routes!(log::list_deliveries))
        .routes(routes!(log::replay_endpoint))
        .routes(routes!(log::get_delivery))
        .routes(routes!(log::replay_delivery))
        .routes(routes!(log::list_executions))
        .routes(routes!(log::get_health))
}

/// An RFC 3339 time from a query parameter or body field.
fn time(field: &str, raw: Option<&str>) -> AppResult<Option<Timestamp>> {
    raw.filter(|s| !s.is_empty())
        .map(|s| {
            Timestamp::parse_rfc3339(s).ok_or_else(|| {
                AppError::validation(field, "an RFC 3339 time (2026-01-31T12:00:00Z)")
            })
        })
        .transpose()
}
