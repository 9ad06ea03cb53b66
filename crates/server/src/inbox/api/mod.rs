//! The inbox's JSON routes.

pub mod contacts;
pub mod conversations;
pub mod media;
pub mod messages;
pub mod search;
pub mod views;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(contacts::router())
        .merge(conversations::router())
        .merge(media::router())
        .merge(messages::router())
        .merge(search::router())
}
