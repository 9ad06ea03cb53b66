//! Applying one part of a file, in the transaction that also moves the
//! import's position past it: rows checked, duplicates found (within the
//! file and against existing contacts), contacts created or updated, tags
//! created and put on, rejected rows kept with why, and an event for each
//! contact created, updated or tagged.

use super::file::NumberedRow;
use super::mapping::Field;
use super::row::{self, RowValues};
use crate::events::{Event, record};
use domain::events::{ContactRef, ContactTagged, ContactUpdated, TagRef};
use domain::{ContactId, ContactImportId, TagId, Timestamp};
use std::collections::{BTreeSet, HashMap};
use store::crm::attributes::AttributeDef;
use store::crm::imports::rows::ImportedContact;
use store::crm::imports::{ImportProgress, ImportReject};
use store::crm::tags::Tag;
use store::inbox::{Contact, ContactFields};
use store::{StoreResult, TenantTx};

/// How a part's rows meet contacts that exist already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A number a contact has already is rejected.
    CreateOnly,
    /// A number a contact has already updates that contact's mapped fields.
    CreateOrUpdate,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "create_only" => Some(Mode::CreateOnly),
            "create_or_update" => Some(Mode::CreateOrUpdate),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::CreateOnly => "create_only",
            Mode::CreateOrUpdate => "create_or_update",
        }
    }
}

/// What one import's part works with.
pub struct Part<'a> {
    pub import: ContactImportId,
    pub mapping: &'a [Field],
    pub mode: Mode,
    pub defs: &'a [AttributeDef],
    pub now: Timestamp,
}

/// Colours of tags an import creates, picked by name.
const TAG_COLOURS: [&str; 8] = [
    "#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
];

/// Applies `rows` in `tx`; answers what they did.
pub async fn apply(
    tx: &mut TenantTx,
    p: &Part<'_>,
    rows: Vec<NumberedRow>,
) -> StoreResult<ImportProgress> {
    let mut progress = ImportProgress {
        rows: rows.len() as i64,
        ..Default::default()
    };
    let mut rejects = Vec::new();
    let mut reject = |row: &NumberedRow, reason: String| {
        rejects.push(ImportReject {
            row_number: row.0,
            cells: row.1.clone(),
            reason,
        })
    };

    // Each row read and checked; a number's later rows are duplicates of
    // its first, in this part or an earlier one.
    let mut valid: Vec<(&NumberedRow, RowValues)> = Vec::with_capacity(rows.len());
    for r in &rows {
        match row::read(&r.1, p.mapping, p.defs) {
            Ok(v) => valid.push((r, v)),
            Err(why) => reject(r, why),
        }
    }
    let numbers: Vec<&str> = valid.iter().map(|(_, v)| v.wa_id.as_str()).collect();
    let mut first_row = tx.find_contact_import_phones(p.import, &numbers).await?;
    let mut firsts = Vec::new();
    let mut unique = Vec::with_capacity(valid.len());
    for (r, v) in valid {
        if let Some(first) = first_row.get(&v.wa_id) {
            reject(r, format!("duplicate of row {first}"));
            continue;
        }
        first_row.insert(v.wa_id.clone(), r.0);
        firsts.push((v.wa_id.clone(), r.0));
        unique.push((r, v));
    }
    let firsts: Vec<(&str, i64)> = firsts.iter().map(|(w, n)| (w.as_str(), *n)).collect();
    tx.insert_contact_import_phones(p.import, &firsts).await?;

    // Existing contacts, by number.
    let numbers: Vec<&str> = unique.iter().map(|(_, v)| v.wa_id.as_str()).collect();
    let mut existing: HashMap<String, Contact> = tx
        .find_contacts_by_keys(&numbers, &[])
        .await?
        .into_iter()
        .filter_map(|c| Some((c.wa_id.clone()?, c)))
        .collect();

    // New contacts, as many as the plan has room for.
    let mut room = contact_room(
        tx,
        unique
            .iter()
            .filter(|(_, v)| !existing.contains_key(&v.wa_id))
            .count(),
    )
    .await?;
    let mut new = Vec::new();
    let mut to_update = Vec::new();
    for (r, v) in unique {
        if existing.contains_key(&v.wa_id) {
            to_update.push((r, v));
        } else if room.is_some_and(|n| n == 0) {
            reject(r, "the plan's contact limit is reached".to_owned());
        } else {
            room = room.map(|n| n - 1);
            new.push((r, v, ContactId::new()));
        }
    }
    let inserts: Vec<ImportedContact> = new
        .iter()
        .map(|(_, v, id)| ImportedContact {
            id: *id,
            wa_id: v.wa_id.clone(),
            name: v.name.clone(),
            email: v.email.clone(),
            language: v.language.clone(),
            attributes: v.attributes.clone(),
        })
        .collect();
    let created: HashMap<String, ContactId> = tx
        .insert_imported_contacts(&inserts, p.now)
        .await?
        .into_iter()
        .map(|(id, wa_id)| (wa_id, id))
        .collect();
    let mut tagged: Vec<(ContactId, &[String])> = Vec::new();
    let mut raced = Vec::new();
    for (_, v, _) in &new {
        match created.get(&v.wa_id) {
            Some(id) => {
                record(
                    tx,
                    Event::ContactCreated(ContactRef { contact_id: *id }),
                    p.now,
                );
                progress.created += 1;
                tagged.push((*id, &v.tags));
            }
            // Another transaction created this number's contact since.
            None => raced.push(v.wa_id.as_str()),
        }
    }
    if !raced.is_empty() {
        existing.extend(
            tx.find_contacts_by_keys(&raced, &[])
                .await?
                .into_iter()
                .filter_map(|c| Some((c.wa_id.clone()?, c))),
        );
        for (r, v, _) in &new {
            if raced.contains(&v.wa_id.as_str()) {
                to_update.push((*r, v.clone()));
            }
        }
    }

    // Numbers a contact has already.
    for (r, v) in &to_update {
        let Some(contact) = existing.get(&v.wa_id) else {
            continue;
        };
        if p.mode == Mode::CreateOnly {
            reject(r, "a contact with this phone number exists".to_owned());
            continue;
        }
        update(tx, contact, v, p.now).await?;
        progress.updated += 1;
        tagged.push((contact.id, &v.tags));
    }

    put_tags(tx, &tagged, p.now).await?;
    progress.rejected = rejects.len() as i64;
    tx.insert_contact_import_rejects(p.import, &rejects).await?;
    Ok(progress)
}

/// How many more contacts the plan allows (`None`: no limit), holding the
/// plan's contact lock until the transaction ends, as
/// [`crate::tenancy::limits::take`] does for one.
async fn contact_room(tx: &mut TenantTx, wanted: usize) -> StoreResult<Option<usize>> {
    if wanted == 0 {
        return Ok(None);
    }
    tx.lock_resource("contacts").await?;
    let Some(limit) = tx.find_plan().await?.limits.contacts else {
        return Ok(None);
    };
    let used = tx.count_contacts().await?;
    Ok(Some(usize::try_from(limit - used).unwrap_or(0)))
}

/// Writes a row's non-empty values over a contact's (attributes key by
/// key), with a `contact.updated` event naming what changed, if anything.
async fn update(tx: &mut TenantTx, c: &Contact, v: &RowValues, now: Timestamp) -> StoreResult<()> {
    let before = ContactFields::of(c);
    let mut after = before.clone();
    if v.name.is_some() {
        after.name = v.name.clone();
    }
    if v.email.is_some() {
        after.email = v.email.clone();
    }
    if v.language.is_some() {
        after.language = v.language.clone();
    }
    for (k, value) in &v.attributes {
        after.attributes.insert(k.clone(), value.clone());
    }
    let mut changed: Vec<String> = [
        ("name", before.name != after.name),
        ("email", before.email != after.email),
        ("language", before.language != after.language),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(f, _)| f.to_owned())
    .collect();
    let keys: BTreeSet<&String> = v.attributes.keys().collect();
    for key in keys {
        if before.attributes.get(key) != after.attributes.get(key) {
            changed.push(format!("attributes.{key}"));
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    tx.set_contact_fields(c.id, &after, now).await?;
    let event = Event::ContactUpdated(ContactUpdated {
        contact_id: c.id,
        changed,
    });
    record(tx, event, now);
    Ok(())
}

/// Puts each contact's tags on it, creating the tags the catalogue lacks
/// (by name, whatever the case), with their events.
async fn put_tags(
    tx: &mut TenantTx,
    tagged: &[(ContactId, &[String])],
    now: Timestamp,
) -> StoreResult<()> {
    if tagged.iter().all(|(_, names)| names.is_empty()) {
        return Ok(());
    }
    let mut by_name: HashMap<String, Tag> = tx
        .all_tags()
        .await?
        .into_iter()
        .map(|t| (t.name.to_lowercase(), t))
        .collect();
    let mut links = Vec::new();
    for (contact, names) in tagged {
        for name in names.iter() {
            let key = name.to_lowercase();
            // A full catalogue gets no more tags; the rows keep the others.
            if !by_name.contains_key(&key) && by_name.len() < crate::crm::tags::MAX_TAGS {
                let tag = Tag {
                    id: TagId::new(),
                    name: name.clone(),
                    colour: colour_of(&key).to_owned(),
                    created_at: now,
                    updated_at: now,
                };
                tx.insert_tag(&tag).await?;
                let r = TagRef {
                    tag_id: tag.id,
                    name: tag.name.clone(),
                    colour: tag.colour.clone(),
                };
                record(tx, Event::TagCreated(r), now);
                by_name.insert(key.clone(), tag);
            }
            if let Some(tag) = by_name.get(&key) {
                links.push((*contact, tag.id));
            }
        }
    }
    let names: HashMap<TagId, String> = by_name.into_values().map(|t| (t.id, t.name)).collect();
    for (contact_id, tag_id) in tx.tag_contacts(&links, now).await? {
        let event = Event::ContactTagged(ContactTagged {
            contact_id,
            tag_id,
            tag_name: names.get(&tag_id).cloned().unwrap_or_default(),
        });
        record(tx, event, now);
    }
    Ok(())
}

/// A colour for a new tag, the same for the same name.
fn colour_of(folded_name: &str) -> &'static str {
    let sum = folded_name
        .bytes()
        .fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(b as usize));
    TAG_COLOURS[sum % TAG_COLOURS.len()]
}
