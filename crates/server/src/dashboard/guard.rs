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
    if let Some(boundary) = multipart_boundary(&req) {
        return check_multipart(req, expected, &boundary).await;
    }
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

/// The boundary of a `multipart/form-data` body (a file upload).
fn multipart_boundary(req: &Request) -> Option<String> {
    let value = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (essence, params) = value.split_once(';')?;
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = params
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    (!boundary.is_empty()).then(|| boundary.to_owned())
}

/// A file upload may be far larger than a form: only its first part is
/// read here, which must be the `csrf` field (the dashboard's upload forms
/// put it first), and the body goes on to the handler whole, still
/// streaming (its route sets its own size limit).
async fn check_multipart(
    req: Request,
    expected: &str,
    boundary: &str,
) -> Result<Request, Response> {
    use futures::StreamExt as _;
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let (open, close) = (format!("--{boundary}\r\n"), format!("\r\n--{boundary}"));
    let mut head = Vec::new();
    let given = loop {
        // The first part: `--boundary`, headers naming `csrf`, a blank
        // line, the token, then the next boundary.
        if let Some(start) = find(&head, open.as_bytes()).map(|i| i + open.len())
            && let Some(blank) = find(&head[start..], b"\r\n\r\n").map(|i| start + i)
            && let Some(end) = find(&head[blank + 4..], close.as_bytes()).map(|i| blank + 4 + i)
        {
            let headers = String::from_utf8_lossy(&head[start..blank]).to_ascii_lowercase();
            let named = headers.contains(&format!("name=\"{}\"", csrf::FIELD));
            break named.then(|| String::from_utf8_lossy(&head[blank + 4..end]).into_owned());
        }
        if head.len() > 16 * 1024 {
            break None;
        }
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            _ => break None,
        }
    };
    if !given.is_some_and(|g| csrf::matches(expected, &g)) {
        return Err(refused());
    }
    let first = futures::stream::once(async move { Ok(axum::body::Bytes::from(head)) });
    Ok(Request::from_parts(
        parts,
        Body::from_stream(first.chain(stream)),
    ))
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
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
