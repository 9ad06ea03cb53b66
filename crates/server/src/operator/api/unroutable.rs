use crate::auth::OperatorCtx;
use crate::error::AppResult;
use crate::http::extract::ApiQuery;
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::Timestamp;
use serde::Serialize;
use store::webhooks::Unroutable;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnroutableView {
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub phone_number_id: Option<String>,
    pub waba_id: Option<String>,
    /// `unknown_number`, `not_this_tenants_number` or `unparseable`.
    pub reason: String,
    pub received_at: Timestamp,
}

impl From<Unroutable> for UnroutableView {
    fn from(u: Unroutable) -> Self {
        UnroutableView {
            id: u.id,
            delivery_id: u.delivery_id,
            phone_number_id: u.phone_number_id,
            waba_id: u.waba_id,
            reason: u.reason,
            received_at: Timestamp::from_millis(u.created_at),
        }
    }
}

/// Webhook events no tenant may have, newest first. Their content stays
/// with the platform and is shown to nobody else.
#[utoipa::path(get, path = "/api/v1/operator/unroutable", tag = "operator", params(PageQuery),
    responses((status = 200, body = Paged<UnroutableView>)), security(("bearer" = [])))]
pub async fn list_unroutable(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<UnroutableView>>> {
    let page = crate::operator::health::list_unroutable(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, UnroutableView::from)))
}
