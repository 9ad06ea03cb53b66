//! Enrolling contacts in a drip and stopping them: one by one
//! ([`enroll_in`], [`stop_in`]: in the caller's transaction, for workflow
//! steps too), a list of contacts, every member of a segment (in batches,
//! as a job: [`super::jobs`]), or a CSV file's column of phone numbers or
//! contact ids ([`super::enrol_csv`] reads it).
//!
//! A contact is in a drip at most once at a time (the subscribers' unique
//! key backs that up): enrolling one who is in it already does nothing.
//! Enrolled again after an enrolment ended, they start from the first
//! step, with a new subscriber and history.

use super::definition::{Definition, ZONE_ATTRIBUTE, after_quiet, zone_named};
use super::jobs;
use super::rules::read;
use crate::auth::{Actor, TenantCtx, Via};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{DripSubscriberExited, DripSubscriberRef, Event};
use domain::{ContactId, DripId, DripSubscriberId, Permission, SegmentId, Timestamp};
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::json;
use store::drips::{Drip, DripSubscriber, SubscriberStatus};
use store::inbox::Contact;
use store::{StoreError, TenantTx};
use utoipa::ToSchema;

/// Contacts one enrolment call may name, at most (more: a segment or CSV).
pub const MAX_CONTACTS: usize = 1_000;

/// What came of enrolling one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Enrolled,
    /// In the drip already (an enrolment under way).
    AlreadyEnrolled,
    /// Opted out of messages: not enrolled.
    OptedOut,
    /// No such contact.
    NotFound,
}

/// The subscriber's reference in its events.
pub fn subscriber_ref(s: &DripSubscriber) -> DripSubscriberRef {
    DripSubscriberRef {
        subscriber_id: s.id,
        drip_id: s.drip_id,
        contact_id: s.contact_id,
        via: s.via.clone(),
    }
}

/// The time zone quiet hours are read in for `contact`: its own (the
/// `time_zone` attribute, an IANA name) if it has one the server knows,
/// else the tenant's.
pub async fn zone_of(tx: &mut TenantTx, contact: &Contact) -> AppResult<TimeZone> {
    let own = contact
        .attributes
        .get(ZONE_ATTRIBUTE)
        .and_then(|v| v.as_str())
        .and_then(zone_named);
    if let Some(tz) = own {
        return Ok(tz);
    }
    let tenant = crate::tenancy::zone::tenant_zone(tx).await?;
    Ok(zone_named(&tenant).unwrap_or(TimeZone::UTC))
}

/// When step `step` of `d` falls due for `contact`, counted from `from`;
/// `None` past the last step.
pub async fn due(
    tx: &mut TenantTx,
    d: &Definition,
    step: usize,
    contact: &Contact,
    from: Timestamp,
) -> AppResult<Option<Timestamp>> {
    let Some(s) = d.steps.get(step) else {
        return Ok(None);
    };
    let at = from.plus_seconds(s.delay_seconds());
    if d.quiet_hours.is_none() {
        return Ok(Some(at));
    }
    let tz = zone_of(tx, contact).await?;
    Ok(Some(after_quiet(at, d.quiet_hours.as_ref(), &tz)))
}

/// How `ctx` enrols: a workflow's step, else by hand.
fn via_of(ctx: &TenantCtx) -> &'static str {
    match ctx.actor {
        Actor::System {
            via: Via::Automation,
        } => "workflow",
        Actor::ApiKey { .. } => "api",
        _ => "manual",
    }
}

/// Refuses enrolments in a disabled drip.
fn enabled(drip: &Drip) -> AppResult<()> {
    if drip.enabled {
        Ok(())
    } else {
        Err(AppError::Rule(
            "drip_disabled",
            "this drip is disabled: enable it to enrol contacts".into(),
        ))
    }
}

/// Enrols `contact` in `drip` (checked enabled) in `tx`: its first step's
/// job is queued in the same transaction.
pub(super) async fn enrol(
    tx: &mut TenantTx,
    drip: &Drip,
    d: &Definition,
    contact: &Contact,
    via: &str,
    now: Timestamp,
) -> AppResult<Outcome> {
    if contact.opted_out_at.is_some() {
        return Ok(Outcome::OptedOut);
    }
    if tx
        .active_drip_subscriber(drip.id, contact.id)
        .await?
        .is_some()
    {
        return Ok(Outcome::AlreadyEnrolled);
    }
    let next_at = due(tx, d, 0, contact, now).await?;
    let s = DripSubscriber {
        id: DripSubscriberId::new(),
        drip_id: drip.id,
        contact_id: contact.id,
        status: SubscriberStatus::Active,
        exit_reason: None,
        exit_detail: None,
        step: 0,
        next_at,
        via: via.to_owned(),
        enrolled_at: now,
        updated_at: now,
        finished_at: None,
    };
    if !tx.insert_drip_subscriber(&s).await? {
        return Ok(Outcome::AlreadyEnrolled);
    }
    jobs::enqueue_step(tx, s.id, 0, next_at.unwrap_or(now)).await?;
    record(tx, Event::DripSubscriberEnrolled(subscriber_ref(&s)), now);
    Ok(Outcome::Enrolled)
}

/// Enrols `contact` in `drip`, in `tx`: whether it was (not if it is in
/// the drip already, or opted out). A missing drip or contact is a 404 /
/// 422; a disabled drip is refused (`drip_disabled`). For workflow steps
/// (`start_drip`) and the rules below.
pub async fn enroll_in(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    drip: DripId,
    contact: ContactId,
    now: Timestamp,
) -> AppResult<bool> {
    ctx.require(Permission::CampaignsManage)?;
    let d = tx.find_drip(drip).await?;
    enabled(&d)?;
    let def = read(&d)?;
    let c = match tx.find_contact(contact).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => {
            return Err(AppError::validation("contact_id", "no such contact"));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(enrol(tx, &d, &def, &c, via_of(ctx), now).await? == Outcome::Enrolled)
}

/// Ends `s` as `exited` for `reason`, with its event, in `tx`.
pub async fn exit(
    tx: &mut TenantTx,
    s: &mut DripSubscriber,
    reason: &str,
    detail: Option<String>,
    now: Timestamp,
) -> AppResult<()> {
    s.end(SubscriberStatus::Exited, Some(reason), detail.clone(), now);
    tx.update_drip_subscriber(s).await?;
    let event = DripSubscriberExited {
        subscriber: subscriber_ref(s),
        reason: reason.to_owned(),
        detail,
    };
    record(tx, Event::DripSubscriberExited(event), now);
    Ok(())
}

/// Stops `contact`'s enrolment in `drip` (exited, `stopped`), in `tx`:
/// whether there was one under way. For workflow steps (`stop_drip`) and
/// people.
pub async fn stop_in(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    drip: DripId,
    contact: ContactId,
    now: Timestamp,
) -> AppResult<bool> {
    ctx.require(Permission::CampaignsManage)?;
    tx.find_drip(drip).await?;
    let Some(found) = tx.active_drip_subscriber(drip, contact).await? else {
        return Ok(false);
    };
    let mut s = tx.claim_drip_subscriber(found.id).await?;
    if s.status != SubscriberStatus::Active {
        return Ok(false);
    }
    exit(tx, &mut s, "stopped", None, now).await?;
    Ok(true)
}

/// Enrols each of `contacts` (at most [`MAX_CONTACTS`]) in `drip`; what
/// came of each, in order.
pub async fn enrol_contacts(
    state: &AppState,
    ctx: &TenantCtx,
    drip: DripId,
    contacts: &[ContactId],
) -> AppResult<Vec<(ContactId, Outcome)>> {
    ctx.require(Permission::CampaignsManage)?;
    if contacts.is_empty() || contacts.len() > MAX_CONTACTS {
        return Err(AppError::validation(
            "contact_ids",
            format!("1 to {MAX_CONTACTS} contacts; use a segment or a CSV file for more"),
        ));
    }
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let d = tx.find_drip(drip).await?;
    enabled(&d)?;
    let def = read(&d)?;
    let via = via_of(ctx);
    let mut out = Vec::with_capacity(contacts.len());
    for id in contacts {
        let outcome = match tx.find_contact(*id).await {
            Ok(c) => enrol(&mut tx, &d, &def, &c, via, now).await?,
            Err(StoreError::NotFound) => Outcome::NotFound,
            Err(e) => return Err(e.into()),
        };
        out.push((*id, outcome));
    }
    let enrolled = out.iter().filter(|(_, o)| *o == Outcome::Enrolled).count();
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "drip.enrol",
        ("drip", drip.to_string()),
        json!({ "contacts": contacts.len(), "enrolled": enrolled }),
    )
    .await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(out)
}

/// Queues the enrolment of every contact of segment `segment` (as it is
/// when each batch is read) in `drip`.
pub async fn enrol_segment(
    state: &AppState,
    ctx: &TenantCtx,
    drip: DripId,
    segment: SegmentId,
) -> AppResult<()> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let d = tx.find_drip(drip).await?;
    enabled(&d)?;
    match tx.find_segment(segment).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::validation("segment_id", "no such segment"));
        }
        Err(e) => return Err(e.into()),
    }
    jobs::enqueue_segment(&mut tx, drip, segment, None, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "drip.enrol_segment",
        ("drip", drip.to_string()),
        json!({ "segment_id": segment }),
    )
    .await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(())
}

/// Stops subscriber `id` of drip `drip` (exited, `stopped`). 409
/// `subscriber_not_active` for one whose enrolment ended.
pub async fn stop_subscriber(
    state: &AppState,
    ctx: &TenantCtx,
    drip: DripId,
    id: DripSubscriberId,
) -> AppResult<DripSubscriber> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut s = tx.claim_drip_subscriber(id).await?;
    if s.drip_id != drip {
        return Err(AppError::NotFound);
    }
    if s.status != SubscriberStatus::Active {
        return Err(AppError::Conflict(
            "subscriber_not_active",
            "this enrolment has ended".into(),
        ));
    }
    exit(&mut tx, &mut s, "stopped", None, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "drip_subscriber.stop",
        ("drip_subscriber", id.to_string()),
        json!({ "drip_id": drip, "contact_id": s.contact_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}
