//! Connected WhatsApp numbers. Access tokens and app secrets are stored
//! sealed (the server seals them; the store never sees plaintext).

use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{ChannelId, TenantId, Timestamp};
use uuid::Uuid;

/// Whose Meta app delivers this number's webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    /// The platform's app: `/webhooks/whatsapp`, platform app secret.
    Platform,
    /// The tenant's own app: `/webhooks/whatsapp/{token}`, its own secret.
    Own,
}

impl AppKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AppKind::Platform => "platform",
            AppKind::Own => "own",
        }
    }
    fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "platform" => Ok(AppKind::Platform),
            "own" => Ok(AppKind::Own),
            o => Err(StoreError::corrupt(format!("app kind {o}"))),
        }
    }
}

/// Whether a number can send. Only `Active` can; `status_reason` says
/// why the others cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelStatus {
    Active,
    /// Meta rejected the token; sends stop until it is replaced.
    NeedsCredentials,
    /// Meta restricted the account's messaging (`account_update`
    /// ACCOUNT_RESTRICTION), until Meta lifts it.
    Restricted,
    /// Meta disabled (banned) the account (`DISABLED_UPDATE`), until
    /// reinstated.
    Disabled,
    /// The account was deleted, unshared from the platform, or offboarded
    /// (`ACCOUNT_DELETED`, `PARTNER_REMOVED`, `ACCOUNT_OFFBOARDED`).
    Offboarded,
}

impl ChannelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelStatus::Active => "active",
            ChannelStatus::NeedsCredentials => "needs_credentials",
            ChannelStatus::Restricted => "restricted",
            ChannelStatus::Disabled => "disabled",
            ChannelStatus::Offboarded => "offboarded",
        }
    }
    fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "active" => Ok(ChannelStatus::Active),
            "needs_credentials" => Ok(ChannelStatus::NeedsCredentials),
            "restricted" => Ok(ChannelStatus::Restricted),
            "disabled" => Ok(ChannelStatus::Disabled),
            "offboarded" => Ok(ChannelStatus::Offboarded),
            o => Err(StoreError::corrupt(format!("channel status {o}"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub tenant_id: TenantId,
    pub id: ChannelId,
    pub phone_number_id: String,
    pub waba_id: String,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    /// Sealed.
    pub access_token: String,
    pub app_kind: AppKind,
    /// Sealed; own-app channels only.
    pub app_secret: Option<String>,
    /// Sealed: the path token of the own-app webhook URL.
    pub webhook_token: Option<String>,
    /// Sealed: the verify token Meta's subscription check must present.
    pub verify_token: Option<String>,
    pub status: ChannelStatus,
    pub status_reason: Option<String>,
    /// Messages per second this number may send.
    pub rate_limit: i64,
    /// The team its new conversations go to.
    pub team_id: Option<domain::TeamId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct ChannelRow {
    tenant_id: Uuid,
    id: Uuid,
    phone_number_id: String,
    waba_id: String,
    display_phone_number: String,
    verified_name: Option<String>,
    access_token: String,
    app_kind: String,
    app_secret: Option<String>,
    webhook_token: Option<String>,
    verify_token: Option<String>,
    status: String,
    status_reason: Option<String>,
    rate_limit: i64,
    team_id: Option<Uuid>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ChannelRow> for Channel {
    type Error = StoreError;
    fn try_from(r: ChannelRow) -> StoreResult<Self> {
        Ok(Channel {
            tenant_id: TenantId::from_uuid(r.tenant_id),
            id: ChannelId::from_uuid(r.id),
            phone_number_id: r.phone_number_id,
            waba_id: r.waba_id,
            display_phone_number: r.display_phone_number,
            verified_name: r.verified_name,
            access_token: r.access_token,
            app_kind: AppKind::parse(&r.app_kind)?,
            app_secret: r.app_secret,
            webhook_token: r.webhook_token,
            verify_token: r.verify_token,
            status: ChannelStatus::parse(&r.status)?,
            status_reason: r.status_reason,
            rate_limit: r.rate_limit,
            team_id: r.team_id.map(domain::TeamId::from_uuid),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

fn channels(rows: Vec<ChannelRow>) -> StoreResult<Vec<Channel>> {
    rows.into_iter().map(Channel::try_from).collect()
}

#[derive(Debug, Clone)]
pub struct NewChannel<'a> {
    pub phone_number_id: &'a str,
    pub waba_id: &'a str,
    pub display_phone_number: &'a str,
    pub verified_name: Option<&'a str>,
    pub access_token_sealed: &'a str,
    pub app_kind: AppKind,
    pub app_secret_sealed: Option<&'a str>,
    /// SHA-256 (hex) of the webhook path token: how deliveries find it.
    pub webhook_token_hash: Option<&'a str>,
    pub webhook_token_sealed: Option<&'a str>,
    pub verify_token_sealed: Option<&'a str>,
    pub rate_limit: i64,
    pub now: Timestamp,
}

impl TenantTx {
    pub async fn insert_channel(&mut self, c: NewChannel<'_>) -> StoreResult<Channel> {
        let id = ChannelId::new();
        exec!(&mut self.tx, |x| sqlx::query(
            "INSERT INTO channels (tenant_id, id, phone_number_id, waba_id, display_phone_number, \
                                   verified_name, access_token, app_kind, app_secret, \
                                   webhook_token_hash, webhook_token, verify_token, status, \
                                   rate_limit, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13, $14, $14)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(c.phone_number_id)
        .bind(c.waba_id)
        .bind(c.display_phone_number)
        .bind(c.verified_name)
        .bind(c.access_token_sealed)
        .bind(c.app_kind.as_str())
        .bind(c.app_secret_sealed)
        .bind(c.webhook_token_hash)
        .bind(c.webhook_token_sealed)
        .bind(c.verify_token_sealed)
        .bind(c.rate_limit)
        .bind(c.now.as_millis())
        .execute(x)
        .await)?;
        self.find_channel(id).await
    }

    /// Reserves the next send slot of channel `id`, `interval_us` after the
    /// previous one and never before `now_us`, and returns its start. The
    /// row lock makes concurrent reservations, from any node, queue up one
    /// interval apart: the number's rate holds across nodes.
    pub async fn reserve_send_slot(
        &mut self,
        id: ChannelId,
        now_us: i64,
        interval_us: i64,
    ) -> StoreResult<i64> {
        let slot: Option<i64> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "UPDATE channels \
             SET send_slot_us = CASE WHEN send_slot_us > $3 THEN send_slot_us ELSE $3 END + $4 \
             WHERE tenant_id = $1 AND id = $2 \
             RETURNING send_slot_us - $4"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now_us)
        .bind(interval_us)
        .fetch_optional(c)
        .await)?;
        slot.or_not_found()
    }

    pub async fn find_channel(&mut self, id: ChannelId) -> StoreResult<Channel> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, ChannelRow>(
            "SELECT * FROM channels WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    pub async fn list_channels(&mut self) -> StoreResult<Vec<Channel>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, ChannelRow>(
            "SELECT * FROM channels WHERE tenant_id = $1 ORDER BY id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        channels(rows)
    }

    pub async fn count_channels(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM channels WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// New credentials (already checked against Meta): the channel is active again.
    pub async fn update_channel_credentials(
        &mut self,
        id: ChannelId,
        access_token_sealed: &str,
        app_secret_sealed: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Channel> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE channels SET access_token = $3, app_secret = COALESCE($4, app_secret), \
                                 status = 'active', status_reason = NULL, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(access_token_sealed)
        .bind(app_secret_sealed)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.find_channel(id).await
    }

    pub async fn set_channel_status(
        &mut self,
        id: ChannelId,
        status: ChannelStatus,
        reason: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE channels SET status = $3, status_reason = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(status.as_str())
        .bind(reason)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    pub async fn set_channel_rate_limit(
        &mut self,
        id: ChannelId,
        per_second: i64,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE channels SET rate_limit = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(per_second)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    pub async fn delete_channel(&mut self, id: ChannelId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM channels WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

impl SystemTx {
    /// The channel a `phone_number_id` belongs to, in whichever tenant.
    pub async fn find_channel_by_phone_number_id(
        &mut self,
        phone_number_id: &str,
    ) -> StoreResult<Channel> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, ChannelRow>(
            "SELECT * FROM channels WHERE phone_number_id = $1"
        )
        .bind(phone_number_id)
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Channels of a WABA (template events are routed by WABA id).
    pub async fn find_channels_by_waba(&mut self, waba_id: &str) -> StoreResult<Vec<Channel>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, ChannelRow>(
            "SELECT * FROM channels WHERE waba_id = $1 ORDER BY id"
        )
        .bind(waba_id)
        .fetch_all(c)
        .await)?;
        channels(rows)
    }

    /// The channel whose own-app webhook URL carries the token hashed to
    /// `token_hash`.
    pub async fn find_channel_by_webhook_token(
        &mut self,
        token_hash: &str,
    ) -> StoreResult<Channel> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, ChannelRow>(
            "SELECT * FROM channels WHERE webhook_token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Numbers that cannot send (needing credentials, or stopped by Meta),
    /// most recently changed first: for the operator's health page.
    pub async fn list_channels_not_sending(&mut self, limit: u32) -> StoreResult<Vec<Channel>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, ChannelRow>(
            "SELECT * FROM channels WHERE status <> 'active' ORDER BY updated_at DESC LIMIT $1"
        )
        .bind(i64::from(limit))
        .fetch_all(c)
        .await)?;
        channels(rows)
    }

    /// Every channel (for workers that pace each number).
    pub async fn list_all_channels(&mut self) -> StoreResult<Vec<Channel>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, ChannelRow>(
            "SELECT * FROM channels ORDER BY tenant_id, id"
        )
        .fetch_all(c)
        .await)?;
        channels(rows)
    }
}
