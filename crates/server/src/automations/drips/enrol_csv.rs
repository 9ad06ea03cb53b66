//! Enrolling a CSV file's contacts: its header names one column of phone
//! numbers (`phone`, `phone_number`, `number`, `wa_id`, `whatsapp`) or of
//! contact ids (`contact_id`, `id`); each row's contact is enrolled.
//! Phone numbers are read as the contact import reads them (an optional
//! `+`, 8 to 15 digits with the country code, spaces and punctuation
//! dropped: [`crate::crm::imports::row::phone`]); a number no contact has
//! yet becomes a new contact, as sending to a number does.

use super::enrol::{Outcome, enrol};
use super::rules::read;
use crate::auth::TenantCtx;
use crate::crm::imports::csv::{Records, decode, detect_delimiter};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{ContactRef, Event};
use domain::{ContactId, DripId, Permission};
use serde::Serialize;
use serde_json::json;
use store::StoreError;
use utoipa::ToSchema;

/// Rows a file may have, at most (more: a segment).
pub const MAX_ROWS: usize = 5_000;
/// Rejected rows an answer lists, at most.
const MAX_LISTED: usize = 100;

const PHONE_HEADERS: [&str; 5] = ["phone", "phone_number", "number", "wa_id", "whatsapp"];
const ID_HEADERS: [&str; 2] = ["contact_id", "id"];

/// What came of a file.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CsvEnrolment {
    /// Rows read (the header not counted).
    pub rows: usize,
    pub enrolled: usize,
    pub already_enrolled: usize,
    pub opted_out: usize,
    /// Rows whose value was not a phone number or a contact's id (the
    /// first 100).
    pub rejected: Vec<RejectedRow>,
    /// How many rows were rejected in all.
    pub rejected_count: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedRow {
    /// The row's number in the file (1: the header).
    pub row: usize,
    pub reason: String,
}

enum Column {
    Phone(usize),
    Id(usize),
}

fn column(header: &[String]) -> AppResult<Column> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
        .collect();
    let find = |list: &[&str]| names.iter().position(|n| list.contains(&n.as_str()));
    if let Some(i) = find(&PHONE_HEADERS) {
        return Ok(Column::Phone(i));
    }
    if let Some(i) = find(&ID_HEADERS) {
        return Ok(Column::Id(i));
    }
    Err(AppError::validation(
        "file",
        "the first row names no `phone` or `contact_id` column",
    ))
}

/// Enrols the contacts of CSV file `bytes` in `drip`.
pub async fn enrol_csv(
    state: &AppState,
    ctx: &TenantCtx,
    drip: DripId,
    bytes: &[u8],
) -> AppResult<CsvEnrolment> {
    ctx.require(Permission::CampaignsManage)?;
    let text = decode(bytes);
    let mut records = Records::new(&text, detect_delimiter(&text));
    let bad_file = |what: &str| AppError::validation("file", what.to_owned());
    let header = match records.next() {
        Some(Ok((_, cells))) => cells,
        Some(Err(_)) => return Err(bad_file("a quote is never closed")),
        None => return Err(bad_file("the file is empty")),
    };
    let col = column(&header)?;
    let mut rows = Vec::new();
    for r in records {
        let (n, cells) = r.map_err(|u| {
            AppError::validation("file", format!("row {}: a quote is never closed", u.record))
        })?;
        rows.push((n, cells));
        if rows.len() > MAX_ROWS {
            return Err(bad_file(&format!(
                "at most {MAX_ROWS} rows; use a segment for more"
            )));
        }
    }
    if rows.is_empty() {
        return Err(bad_file("the file has no rows under its header"));
    }
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let d = tx.find_drip(drip).await?;
    if !d.enabled {
        return Err(AppError::Rule(
            "drip_disabled",
            "this drip is disabled: enable it to enrol contacts".into(),
        ));
    }
    let def = read(&d)?;
    let mut out = CsvEnrolment {
        rows: rows.len(),
        ..CsvEnrolment::default()
    };
    for (n, cells) in rows {
        let (i, is_phone) = match col {
            Column::Phone(i) => (i, true),
            Column::Id(i) => (i, false),
        };
        let cell = cells.get(i).map(|c| c.trim()).unwrap_or_default();
        let found = if is_phone {
            match crate::crm::imports::row::phone(cell) {
                Ok(wa_id) => {
                    let (c, created) = tx.upsert_contact(&wa_id, None, None, now).await?;
                    if created {
                        let event = Event::ContactCreated(ContactRef { contact_id: c.id });
                        record(&mut tx, event, now);
                    }
                    Ok(c)
                }
                Err(reason) => Err(reason),
            }
        } else {
            match cell.parse::<uuid::Uuid>() {
                Ok(id) => match tx.find_contact(ContactId::from_uuid(id)).await {
                    Ok(c) => Ok(c),
                    Err(StoreError::NotFound) => Err("contact_id: no such contact".to_owned()),
                    Err(e) => return Err(e.into()),
                },
                Err(_) => Err("contact_id: not a contact's id".to_owned()),
            }
        };
        match found {
            Ok(c) => match enrol(&mut tx, &d, &def, &c, "csv", now).await? {
                Outcome::Enrolled => out.enrolled += 1,
                Outcome::AlreadyEnrolled => out.already_enrolled += 1,
                Outcome::OptedOut => out.opted_out += 1,
                Outcome::NotFound => {}
            },
            Err(reason) => {
                out.rejected_count += 1;
                if out.rejected.len() < MAX_LISTED {
                    out.rejected.push(RejectedRow { row: n, reason });
                }
            }
        }
    }
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "drip.enrol_csv",
        ("drip", drip.to_string()),
        json!({ "rows": out.rows, "enrolled": out.enrolled, "rejected": out.rejected_count }),
    )
    .await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(out)
}

/// The contact a person means by `raw`: a contact's id, or a phone number
/// (read as a CSV's are) some contact has. 422 on `contact` otherwise.
pub async fn find_contact_by_key(
    state: &AppState,
    ctx: &TenantCtx,
    raw: &str,
) -> AppResult<ContactId> {
    ctx.require(Permission::CampaignsManage)?;
    let raw = raw.trim();
    let missing = || AppError::validation("contact", "no contact has this id or phone number");
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = if let Ok(id) = raw.parse::<uuid::Uuid>() {
        match tx.find_contact(ContactId::from_uuid(id)).await {
            Ok(c) => Some(c.id),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        }
    } else {
        let wa_id = crate::crm::imports::row::phone(raw).map_err(|_| missing())?;
        tx.find_contacts_by_keys(&[wa_id.as_str()], &[])
            .await?
            .first()
            .map(|c| c.id)
    };
    tx.commit().await?;
    found.ok_or_else(missing)
}
