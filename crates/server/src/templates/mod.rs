//! Message templates: the library of each WhatsApp Business Account, kept in step
//! with Meta (synced on connect, on demand and by template webhooks), authored,
//! validated, previewed and submitted here.
//!
//! A template is one name in one language of one account. The library is
//! what Meta has: [`sync`] reads it back when a number is connected, on
//! demand, and when Meta reports an unknown template; Meta's template
//! webhooks (status, quality, category) update it in between. Authoring
//! ([`create_template`]) checks Meta's rules first ([`validate`]),
//! submits through the number's own credentials and keeps what Meta
//! answered; deleting removes it at Meta, then here. [`layout`] renders
//! what the customer sees, for previews and for sent messages in a thread.
//!
//! Authoring, deleting and syncing need `campaigns:manage`; reading needs
//! `inbox:read`. Every change records a `template.*` event; changes made
//! by people and keys are audited.
//!
//! The rules live here; [`api`] and [`pages`] are thin adapters over them,
//! [`jobs`] registers the background work.

pub mod api;
pub mod consumer;
pub mod draft;
pub mod jobs;
pub mod layout;
pub mod pages;
pub mod send;
pub mod sent;
pub mod sync;
pub mod validate;

#[cfg(test)]
mod tests;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, TemplateRef};
use domain::{ChannelId, Permission, TemplateId};
use draft::TemplateDraft;
use layout::{Layout, Rendered, Values};
use serde_json::json;
use store::channels::{Channel, ChannelStatus};
use store::page::{Page, PageRequest};
use store::templates::{Template, TemplateFilter};
use store::{StoreError, TenantTx};
use whatsapp::{ErrorClass, GraphError};

/// Which templates a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// The account of this number.
    pub channel_id: Option<ChannelId>,
    pub waba_id: Option<String>,
    /// `approved`, `pending`… (any case).
    pub status: Option<String>,
}

/// Lower case, for people and the API (`APPROVED` → `approved`).
pub fn lower(meta: &str) -> String {
    meta.to_lowercase()
}

/// The event payload of a template.
pub fn template_ref(t: &Template) -> TemplateRef {
    TemplateRef {
        template_id: t.id,
        waba_id: t.waba_id.clone(),
        meta_id: t.meta_id.clone(),
        name: t.name.clone(),
        language: t.language.clone(),
        category: lower(&t.category),
        status: lower(&t.status),
    }
}

/// The number whose credentials act for account `waba_id`: an active
/// one if there is one.
pub(crate) async fn account_channel(tx: &mut TenantTx, waba_id: &str) -> AppResult<Channel> {
    let mut of_account: Vec<Channel> = tx
        .list_channels()
        .await?
        .into_iter()
        .filter(|c| c.waba_id == waba_id)
        .collect();
    of_account.sort_by_key(|c| c.status != ChannelStatus::Active);
    of_account.into_iter().next().ok_or(AppError::NotFound)
}

/// The number `id`, or a validation error naming `channel_id`.
pub(crate) async fn known_channel(tx: &mut TenantTx, id: ChannelId) -> AppResult<Channel> {
    tx.find_channel(id).await.map_err(|e| match e {
        StoreError::NotFound => AppError::validation("channel_id", "no such number"),
        other => other.into(),
    })
}

/// A number's access token, opened.
pub(crate) fn token(state: &AppState, c: &Channel) -> AppResult<String> {
    state
        .secrets
        .open_str(&c.access_token)
        .map_err(AppError::internal)
}

/// Meta's refusal as an answer: retry later, fix the credentials, or
/// what Meta said was wrong.
pub(crate) fn meta_error(e: &GraphError) -> AppError {
    match e.class() {
        ErrorClass::Retryable { .. } => AppError::Unavailable(
            "meta_unavailable",
            "Meta could not be reached; try again in a moment".into(),
        ),
        ErrorClass::Credentials { .. } => AppError::Rule(
            "credentials_rejected",
            "Meta refused this number's credentials: replace them in Settings → WhatsApp numbers"
                .into(),
        ),
        ErrorClass::Permanent { .. } => {
            let said = e
                .meta()
                .map(|m| {
                    m.error_user_msg
                        .clone()
                        .or_else(|| m.error_data.as_ref().and_then(|d| d.details.clone()))
                        .unwrap_or_else(|| m.message.clone())
                })
                .unwrap_or_else(|| e.to_string());
            if e.meta().and_then(|m| m.error_subcode) == Some(2388024) {
                return AppError::Conflict("template_exists", format!("Meta: {said}"));
            }
            AppError::Rule("meta_refused", format!("Meta refused it: {said}"))
        }
    }
}

/// One page of the library, newest first.
pub async fn list_templates(
    state: &AppState,
    ctx: &TenantCtx,
    filter: ListFilter,
    page: PageRequest,
) -> AppResult<Page<Template>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut waba_id = filter.waba_id.filter(|w| !w.is_empty());
    if let Some(id) = filter.channel_id {
        waba_id = Some(known_channel(&mut tx, id).await?.waba_id);
    }
    let filter = TemplateFilter {
        waba_id,
        status: filter
            .status
            .map(|s| s.trim().to_uppercase())
            .filter(|s| !s.is_empty()),
    };
    let page = tx.page_templates(&filter, page).await?;
    tx.commit().await?;
    Ok(page)
}

/// The whole library of one account (`None`: of every account), by name
/// then language.
pub async fn library(
    state: &AppState,
    ctx: &TenantCtx,
    waba_id: Option<&str>,
) -> AppResult<Vec<Template>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let all = tx.list_templates(waba_id).await?;
    tx.commit().await?;
    Ok(all)
}

pub async fn get_template(
    state: &AppState,
    ctx: &TenantCtx,
    id: TemplateId,
) -> AppResult<Template> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let t = tx.find_template(id).await?;
    tx.commit().await?;
    Ok(t)
}

/// The approved templates a number can send, by name then language.
pub async fn approved_for_channel(
    state: &AppState,
    ctx: &TenantCtx,
    channel: &Channel,
) -> AppResult<Vec<Template>> {
    let all = library(state, ctx, Some(&channel.waba_id)).await?;
    Ok(all.into_iter().filter(Template::is_approved).collect())
}

/// What template `id` looks like with `values` filled in (an example, or
/// `{{name}}`, where a value is missing).
pub async fn preview_template(
    state: &AppState,
    ctx: &TenantCtx,
    id: TemplateId,
    values: &Values,
) -> AppResult<Rendered> {
    let t = get_template(state, ctx, id).await?;
    Ok(Layout::from_components(&t.components).render(values))
}

/// Checks `draft` against Meta's rules, submits it to Meta for account of
/// number `channel_id`, and keeps it in the library with Meta's id and
/// status (`409 template_exists` if the account has this name in this
/// language already).
pub async fn create_template(
    state: &AppState,
    ctx: &TenantCtx,
    channel_id: ChannelId,
    draft: &TemplateDraft,
) -> AppResult<Template> {
    ctx.require(Permission::CampaignsManage)?;
    let definition = validate::validate(draft).map_err(AppError::Validation)?;
    let channel = {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let channel = known_channel(&mut tx, channel_id).await?;
        let existing = tx
            .find_template_by_name(&channel.waba_id, &definition.name, &definition.language)
            .await;
        tx.commit().await?;
        match existing {
            Ok(_) => return Err(exists(&definition.name, &definition.language)),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        channel
    };
    let token = token(state, &channel)?;
    let answer = state
        .graph
        .create_template(&channel.waba_id, &token, &definition)
        .await
        .map_err(|e| meta_error(&e))?;
    let now = state.now();
    let components = serde_json::to_value(&definition.components).map_err(AppError::internal)?;
    let t = Template {
        id: TemplateId::new(),
        waba_id: channel.waba_id.clone(),
        meta_id: Some(answer.id).filter(|i| !i.is_empty()),
        name: definition.name,
        language: definition.language,
        category: answer
            .category
            .map(|c| c.to_uppercase())
            .unwrap_or(definition.category),
        status: answer
            .status
            .map(|s| s.to_uppercase())
            .unwrap_or_else(|| "PENDING".into()),
        parameter_format: definition.parameter_format,
        components,
        quality: None,
        rejected_reason: None,
        synced_at: Some(now),
        created_at: now,
        updated_at: now,
    };
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let t = tx.upsert_template(&t).await?;
    record(&mut tx, Event::TemplateSubmitted(template_ref(&t)), now);
    audit(&mut tx, ctx, &t, "template.create", now).await?;
    tx.commit().await?;
    Ok(t)
}

fn exists(name: &str, language: &str) -> AppError {
    AppError::Conflict(
        "template_exists",
        format!("this account has a template “{name}” in {language} already"),
    )
}

/// Deletes template `id` at Meta (this language only), then from the
/// library. One Meta no longer has is only removed here.
pub async fn delete_template(state: &AppState, ctx: &TenantCtx, id: TemplateId) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let (t, channel) = {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let t = tx.find_template(id).await?;
        let channel = match account_channel(&mut tx, &t.waba_id).await {
            Ok(c) => Some(c),
            Err(AppError::NotFound) => None,
            Err(e) => return Err(e),
        };
        tx.commit().await?;
        (t, channel)
    };
    if let Some(channel) = channel {
        let token = token(state, &channel)?;
        let gone = state
            .graph
            .delete_template(&t.waba_id, &token, &t.name, t.meta_id.as_deref())
            .await;
        match gone {
            Ok(()) => {}
            // Meta: `Message template "x" was not found` (code 100).
            Err(e) if e.meta().is_some_and(|m| m.message.contains("not found")) => {}
            Err(e) => return Err(meta_error(&e)),
        }
    }
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    match tx.delete_template(id).await {
        // Removed meanwhile (a sync): nothing left to do.
        Err(StoreError::NotFound) => return Ok(()),
        other => other?,
    }
    record(&mut tx, Event::TemplateDeleted(template_ref(&t)), now);
    audit(&mut tx, ctx, &t, "template.delete", now).await?;
    tx.commit().await?;
    Ok(())
}

async fn audit(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    t: &Template,
    action: &str,
    now: domain::Timestamp,
) -> AppResult<()> {
    let details = json!({
        "waba_id": t.waba_id, "meta_id": t.meta_id, "name": t.name,
        "language": t.language, "status": lower(&t.status),
    });
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        action,
        ("template", t.id.to_string()),
        details,
    )
    .await
}
