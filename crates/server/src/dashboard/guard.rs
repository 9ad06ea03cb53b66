//! Middleware in front of the dashboard's routes: the CSRF check on every
//! POST, and the bridge from the dashboard's cookies to the API's own
//! authentication middleware (which then runs unchanged).

use super::csrf::{self, CsrfToken};
use crate::auth::principal::{SESSION_COOKIE, cookie};
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The operator console's cookie: the operator's access token.
pub const OPERATOR_COOKIE: &str = "sb_operator";

/// Forms are small; anything bigger is not one of ours.
const FORM_LIMIT: usize = 256 * 1024;

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn refused() -> Response {
    AppError::Forbidden(
        "csrf_check_failed",
        "this form is missing its security token or it has expired; reload the page and try again"
            .into(),
    )
    .into_response()
}

/// Reads the form body, checks its `csrf` field against `expected`, and
/// puts the body back for the handler.
async fn check_form(req: Request, expected: &str) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| AppError::PayloadTooLarge(FORM_LIMIT).into_response())?;
    let given = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == csrf::FIELD)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !csrf::matches(expected, &given) {
        return Err(refused());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Tenant pages: a POST must carry the session's CSRF token. Once it has,
/// the request is marked the way the API's cookie rule asks for
/// (`X-Requested-With`), and `require_tenant` resolves the caller as usual.
pub async fn tenant_session(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(session) = cookie(req.headers(), SESSION_COOKIE).map(str::to_owned) else {
        // No ambient credential to abuse: `require_tenant` answers 401.
        return next.run(req).await;
    };
    let token = csrf::session_token(&state, "tenant", &session);
    let mut req = req;
    if !is_safe(req.method()) {
        req = match check_form(req, &token).await {
            Ok(r) => r,
            Err(res) => return res,
        };
        req.headers_mut().insert(
            "x-requested-with",
            HeaderValue::from_static("switchboard-dashboard"),
        );
    }
    req.extensions_mut().insert(CsrfToken(token));
    next.run(req).await
}

/// Operator pages: the operator cookie holds the operator's access token;
/// it is handed to `require_operator` as the bearer token it expects.
pub async fn operator_session(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(token) = cookie(req.headers(), OPERATOR_COOKIE).map(str::to_owned) else {
        return next.run(req).await;
    };
    let csrf_token = csrf::session_token(&state, "operator", &token);
    let mut req = req;
    if !is_safe(req.method()) {
        req = match check_form(req, &csrf_token).await {
            Ok(r) => r,
            Err(res) => return res,
        };
    }
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        req.headers_mut().insert(header::AUTHORIZATION, v);
    }
    req.extensions_mut().insert(CsrfToken(csrf_token));
    next.run(req).await
}

/// Login forms (no session yet): a double-submit cookie set with the form.
pub async fn login_form(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let existing = cookie(req.headers(), csrf::LOGIN_COOKIE)
        .filter(|t| {
            t.len() >= 16
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned);
    let mut req = req;
    if !is_safe(req.method()) {
        let Some(expected) = existing.as_deref() else {
            return refused();
        };
        req = match check_form(req, expected).await {
            Ok(r) => r,
            Err(res) => return res,
        };
    }
    let fresh = existing.is_none();
    let token = existing.unwrap_or_else(crate::crypto::random_token::<18>);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.run(req).await;
    if fresh {
        let secure = if state.config.secure_cookies() {
            "; Secure"
        } else {
            ""
        };
        let c = format!(
            "{}={token}; Path=/app; HttpOnly; SameSite=Strict; Max-Age=86400{secure}",
            csrf::LOGIN_COOKIE
        );
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}
