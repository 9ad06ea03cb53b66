//! The operator console: tenants with status, plan and usage; create,
//! suspend and reactivate; system health. Sign-in goes through the
//! operator API's login; the token lives in an HttpOnly cookie scoped to
//! `/app/operator` and is checked by the API's `require_operator`.

use crate::auth::OperatorCtx;
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::guard::OPERATOR_COOKIE;
use crate::dashboard::page::render;
use crate::dashboard::render::when;
use crate::error::{AppError, AppResult};
use crate::http::extract::{ApiJson, ApiPath};
use crate::operator::api::{CreateTenantRequest, OperatorLogin, SuspendRequest};
use crate::state::AppState;
use crate::tenancy::limits::month_start;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{Extensions, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Email, Slug, TenantId};
use serde::Deserialize;
use store::page::PageRequest;

#[derive(Template)]
#[template(path = "operator_login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<String>,
}

pub async fn view_login(CsrfToken(csrf): CsrfToken) -> Response {
    render(&LoginPage {
        csrf,
        email: String::new(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

pub async fn create_session(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    extensions: Extensions,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let body = OperatorLogin {
        email: form.email.clone(),
        password: form.password,
    };
    match crate::operator::api::login_operator(State(state.clone()), extensions, ApiJson(body))
        .await
    {
        Ok(token) => {
            let secure = if state.config.secure_cookies() {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{OPERATOR_COOKIE}={}; Path=/app/operator; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                token.0.access_token, token.0.expires_in
            );
            let mut res = Redirect::to("/app/operator").into_response();
            let v = HeaderValue::from_str(&cookie).map_err(AppError::internal)?;
            res.headers_mut().insert(header::SET_COOKIE, v);
            Ok(res)
        }
        Err(e @ (AppError::Unauthorized(..) | AppError::TooManyRequests(..))) => {
            let mut res = render(&LoginPage {
                csrf,
                email: form.email,
                error: Some(e.to_string()),
            });
            *res.status_mut() = e.status();
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(State(state): State<AppState>, ctx: OperatorCtx) -> AppResult<Response> {
    crate::operator::api::logout_operator(State(state), ctx).await?;
    let mut res = Redirect::to("/app/operator/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "sb_operator=; Path=/app/operator; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    Ok(res)
}

#[derive(Debug, Clone)]
pub struct TenantRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub status: &'static str,
    pub reason: String,
    pub plan: String,
    pub messages: i64,
    pub message_limit: String,
    pub users: i64,
    pub created: String,
}

/// What a create form answers with, once.
pub struct Created {
    pub slug: String,
    pub invite_url: String,
    pub api_key: String,
}

#[derive(Template)]
#[template(path = "operator_tenants.html")]
struct TenantsPage {
    csrf: String,
    tab: &'static str,
    tenants: Vec<TenantRow>,
    plans: Vec<String>,
    created: Option<Created>,
    error: Option<String>,
}

async fn tenants_page(
    state: &AppState,
    csrf: String,
    created: Option<Created>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let mut sys = state.store.system_read().await?;
    let tenants = sys.list_tenants(PageRequest::new(None, 200)).await?.items;
    let plans = sys.list_plans().await?;
    sys.commit().await?;
    let mut rows = Vec::with_capacity(tenants.len());
    for t in tenants {
        // Counts only, no tenant data: not an audited look.
        let mut tx = state.store.tenant_read(t.id).await?;
        let messages = tx.count_outbound_since(month_start(now)).await?;
        let users = tx.count_active_users().await?;
        tx.commit().await?;
        let limit = plans
            .iter()
            .find(|p| p.code == t.plan_code)
            .and_then(|p| p.limits.messages_per_month);
        rows.push(TenantRow {
            id: t.id.to_string(),
            name: t.name,
            slug: t.slug,
            status: t.status.as_str(),
            reason: t.status_reason.unwrap_or_default(),
            plan: t.plan_code,
            messages,
            message_limit: limit.map(|l| l.to_string()).unwrap_or_else(|| "∞".into()),
            users,
            created: when(t.created_at, now),
        });
    }
    Ok(render(&TenantsPage {
        csrf,
        tab: "tenants",
        tenants: rows,
        plans: plans.into_iter().map(|p| p.code).collect(),
        created,
        error,
    }))
}

pub async fn view_tenants(
    State(state): State<AppState>,
    _ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    tenants_page(&state, csrf, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    name: String,
    slug: String,
    owner_email: String,
    #[serde(default)]
    plan: String,
}

pub async fn create_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    let input = Slug::parse(form.slug.trim())
        .and_then(|slug| Ok((slug, Email::parse(form.owner_email.trim())?)))
        .map_err(AppError::from);
    let result = match input {
        Ok((slug, owner_email)) => {
            let body = CreateTenantRequest {
                name: form.name,
                slug,
                plan: Some(form.plan).filter(|p| !p.is_empty()),
                owner_email,
                status: None,
            };
            crate::operator::api::create_tenant(State(state.clone()), ctx, ApiJson(body)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((_, c)) => {
            let c = c.0;
            let created = Created {
                invite_url: c.owner_invite.accept_url,
                slug: c.tenant.slug,
                api_key: c.api_key.secret,
            };
            tenants_page(&state, csrf, Some(created), None).await
        }
        Err(e) => match crate::dashboard::settings::inline(&e) {
            Some(msg) => tenants_page(&state, csrf, None, Some(msg)).await,
            None => Err(e),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct SuspendForm {
    reason: String,
}

pub async fn suspend_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    ApiPath(id): ApiPath<TenantId>,
    Form(form): Form<SuspendForm>,
) -> AppResult<Response> {
    let body = SuspendRequest {
        reason: form.reason,
    };
    match crate::operator::api::suspend_tenant(
        State(state.clone()),
        ctx,
        ApiPath(id),
        ApiJson(body),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/app/operator").into_response()),
        Err(e) => match crate::dashboard::settings::inline(&e) {
            Some(msg) => tenants_page(&state, csrf, None, Some(msg)).await,
            None => Err(e),
        },
    }
}

pub async fn reactivate_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
) -> AppResult<Response> {
    let _ = crate::operator::api::reactivate_tenant(State(state), ctx, ApiPath(id)).await?;
    Ok(Redirect::to("/app/operator").into_response())
}
