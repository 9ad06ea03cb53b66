//! The operator API (`/api/v1/operator/…`): the platform's own staff.

mod audit;
mod login;
mod nodes;
mod plans;
mod tenants;
mod unroutable;

use crate::auth::principal::require_operator;
use crate::state::AppState;
use axum::middleware::from_fn_with_state;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use tenants::TenantView;

/// Routes that need an operator token.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenants::list_tenants, tenants::create_tenant))
        .routes(routes!(tenants::get_tenant, tenants::update_tenant))
        .routes(routes!(tenants::suspend_tenant))
        .routes(routes!(tenants::reactivate_tenant))
        .routes(routes!(plans::list_plans, plans::create_plan))
        .routes(routes!(plans::update_plan))
        .routes(routes!(audit::list_audit_log))
        .routes(routes!(login::logout_operator))
        .routes(routes!(unroutable::list_unroutable))
        .routes(routes!(nodes::list_nodes))
        .merge(crate::analytics::operator_api::router())
        .merge(crate::email::api::operator_router())
        .route_layer(from_fn_with_state(state.clone(), require_operator))
}

/// The operator's sign-in (no token yet).
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login::login_operator))
}
