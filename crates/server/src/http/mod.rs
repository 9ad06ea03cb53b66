//! The HTTP layer's shared parts (extractors, pagination, idempotency,
//! health) and [`app`], which merges every area's routes.

pub mod client_address;
pub mod extract;
pub mod health;
pub mod idempotency;
mod openapi;
pub mod pagination;

use crate::auth::principal::require_tenant;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use openapi::SharedResponses;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Multi-tenant WhatsApp Business platform."),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("sb_session"))),
        );
    }
}

/// Every documented route, with the OpenAPI document describing them.
fn routes(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let tenant_api = OpenApiRouter::new()
        .merge(crate::team::api::router())
        .merge(crate::audit::api::router())
        .merge(crate::tenancy::api::router())
        .merge(crate::channels::api::router())
        .merge(crate::inbox::api::router())
        .merge(crate::crm::api::router())
        .merge(crate::templates::api::router())
        .merge(crate::campaigns::api::router())
        .merge(crate::scheduled::api::router())
        .merge(crate::automations::api::router())
        .merge(crate::automations::api_auto_tags::router())
        .merge(crate::automations::api_inbound::router())
        .merge(crate::automations::api_hours::router())
        .merge(crate::automations::drips::api::router())
        .merge(crate::booking::api::router())
        .merge(crate::analytics::api::router())
        .merge(crate::genesys::api::router())
        .merge(crate::events::stream::router())
        .merge(crate::hooks::api::router())
        .merge(crate::billing::api::router())
        .route_layer(from_fn_with_state(state.clone(), idempotency::idempotency))
        .route_layer(from_fn_with_state(state.clone(), require_tenant));

    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .merge(crate::team::api::public_router())
        .merge(crate::operator::api::public_router())
        .merge(crate::automations::api_inbound::public_router())
        .merge(crate::operator::api::router(state))
        .merge(tenant_api)
        .split_for_parts();
    // Needs the paths, which the routers add after `ApiDoc::openapi()`.
    utoipa::Modify::modify(&SharedResponses, &mut doc);
    (router, doc)
}

/// The OpenAPI document (also served at `/api/openapi.json`).
pub fn openapi(state: &AppState) -> utoipa::openapi::OpenApi {
    routes(state).1
}

/// The whole application, ready to serve.
pub fn app(state: AppState) -> Router {
    let (api, doc) = routes(&state);
    let limit = state.config.body_limit;
    api.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(crate::channels::ingest::router())
        .merge(crate::genesys::webhook::router())
        .merge(crate::graph::api::router())
        .merge(crate::dashboard::router(&state))
        .fallback(|| async { AppError::NotFound.into_response() })
        .layer(DefaultBodyLimit::max(limit))
        .layer(from_fn(crate::telemetry::observe))
        .layer(CatchPanicLayer::custom(|_| {
            AppError::internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %crate::telemetry::loggable_path(req.uri().path()), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static("x-request-id")))
        .layer(SetRequestIdLayer::new(
            HeaderName::from_static("x-request-id"),
            MakeRequestUuid,
        ))
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(state.clone(), client_address::remember))
        .with_state(state)
}

/// Headers every answer carries.
async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let defaults = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    for (name, value) in defaults {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}
