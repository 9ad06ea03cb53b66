//! The routes under `/graph/`, and what every one of them shares: the
//! caller (a tenant API key as the Bearer token, or Meta's
//! `access_token` query parameter), the version check, and Meta's
//! envelope for unknown paths and wrong methods.

use super::error::MetaError;
use super::{media, numbers, objects, sends, templates};
use crate::auth::TenantCtx;
use crate::auth::principal::{client_ip, resolve_tenant};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// Largest upload (Meta takes documents up to 100 MB) plus multipart
/// overhead.
pub const MAX_UPLOAD: usize = 101 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    let graph = Router::new()
        .route("/media/{media_id}", get(media::download_media))
        .route(
            "/{version}/{id}",
            get(objects::get_object)
                .post(objects::update_object)
                .delete(objects::delete_object),
        )
        .route("/{version}/{id}/messages", post(sends::post_messages))
        .route(
            "/{version}/{id}/media",
            post(media::upload_media).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/{version}/{id}/message_templates",
            get(templates::list_templates)
                .post(templates::create_template)
                .delete(templates::delete_templates),
        )
        .route(
            "/{version}/{id}/phone_numbers",
            get(numbers::list_phone_numbers),
        )
        .route(
            "/{version}/{id}/whatsapp_business_profile",
            get(numbers::get_business_profile).post(numbers::update_business_profile),
        )
        .fallback(unknown_path)
        .method_not_allowed_fallback(unknown_path);
    Router::new().nest("/graph", graph)
}

/// Any other path (or method) under `/graph/`: Graph's answer.
async fn unknown_path(OriginalUri(uri): OriginalUri) -> Response {
    let path = uri.path();
    let rest = path.strip_prefix("/graph").unwrap_or(path);
    MetaError::unknown_path(rest).into_response()
}

/// Meta's versions look like `v23.0`; anything else is an unknown path, as
/// at Graph.
pub fn check_version(v: &str) -> Result<(), MetaError> {
    let ok = v
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(MetaError::unknown_path(&format!("/{v}")))
    }
}

/// The tenant calling, told in Meta's 190 when the token is missing or
/// wrong.
pub struct Caller(pub TenantCtx);

impl FromRequestParts<AppState> for Caller {
    type Rejection = MetaError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, MetaError> {
        let mut headers = parts.headers.clone();
        // Meta takes the token as `?access_token=` too.
        if !headers.contains_key(header::AUTHORIZATION)
            && !headers.contains_key("x-api-key")
            && let Some(token) = query_token(parts.uri.query())
            && let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}"))
        {
            headers.insert(header::AUTHORIZATION, v);
        }
        let ctx =
            resolve_tenant(state, &parts.method, &headers, client_ip(&parts.extensions)).await?;
        Ok(Caller(ctx))
    }
}

/// `access_token` of a query string.
fn query_token(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// What a client sent with a call that is relayed to Meta: its query string
/// (less `access_token`) and its body with its content type (`None` when
/// empty). The last extractor of a handler: it reads the body.
pub struct Sent {
    pub query: Option<String>,
    pub body: Option<(Bytes, String)>,
}

impl<S: Send + Sync> FromRequest<S> for Sent {
    type Rejection = MetaError;

    async fn from_request(req: Request, state: &S) -> Result<Self, MetaError> {
        let query = forwarded_query(req.uri().query());
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| MetaError::invalid(e.body_text()))?;
        Ok(Sent {
            query,
            body: (!body.is_empty()).then_some((body, content_type)),
        })
    }
}

/// A query string without `access_token` (the caller's Switchboard key is
/// never sent to Meta).
pub fn forwarded_query(query: Option<&str>) -> Option<String> {
    let kept: Vec<&str> = query?
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            !key.is_empty() && key != "access_token"
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_metas() {
        assert!(check_version("v23.0").is_ok());
        assert!(check_version("v2.10").is_ok());
        for v in ["23.0", "v23", "vx.0", "v.0", "media"] {
            assert!(check_version(v).is_err(), "{v}");
        }
    }

    #[test]
    fn the_token_never_goes_to_meta() {
        assert_eq!(
            forwarded_query(Some("fields=id,name&access_token=sb_x&limit=5")).as_deref(),
            Some("fields=id,name&limit=5")
        );
        assert_eq!(forwarded_query(Some("access_token=sb_x")), None);
        assert_eq!(
            query_token(Some("a=1&access_token=sb%5Fx")).as_deref(),
            Some("sb_x")
        );
    }
}
