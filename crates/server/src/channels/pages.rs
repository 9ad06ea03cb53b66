//! WhatsApp numbers: the list with status, webhook URL and verify token
//! (with copy buttons), and connecting a number, which checks the
//! credentials against Meta (`channels::setup`).

use crate::auth::{Authorized, perm};
use crate::channels::setup::{self, ChannelDetails, ConnectChannel};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use store::channels::AppKind;

/// One number as the page shows it.
#[derive(Debug, Clone)]
pub struct NumberRow {
    pub id: String,
    pub phone_number_id: String,
    pub waba_id: String,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    pub app: &'static str,
    pub status: &'static str,
    pub status_reason: Option<String>,
    pub rate_limit: i64,
    pub webhook_url: String,
    pub verify_token: Option<String>,
}

impl From<ChannelDetails> for NumberRow {
    fn from(d: ChannelDetails) -> Self {
        let c = d.channel;
        NumberRow {
            id: c.id.to_string(),
            phone_number_id: c.phone_number_id,
            waba_id: c.waba_id,
            display_phone_number: c.display_phone_number,
            verified_name: c.verified_name,
            app: c.app_kind.as_str(),
            status: c.status.as_str(),
            status_reason: c.status_reason,
            rate_limit: c.rate_limit,
            webhook_url: d.webhook_url,
            verify_token: d.verify_token,
        }
    }
}

#[derive(Template)]
#[template(path = "settings_numbers.html")]
struct NumbersPage {
    shell: Shell,
    tab: &'static str,
    numbers: Vec<NumberRow>,
    can_manage: bool,
    platform_webhook: String,
    ok: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    read: &Authorized<perm::TenantRead>,
    ok: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let can_manage = read.allows(domain::Permission::SettingsManage);
    let numbers = setup::list_channels(state, read).await?;
    Ok(render(&NumbersPage {
        shell: shell.with_tab("settings"),
        tab: "numbers",
        numbers: numbers.into_iter().map(NumberRow::from).collect(),
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
    page(&state, shell, &read, None, None).await
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

impl NumberForm {
    fn parse(self) -> ConnectChannel {
        let own = self.app == "own";
        ConnectChannel {
            phone_number_id: self.phone_number_id.trim().to_owned(),
            waba_id: self.waba_id.trim().to_owned(),
            access_token: self.access_token.trim().to_owned(),
            app: if own { AppKind::Own } else { AppKind::Platform },
            app_secret: Some(self.app_secret).filter(|s| own && !s.trim().is_empty()),
            rate_limit: None,
        }
    }
}

pub async fn create_number(
    State(state): State<AppState>,
    shell: Shell,
    read: Authorized<perm::TenantRead>,
    manage: Authorized<perm::SettingsManage>,
    Form(form): Form<NumberForm>,
) -> AppResult<Response> {
    match setup::connect_channel(&state, &manage, form.parse()).await {
        Ok(connected) => {
            let c = connected.channel;
            let name = c.verified_name.unwrap_or_default();
            let ok = format!(
                "Meta accepted the credentials: {} {name} is connected.",
                c.display_phone_number
            );
            page(&state, shell, &read, Some(ok), None).await
        }
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &read, None, Some(msg)).await,
            None => Err(e),
        },
    }
}
