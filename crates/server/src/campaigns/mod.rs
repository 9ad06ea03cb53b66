//! Broadcasts: one approved template sent from one number to an audience
//! (a segment, tags, a list: [`audience`]), its parameters filled per
//! recipient ([`variables`]), started now or at a time
//! ([`lifecycle`]), sent by the dispatcher at the number's pace and
//! within its messaging-limit tier, each recipient at most once
//! ([`dispatch`]), with live figures ([`stats`]).
//!
//! Creating, changing, starting, pausing, resuming, cancelling and
//! deleting need `campaigns:manage`; reading needs `inbox:read`. Every
//! change is audited and records a `campaign.*` event.
//!
//! The rules live here; [`api`] and [`pages`] are thin adapters over them,
//! [`jobs`] registers the background work.

pub mod api;
pub mod audience;
pub mod choices;
pub mod dispatch;
pub mod jobs;
pub mod lifecycle;
pub mod pages;
pub mod start;
pub mod stats;
pub mod tier;
pub mod variables;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use audience::AudienceSpec;
use domain::events::CampaignRef;
use domain::{CampaignId, ChannelId, Permission, TemplateId, Timestamp};
use serde_json::json;
use store::campaigns::{Campaign, CampaignStatus};
use store::page::{Page, PageRequest};
use store::{StoreError, TenantTx};
use variables::Variable;

/// The longest campaign name, in characters.
pub const MAX_NAME: usize = 100;

/// What a campaign is made of; `None` leaves a field as it is (on
/// creation, every field but `variables` is required).
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub name: Option<String>,
    pub channel_id: Option<ChannelId>,
    pub template_id: Option<TemplateId>,
    pub variables: Option<Vec<Variable>>,
    pub audience: Option<AudienceSpec>,
}

/// Creates a draft campaign.
pub async fn create_campaign(
    state: &AppState,
    ctx: &TenantCtx,
    input: CampaignInput,
) -> AppResult<Campaign> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    crate::billing::features::require_in(&mut tx, domain::Feature::Campaigns).await?;
    let required = |field: &str| AppError::validation(field, "required");
    let mut c = Campaign {
        id: CampaignId::new(),
        name: super::crm::short_name(input.name.as_deref().unwrap_or_default(), MAX_NAME)?,
        channel_id: input.channel_id.ok_or_else(|| required("channel_id"))?,
        template_id: input.template_id.ok_or_else(|| required("template_id"))?,
        template_name: String::new(),
        template_language: String::new(),
        variables: json!([]),
        audience: json!({}),
        status: CampaignStatus::Draft,
        status_reason: None,
        start_at: None,
        started_at: None,
        finished_at: None,
        recipient_count: 0,
        dispatch_round: 0,
        created_at: now,
        updated_at: now,
    };
    let audience = input.audience.ok_or_else(|| required("audience"))?;
    shape(
        &mut tx,
        &mut c,
        input.variables.unwrap_or_default(),
        audience,
        now,
    )
    .await?;
    tx.insert_campaign(&c).await?;
    changed(&mut tx, ctx, &c, "create", now).await?;
    tx.commit().await?;
    Ok(c)
}

/// Changes a draft or scheduled campaign.
pub async fn update_campaign(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
    input: CampaignInput,
) -> AppResult<Campaign> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut c = tx.lock_campaign(id).await?;
    if !matches!(c.status, CampaignStatus::Draft | CampaignStatus::Scheduled) {
        return Err(AppError::Conflict(
            "campaign_started",
            format!("a {} campaign cannot be changed", c.status.as_str()),
        ));
    }
    if let Some(name) = input.name.as_deref() {
        c.name = super::crm::short_name(name, MAX_NAME)?;
    }
    let template_changed = input.template_id.is_some_and(|t| t != c.template_id);
    c.channel_id = input.channel_id.unwrap_or(c.channel_id);
    c.template_id = input.template_id.unwrap_or(c.template_id);
    let vars = match (input.variables, template_changed) {
        (Some(v), _) => v,
        (None, true) => Vec::new(),
        (None, false) => serde_json::from_value(c.variables.clone()).unwrap_or_default(),
    };
    let audience = match input.audience {
        Some(a) => a,
        None => serde_json::from_value(c.audience.clone()).unwrap_or_default(),
    };
    shape(&mut tx, &mut c, vars, audience, now).await?;
    c.updated_at = now;
    tx.update_campaign(&c).await?;
    changed(&mut tx, ctx, &c, "update", now).await?;
    tx.commit().await?;
    Ok(c)
}

/// Checks the number, the template (approved, of the number's account),
/// the variables against the template and the audience, and writes them
/// into `c`.
async fn shape(
    tx: &mut TenantTx,
    c: &mut Campaign,
    vars: Vec<Variable>,
    audience: AudienceSpec,
    now: Timestamp,
) -> AppResult<()> {
    let channel = tx.find_channel(c.channel_id).await.map_err(|e| match e {
        StoreError::NotFound => AppError::validation("channel_id", "no such number"),
        other => other.into(),
    })?;
    let template = tx.find_template(c.template_id).await.map_err(|e| match e {
        StoreError::NotFound => AppError::validation("template_id", "no such template"),
        other => other.into(),
    })?;
    if template.waba_id != channel.waba_id {
        return Err(AppError::validation(
            "template_id",
            "this template belongs to another WhatsApp Business Account than the number",
        ));
    }
    if !template.is_approved() {
        return Err(AppError::Rule(
            "template_not_approved",
            format!(
                "“{}” ({}) is {}; only approved templates can be sent",
                template.name,
                template.language,
                template.status.to_lowercase()
            ),
        ));
    }
    let parameters = variables::template_parameters(&template.components);
    let vars = variables::check(vars, &parameters)?;
    c.template_name = template.name;
    c.template_language = template.language;
    c.variables = serde_json::to_value(vars).map_err(AppError::internal)?;
    let audience = audience.checked(tx, now).await?;
    c.audience = serde_json::to_value(audience).map_err(AppError::internal)?;
    Ok(())
}

/// Campaigns, newest first.
pub async fn list_campaigns(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<Campaign>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let page = tx.list_campaigns(page).await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn get_campaign(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
) -> AppResult<Campaign> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let c = tx.find_campaign(id).await?;
    tx.commit().await?;
    Ok(c)
}

/// Deletes a campaign that is not sending (its messages stay in their
/// conversations).
pub async fn delete_campaign(state: &AppState, ctx: &TenantCtx, id: CampaignId) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let c = tx.lock_campaign(id).await?;
    if matches!(c.status, CampaignStatus::Running | CampaignStatus::Paused) {
        return Err(AppError::Conflict(
            "campaign_running",
            "cancel the campaign before deleting it".into(),
        ));
    }
    tx.delete_campaign(id).await?;
    changed(&mut tx, ctx, &c, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

/// The event naming `c` as it is now.
pub fn campaign_ref(c: &Campaign) -> CampaignRef {
    CampaignRef {
        campaign_id: c.id,
        name: c.name.clone(),
        channel_id: c.channel_id,
        status: c.status.as_str().to_owned(),
        reason: c.status_reason.clone(),
    }
}

/// The audit entry and event of a change to `c` (`what`: create, update,
/// delete, schedule, pause, resume, cancel).
pub async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    c: &Campaign,
    what: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = campaign_ref(c);
    let event = match what {
        "create" => Event::CampaignCreated(r),
        "delete" => Event::CampaignDeleted(r),
        "schedule" => Event::CampaignScheduled(r),
        "pause" => Event::CampaignPaused(r),
        "resume" => Event::CampaignResumed(r),
        "cancel" => Event::CampaignCancelled(r),
        _ => Event::CampaignUpdated(r),
    };
    record(tx, event, now);
    let details = json!({
        "name": c.name, "status": c.status.as_str(), "reason": c.status_reason,
        "template": format!("{} ({})", c.template_name, c.template_language),
        "channel_id": c.channel_id, "start_at": c.start_at,
    });
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("campaign.{what}"),
        ("campaign", c.id.to_string()),
        details,
    )
    .await
}
