//! Seeding through the server and store libraries, against the database the
//! server child will open, before it starts. Tenants are made by the same
//! `create_tenant` the operator API calls; numbers and messages are written
//! by the same code paths as `POST /api/v1/channels` and the webhook worker
//! (`apply::apply`), minus the HTTP round trips.

use anyhow::Context as _;
use domain::{ChannelId, Email, Slug, TenantId, TenantStatus};
use futures::StreamExt as _;
use serde_json::json;
use server::AppState;
use server::channels::apply::{InboundEvent, KnownContacts, apply};
use server::tenancy::Staff;
use server::tenancy::{CreateTenant, create_tenant};
use store::audit::{Actor, NewAuditEntry};
use store::channels::{AppKind, NewChannel};

/// One business number of a seeded tenant.
#[derive(Debug, Clone)]
pub struct SeedNumber {
    pub channel_id: ChannelId,
    pub phone_number_id: String,
    pub waba_id: String,
    /// Digits, as webhooks carry it.
    pub display: String,
    pub token: String,
}

#[derive(Debug, Clone)]
pub struct SeedTenant {
    pub id: TenantId,
    /// Owner-scoped API key.
    pub api_key: String,
    pub numbers: Vec<SeedNumber>,
}

/// The number `k` of tenant `t`: stable, numeric ids Meta-like in length.
pub fn number_ids(t: usize, k: usize) -> (String, String, String) {
    let pnid = format!("1{:09}{:05}", t, k);
    let waba = format!("2{:014}", t);
    let display = format!("1555{:07}", (t * 100 + k) % 10_000_000);
    (pnid, waba, display)
}

/// How many seeding transactions run at once: SQLite has one writer.
pub fn parallelism(state: &AppState) -> usize {
    match state.store.engine() {
        store::Engine::Sqlite => 1,
        store::Engine::Postgres => 6,
    }
}

/// Creates `count` enterprise tenants, each with `numbers` numbers at
/// `rate_limit` messages/s.
pub async fn tenants(
    state: &AppState,
    count: usize,
    numbers: usize,
    rate_limit: i64,
) -> anyhow::Result<Vec<SeedTenant>> {
    let results: Vec<anyhow::Result<SeedTenant>> = futures::stream::iter(0..count)
        .map(|t| one_tenant(state, t, numbers, rate_limit))
        .buffered(parallelism(state))
        .collect()
        .await;
    results.into_iter().collect()
}

async fn one_tenant(
    state: &AppState,
    t: usize,
    numbers: usize,
    rate_limit: i64,
) -> anyhow::Result<SeedTenant> {
    let now = state.now();
    let slug = format!("bench-{t:05}");
    let created = create_tenant(
        state,
        Staff::Cli,
        CreateTenant {
            name: format!("Bench tenant {t}"),
            slug: Slug::parse(&slug).map_err(|e| anyhow::anyhow!("slug: {e:?}"))?,
            plan: Some("enterprise".into()),
            owner_email: Email::parse(&format!("owner@{slug}.example.com"))
                .map_err(|e| anyhow::anyhow!("email: {e:?}"))?,
            status: Some(TenantStatus::Active),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("creating tenant {slug}: {e:?}"))?;
    let tenant = created.tenant.id;
    let mut tx = state.store.tenant(tenant).await?;
    let mut seeded = Vec::with_capacity(numbers);
    for k in 0..numbers {
        let (pnid, waba, display) = number_ids(t, k);
        let token = format!("token-{pnid}");
        let channel = tx
            .insert_channel(NewChannel {
                phone_number_id: &pnid,
                waba_id: &waba,
                display_phone_number: &display,
                verified_name: Some("Bench"),
                access_token_sealed: &state.secrets.seal_str(&token),
                app_kind: AppKind::Platform,
                app_secret_sealed: None,
                webhook_token_hash: None,
                webhook_token_sealed: None,
                verify_token_sealed: None,
                rate_limit,
                now,
            })
            .await?;
        tx.insert_audit(NewAuditEntry {
            actor: Actor::System,
            action: "channel.create",
            target_kind: "channel",
            target_id: Some(channel.id.to_string()),
            ip: None,
            details: json!({ "phone_number_id": pnid, "app": "platform" }),
            now,
        })
        .await?;
        seeded.push(SeedNumber {
            channel_id: channel.id,
            phone_number_id: pnid,
            waba_id: waba,
            display,
            token,
        });
    }
    tx.commit().await?;
    Ok(SeedTenant {
        id: tenant,
        api_key: created.api_key_secret,
        numbers: seeded,
    })
}

/// Stores `conversations` conversations of `per_conversation` inbound text
/// messages for each tenant, exactly as the webhook worker applies them,
/// one transaction per tenant.
pub async fn inbox(
    state: &AppState,
    tenants: &[SeedTenant],
    conversations: usize,
    per_conversation: usize,
) -> anyhow::Result<()> {
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(tenants.iter().enumerate())
        .map(|(t, tenant)| tenant_inbox(state, t, tenant, conversations, per_conversation))
        .buffer_unordered(parallelism(state))
        .collect()
        .await;
    results.into_iter().collect()
}

async fn tenant_inbox(
    state: &AppState,
    t: usize,
    tenant: &SeedTenant,
    conversations: usize,
    per_conversation: usize,
) -> anyhow::Result<()> {
    let number = tenant.numbers.first().context("a tenant without numbers")?;
    let mut tx = state.store.tenant(tenant.id).await?;
    let channel = tx.find_channel(number.channel_id).await?;
    let base_secs = state.now().as_unix_seconds() - 86_400;
    for c in 0..conversations {
        let wa_id = format!("49{:06}{:05}", t, c);
        for m in 0..per_conversation {
            let event = InboundEvent::Message {
                contact: Some(serde_json::from_value(
                    json!({ "profile": { "name": format!("Customer {c}") }, "wa_id": wa_id }),
                )?),
                message: Box::new(serde_json::from_value(json!({
                    "from": wa_id,
                    "id": format!("wamid.seed.{t}.{c}.{m}"),
                    "timestamp": (base_secs + (m * conversations + c) as i64).to_string(),
                    "type": "text",
                    "text": { "body": format!("Seeded message {m} in conversation {c}: when is my order arriving?") }
                }))?),
            };
            apply(
                &mut tx,
                &channel,
                &event,
                &mut KnownContacts::default(),
                state.now(),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
