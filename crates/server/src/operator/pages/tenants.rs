//! The operator console: tenants with status, plan and usage; create,
//! suspend and reactivate. Sign-in runs the operator's sign-in rule; the
//! token lives in an HttpOnly cookie scoped to `/app/operator` and is
//! checked by the API's `require_operator`.

use crate::auth::OperatorCtx;
use crate::auth::principal::client_ip;
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::guard::OPERATOR_COOKIE;
use crate::dashboard::page::render;
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::operator::sessions::{self, OperatorSignIn};
use crate::state::AppState;
use crate::tenancy::{self, CreateTenant};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{Extensions, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Email, Slug, TenantId};
use serde::Deserialize;

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
    let input = OperatorSignIn {
        email: form.email.clone(),
        password: form.password,
        ip: client_ip(&extensions),
    };
    match sessions::sign_in(&state, input).await {
        Ok(token) => {
            let secure = if state.config.secure_cookies() {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{OPERATOR_COOKIE}={}; Path=/app/operator; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                token.access_token, token.expires_in
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
    sessions::sign_out(&state, &ctx).await?;
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
    ctx: &OperatorCtx,
    csrf: String,
    created: Option<Created>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let overview = crate::operator::tenants::get_overview(state, ctx).await?;
    let tenants = overview
        .tenants
        .into_iter()
        .map(|s| TenantRow {
            id: s.tenant.id.to_string(),
            name: s.tenant.name,
            slug: s.tenant.slug,
            status: s.tenant.status.as_str(),
            reason: s.tenant.status_reason.unwrap_or_default(),
            plan: s.tenant.plan_code,
            messages: s.messages_this_month,
            message_limit: s
                .message_limit
                .map(|l| l.to_string())
                .unwrap_or_else(|| "∞".into()),
            users: s.users,
            created: when(s.tenant.created_at, now),
        })
        .collect();
    Ok(render(&TenantsPage {
        csrf,
        tab: "tenants",
        tenants,
        plans: overview.plans.into_iter().map(|p| p.code).collect(),
        created,
        error,
    }))
}

pub async fn view_tenants(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    tenants_page(&state, &ctx, csrf, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    name: String,
    slug: String,
    owner_email: String,
    #[serde(default)]
    plan: String,
}

impl CreateForm {
    fn parse(self) -> AppResult<CreateTenant> {
        Ok(CreateTenant {
            slug: Slug::parse(self.slug.trim())?,
            owner_email: Email::parse(self.owner_email.trim())?,
            name: self.name,
            plan: Some(self.plan).filter(|p| !p.is_empty()),
            status: None,
        })
    }
}

pub async fn create_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    let result = match form.parse() {
        Ok(input) => tenancy::create_tenant(&state, &ctx, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => {
            let created = Created {
                invite_url: c.owner_invite_url,
                slug: c.tenant.slug,
                api_key: c.api_key_secret,
            };
            tenants_page(&state, &ctx, csrf, Some(created), None).await
        }
        Err(e) => match inline(&e) {
            Some(msg) => tenants_page(&state, &ctx, csrf, None, Some(msg)).await,
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
    match tenancy::suspend_tenant(&state, &ctx, id, &form.reason).await {
        Ok(_) => Ok(Redirect::to("/app/operator").into_response()),
        Err(e) => match inline(&e) {
            Some(msg) => tenants_page(&state, &ctx, csrf, None, Some(msg)).await,
            None => Err(e),
        },
    }
}

pub async fn reactivate_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
) -> AppResult<Response> {
    tenancy::reactivate_tenant(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/operator").into_response())
}
