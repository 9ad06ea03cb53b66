//! The team's JSON routes: signing in and out (`/api/v1/auth/…`, public),
//! `/api/v1/me/…`, users and invitations, API keys. Each handler parses,
//! calls one rule of `crate::team` and renders JSON.

mod accept;
pub mod keys;
mod login;
mod me;
mod mfa;
mod reset;
pub mod users;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use me::UserView;

/// Routes reachable without credentials.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login::login))
        .routes(routes!(login::refresh))
        .routes(routes!(accept::accept_invite))
        .routes(routes!(reset::forgot_password))
        .routes(routes!(reset::reset_password))
        .routes(routes!(reset::operator_forgot_password))
        .routes(routes!(reset::operator_reset_password))
}

/// Routes about the signed-in user (behind tenant authentication).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login::logout))
        .routes(routes!(me::get_me))
        .routes(routes!(me::update_password))
        .routes(routes!(mfa::create_totp, mfa::delete_totp))
        .routes(routes!(mfa::confirm_totp))
        .merge(users::router())
        .merge(keys::router())
}
