//! Security: TOTP enrolment with a QR code, confirmation (recovery codes
//! shown once) and turning it off, through the API's MFA handlers.

use crate::auth::{TenantCtx, totp};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::team::api::{DisableTotp, TotpCode};
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
    let (user_id, _, _) = ctx.require_user()?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let user = tx.find_user(user_id).await?;
    tx.commit().await?;
    let enabled = user.mfa_enabled();
    let pending = match (&user.totp_secret, enabled) {
        (Some(sealed), false) => {
            let secret = state
                .secrets
                .open_str(sealed)
                .map_err(crate::error::AppError::internal)?;
            let url = totp::provisioning_url(&secret, &user.email).unwrap_or_default();
            Some(Enrolment {
                qr_data_uri: qr_data_uri(&url).unwrap_or_default(),
                secret,
            })
        }
        _ => None,
    };
    Ok(render(&SecurityPage {
        shell: shell.with_tab("settings"),
        tab: "security",
        email: user.email,
        enabled,
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
    match crate::team::api::create_totp(State(state.clone()), ctx.clone()).await {
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
    let body = TotpCode {
        code: form.code.trim().to_owned(),
    };
    match crate::team::api::confirm_totp(State(state.clone()), ctx.clone(), ApiJson(body)).await {
        Ok(codes) => page(&state, shell, &ctx, codes.0.recovery_codes, None).await,
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
    let body = DisableTotp {
        password: form.password,
    };
    match crate::team::api::delete_totp(State(state.clone()), ctx.clone(), ApiJson(body)).await {
        Ok(_) => Ok(Redirect::to("/app/settings/security").into_response()),
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, Vec::new(), Some(msg)).await,
            None => Err(e),
        },
    }
}
