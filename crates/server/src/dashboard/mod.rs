//! The web dashboard at `/app`: server-rendered pages (askama) over the same
//! store functions, permission checks and code paths as the API.
//!
//! Every tenant page sits behind [`guard::tenant_session`] (CSRF token on
//! every POST) and the API's own [`require_tenant`] middleware, so the
//! session cookie, suspension and subdomain rules are the API's. Handlers
//! ask for `Authorized<perm::…>` exactly like API handlers do. Operator pages
//! sit behind the operator's own cookie and the API's [`require_operator`].
//! Errors from any of these become HTML pages in [`page::html_errors`].

mod assets;
pub(crate) mod csrf;
pub(crate) mod guard;
pub(crate) mod page;
pub(crate) mod paging;
pub(crate) mod render;
pub(crate) mod settings;

use crate::inbox::pages::{contacts, list as inbox, thread};
use crate::operator::pages::{
    health as operator_health, plans as operator_plans, tenants as operator,
};
use crate::team::pages::{invite, login};

use crate::auth::principal::{require_operator, require_tenant};
use crate::state::AppState;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Redirect;
use axum::routing::{get, post};

/// Every `/app` route (and `/` → `/app`).
pub fn router(state: &AppState) -> Router<AppState> {
    let tenant = Router::new()
        .route("/app/inbox", get(inbox::view_inbox))
        .route("/app/inbox/{id}", get(thread::view_thread))
        .route("/app/inbox/{id}/reply", post(thread::create_reply))
        .route(
            "/app/inbox/{id}/template",
            post(thread::create_template_reply),
        )
        .route("/app/inbox/{id}/update", post(thread::update_conversation))
        .merge(contacts::router())
        .route("/app/search", get(crate::inbox::pages::search::view_search))
        .route("/app/logout", post(login::logout))
        .merge(settings::router())
        .merge(crate::crm::pages::router())
        .merge(crate::templates::pages::router())
        .merge(crate::campaigns::pages::router())
        .merge(crate::scheduled::pages::router())
        .merge(crate::automations::pages::router())
        .merge(crate::automations::drips::pages::router())
        .merge(crate::booking::pages::router())
        .merge(crate::analytics::pages::router())
        .merge(crate::genesys::pages::router())
        .route_layer(from_fn_with_state(state.clone(), require_tenant))
        .route_layer(from_fn_with_state(state.clone(), guard::tenant_session));

    let operator = Router::new()
        .route("/app/operator", get(operator::view_tenants))
        .route("/app/operator/tenants", post(operator::create_tenant))
        .route(
            "/app/operator/tenants/{id}/suspend",
            post(operator::suspend_tenant),
        )
        .route(
            "/app/operator/tenants/{id}/reactivate",
            post(operator::reactivate_tenant),
        )
        .route(
            "/app/operator/plans",
            get(operator_plans::view_plans).post(operator_plans::create_plan),
        )
        .route(
            "/app/operator/plans/{code}",
            get(operator_plans::view_plan).post(operator_plans::update_plan),
        )
        .route(
            "/app/operator/plans/{code}/retire",
            post(operator_plans::retire_plan),
        )
        .route(
            "/app/operator/plans/{code}/offer",
            post(operator_plans::offer_plan),
        )
        .route("/app/operator/health", get(operator_health::view_health))
        .route(
            "/app/operator/analytics",
            get(crate::analytics::operator_pages::view_tenants),
        )
        .route(
            "/app/operator/tenants/{id}/analytics",
            get(crate::analytics::operator_pages::view_tenant),
        )
        .route("/app/operator/logout", post(operator::logout))
        .merge(crate::email::pages::router())
        .route_layer(from_fn_with_state(state.clone(), require_operator))
        .route_layer(from_fn_with_state(state.clone(), guard::operator_session));

    let public = Router::new()
        .route("/", get(|| async { Redirect::to("/app") }))
        .route("/app", get(login::view_app))
        .route("/app/", get(login::view_app))
        .route(
            "/app/login",
            get(login::view_login).post(login::create_session),
        )
        .route("/app/login/mfa", post(login::create_session_mfa))
        .route(
            "/app/accept-invite",
            get(invite::view_invite).post(invite::accept_invite),
        )
        .route(
            "/app/operator/login",
            get(operator::view_login).post(operator::create_session),
        )
        .merge(crate::auth::pages::router())
        .route_layer(from_fn_with_state(state.clone(), guard::login_form));

    Router::new()
        .merge(tenant)
        .merge(operator)
        .merge(public)
        .layer(from_fn(page::html_errors))
        .merge(assets::router())
}
