//! Login and the gate in front of `/api/v2`: `POST /oauth/token` (client
//! credentials, Basic auth), the Bearer check, planned failures
//! ([`super::GenesysSandbox::fail_next`]) and the `inin-correlation-id`
//! header on every answer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::state::{CORRELATION_HEADER, Shared, api_error, code_for};

/// `POST /oauth/token`.
pub(crate) async fn create_token(
    State(app): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let credentials = basic_credentials(&headers);
    let known = credentials.as_ref().is_some_and(|(id, secret)| {
        app.lock()
            .clients
            .iter()
            .any(|(i, s)| i == id && s == secret)
    });
    if !known {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials: check the client id and secret.",
        );
    }
    let grant = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.into_owned());
    if grant.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only grant_type=client_credentials is supported.",
        );
    }
    let (token, expires_in) = app.lock().issue_token();
    axum::Json(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": expires_in,
    }))
    .into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": error, "description": description })),
    )
        .into_response()
}

/// `(client_id, client_secret)` from `Authorization: Basic …`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The token of `Authorization: Bearer …`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// In front of every `/api/v2` route: a planned failure first, then the
/// Bearer token.
pub(crate) async fn guard(State(app): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let planned = app.lock().take_failure();
    if let Some((status, retry_after)) = planned {
        let mut response = api_error(status, code_for(status), "Planned failure (sandbox).");
        if let Some(seconds) = retry_after
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let valid = bearer(req.headers()).is_some_and(|t| app.lock().token_valid(t));
    if !valid {
        return api_error(
            401,
            "bad.credentials",
            "Invalid login credentials: the access token is missing, expired or revoked.",
        );
    }
    next.run(req).await
}

/// Adds `inin-correlation-id` to answers that do not carry one yet.
pub(crate) async fn correlation(mut response: Response) -> Response {
    if !response.headers().contains_key(CORRELATION_HEADER)
        && let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
    {
        response.headers_mut().insert(CORRELATION_HEADER, v);
    }
    response
}
