//! Keeping a library in step with Meta: a sync reads every template of an
//! account through one of its numbers and makes the library hold exactly
//! those (added, changed, and removed when Meta no longer has them). It
//! runs when a number is connected and when Meta reports a template the
//! library does not know (both through the
//! [`SyncTemplates`](super::jobs::SyncTemplates) job that the
//! [`consumer`](super::consumer) queues: [`sync_waba`]), and on demand
//! ([`sync_templates`], which reports each account, and leaves one Meta
//! cannot be reached for to that job).
//!
//! No transaction is held open across the call to Meta: the list is read
//! first, then applied in one transaction. A template that appears here
//! while Meta was being read (one just authored) is kept.

use super::jobs::{SyncPayload, SyncTemplates};
use super::{account_channel, known_channel, lower, meta_error, template_ref, token};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, TemplateLibrarySynced, TemplateStatusChanged};
use domain::{ChannelId, Permission, TemplateId, Timestamp};
use serde_json::{Value, json};
use std::collections::HashSet;
use store::TenantTx;
use store::channels::Channel;
use store::templates::Template;
use whatsapp::client::{TemplateInfo, TemplateQuery};

/// Fields read from Meta (the reference's list, and the parameter format).
pub const FIELDS: &str =
    "id,name,language,status,category,components,parameter_format,quality_score,rejected_reason";

/// What to sync.
#[derive(Debug, Clone)]
pub enum SyncTarget {
    /// The account of this number.
    Channel(ChannelId),
    /// This account (through one of the tenant's numbers).
    Waba(String),
    /// Every account of the tenant's numbers.
    All,
}

/// What a sync did to one account's library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub waba_id: String,
    pub channel_id: ChannelId,
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
    pub total: u32,
}

/// An account whose library could not be read.
#[derive(Debug)]
pub struct SyncFailure {
    pub waba_id: String,
    pub channel_id: ChannelId,
    /// Why (`meta_unavailable`, `credentials_rejected`, `meta_refused`).
    pub error: AppError,
    /// Meta could not be reached: the account is read again in the
    /// background, with back-off.
    pub retrying: bool,
}

/// What an on-demand sync did, account by account.
#[derive(Debug, Default)]
pub struct SyncOutcome {
    pub synced: Vec<SyncReport>,
    pub failed: Vec<SyncFailure>,
}

/// The numbers whose credentials read `target`'s accounts, one each.
async fn accounts_of(
    state: &AppState,
    ctx: &TenantCtx,
    target: SyncTarget,
) -> AppResult<Vec<Channel>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let channels = match target {
        SyncTarget::Channel(id) => {
            let c = known_channel(&mut tx, id).await?;
            vec![account_channel(&mut tx, &c.waba_id).await?]
        }
        SyncTarget::Waba(waba) => vec![account_channel(&mut tx, &waba).await?],
        SyncTarget::All => {
            let mut wabas: Vec<String> = tx
                .list_channels()
                .await?
                .into_iter()
                .map(|c| c.waba_id)
                .collect();
            wabas.sort();
            wabas.dedup();
            let mut out = Vec::new();
            for w in wabas {
                out.push(account_channel(&mut tx, &w).await?);
            }
            out
        }
    };
    tx.commit().await?;
    Ok(channels)
}

/// Reads the libraries of `target` back from Meta now. An account Meta
/// refuses is reported; one Meta cannot be reached for is also queued to
/// be read again in the background.
pub async fn sync_templates(
    state: &AppState,
    ctx: &TenantCtx,
    target: SyncTarget,
) -> AppResult<SyncOutcome> {
    ctx.require(Permission::CampaignsManage)?;
    let mut outcome = SyncOutcome::default();
    for channel in accounts_of(state, ctx, target).await? {
        match sync_account(state, ctx, &channel).await {
            Ok(report) => outcome.synced.push(report),
            Err(error) => {
                let retrying = matches!(error, AppError::Unavailable(..));
                if retrying {
                    let mut tx = state.store.tenant(ctx.tenant_id).await?;
                    let payload = SyncPayload {
                        waba_id: channel.waba_id.clone(),
                    };
                    crate::jobs::enqueue::<SyncTemplates>(&mut tx, &payload, state.now()).await?;
                    tx.commit().await?;
                    state.wake_workers();
                }
                outcome.failed.push(SyncFailure {
                    waba_id: channel.waba_id,
                    channel_id: channel.id,
                    error,
                    retrying,
                });
            }
        }
    }
    Ok(outcome)
}

/// Reads account `waba_id`'s library back from Meta (the background job).
pub async fn sync_waba(state: &AppState, ctx: &TenantCtx, waba_id: &str) -> AppResult<SyncReport> {
    ctx.require(Permission::CampaignsManage)?;
    let target = SyncTarget::Waba(waba_id.to_owned());
    let channel = accounts_of(state, ctx, target)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    sync_account(state, ctx, &channel).await
}

/// Reads one account's library through `channel`'s credentials and makes
/// the library hold it, with its event and audit entry.
async fn sync_account(
    state: &AppState,
    ctx: &TenantCtx,
    channel: &Channel,
) -> AppResult<SyncReport> {
    let started = state.now();
    let query = TemplateQuery {
        fields: Some(FIELDS.into()),
        limit: Some(100),
        ..TemplateQuery::default()
    };
    let token = token(state, channel)?;
    let remote = state
        .graph
        .list_all_templates(&channel.waba_id, &token, &query)
        .await
        .map_err(|e| meta_error(&e))?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let report = apply(&mut tx, &channel.waba_id, channel.id, &remote, started, now).await?;
    let event = TemplateLibrarySynced {
        waba_id: report.waba_id.clone(),
        channel_id: report.channel_id,
        added: report.added,
        updated: report.updated,
        removed: report.removed,
        total: report.total,
    };
    record(&mut tx, Event::TemplateLibrarySynced(event), now);
    let details = json!({
        "channel_id": channel.id, "added": report.added, "updated": report.updated,
        "removed": report.removed, "total": report.total,
    });
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "template.sync",
        ("waba", channel.waba_id.clone()),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Meta's template as the library keeps it.
fn from_meta(waba_id: &str, m: &TemplateInfo, now: Timestamp) -> Template {
    let upper = |s: &str| s.trim().to_uppercase();
    Template {
        id: TemplateId::new(),
        waba_id: waba_id.to_owned(),
        meta_id: Some(m.id.clone()).filter(|i| !i.is_empty()),
        name: m.name.clone(),
        language: m.language.clone(),
        category: m.category.as_deref().map(upper).unwrap_or_default(),
        status: upper(&m.status),
        parameter_format: m.parameter_format.as_deref().map(upper),
        components: serde_json::to_value(&m.components).unwrap_or(Value::Array(Vec::new())),
        quality: m
            .quality_score
            .as_ref()
            .and_then(|q| q.score.as_deref())
            .map(upper),
        rejected_reason: rejection(m.rejected_reason.as_deref()),
        synced_at: Some(now),
        created_at: now,
        updated_at: now,
    }
}

/// A rejection's reason; Meta writes `NONE` when there is none.
pub(crate) fn rejection(reason: Option<&str>) -> Option<String> {
    reason
        .map(str::trim)
        .filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case("NONE"))
        .map(str::to_owned)
}

/// Makes the library of `waba_id` hold what Meta listed (read at
/// `started`), with a `template.status_changed` event for each status
/// that moved.
async fn apply(
    tx: &mut TenantTx,
    waba_id: &str,
    channel_id: ChannelId,
    remote: &[TemplateInfo],
    started: Timestamp,
    now: Timestamp,
) -> AppResult<SyncReport> {
    let local = tx.list_templates(Some(waba_id)).await?;
    let mut report = SyncReport {
        waba_id: waba_id.to_owned(),
        channel_id,
        added: 0,
        updated: 0,
        removed: 0,
        total: 0,
    };
    let mut seen = HashSet::new();
    for m in remote.iter().filter(|m| !m.name.is_empty()) {
        let mut fresh = from_meta(waba_id, m, now);
        seen.insert((fresh.name.clone(), fresh.language.clone()));
        let before = local
            .iter()
            .find(|l| l.name == fresh.name && l.language == fresh.language);
        // A rating the webhooks gave stays when the list carries none.
        if fresh.quality.is_none() {
            fresh.quality = before.and_then(|b| b.quality.clone());
        }
        match before {
            None => report.added += 1,
            Some(b) if same(b, &fresh) => continue,
            Some(_) => report.updated += 1,
        }
        let stored = tx.upsert_template(&fresh).await?;
        if let Some(b) = before.filter(|b| b.status != stored.status) {
            let event = TemplateStatusChanged {
                template: template_ref(&stored),
                previous_status: lower(&b.status),
                reason: stored.rejected_reason.clone(),
            };
            record(tx, Event::TemplateStatusChanged(event), now);
        }
    }
    for gone in local
        .iter()
        .filter(|l| !seen.contains(&(l.name.clone(), l.language.clone())) && l.updated_at < started)
    {
        match tx.delete_template(gone.id).await {
            Ok(()) => report.removed += 1,
            Err(store::StoreError::NotFound) => {}
            Err(e) => return Err(AppError::from(e)),
        }
    }
    report.total = u32::try_from(tx.list_templates(Some(waba_id)).await?.len()).unwrap_or(u32::MAX);
    Ok(report)
}

/// Whether a sync would change nothing of `stored`.
fn same(stored: &Template, fresh: &Template) -> bool {
    stored.meta_id == fresh.meta_id
        && stored.category == fresh.category
        && stored.status == fresh.status
        && stored.parameter_format == fresh.parameter_format
        && stored.components == fresh.components
        && stored.quality == fresh.quality
        && stored.rejected_reason == fresh.rejected_reason
}
