//! A workflow's two secrets and its inbound trigger.
//!
//! Every workflow has an inbound URL (`/hooks/workflows/<secret>`) and a
//! signing secret for its `call_http` steps, made when it is created (or
//! first saved after this existed) and rolled together on request. Both
//! are sealed at rest; the URL's secret is also kept as a hash, to find
//! the workflow from a request across tenants.
//!
//! A POST to the URL with a JSON object records `workflow.inbound_received`
//! (the workflow's `inbound` trigger starts a run from it, through the
//! same consumer as every trigger) and is answered 202 once that is
//! stored. The object may name the run's contact: `contact_id`, or
//! `phone` (E.164; the contact whose WhatsApp number it is).

use super::definition::{Definition, Trigger};
use crate::auth::TenantCtx;
use crate::auth::tokens::{hash_token, new_token};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::hooks::signature;
use crate::state::AppState;
use domain::events::{Event, WorkflowInboundReceived};
use domain::{ContactId, EventId, Permission, WorkflowId};
use serde_json::{Value, json};
use store::workflows::WorkflowSecrets;
use store::{StoreError, TenantTx};

/// The prefix of an inbound URL's secret.
const TOKEN_PREFIX: &str = "wfin_";

/// A workflow's secrets, opened.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Where a POST starts the workflow (when its trigger is `inbound`).
    pub inbound_url: String,
    /// The secret that signs its HTTP calls.
    pub signing_secret: String,
}

/// Makes workflow `id`'s secrets in `tx` if it has none yet (or `roll`s
/// them, making new ones either way).
pub async fn ensure_secrets(
    state: &AppState,
    tx: &mut TenantTx,
    id: WorkflowId,
    roll: bool,
) -> AppResult<()> {
    let current = tx.workflow_secrets(id).await?;
    if !roll && current.inbound_token_sealed.is_some() && current.secret_sealed.is_some() {
        return Ok(());
    }
    let token = new_token(TOKEN_PREFIX);
    let secrets = WorkflowSecrets {
        inbound_token_sealed: Some(state.secrets.seal_str(&token)),
        secret_sealed: Some(state.secrets.seal_str(&signature::new_secret())),
    };
    tx.set_workflow_secrets(id, &hash_token(&token), &secrets)
        .await?;
    Ok(())
}

fn open(state: &AppState, sealed: Option<&str>) -> AppResult<String> {
    let sealed = sealed.ok_or_else(|| AppError::internal(anyhow::anyhow!("no secret made")))?;
    state.secrets.open_str(sealed).map_err(AppError::internal)
}

/// Workflow `id`'s inbound URL and signing secret (`campaigns:manage`).
pub async fn secrets(state: &AppState, ctx: &TenantCtx, id: WorkflowId) -> AppResult<Opened> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.find_workflow(id).await?;
    ensure_secrets(state, &mut tx, id, false).await?;
    let s = tx.workflow_secrets(id).await?;
    tx.commit().await?;
    opened(state, &s)
}

fn opened(state: &AppState, s: &WorkflowSecrets) -> AppResult<Opened> {
    let token = open(state, s.inbound_token_sealed.as_deref())?;
    Ok(Opened {
        inbound_url: format!("{}/hooks/workflows/{token}", state.config.public_url),
        signing_secret: open(state, s.secret_sealed.as_deref())?,
    })
}

/// New secrets for workflow `id`: the old inbound URL stops working and
/// calls are signed with the new secret from now on. Audited.
pub async fn roll_secrets(state: &AppState, ctx: &TenantCtx, id: WorkflowId) -> AppResult<Opened> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.find_workflow(id).await?;
    ensure_secrets(state, &mut tx, id, true).await?;
    let s = tx.workflow_secrets(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "workflow.roll_secrets",
        ("workflow", id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    opened(state, &s)
}

/// A POST reached the inbound URL whose secret is `token`, with `body`:
/// records the event the workflow's trigger reads. 404 for a URL that
/// names no workflow; 409 `workflow_not_inbound` when the workflow is
/// disabled or its trigger is another; 422 when the body is no object
/// or names a contact that does not exist.
pub async fn receive(state: &AppState, token: &str, body: Value) -> AppResult<EventId> {
    let mut sys = state.store.system_read().await?;
    let found = sys.find_workflow_by_inbound_token(&hash_token(token)).await;
    sys.commit().await?;
    let (tenant, id) = match found {
        Ok(f) => f,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if !body.is_object() {
        return Err(AppError::validation("body", "send a JSON object"));
    }
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let w = tx.find_workflow(id).await?;
    let d: Definition = serde_json::from_value(tx.workflow_definition(w.id, w.version).await?)
        .map_err(AppError::internal)?;
    if !w.enabled || d.trigger != Trigger::Inbound {
        return Err(AppError::Conflict(
            "workflow_not_inbound",
            "this workflow is disabled or not started by its inbound URL".into(),
        ));
    }
    let contact_id = named_contact(&mut tx, &body).await?;
    let event = WorkflowInboundReceived {
        workflow_id: w.id,
        contact_id,
        body,
    };
    let event_id = record(&mut tx, Event::WorkflowInboundReceived(event), now);
    tx.commit().await?;
    state.wake_workers();
    Ok(event_id)
}

/// The contact `body` names by `contact_id` or `phone`, if it names one;
/// a 422 for one that does not exist.
async fn named_contact(tx: &mut TenantTx, body: &Value) -> AppResult<Option<ContactId>> {
    if let Some(raw) = body.get("contact_id") {
        let id = raw
            .as_str()
            .and_then(|s| s.parse::<uuid::Uuid>().ok())
            .map(ContactId::from_uuid)
            .ok_or_else(|| AppError::validation("contact_id", "not a contact id"))?;
        return match tx.find_contact(id).await {
            Ok(c) => Ok(Some(c.id)),
            Err(StoreError::NotFound) => Err(AppError::validation("contact_id", "no such contact")),
            Err(e) => Err(e.into()),
        };
    }
    let Some(raw) = body.get("phone") else {
        return Ok(None);
    };
    let digits: String = raw
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')'))
        .collect();
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::validation(
            "phone",
            "a phone number in E.164, such as +351912345678",
        ));
    }
    let found = tx.find_contacts_by_keys(&[digits.as_str()], &[]).await?;
    match found.first() {
        Some(c) => Ok(Some(c.id)),
        None => Err(AppError::validation("phone", "no contact has this number")),
    }
}
