//! Outbound webhooks' JSON routes (docs/WEBHOOKS.md): endpoints, the
//! delivery log and replays, the execution log and the health figures.
//! Adapters over [`crate::hooks`]'s rules.

mod endpoints;
mod log;

use crate::state::AppState;
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
