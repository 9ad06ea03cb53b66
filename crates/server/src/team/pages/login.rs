//! Signing in to the dashboard: email and password, then the TOTP step when
//! the account has it. Both steps run [`crate::team::sessions::sign_in`]
//! (cookie sessions), so throttling, suspension, audit and MFA rules are
//! the same as the API's.

use crate::auth::TenantCtx;
use crate::auth::principal::{SESSION_COOKIE, client_ip, cookie, host_slug};
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::render;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::team::sessions::{self, SIGNED_OUT_COOKIE, SignIn};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use store::auth::SessionKind;

/// How long the password step stays good for the TOTP step.
const PENDING_SECONDS: i64 = 300;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    /// The tenant slug field is hidden on a tenant's own subdomain.
    ask_tenant: bool,
    tenant: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "login_mfa.html")]
struct MfaPage {
    csrf: String,
    pending: String,
    error: Option<String>,
}

/// `/app`: the inbox when signed in, else the sign-in page.
pub async fn view_app(headers: HeaderMap) -> Redirect {
    if cookie(&headers, SESSION_COOKIE).is_some() {
        Redirect::to("/app/inbox")
    } else {
        Redirect::to("/app/login")
    }
}

/// Fields the sign-in form may be opened with (after accepting an invitation).
#[derive(Debug, Default, Deserialize)]
pub struct Prefill {
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    email: String,
}

pub async fn view_login(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Query(prefill): Query<Prefill>,
) -> Response {
    render(&LoginPage {
        csrf,
        ask_tenant: host_slug(&state, &headers).is_none(),
        tenant: prefill.tenant,
        email: prefill.email,
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    tenant: String,
    email: String,
    password: String,
}

/// The password step, sealed into the TOTP form so the password is never
/// in the page in the clear and the second step cannot outlive five minutes.
#[derive(Serialize, Deserialize)]
struct Pending {
    tenant: Option<String>,
    email: String,
    password: String,
    exp: i64,
}

/// Runs the sign-in rule for a cookie session and, on success, sets the
/// cookie and goes to the inbox.
async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &Extensions,
    pending: &Pending,
    totp_code: Option<String>,
    recovery_code: Option<String>,
) -> AppResult<Response> {
    let input = SignIn {
        tenant: pending
            .tenant
            .clone()
            .or_else(|| host_slug(state, headers).map(str::to_owned)),
        email: pending.email.clone(),
        password: pending.password.clone(),
        totp_code,
        recovery_code,
        kind: SessionKind::Cookie,
        ip: client_ip(extensions),
    };
    let signed_in = sessions::sign_in(state, input).await?;
    let cookie = sessions::session_cookie(state, &signed_in.secret);
    let mut out = Redirect::to("/app/inbox").into_response();
    let v = HeaderValue::from_str(&cookie).map_err(AppError::internal)?;
    out.headers_mut().append(header::SET_COOKIE, v);
    Ok(out)
}

pub async fn create_session(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    extensions: Extensions,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let ask_tenant = host_slug(&state, &headers).is_none();
    let pending = Pending {
        tenant: Some(form.tenant.trim().to_owned()).filter(|t| !t.is_empty()),
        email: form.email.clone(),
        password: form.password,
        exp: state.now().plus_seconds(PENDING_SECONDS).as_unix_seconds(),
    };
    match sign_in(&state, &headers, &extensions, &pending, None, None).await {
        Ok(res) => Ok(res),
        Err(AppError::Unauthorized("mfa_required", _)) => {
            let json = serde_json::to_string(&pending).map_err(AppError::internal)?;
            Ok(render(&MfaPage {
                csrf,
                pending: state.secrets.seal_str(&json),
                error: None,
            }))
        }
        Err(
            e @ (AppError::Unauthorized(..)
            | AppError::Validation(_)
            | AppError::TooManyRequests(..)),
        ) => {
            let status = e.status();
            let message = match &e {
                AppError::Validation(_) => "Enter your workspace, email and password.".to_owned(),
                other => other.to_string(),
            };
            let mut res = render(&LoginPage {
                csrf,
                ask_tenant,
                tenant: form.tenant,
                email: form.email,
                error: Some(message),
            });
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct MfaForm {
    pending: String,
    code: String,
}

pub async fn create_session_mfa(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    extensions: Extensions,
    Form(form): Form<MfaForm>,
) -> AppResult<Response> {
    let pending: Option<Pending> = state
        .secrets
        .open_str(&form.pending)
        .ok()
        .and_then(|json| serde_json::from_str(&json).ok())
        .filter(|p: &Pending| p.exp > state.now().as_unix_seconds());
    let Some(pending) = pending else {
        return Ok(Redirect::to("/app/login").into_response());
    };
    let code = form.code.trim().to_owned();
    let (totp, recovery) = if code.len() <= 8 && code.bytes().all(|b| b.is_ascii_digit()) {
        (Some(code), None)
    } else {
        (None, Some(code))
    };
    let ip = client_ip(&extensions);
    match sign_in(&state, &headers, &extensions, &pending, totp, recovery).await {
        Ok(res) => Ok(res),
        Err(e @ (AppError::Unauthorized(..) | AppError::TooManyRequests(..))) => {
            tracing::info!(
                ip = ip.as_deref().unwrap_or("-"),
                "dashboard: two-factor step refused"
            );
            let mut res = render(&MfaPage {
                csrf,
                pending: form.pending,
                error: Some(e.to_string()),
            });
            *res.status_mut() = e.status();
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

/// Signs out: the session is revoked and the cookie cleared.
pub async fn logout(State(state): State<AppState>, ctx: TenantCtx) -> AppResult<Response> {
    sessions::sign_out(&state, &ctx).await?;
    let mut out = Redirect::to("/app/login").into_response();
    out.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(SIGNED_OUT_COOKIE),
    );
    *out.status_mut() = StatusCode::SEE_OTHER;
    Ok(out)
}
