//! The webhooks' dashboard pages (docs/DASHBOARD.md): Settings → Webhooks
//! (the endpoints, one endpoint with its delivery log, one delivery),
//! Settings → Activity (the execution log) and Settings → Health. Adapters
//! over [`crate::hooks::endpoints`], [`crate::hooks::log`] and
//! [`crate::hooks::health`]: each parses the form or query, calls one rule
//! and renders.

mod activity;
mod delivery;
mod endpoint;
mod endpoints;
mod form;
mod health;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// Merged into the settings router (behind the tenant session and CSRF).
pub fn router() -> Router<AppState> {
    const ONE: &str = "/app/settings/webhooks/{id}";
    Router::new()
        .route(
            "/app/settings/webhooks",
            get(endpoints::view_webhooks).post(endpoints::create_endpoint),
        )
        .route(ONE, get(endpoint::view_endpoint))
        .route(&format!("{ONE}/update"), post(endpoint::update_endpoint))
        .route(&format!("{ONE}/roll-secret"), post(endpoint::roll_secret))
        .route(&format!("{ONE}/test"), post(endpoint::send_test))
        .route(&format!("{ONE}/replay"), post(endpoint::replay_dead))
        .route(&format!("{ONE}/delete"), post(endpoint::delete_endpoint))
        .route(
            &format!("{ONE}/deliveries/{{delivery}}"),
            get(delivery::view_delivery),
        )
        .route(
            &format!("{ONE}/deliveries/{{delivery}}/replay"),
            post(delivery::replay_delivery),
        )
        .route("/app/settings/activity", get(activity::view_activity))
        .route("/app/settings/health", get(health::view_health))
}
