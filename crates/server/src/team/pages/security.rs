//! Security: TOTP enrolment with a QR code, confirmation (recovery codes
//! shown once) and turning it off, through the rules in [`crate::team::mfa`].

use crate::auth::TenantCtx;
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::state::AppState;
use crate::team::mfa;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings_security.html")]
struct SecurityPage {
    shell: Shell,
    tab: &'static str,
    email: String,
    enabled: bool,
    /// While enrolment waits for its first code: the seed and its QR code.
    pending: Option<Enrolment>,
    recovery_codes: Vec<String>,
    error: Option<String>,
}

struct Enrolment {
    secret: String,
    qr_data_uri: String,
}

fn qr_data_uri(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let b64 = base64::engine::general_purpose::STANDARD.encode(svg);
    Some(format!("data:image/svg+xml;base64,{b64}"))
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    recovery_codes: Vec<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let status = mfa::get_mfa_status(state, ctx).await?;
    let pending = status.pending.map(|p| Enrolment {
        qr_data_uri: qr_data_uri(&p.otpauth_url).unwrap_or_default(),
        secret: p.secret,
    });
    Ok(render(&SecurityPage {
        shell: shell.with_tab("settings"),
        tab: "security",
        email: status.email,
        enabled: status.enabled,
        pending,
        recovery_codes,
        error,
    }))
}

pub async fn view_security(
    State(state): State<AppState>,
    shell: Shell,
    ctx: TenantCtx,
) -> AppResult<Response> {
    page(&state, shell, &ctx, Vec::new(), None).await
}

pub async fn start_totp(
    State(state): State<AppState>,
    shell: Shell,
    ctx: TenantCtx,
) -> AppResult<Response> {
    match mfa::start_totp(&state, &ctx).await {
        Ok(_) => Ok(Redirect::to("/app/settings/security").into_response()),
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, Vec::new(), Some(msg)).await,
            None => Err(e),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn confirm_totp(
    State(state): State<AppState>,
    shell: Shell,
    ctx: TenantCtx,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    match mfa::confirm_totp(&state, &ctx, form.code.trim()).await {
        Ok(codes) => page(&state, shell, &ctx, codes, None).await,
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, Vec::new(), Some(msg)).await,
            None => Err(e),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn disable_totp(
    State(state): State<AppState>,
    shell: Shell,
    ctx: TenantCtx,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    match mfa::disable_totp(&state, &ctx, &form.password).await {
        Ok(_) => Ok(Redirect::to("/app/settings/security").into_response()),
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, Vec::new(), Some(msg)).await,
            None => Err(e),
        },
    }
}
