//! WhatsApp numbers: the list with status, webhook URL and verify token
//! (with copy buttons), and connecting a number, which checks the
//! credentials against Meta through the API's handler.

use crate::auth::{Authorized, perm};
use crate::channels::api::{AppChoice, ChannelView, CreateChannel};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings_numbers.html")]
struct NumbersPage {
    shell: Shell,
    tab: &'static str,
    numbers: Vec<ChannelView>,
    can_manage: bool,
    platform_webhook: String,
    ok: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    read: Authorized<perm::TenantRead>,
    ok: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let can_manage = read.allows(domain::Permission::SettingsManage);
    let numbers = crate::channels::api::list_channels(State(state.clone()), read)
        .await?
        .0
        .items;
    Ok(render(&NumbersPage {
        shell: shell.with_tab("settings"),
        tab: "numbers",
        numbers,
        can_manage,
        platform_webhook: format!("{}/webhooks/whatsapp", state.config.public_url),
        ok,
        error,
    }))
}

pub async fn view_numbers(
    State(state): State<AppState>,
    shell: Shell,
    read: Authorized<perm::TenantRead>,
) -> AppResult<Response> {
    page(&state, shell, read, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct NumberForm {
    phone_number_id: String,
    waba_id: String,
    access_token: String,
    #[serde(default)]
    app: String,
    #[serde(default)]
    app_secret: String,
}

pub async fn create_number(
    State(state): State<AppState>,
    shell: Shell,
    read: Authorized<perm::TenantRead>,
    manage: Authorized<perm::SettingsManage>,
    Form(form): Form<NumberForm>,
) -> AppResult<Response> {
    let own = form.app == "own";
    let body = CreateChannel {
        phone_number_id: form.phone_number_id.trim().to_owned(),
        waba_id: form.waba_id.trim().to_owned(),
        access_token: form.access_token.trim().to_owned(),
        app: if own {
            AppChoice::Own
        } else {
            AppChoice::Platform
        },
        app_secret: Some(form.app_secret).filter(|s| own && !s.trim().is_empty()),
        rate_limit: None,
    };
    match crate::channels::api::create_channel(State(state.clone()), manage, ApiJson(body)).await {
        Ok((_, created)) => {
            let c = created.0;
            let name = c.verified_name.unwrap_or_default();
            let ok = format!(
                "Meta accepted the credentials: {} {name} is connected.",
                c.display_phone_number
            );
            page(&state, shell, read, Some(ok), None).await
        }
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, read, None, Some(msg)).await,
            None => Err(e),
        },
    }
}
