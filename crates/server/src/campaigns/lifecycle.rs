//! A campaign's life: started now or scheduled, paused and resumed,
//! cancelled, and its retryable failures sent again. Starting reads the
//! audience into recipient rows once (a contact who joins the segment
//! later is not added) and refuses, with the numbers, an audience the
//! month's quota cannot cover.

use super::audience::{AudienceSpec, Resolved};
use super::{changed, dispatch};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use crate::tenancy::limits::{Limit, remaining};
use domain::events::CampaignStarted;
use domain::{CampaignId, Permission, Timestamp};
use serde_json::json;
use store::TenantTx;
use store::campaigns::recipients::Audience;
use store::campaigns::{Campaign, CampaignStatus};

/// When to start.
#[derive(Debug, Clone, Default)]
pub enum StartAt {
    #[default]
    Now,
    At(Timestamp),
    /// Wall time (`YYYY-MM-DDTHH:MM`) in the tenant's time zone.
    Local(String),
}

/// Starts a draft (or scheduled) campaign now, or schedules it for a time
/// if that is in the future (a time past is now).
pub async fn start_campaign(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
    when: StartAt,
) -> AppResult<Campaign> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    crate::billing::features::require_in(&mut tx, domain::Feature::Campaigns).await?;
    let at = match when {
        StartAt::Now => None,
        StartAt::At(t) => Some(t),
        StartAt::Local(local) => {
            let zone = crate::tenancy::zone::tenant_zone(&mut tx).await?;
            Some(crate::tenancy::zone::parse_local(&zone, &local)?)
        }
    };
    let mut c = tx.lock_campaign(id).await?;
    if !matches!(c.status, CampaignStatus::Draft | CampaignStatus::Scheduled) {
        return Err(AppError::Conflict(
            "campaign_started",
            format!("this campaign is {} already", c.status.as_str()),
        ));
    }
    match at.filter(|t| *t > now) {
        Some(at) => {
            c.status = CampaignStatus::Scheduled;
            c.start_at = Some(at);
            c.updated_at = now;
            tx.update_campaign(&c).await?;
            super::start::enqueue_start(&mut tx, &c, at).await?;
            changed(&mut tx, ctx, &c, "schedule", now).await?;
        }
        None => begin(&mut tx, ctx, &mut c, now).await?,
    }
    tx.commit().await?;
    state.wake_workers();
    Ok(c)
}

/// Reads the audience into recipients, checks the quota covers them, and
/// sets the campaign running with its first round of sending queued.
pub(super) async fn begin(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    c: &mut Campaign,
    now: Timestamp,
) -> AppResult<()> {
    let spec: AudienceSpec =
        serde_json::from_value(c.audience.clone()).map_err(AppError::internal)?;
    let count = match spec.resolve(tx).await? {
        Resolved::Rules(sel) => {
            tx.add_campaign_recipients(c.id, Audience::Rules(&sel), now)
                .await?
        }
        Resolved::Contacts(ids) => {
            tx.add_campaign_recipients(c.id, Audience::Contacts(&ids), now)
                .await?
        }
    };
    if let Some(left) = remaining(tx, Limit::MessagesThisMonth, now).await?
        && left < count
    {
        return Err(AppError::Rule(
            "quota_insufficient",
            format!(
                "this campaign has {count} recipients and the plan allows {left} more messages \
                 this month; narrow the audience or change the plan"
            ),
        ));
    }
    c.status = CampaignStatus::Running;
    c.status_reason = None;
    c.started_at = Some(now);
    c.recipient_count = count;
    c.dispatch_round += 1;
    c.updated_at = now;
    tx.update_campaign(c).await?;
    dispatch::enqueue_round(tx, c, now).await?;
    let event = CampaignStarted {
        campaign_id: c.id,
        name: c.name.clone(),
        channel_id: c.channel_id,
        recipients: count,
    };
    record(tx, Event::CampaignStarted(event), now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        "campaign.start",
        ("campaign", c.id.to_string()),
        json!({ "recipients": count }),
    )
    .await
}

/// Stops a running campaign from sending more until it is resumed
/// (messages already handed to the sending queue still go).
pub async fn pause_campaign(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
) -> AppResult<Campaign> {
    transition(state, ctx, id, "pause", |c| match c.status {
        CampaignStatus::Running => Ok(CampaignStatus::Paused),
        s => Err(not_now("paused", s)),
    })
    .await
}

/// Sends again from where a paused campaign stopped.
pub async fn resume_campaign(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
) -> AppResult<Campaign> {
    transition(state, ctx, id, "resume", |c| match c.status {
        CampaignStatus::Paused => Ok(CampaignStatus::Running),
        s => Err(not_now("resumed", s)),
    })
    .await
}

/// Stops a campaign for good: recipients not yet sent to never will be.
pub async fn cancel_campaign(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
) -> AppResult<Campaign> {
    transition(state, ctx, id, "cancel", |c| {
        if c.status.is_over() {
            Err(not_now("cancelled", c.status))
        } else {
            Ok(CampaignStatus::Cancelled)
        }
    })
    .await
}

fn not_now(what: &str, s: CampaignStatus) -> AppError {
    AppError::Conflict(
        "campaign_state",
        format!("a {} campaign cannot be {what}", s.as_str()),
    )
}

async fn transition(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
    what: &str,
    next: impl FnOnce(&Campaign) -> AppResult<CampaignStatus>,
) -> AppResult<Campaign> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut c = tx.lock_campaign(id).await?;
    c.status = next(&c)?;
    c.status_reason = None;
    c.updated_at = now;
    match c.status {
        CampaignStatus::Running => {
            c.dispatch_round += 1;
            dispatch::enqueue_round(&mut tx, &c, now).await?;
        }
        CampaignStatus::Cancelled => {
            tx.cancel_pending_recipients(id, now).await?;
            c.finished_at = Some(now);
        }
        _ => {}
    }
    tx.update_campaign(&c).await?;
    changed(&mut tx, ctx, &c, what, now).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(c)
}

/// Sends again to the recipients whose message failed with an error worth
/// another try (Meta was unavailable, a rate limit, the per-customer
/// marketing limit); returns how many. A finished campaign runs again for
/// them; a paused one waits for its resume.
pub async fn retry_failed(state: &AppState, ctx: &TenantCtx, id: CampaignId) -> AppResult<u64> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut c = tx.lock_campaign(id).await?;
    if matches!(
        c.status,
        CampaignStatus::Draft | CampaignStatus::Scheduled | CampaignStatus::Cancelled
    ) {
        return Err(not_now("retried", c.status));
    }
    let codes = super::stats::retryable_codes(&mut tx, id).await?;
    let n = tx.requeue_failed_recipients(id, &codes, &[], now).await?;
    if n > 0 && c.status == CampaignStatus::Finished {
        c.status = CampaignStatus::Running;
        c.finished_at = None;
        c.dispatch_round += 1;
        c.updated_at = now;
        tx.update_campaign(&c).await?;
        dispatch::enqueue_round(&mut tx, &c, now).await?;
        changed(&mut tx, ctx, &c, "resume", now).await?;
    }
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "campaign.retry",
        ("campaign", id.to_string()),
        json!({ "recipients": n, "error_codes": codes }),
    )
    .await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(n)
}
