//! Each number's Open Messaging integration: made by Switchboard through
//! the Genesys API, or an existing one (whose webhook URL and secret are
//! then set to ours); the webhook URL Genesys posts agents' messages to
//! (`/webhooks/genesys/{link id}`) and its signature secret (generated,
//! sealed); and which conversations go to Genesys: every one of the
//! number (`all`), or those handed over (`handover`: by a keyword, an
//! automation or someone in the inbox).

use super::account::refusal;
use super::consumer::Bridge;
use super::handover::{self, Reason};
use super::tokens::call;
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult, FieldError};
use crate::events::Consumer as _;
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::GenesysLinkRef;
use domain::{ChannelId, GenesysLinkId, Permission};
use genesys::wire::IntegrationRequest;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::genesys::GenesysLink;
use utoipa::ToSchema;

/// Keywords a number may have, at most.
pub const MAX_KEYWORDS: usize = 20;
/// A keyword's length, at most.
pub const MAX_KEYWORD_CHARS: usize = 40;

/// A number's link as set.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// Genesys' id of an existing Open Messaging integration; left out,
    /// the link keeps its integration, or Switchboard creates one.
    #[serde(default)]
    pub integration_id: Option<String>,
    /// `all` or `handover` (the default).
    #[serde(default)]
    pub routing: Option<String>,
    /// Words a customer hands the conversation over with ("agent",
    /// "human"), matched as whole words in any case.
    #[serde(default)]
    pub keywords: Option<Vec<String>>,
}

/// A number's link as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub id: GenesysLinkId,
    pub channel_id: ChannelId,
    pub integration_id: String,
    /// Where Genesys posts its agents' messages.
    pub webhook_url: String,
    pub routing: String,
    pub keywords: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl LinkView {
    pub fn new(state: &AppState, l: &GenesysLink) -> Self {
        LinkView {
            id: l.id,
            channel_id: l.channel_id,
            integration_id: l.integration_id.clone(),
            webhook_url: webhook_url(state, l.id),
            routing: l.routing.clone(),
            keywords: l.keywords.clone(),
            created_at: l.created_at.to_rfc3339_millis(),
            updated_at: l.updated_at.to_rfc3339_millis(),
        }
    }
}

/// The URL Genesys posts link `id`'s agents' messages to.
pub fn webhook_url(state: &AppState, id: GenesysLinkId) -> String {
    format!("{}/webhooks/genesys/{id}", state.config.public_url)
}

/// Every number's link (`settings:manage`).
pub async fn list_links(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<LinkView>> {
    ctx.require(Permission::SettingsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let links = tx.list_genesys_links().await?;
    tx.commit().await?;
    Ok(links.iter().map(|l| LinkView::new(state, l)).collect())
}

/// Checked routing and keywords.
fn checked(input: &LinkInput, before: Option<&GenesysLink>) -> AppResult<(String, Vec<String>)> {
    let mut errors = Vec::new();
    let routing = match input.routing.as_deref().map(str::trim) {
        Some(r @ ("all" | "handover")) => r.to_owned(),
        Some(_) => {
            errors.push(field_error("routing", "`all` or `handover`"));
            String::new()
        }
        None => before.map_or_else(|| "handover".to_owned(), |l| l.routing.clone()),
    };
    let keywords = match &input.keywords {
        Some(words) => {
            let mut out: Vec<String> = Vec::new();
            for w in words {
                let w = w.trim().to_lowercase();
                if w.is_empty() || w.chars().count() > MAX_KEYWORD_CHARS {
                    errors.push(field_error(
                        "keywords",
                        format!("each from 1 to {MAX_KEYWORD_CHARS} characters"),
                    ));
                    break;
                }
                if !out.contains(&w) {
                    out.push(w);
                }
            }
            if out.len() > MAX_KEYWORDS {
                errors.push(field_error("keywords", format!("at most {MAX_KEYWORDS}")));
            }
            out
        }
        None => before.map(|l| l.keywords.clone()).unwrap_or_default(),
    };
    if let Some(id) = &input.integration_id {
        let id = id.trim();
        if id.is_empty()
            || id.len() > 100
            || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.push(field_error(
                "integration_id",
                "a Genesys integration id (a UUID)",
            ));
        }
    }
    if errors.is_empty() {
        Ok((routing, keywords))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Links number `channel` to Genesys, or changes its link
/// (`settings:manage`): a new integration is created (or the named one
/// pointed at us) whenever the link has none yet or another is named.
/// Audited as `genesys.link`, told as `genesys_link.updated`; the link and
/// whether it is new.
pub async fn set_link(
    state: &AppState,
    ctx: &TenantCtx,
    channel: ChannelId,
    input: LinkInput,
) -> AppResult<(LinkView, bool)> {
    ctx.require(Permission::SettingsManage)?;
    let (channel_row, before) = {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let c = tx.find_channel(channel).await?;
        let l = tx.find_genesys_link_of(channel).await?;
        tx.commit().await?;
        (c, l)
    };
    let (routing, keywords) = checked(&input, before.as_ref())?;
    let now = state.now();
    let named = input.integration_id.as_deref().map(str::trim);
    let id = before.as_ref().map_or_else(GenesysLinkId::new, |l| l.id);
    let needs_integration = match (&before, named) {
        (None, _) => true,
        (Some(l), Some(n)) => n != l.integration_id,
        (Some(_), None) => false,
    };
    let (integration_id, sealed_secret) = if needs_integration {
        let secret = crate::crypto::random_token::<32>();
        let request = IntegrationRequest {
            name: format!(
                "Switchboard {} ({})",
                channel_row.display_phone_number, channel_row.phone_number_id
            ),
            outbound_notification_webhook_url: webhook_url(state, id),
            outbound_notification_webhook_signature_secret_token: secret.clone(),
            webhook_headers: None,
        };
        let integration = match named {
            Some(existing) => {
                let existing = existing.to_owned();
                call!(state, ctx.tenant_id, |c, s| c
                    .update_integration(s, &existing, &request))
                .await
            }
            None => {
                call!(state, ctx.tenant_id, |c, s| c
                    .create_integration(s, &request))
                .await
            }
        }
        .map_err(refusal)?;
        (integration.id, state.secrets.seal_str(&secret))
    } else {
        let l = before.as_ref().ok_or(AppError::NotFound)?;
        (l.integration_id.clone(), l.webhook_secret.clone())
    };
    let link = GenesysLink {
        tenant_id: ctx.tenant_id,
        id,
        channel_id: channel,
        integration_id,
        webhook_secret: sealed_secret,
        routing,
        keywords,
        created_at: before.as_ref().map_or(now, |l| l.created_at),
        updated_at: now,
    };
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    if tx.list_genesys_links().await?.is_empty() {
        // The bridge's consumer (idle while no number was linked) starts
        // at the log's end: customers' messages from now on are its to
        // carry, none from before.
        tx.lock_cursor(Bridge::NAME, Bridge::START).await?;
        let latest = tx.latest_event_seq().await?;
        tx.advance_cursor(Bridge::NAME, latest, now).await?;
    }
    let stored = tx.upsert_genesys_link(&link).await?;
    record(&mut tx, Event::GenesysLinkUpdated(link_ref(&stored)), now);
    let details = json!({ "channel_id": channel, "integration_id": stored.integration_id,
        "routing": stored.routing, "keywords": stored.keywords,
        "integration": if needs_integration { if named.is_some() { "pointed" } else { "created" } } else { "kept" } });
    let target = ("genesys_link", stored.id.to_string());
    crate::audit::tenant_change(&mut tx, ctx, now, "genesys.link", target, details).await?;
    tx.commit().await?;
    Ok((LinkView::new(state, &stored), before.is_none()))
}

/// Removes number `channel`'s link (`settings:manage`): its conversations
/// with Genesys come back to the inbox. Audited as `genesys.link_removed`.
pub async fn remove_link(state: &AppState, ctx: &TenantCtx, channel: ChannelId) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let link = tx
        .find_genesys_link_of(channel)
        .await?
        .ok_or(AppError::NotFound)?;
    for h in tx.open_handovers_of_link(link.id).await? {
        handover::hand_back_in(&mut tx, &h, Reason::Unlinked, "system", now).await?;
    }
    tx.delete_genesys_link(link.id).await?;
    record(&mut tx, Event::GenesysLinkRemoved(link_ref(&link)), now);
    let target = ("genesys_link", link.id.to_string());
    let details = json!({ "channel_id": channel, "integration_id": link.integration_id });
    crate::audit::tenant_change(&mut tx, ctx, now, "genesys.link_removed", target, details).await?;
    tx.commit().await?;
    Ok(())
}

fn link_ref(l: &GenesysLink) -> GenesysLinkRef {
    GenesysLinkRef {
        link_id: l.id,
        channel_id: l.channel_id,
        integration_id: l.integration_id.clone(),
        routing: l.routing.clone(),
    }
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}
