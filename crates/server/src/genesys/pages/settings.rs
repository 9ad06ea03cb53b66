//! Settings → Genesys: the workspace's credentials (kept only once Genesys
//! gave a token for them; the secret is never shown again) and, for each
//! connected number, its link: the integration, the webhook URL Genesys
//! posts its agents' messages to, which conversations go to Genesys and
//! the keywords that hand one over.

use super::routing_words;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::channels::setup;
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::genesys::account::{self, AccountInput, AccountView};
use crate::genesys::links::{self, LinkInput, LinkView};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ChannelId, Timestamp};
use serde::Deserialize;

pub const PATH: &str = "/app/settings/genesys";

/// The credentials form as sent (and as shown again after a refusal,
/// without the secret).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
}

/// A number's link form as sent, or as shown.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pub routing: String,
    /// Separated by commas.
    #[serde(default)]
    pub keywords: String,
    /// Another existing integration to use; empty keeps the link's, or
    /// has one created.
    #[serde(default)]
    pub integration_id: String,
}

impl LinkForm {
    fn input(&self) -> LinkInput {
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        LinkInput {
            integration_id: given(&self.integration_id),
            routing: given(&self.routing),
            keywords: Some(
                self.keywords
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        }
    }

    fn of(l: &LinkView) -> LinkForm {
        LinkForm {
            routing: l.routing.clone(),
            keywords: l.keywords.join(", "),
            integration_id: String::new(),
        }
    }
}

/// The stored credentials as the page shows them.
#[derive(Debug, Clone)]
pub struct AccountRow {
    /// The region's name when it is a known one, else its host.
    pub region: String,
    pub client_id: String,
    pub verified: String,
}

/// A number's link as the page shows it.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub integration_id: String,
    pub webhook_url: String,
    pub routing: &'static str,
    pub keywords: String,
}

/// One connected number with its link and its form.
#[derive(Debug, Clone)]
pub struct NumberRow {
    pub id: String,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    pub link: Option<LinkRow>,
    pub form: LinkForm,
    /// A refusal of this number's form.
    pub error: Option<String>,
}

/// A form the rules refused, with what was typed.
enum Refused {
    Account(AccountForm, String),
    Link(ChannelId, LinkForm, String),
}

#[derive(Template)]
#[template(path = "genesys_settings.html")]
struct SettingsPage {
    shell: Shell,
    tab: &'static str,
    account: Option<AccountRow>,
    form: AccountForm,
    regions: Vec<&'static str>,
    numbers: Vec<NumberRow>,
    ok: Option<&'static str>,
    error: Option<String>,
}

/// What was just done, as the redirect's `?done=` says.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

impl DoneQuery {
    fn flash(&self) -> Option<&'static str> {
        match self.done.as_str() {
            "saved" => Some("Genesys accepted the credentials; they are saved."),
            "removed" => Some(
                "The credentials are removed. Linked numbers stay linked, idle, until \
                 credentials are set again.",
            ),
            "linked" => Some(
                "Linked. Genesys posts its agents' messages to the number's webhook URL below.",
            ),
            "changed" => Some("The link is saved."),
            "unlinked" => Some("Unlinked: its conversations with Genesys came back to the inbox."),
            _ => None,
        }
    }
}

fn region_name(host: &str) -> String {
    genesys::region::REGIONS
        .iter()
        .find(|(_, h)| *h == host)
        .map_or(host, |(name, _)| name)
        .to_owned()
}

fn account_row(a: &AccountView, now: Timestamp) -> AccountRow {
    AccountRow {
        region: region_name(&a.region),
        client_id: a.client_id.clone(),
        verified: Timestamp::parse_rfc3339(&a.verified_at)
            .map(|t| when(t, now))
            .unwrap_or_default(),
    }
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    ok: Option<&'static str>,
    refused: Option<Refused>,
) -> AppResult<Response> {
    let now = state.now();
    let account = account::get_account(state, ctx).await?;
    let linked = links::list_links(state, ctx).await?;
    let channels = setup::list_channels(state, ctx).await?;
    let mut error = None;
    let mut form = account
        .as_ref()
        .map_or_else(AccountForm::default, |a| AccountForm {
            region: region_name(&a.region),
            client_id: a.client_id.clone(),
            client_secret: String::new(),
        });
    let mut numbers: Vec<NumberRow> = channels
        .into_iter()
        .map(|d| {
            let c = d.channel;
            let link = linked.iter().find(|l| l.channel_id == c.id);
            NumberRow {
                id: c.id.to_string(),
                display_phone_number: c.display_phone_number,
                verified_name: c.verified_name,
                form: link.map(LinkForm::of).unwrap_or_default(),
                link: link.map(|l| LinkRow {
                    integration_id: l.integration_id.clone(),
                    webhook_url: l.webhook_url.clone(),
                    routing: routing_words(&l.routing),
                    keywords: l.keywords.join(", "),
                }),
                error: None,
            }
        })
        .collect();
    match refused {
        Some(Refused::Account(typed, msg)) => {
            form = AccountForm {
                client_secret: String::new(),
                ..typed
            };
            error = Some(msg);
        }
        Some(Refused::Link(channel, typed, msg)) => {
            let id = channel.to_string();
            if let Some(n) = numbers.iter_mut().find(|n| n.id == id) {
                n.form = typed;
                n.error = Some(msg);
            }
        }
        None => {}
    }
    Ok(render(&SettingsPage {
        shell: shell.with_tab("settings"),
        tab: "genesys",
        account: account.as_ref().map(|a| account_row(a, now)),
        form,
        regions: genesys::region::REGIONS.iter().map(|(n, _)| *n).collect(),
        numbers,
        ok,
        error,
    }))
}

/// The page with a refusal beside its form (at the refusal's status), or
/// the error page for what the user cannot fix here.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    e: AppError,
    shown: impl FnOnce(String) -> Refused,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = page(state, shell, ctx, None, Some(shown(msg))).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

fn back(done: &str) -> Response {
    Redirect::to(&format!("{PATH}?done={done}")).into_response()
}

pub async fn view_genesys_settings(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, q.flash(), None).await
}

pub async fn update_account(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let input = AccountInput {
        region: form.region.clone(),
        client_id: form.client_id.clone(),
        client_secret: Some(form.client_secret.clone()).filter(|s| !s.trim().is_empty()),
    };
    match account::set_account(&state, &ctx, input).await {
        Ok(_) => Ok(back("saved")),
        Err(e) => refused(&state, shell, &ctx, e, |m| Refused::Account(form, m)).await,
    }
}

pub async fn delete_account(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
) -> AppResult<Response> {
    account::remove_account(&state, &ctx).await?;
    Ok(back("removed"))
}

pub async fn update_link(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(channel): ApiPath<ChannelId>,
    Form(form): Form<LinkForm>,
) -> AppResult<Response> {
    match links::set_link(&state, &ctx, channel, form.input()).await {
        Ok((_, true)) => Ok(back("linked")),
        Ok((_, false)) => Ok(back("changed")),
        Err(e) => refused(&state, shell, &ctx, e, |m| Refused::Link(channel, form, m)).await,
    }
}

pub async fn delete_link(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(channel): ApiPath<ChannelId>,
) -> AppResult<Response> {
    links::remove_link(&state, &ctx, channel).await?;
    Ok(back("unlinked"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_read_from_a_comma_separated_field() {
        let form = LinkForm {
            routing: "handover".into(),
            keywords: " agent, human ,,".into(),
            integration_id: " ".into(),
        };
        let input = form.input();
        assert_eq!(input.keywords.unwrap(), ["agent", "human"]);
        assert_eq!(input.routing.as_deref(), Some("handover"));
        assert!(
            input.integration_id.is_none(),
            "empty keeps the integration"
        );
        assert_eq!(region_name("mypurecloud.ie"), "eu-west-1");
        assert_eq!(region_name("example.pure.cloud"), "example.pure.cloud");
    }
}
