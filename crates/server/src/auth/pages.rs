//! "Forgot password?" in the dashboard, for users (`/app/…`) and operators
//! (`/app/operator/…`): ask for a link, then set a new password with it.
//! Both run [`super::reset`], so the rules are the API's: asking answers
//! the same whether or not the account exists, and a link works once.
//! The pages are public, behind the login forms' CSRF cookie.

use super::principal::host_slug;
use super::reset::{self, Account, AccountKind};
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::render;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Form, Router, routing::get};
use domain::{Email, Slug};
use serde::Deserialize;

/// The four pages, twice: mounted among the public login routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/app/forgot-password",
            get(view_forgot_password).post(create_reset_request),
        )
        .route(
            "/app/reset-password",
            get(view_reset_password).post(update_password),
        )
        .route(
            "/app/operator/forgot-password",
            get(view_operator_forgot_password).post(create_operator_reset_request),
        )
        .route(
            "/app/operator/reset-password",
            get(view_operator_reset_password).post(update_operator_password),
        )
}

/// Where a kind of account's pages live.
fn base(kind: AccountKind) -> &'static str {
    match kind {
        AccountKind::User => "/app",
        AccountKind::Operator => "/app/operator",
    }
}

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    csrf: String,
    /// `/app` or `/app/operator`.
    base: &'static str,
    operator: bool,
    /// The workspace field is hidden on a workspace's own subdomain, and
    /// operators have none.
    ask_tenant: bool,
    tenant: String,
    email: String,
    error: Option<String>,
    /// The request went in: the same answer for every address.
    sent: bool,
    /// No SMTP server: the email waits in the operator's outbox.
    kept: bool,
}

impl ForgotPage {
    fn new(state: &AppState, headers: &HeaderMap, kind: AccountKind, csrf: String) -> Self {
        ForgotPage {
            csrf,
            base: base(kind),
            operator: kind == AccountKind::Operator,
            ask_tenant: kind == AccountKind::User && host_slug(state, headers).is_none(),
            tenant: String::new(),
            email: String::new(),
            error: None,
            sent: false,
            kept: !state.mailer.sends(),
        }
    }
}

/// What the users' form may be opened with (the login page's workspace).
#[derive(Debug, Default, Deserialize)]
pub struct Prefill {
    #[serde(default)]
    tenant: String,
}

pub async fn view_forgot_password(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Query(prefill): Query<Prefill>,
) -> Response {
    let mut page = ForgotPage::new(&state, &headers, AccountKind::User, csrf);
    page.tenant = prefill.tenant;
    render(&page)
}

pub async fn view_operator_forgot_password(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
) -> Response {
    render(&ForgotPage::new(
        &state,
        &headers,
        AccountKind::Operator,
        csrf,
    ))
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    email: String,
}

/// The account the form names, parsed.
fn account(
    state: &AppState,
    headers: &HeaderMap,
    kind: AccountKind,
    form: &ForgotForm,
) -> AppResult<Account> {
    let email = Email::parse(&form.email)?;
    if kind == AccountKind::Operator {
        return Ok(Account::Operator { email });
    }
    let tenant = Some(form.tenant.trim())
        .filter(|t| !t.is_empty())
        .or_else(|| host_slug(state, headers))
        .ok_or_else(|| AppError::validation("workspace", "required"))?;
    let tenant = Slug::parse(tenant).map_err(|e| AppError::validation("workspace", e.message))?;
    Ok(Account::User { tenant, email })
}

/// Asks for a link; every address that reads as one gets the same page.
async fn request_link(
    state: AppState,
    csrf: String,
    headers: HeaderMap,
    kind: AccountKind,
    form: ForgotForm,
) -> AppResult<Response> {
    let mut page = ForgotPage::new(&state, &headers, kind, csrf);
    let asked = match account(&state, &headers, kind, &form) {
        Ok(account) => reset::request_reset(&state, account).await,
        Err(e) => Err(e),
    };
    match asked {
        Ok(()) => {
            page.sent = true;
            Ok(render(&page))
        }
        Err(e) => match inline(&e) {
            Some(message) => {
                page.tenant = form.tenant;
                page.email = form.email;
                page.error = Some(message);
                let mut res = render(&page);
                *res.status_mut() = e.status();
                Ok(res)
            }
            None => Err(e),
        },
    }
}

pub async fn create_reset_request(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    request_link(state, csrf, headers, AccountKind::User, form).await
}

pub async fn create_operator_reset_request(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    request_link(state, csrf, headers, AccountKind::Operator, form).await
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    csrf: String,
    base: &'static str,
    operator: bool,
    /// The link's token, carried from its URL to the form's POST.
    token: String,
    error: Option<String>,
    /// The link cannot be used (unknown, used, out of date): no form,
    /// an offer of a new link instead.
    dead: bool,
    /// The password is set.
    done: bool,
}

impl ResetPage {
    fn new(kind: AccountKind, csrf: String, token: String) -> Self {
        ResetPage {
            csrf,
            base: base(kind),
            operator: kind == AccountKind::Operator,
            dead: token.is_empty(),
            error: token.is_empty().then(|| {
                "This link is incomplete: open it from the email again, or ask for a new one."
                    .to_owned()
            }),
            token,
            done: false,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

fn reset_form(kind: AccountKind, csrf: String, token: String) -> Response {
    let page = ResetPage::new(kind, csrf, token);
    if page.dead {
        return refused(page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    render(&page)
}

pub async fn view_reset_password(
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<TokenQuery>,
) -> Response {
    reset_form(AccountKind::User, csrf, q.token)
}

pub async fn view_operator_reset_password(
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<TokenQuery>,
) -> Response {
    reset_form(AccountKind::Operator, csrf, q.token)
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Sets the new password, or says on the form why not.
async fn set_password(
    state: AppState,
    csrf: String,
    kind: AccountKind,
    form: ResetForm,
) -> AppResult<Response> {
    let mut page = ResetPage::new(kind, csrf, form.token);
    if page.dead {
        return Ok(refused(page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    if form.password != form.confirm {
        page.error = Some("The two passwords are not the same: type them again.".to_owned());
        return Ok(refused(page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    match reset::reset_password(&state, kind, &page.token, &form.password).await {
        Ok(()) => {
            page.done = true;
            page.token.clear();
            Ok(render(&page))
        }
        Err(e) => match inline(&e) {
            Some(message) => {
                if matches!(e, AppError::Rule("reset_link_invalid", _)) {
                    page.dead = true;
                    page.token.clear();
                }
                page.error = Some(message);
                Ok(refused(page, e.status()))
            }
            None => Err(e),
        },
    }
}

/// The page again with its error.
fn refused(page: ResetPage, status: StatusCode) -> Response {
    let mut res = render(&page);
    *res.status_mut() = status;
    res
}

pub async fn update_password(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    set_password(state, csrf, AccountKind::User, form).await
}

pub async fn update_operator_password(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    set_password(state, csrf, AccountKind::Operator, form).await
}
