//! Setting up WhatsApp numbers: connecting one (its credentials checked
//! against Meta first), listing them, changing a number's throughput,
//! replacing its credentials, disconnecting it. Credentials are stored
//! sealed and never shown again; only the webhook URL and verify token the
//! tenant must give Meta are opened for display.

use crate::auth::TenantCtx;
use crate::auth::tokens::hash_token;
use crate::crypto::random_token;
use crate::error::{AppError, AppResult};
use crate::events::{self, Event};
use crate::state::AppState;
use crate::tenancy::limits::{self, Limit};
use domain::events::{ChannelRef, ChannelStatusChanged};
use domain::{ChannelId, Timestamp};
use serde_json::json;
use store::channels::{AppKind, Channel, ChannelStatus, NewChannel};
use store::{StoreError, TenantTx};
use whatsapp::ErrorClass;

/// Meta's default per-number throughput; the most a number may be set to.
pub const DEFAULT_RATE_LIMIT: i64 = 80;
pub const MAX_RATE_LIMIT: i64 = 1000;

/// A number with what the tenant must give Meta to receive its webhooks.
#[derive(Debug, Clone)]
pub struct ChannelDetails {
    pub channel: Channel,
    /// The callback URL to give Meta.
    pub webhook_url: String,
    /// The verify token to give Meta (own app only).
    pub verify_token: Option<String>,
}

fn details(state: &AppState, channel: Channel) -> AppResult<ChannelDetails> {
    let open = |sealed: Option<&str>| -> AppResult<Option<String>> {
        sealed
            .map(|s| state.secrets.open_str(s).map_err(AppError::internal))
            .transpose()
    };
    let webhook_url = match open(channel.webhook_token.as_deref())? {
        Some(t) => format!("{}/webhooks/whatsapp/{t}", state.config.public_url),
        None => format!("{}/webhooks/whatsapp", state.config.public_url),
    };
    let verify_token = open(channel.verify_token.as_deref())?;
    Ok(ChannelDetails {
        channel,
        webhook_url,
        verify_token,
    })
}

/// A number to connect.
#[derive(Debug, Clone)]
pub struct ConnectChannel {
    pub phone_number_id: String,
    pub waba_id: String,
    /// A Meta access token with access to the number.
    pub access_token: String,
    /// Whose Meta app delivers this number's webhooks.
    pub app: AppKind,
    /// Required with [`AppKind::Own`], refused with [`AppKind::Platform`].
    pub app_secret: Option<String>,
    /// Messages per second, 1 to 1000; [`DEFAULT_RATE_LIMIT`] when `None`.
    pub rate_limit: Option<i64>,
}

fn check_id(field: &'static str, v: &str) -> AppResult<()> {
    if v.is_empty() || v.len() > 32 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::validation(field, "must be Meta's numeric id"));
    }
    Ok(())
}

fn check_rate(rate: Option<i64>) -> AppResult<i64> {
    let r = rate.unwrap_or(DEFAULT_RATE_LIMIT);
    if !(1..=MAX_RATE_LIMIT).contains(&r) {
        return Err(AppError::validation(
            "rate_limit",
            "must be 1 to 1000 messages per second",
        ));
    }
    Ok(r)
}

fn taken() -> AppError {
    AppError::Conflict(
        "phone_number_taken",
        "this phone number is already connected to a tenant".into(),
    )
}

/// Asks Meta whether `token` can use the number; returns what Meta says
/// about it.
async fn check_credentials(
    state: &AppState,
    phone_number_id: &str,
    token: &str,
) -> AppResult<whatsapp::client::PhoneNumberInfo> {
    match state
        .graph
        .phone_number_info(
            phone_number_id,
            token,
            &[
                "display_phone_number",
                "verified_name",
                "messaging_limit_tier",
                "whatsapp_business_manager_messaging_limit",
            ],
        )
        .await
    {
        Ok(info) => Ok(info),
        Err(e) => match e.class() {
            ErrorClass::Retryable { .. } => Err(AppError::Unavailable(
                "meta_unavailable",
                "Meta could not be reached to check the credentials; try again".into(),
            )),
            ErrorClass::Permanent { .. } | ErrorClass::Credentials { .. } => Err(AppError::Rule(
                "credentials_rejected",
                format!("Meta rejected these credentials: {e}"),
            )),
        },
    }
}

/// Connects a WhatsApp number once Meta has accepted its credentials. A
/// number belongs to one tenant, and takes one of the plan's numbers.
pub async fn connect_channel(
    state: &AppState,
    ctx: &TenantCtx,
    input: ConnectChannel,
) -> AppResult<ChannelDetails> {
    check_id("phone_number_id", &input.phone_number_id)?;
    check_id("waba_id", &input.waba_id)?;
    let rate = check_rate(input.rate_limit)?;
    let access_token = input.access_token.trim();
    if access_token.is_empty() {
        return Err(AppError::validation("access_token", "must not be empty"));
    }
    let app_secret = match (input.app, input.app_secret.as_deref().map(str::trim)) {
        (AppKind::Own, Some(s)) if !s.is_empty() => Some(s),
        (AppKind::Own, _) => {
            return Err(AppError::validation(
                "app_secret",
                "required for your own Meta app",
            ));
        }
        (AppKind::Platform, Some(_)) => {
            return Err(AppError::validation(
                "app_secret",
                "only for your own Meta app",
            ));
        }
        (AppKind::Platform, None) => None,
    };
    let info = check_credentials(state, &input.phone_number_id, access_token).await?;
    // A number already connected (here or elsewhere) is a conflict whatever
    // the plan allows; the unique key still catches a concurrent connection.
    let mut sys = state.store.system_read().await?;
    match sys
        .find_channel_by_phone_number_id(&input.phone_number_id)
        .await
    {
        Ok(_) => return Err(taken()),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    sys.commit().await?;
    let now = state.now();
    let (webhook_token, verify_token) = match input.app {
        AppKind::Own => (Some(random_token::<32>()), Some(random_token::<18>())),
        AppKind::Platform => (None, None),
    };
    let seal = |s: &str| state.secrets.seal_str(s);
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    limits::take(&mut tx, Limit::Numbers, now).await?;
    let channel = tx
        .insert_channel(NewChannel {
            phone_number_id: &input.phone_number_id,
            waba_id: &input.waba_id,
            display_phone_number: info
                .display_phone_number
                .as_deref()
                .unwrap_or(&input.phone_number_id),
            verified_name: info.verified_name.as_deref(),
            access_token_sealed: &seal(access_token),
            app_kind: input.app,
            app_secret_sealed: app_secret.map(seal).as_deref(),
            webhook_token_hash: webhook_token.as_deref().map(hash_token).as_deref(),
            webhook_token_sealed: webhook_token.as_deref().map(seal).as_deref(),
            verify_token_sealed: verify_token.as_deref().map(seal).as_deref(),
            rate_limit: rate,
            now,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => taken(),
            other => other.into(),
        })?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "channel.create",
        ("channel", channel.id.to_string()),
        json!({ "phone_number_id": channel.phone_number_id, "app": channel.app_kind.as_str() }),
    )
    .await?;
    let connected = ChannelRef {
        channel_id: channel.id,
        phone_number_id: channel.phone_number_id.clone(),
    };
    events::record(&mut tx, Event::ChannelConnected(connected), now);
    // Meta's messaging-limit tier, where it says (campaigns keep within it).
    let tier = info
        .extra
        .get("whatsapp_business_manager_messaging_limit")
        .and_then(|v| v.as_str())
        .or(info.messaging_limit_tier.as_deref())
        .and_then(crate::campaigns::tier::Tier::parse);
    if let Some(t) = tier {
        tx.set_channel_messaging_tier(channel.id, Some(t.as_str()), now)
            .await?;
    }
    tx.commit().await?;
    details(state, channel)
}

/// The tenant's numbers. A tenant has a handful: never paged.
pub async fn list_channels(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<ChannelDetails>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let channels = tx.list_channels().await?;
    tx.commit().await?;
    channels.into_iter().map(|c| details(state, c)).collect()
}

/// One number.
pub async fn get_channel(
    state: &AppState,
    ctx: &TenantCtx,
    id: ChannelId,
) -> AppResult<ChannelDetails> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let channel = tx.find_channel(id).await?;
    tx.commit().await?;
    details(state, channel)
}

/// What to change about a number; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct ChannelChange {
    /// Messages per second, 1 to 1000.
    pub rate_limit: Option<i64>,
}

/// Changes a number's settings.
pub async fn update_channel(
    state: &AppState,
    ctx: &TenantCtx,
    id: ChannelId,
    change: ChannelChange,
) -> AppResult<ChannelDetails> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let current = tx.find_channel(id).await?;
    let rate = check_rate(change.rate_limit.or(Some(current.rate_limit)))?;
    tx.set_channel_rate_limit(id, rate, now).await?;
    let channel = tx.find_channel(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "channel.update",
        ("channel", id.to_string()),
        json!({ "rate_limit": rate }),
    )
    .await?;
    tx.commit().await?;
    details(state, channel)
}

/// New credentials for a number.
#[derive(Debug, Clone)]
pub struct NewCredentials {
    pub access_token: String,
    /// For own-app numbers: a new app secret (optional).
    pub app_secret: Option<String>,
}

/// Replaces a number's credentials once Meta has accepted them. A number
/// that needed credentials becomes active again.
pub async fn update_channel_credentials(
    state: &AppState,
    ctx: &TenantCtx,
    id: ChannelId,
    input: NewCredentials,
) -> AppResult<ChannelDetails> {
    // No transaction is held open while Meta is asked.
    let current = {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let current = tx.find_channel(id).await?;
        tx.commit().await?;
        current
    };
    if input.app_secret.is_some() && current.app_kind != AppKind::Own {
        return Err(AppError::validation(
            "app_secret",
            "only for your own Meta app",
        ));
    }
    let access_token = input.access_token.trim();
    check_credentials(state, &current.phone_number_id, access_token).await?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let sealed_secret = input
        .app_secret
        .as_deref()
        .map(|s| state.secrets.seal_str(s.trim()));
    let channel = tx
        .update_channel_credentials(
            id,
            &state.secrets.seal_str(access_token),
            sealed_secret.as_deref(),
            now,
        )
        .await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "channel.rotate_credentials",
        ("channel", id.to_string()),
        json!({}),
    )
    .await?;
    if current.status != channel.status {
        let changed = ChannelStatusChanged {
            channel_id: id,
            status: channel.status.as_str().to_owned(),
            reason: channel.status_reason.clone(),
        };
        events::record(&mut tx, Event::ChannelStatusChanged(changed), now);
    }
    // Sends that waited for these credentials go now.
    super::deliver::wake_waiting_sends(&mut tx, now).await?;
    tx.commit().await?;
    details(state, channel)
}

/// Disconnects a number. Its conversations and messages stay.
pub async fn delete_channel(state: &AppState, ctx: &TenantCtx, id: ChannelId) -> AppResult<()> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let channel = tx.find_channel(id).await?;
    tx.delete_channel(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "channel.delete",
        ("channel", id.to_string()),
        json!({}),
    )
    .await?;
    let removed = ChannelRef {
        channel_id: id,
        phone_number_id: channel.phone_number_id,
    };
    events::record(&mut tx, Event::ChannelRemoved(removed), now);
    tx.commit().await?;
    Ok(())
}

/// Marks a number whose token Meta rejected, in the caller's transaction;
/// sends stop until its credentials are replaced.
pub(crate) async fn mark_needs_credentials(
    tx: &mut TenantTx,
    c: &Channel,
    reason: &str,
    now: Timestamp,
) -> store::StoreResult<()> {
    tx.set_channel_status(c.id, ChannelStatus::NeedsCredentials, Some(reason), now)
        .await?;
    if c.status != ChannelStatus::NeedsCredentials {
        let changed = ChannelStatusChanged {
            channel_id: c.id,
            status: ChannelStatus::NeedsCredentials.as_str().to_owned(),
            reason: Some(reason.to_owned()),
        };
        events::record(tx, Event::ChannelStatusChanged(changed), now);
    }
    Ok(())
}
