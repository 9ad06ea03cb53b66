//! Dashboard pages: adapters over the area's rules.

use crate::state::AppState;
use axum::Router;

/// Merged into the tenant dashboard (behind the tenant session and CSRF).
pub fn router() -> Router<AppState> {
    Router::new()
}
