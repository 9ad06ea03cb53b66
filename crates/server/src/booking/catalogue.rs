//! The catalogue: services (what can be booked: a name, a price, a
//! duration, a category and an icon) and the staff or resources that give
//! them, each with a capacity (how many bookings it takes at once). A
//! service or resource with bookings cannot be deleted, only made
//! inactive (it then gets no new bookings; those made stay).

use super::changed;
use crate::auth::TenantCtx;
use crate::crm::deals::{money, text};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::events::{BookingResourceRef, BookingServiceRef, Event};
use domain::{Permission, ResourceId, ServiceId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::TenantTx;
use store::booking::{Resource, Service};
use utoipa::ToSchema;

/// A service to create, or the fields of one to change (`None` leaves a
/// field as it is; `Some(None)` clears an optional one).
#[derive(Debug, Clone, Default)]
pub struct ServiceInput {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    pub duration_minutes: Option<i64>,
    pub category: Option<Option<String>>,
    pub icon: Option<Option<String>>,
    pub active: Option<bool>,
    pub position: Option<i64>,
}

/// Staff or a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Staff,
    Resource,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Staff => "staff",
            ResourceKind::Resource => "resource",
        }
    }
}

/// A resource to create, or the fields of one to change.
#[derive(Debug, Clone, Default)]
pub struct ResourceInput {
    pub name: Option<String>,
    pub kind: Option<ResourceKind>,
    pub capacity: Option<i64>,
    pub active: Option<bool>,
    pub service_ids: Option<Vec<ServiceId>>,
}

/// Blank is none.
fn optional(field: &'static str, raw: Option<String>, max: usize) -> AppResult<Option<String>> {
    raw.filter(|s| !s.trim().is_empty())
        .map(|s| text(field, &s, max))
        .transpose()
}

pub(crate) fn service_ref(s: &Service) -> BookingServiceRef {
    BookingServiceRef {
        service_id: s.id,
        name: s.name.clone(),
        duration_minutes: s.duration_minutes,
        price_minor: s.price_minor,
        currency: s.currency.clone(),
        active: s.active,
    }
}

fn resource_ref(r: &Resource) -> BookingResourceRef {
    BookingResourceRef {
        resource_id: r.id,
        name: r.name.clone(),
        kind: r.kind.clone(),
        capacity: r.capacity,
        active: r.active,
    }
}

/// Applies `input` to `s` (checked).
fn apply_service(s: &mut Service, input: ServiceInput) -> AppResult<()> {
    if let Some(n) = input.name {
        s.name = text("name", &n, 24)?;
    }
    if let Some(d) = input.description {
        s.description = optional("description", d, 72)?;
    }
    if let Some(p) = input.price_minor {
        s.price_minor = money::value_minor(p)
            .map_err(|_| AppError::validation("price_minor", "0 or more, in minor units"))?;
    }
    if let Some(c) = input.currency {
        s.currency = money::currency(&c)?;
    }
    if let Some(d) = input.duration_minutes {
        if !(5..=720).contains(&d) {
            return Err(AppError::validation(
                "duration_minutes",
                "from 5 to 720 minutes",
            ));
        }
        s.duration_minutes = d;
    }
    if let Some(c) = input.category {
        s.category = optional("category", c, 24)?;
    }
    if let Some(i) = input.icon {
        s.icon = optional("icon", i, 8)?;
    }
    if let Some(a) = input.active {
        s.active = a;
    }
    if let Some(p) = input.position {
        s.position = p.clamp(0, 1_000_000);
    }
    Ok(())
}

/// Every service, in catalogue order.
pub async fn list_services(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<Service>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let services = tx.list_services().await?;
    tx.commit().await?;
    Ok(services)
}

pub async fn get_service(state: &AppState, ctx: &TenantCtx, id: ServiceId) -> AppResult<Service> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let s = tx.find_service(id).await?;
    tx.commit().await?;
    Ok(s)
}

/// Adds a service at the end of the catalogue. Name, currency and
/// duration are required.
pub async fn create_service(
    state: &AppState,
    ctx: &TenantCtx,
    input: ServiceInput,
) -> AppResult<Service> {
    ctx.require(Permission::CampaignsManage)?;
    if input.name.is_none() {
        return Err(AppError::validation("name", "required"));
    }
    if input.currency.is_none() {
        return Err(AppError::validation("currency", "required"));
    }
    if input.duration_minutes.is_none() {
        return Err(AppError::validation("duration_minutes", "required"));
    }
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut s = Service {
        id: ServiceId::new(),
        name: String::new(),
        description: None,
        price_minor: 0,
        currency: String::new(),
        duration_minutes: 30,
        category: None,
        icon: None,
        active: true,
        position: tx.next_service_position().await?,
        created_at: now,
        updated_at: now,
    };
    apply_service(&mut s, input)?;
    tx.upsert_service(&s).await?;
    service_changed(&mut tx, ctx, &s, "create", now).await?;
    tx.commit().await?;
    Ok(s)
}

/// Changes a service. Bookings already made keep their price and times.
pub async fn update_service(
    state: &AppState,
    ctx: &TenantCtx,
    id: ServiceId,
    input: ServiceInput,
) -> AppResult<Service> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut s = tx.find_service(id).await?;
    apply_service(&mut s, input)?;
    s.updated_at = now;
    tx.upsert_service(&s).await?;
    service_changed(&mut tx, ctx, &s, "update", now).await?;
    tx.commit().await?;
    Ok(s)
}

/// Deletes a service without bookings (409 `service_in_use` otherwise).
pub async fn delete_service(state: &AppState, ctx: &TenantCtx, id: ServiceId) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let s = tx.find_service(id).await?;
    if tx.count_bookings_of(Some(id), None).await? > 0 {
        return Err(AppError::Conflict(
            "service_in_use",
            "this service has bookings: make it inactive instead".into(),
        ));
    }
    tx.delete_service(id).await?;
    service_changed(&mut tx, ctx, &s, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

async fn service_changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    s: &Service,
    verb: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = service_ref(s);
    let event = match verb {
        "create" => Event::BookingServiceCreated(r),
        "delete" => Event::BookingServiceDeleted(r),
        _ => Event::BookingServiceUpdated(r),
    };
    let details = json!({ "name": s.name, "price_minor": s.price_minor, "currency": s.currency,
        "duration_minutes": s.duration_minutes, "active": s.active });
    changed(
        tx,
        ctx,
        event,
        &format!("booking_service.{verb}"),
        ("booking_service", s.id.to_string()),
        details,
        now,
    )
    .await
}

/// Applies `input` to `r` (checked; its services must be the tenant's).
async fn apply_resource(
    tx: &mut TenantTx,
    r: &mut Resource,
    input: ResourceInput,
) -> AppResult<()> {
    if let Some(n) = input.name {
        r.name = text("name", &n, 24)?;
    }
    if let Some(k) = input.kind {
        r.kind = k.as_str().to_owned();
    }
    if let Some(c) = input.capacity {
        if !(1..=1000).contains(&c) {
            return Err(AppError::validation("capacity", "from 1 to 1000"));
        }
        r.capacity = c;
    }
    if let Some(a) = input.active {
        r.active = a;
    }
    if let Some(mut ids) = input.service_ids {
        ids.sort();
        ids.dedup();
        if ids.len() > 200 {
            return Err(AppError::validation("service_ids", "at most 200"));
        }
        let known: Vec<ServiceId> = tx
            .list_services()
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        if let Some(i) = ids.iter().position(|id| !known.contains(id)) {
            return Err(AppError::validation(
                format!("service_ids[{i}]"),
                "not a service of this workspace",
            ));
        }
        r.service_ids = ids;
    }
    Ok(())
}

/// Every resource with the services it gives, by name.
pub async fn list_resources(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<Resource>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let all = tx.list_resources().await?;
    tx.commit().await?;
    Ok(all)
}

pub async fn get_resource(
    state: &AppState,
    ctx: &TenantCtx,
    id: ResourceId,
) -> AppResult<Resource> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let r = tx.find_resource(id).await?;
    tx.commit().await?;
    Ok(r)
}

/// Adds staff or a resource (name required; capacity 1 and every current
/// service by default).
pub async fn create_resource(
    state: &AppState,
    ctx: &TenantCtx,
    input: ResourceInput,
) -> AppResult<Resource> {
    ctx.require(Permission::CampaignsManage)?;
    if input.name.is_none() {
        return Err(AppError::validation("name", "required"));
    }
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut r = Resource {
        id: ResourceId::new(),
        name: String::new(),
        kind: ResourceKind::Staff.as_str().to_owned(),
        capacity: 1,
        active: true,
        service_ids: tx
            .list_services()
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect(),
        created_at: now,
        updated_at: now,
    };
    apply_resource(&mut tx, &mut r, input).await?;
    tx.upsert_resource(&r).await?;
    resource_changed(&mut tx, ctx, &r, "create", now).await?;
    tx.commit().await?;
    Ok(r)
}

/// Changes a resource. Lowering its capacity leaves bookings made.
pub async fn update_resource(
    state: &AppState,
    ctx: &TenantCtx,
    id: ResourceId,
    input: ResourceInput,
) -> AppResult<Resource> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut r = tx.find_resource(id).await?;
    apply_resource(&mut tx, &mut r, input).await?;
    r.updated_at = now;
    tx.upsert_resource(&r).await?;
    resource_changed(&mut tx, ctx, &r, "update", now).await?;
    tx.commit().await?;
    Ok(r)
}

/// Deletes a resource without bookings (409 `resource_in_use` otherwise).
pub async fn delete_resource(state: &AppState, ctx: &TenantCtx, id: ResourceId) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let r = tx.find_resource(id).await?;
    if tx.count_bookings_of(None, Some(id)).await? > 0 {
        return Err(AppError::Conflict(
            "resource_in_use",
            "this resource has bookings: make it inactive instead".into(),
        ));
    }
    tx.delete_resource(id).await?;
    resource_changed(&mut tx, ctx, &r, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

async fn resource_changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    r: &Resource,
    verb: &str,
    now: Timestamp,
) -> AppResult<()> {
    let rf = resource_ref(r);
    let event = match verb {
        "create" => Event::BookingResourceCreated(rf),
        "delete" => Event::BookingResourceDeleted(rf),
        _ => Event::BookingResourceUpdated(rf),
    };
    let details = json!({ "name": r.name, "kind": r.kind, "capacity": r.capacity,
        "active": r.active, "service_ids": r.service_ids });
    changed(
        tx,
        ctx,
        event,
        &format!("booking_resource.{verb}"),
        ("booking_resource", r.id.to_string()),
        details,
        now,
    )
    .await
}
