//! The inbox's JSON routes.

pub mod conversations;
pub mod media;
pub mod messages;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(conversations::router())
        .merge(media::router())
        .merge(messages::router())
}
