//! Custom contact attributes: the fields a tenant adds to its contacts
//! (Settings → Contact fields). A definition has a key (lower-case
//! `[a-z][a-z0-9_]{0,39}`, unique, never changed), a label, a type (text,
//! number, date, boolean or choice, never changed) and, for a choice, its
//! options. Values are written on contacts and checked against these
//! ([`crate::inbox::contacts::fields`]). Defining needs `settings:manage`;
//! every change is audited and records a `contact_attribute.*` event.

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::ContactAttributeRef;
use domain::{AttributeId, Permission, Timestamp};
use serde::Serialize;
use serde_json::json;
use store::crm::attributes::{AttributeDef, AttributeKind};
use store::page::{Page, PageRequest};
use store::{StoreError, TenantTx};
use utoipa::ToSchema;

/// How many attributes a tenant may define.
pub const MAX_ATTRIBUTES: usize = 100;
/// How many options a choice may have.
pub const MAX_OPTIONS: usize = 50;

/// An attribute definition as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attribute {
    pub id: AttributeId,
    /// Lower-case letters, digits and `_`, starting with a letter.
    pub key: String,
    pub label: String,
    /// `text`, `number`, `date` (`YYYY-MM-DD`), `boolean` or `choice`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The allowed values of a `choice` (empty otherwise).
    pub options: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<AttributeDef> for Attribute {
    fn from(d: AttributeDef) -> Self {
        Attribute {
            id: d.id,
            key: d.key,
            label: d.label,
            kind: d.kind.as_str().to_owned(),
            options: d.options,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// An attribute to define.
#[derive(Debug, Clone, Default)]
pub struct NewAttribute {
    pub key: String,
    pub label: String,
    pub kind: String,
    pub options: Vec<String>,
}

/// A change to a definition; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AttributeChange {
    pub label: Option<String>,
    /// A choice's options, all of them. Values contacts already have stay
    /// even if their option is gone.
    pub options: Option<Vec<String>>,
}

fn key(raw: &str) -> AppResult<String> {
    let k = raw.trim();
    let ok = (1..=40).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(AppError::validation(
            "key",
            "1 to 40 lower-case letters, digits or _, starting with a letter",
        ));
    }
    Ok(k.to_owned())
}

fn label(raw: &str) -> AppResult<String> {
    let l = raw.trim();
    if l.is_empty() || l.chars().count() > 100 || l.chars().any(char::is_control) {
        return Err(AppError::validation("label", "1 to 100 characters"));
    }
    Ok(l.to_owned())
}

fn options(kind: AttributeKind, raw: &[String]) -> AppResult<Vec<String>> {
    let list: Vec<String> = raw.iter().map(|o| o.trim().to_owned()).collect();
    if kind != AttributeKind::Choice {
        if list.is_empty() {
            return Ok(list);
        }
        return Err(AppError::validation("options", "only a choice has options"));
    }
    let bad = list.is_empty()
        || list.len() > MAX_OPTIONS
        || list
            .iter()
            .any(|o| o.is_empty() || o.chars().count() > 100 || o.chars().any(char::is_control))
        || list.iter().enumerate().any(|(i, o)| list[..i].contains(o));
    if bad {
        return Err(AppError::validation(
            "options",
            format!("1 to {MAX_OPTIONS} different options of 1 to 100 characters each"),
        ));
    }
    Ok(list)
}

fn taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict(
            "attribute_key_taken",
            "another contact attribute has this key".into(),
        ),
        other => other.into(),
    }
}

/// Records the change's event and audit entry.
async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    d: &AttributeDef,
    verb: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = ContactAttributeRef {
        attribute_id: d.id,
        key: d.key.clone(),
        kind: d.kind.as_str().to_owned(),
    };
    let event = match verb {
        "create" => Event::ContactAttributeCreated(r),
        "update" => Event::ContactAttributeUpdated(r),
        _ => Event::ContactAttributeDeleted(r),
    };
    record(tx, event, now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("contact_attribute.{verb}"),
        ("contact_attribute", d.id.to_string()),
        json!({ "key": d.key, "type": d.kind.as_str(), "label": d.label }),
    )
    .await
}

pub async fn create_attribute(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewAttribute,
) -> AppResult<Attribute> {
    ctx.require(Permission::SettingsManage)?;
    let key = key(&input.key)?;
    let label = label(&input.label)?;
    let kind = AttributeKind::parse(input.kind.trim())
        .ok_or_else(|| AppError::validation("type", "text, number, date, boolean or choice"))?;
    let options = options(kind, &input.options)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    if tx.all_contact_attributes().await?.len() >= MAX_ATTRIBUTES {
        return Err(AppError::Rule(
            "attribute_limit",
            format!("a tenant has at most {MAX_ATTRIBUTES} contact attributes"),
        ));
    }
    let d = AttributeDef {
        id: AttributeId::new(),
        key,
        label,
        kind,
        options,
        created_at: now,
        updated_at: now,
    };
    tx.insert_contact_attribute(&d).await.map_err(taken)?;
    changed(&mut tx, ctx, &d, "create", now).await?;
    tx.commit().await?;
    Ok(d.into())
}

/// Definitions, newest first.
pub async fn list_attributes(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<Attribute>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_contact_attributes(page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(Attribute::from).collect(),
        next: found.next,
    })
}

/// Every definition, oldest first (for forms and filters).
pub async fn all_attributes(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<AttributeDef>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let all = tx.all_contact_attributes().await?;
    tx.commit().await?;
    Ok(all)
}

pub async fn get_attribute(
    state: &AppState,
    ctx: &TenantCtx,
    id: AttributeId,
) -> AppResult<Attribute> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let d = tx.find_contact_attribute(id).await?;
    tx.commit().await?;
    Ok(d.into())
}

/// Changes a definition's label or a choice's options.
pub async fn update_attribute(
    state: &AppState,
    ctx: &TenantCtx,
    id: AttributeId,
    change: AttributeChange,
) -> AppResult<Attribute> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut d = tx.find_contact_attribute(id).await?;
    let before = d.clone();
    if let Some(l) = &change.label {
        d.label = label(l)?;
    }
    if let Some(o) = &change.options {
        d.options = options(d.kind, o)?;
    }
    if d != before {
        d.updated_at = now;
        tx.update_contact_attribute(&d).await?;
        changed(&mut tx, ctx, &d, "update", now).await?;
    }
    tx.commit().await?;
    Ok(d.into())
}

/// Deletes a definition and, in the same transaction, its value on every
/// contact.
pub async fn delete_attribute(state: &AppState, ctx: &TenantCtx, id: AttributeId) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let d = tx.find_contact_attribute(id).await?;
    tx.delete_contact_attribute(id, now).await?;
    changed(&mut tx, ctx, &d, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}
