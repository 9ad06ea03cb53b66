//! Who a campaign goes to: a segment, contacts carrying any of some tags,
//! or a list of contacts (hand-picked, or the numbers of an uploaded list,
//! each found or created as a contact when the campaign is saved). Stored
//! as JSON on the campaign; read into recipients when it starts.

use crate::error::{AppError, AppResult};
use domain::{ContactId, SegmentId, TagId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::TenantTx;
use store::crm::rules::Group;
use store::crm::rules::sql::Selection;
use utoipa::ToSchema;

/// The most contacts a list audience may name (a bigger one is a segment
/// or a tag: import the list first).
pub const MAX_CONTACTS: usize = 10_000;

/// A campaign's audience: exactly one of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceSpec {
    /// Everyone in this segment when the campaign starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_id: Option<SegmentId>,
    /// Everyone carrying at least one of these tags when it starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_ids: Vec<TagId>,
    /// These contacts (at most 10,000).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_ids: Vec<ContactId>,
    /// On input only: numbers in E.164 (`+14155550100`); each becomes the
    /// contact with that number (created if new) in `contact_ids`.
    #[serde(default, skip_serializing)]
    #[schema(write_only)]
    pub phones: Vec<String>,
}

/// What the recipients are read from when the campaign starts.
pub enum Resolved {
    Rules(Selection),
    Contacts(Vec<ContactId>),
}

impl AudienceSpec {
    /// Checks the spec against the tenant's data, turning `phones` into
    /// contacts (created if new, recording `contact.created`).
    pub async fn checked(mut self, tx: &mut TenantTx, now: Timestamp) -> AppResult<AudienceSpec> {
        let kinds = [
            self.segment_id.is_some(),
            !self.tag_ids.is_empty(),
            !self.contact_ids.is_empty() || !self.phones.is_empty(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(AppError::validation(
                "audience",
                "give exactly one of segment_id, tag_ids, or contact_ids / phones",
            ));
        }
        if let Some(s) = self.segment_id {
            tx.find_segment(s)
                .await
                .map_err(|e| not_found(e, "audience.segment_id", "no such segment"))?;
        }
        for (i, t) in self.tag_ids.iter().enumerate() {
            tx.find_tag(*t)
                .await
                .map_err(|e| not_found(e, &format!("audience.tag_ids[{i}]"), "no such tag"))?;
        }
        for (i, p) in std::mem::take(&mut self.phones).iter().enumerate() {
            let wa_id = crate::inbox::contacts::fields::phone_wa_id(p).map_err(|_| {
                AppError::validation(
                    format!("audience.phones[{i}]"),
                    "a number in E.164, like +14155550100",
                )
            })?;
            let (contact, created) = tx.upsert_contact(&wa_id, None, None, now).await?;
            if created {
                let event = domain::events::ContactRef {
                    contact_id: contact.id,
                };
                crate::events::record(tx, crate::events::Event::ContactCreated(event), now);
            }
            self.contact_ids.push(contact.id);
        }
        self.contact_ids.sort();
        self.contact_ids.dedup();
        if self.contact_ids.len() > MAX_CONTACTS {
            return Err(AppError::validation(
                "audience.contact_ids",
                format!("at most {MAX_CONTACTS} contacts; use a segment or a tag for more"),
            ));
        }
        for (i, c) in self.contact_ids.iter().enumerate() {
            tx.find_contact(*c).await.map_err(|e| {
                not_found(e, &format!("audience.contact_ids[{i}]"), "no such contact")
            })?;
        }
        Ok(self)
    }

    /// What its recipients are read from, now.
    pub async fn resolve(&self, tx: &mut TenantTx) -> AppResult<Resolved> {
        if let Some(s) = self.segment_id {
            let segment = tx.find_segment(s).await.map_err(|e| match e {
                store::StoreError::NotFound => AppError::Rule(
                    "segment_deleted",
                    "the campaign's segment was deleted; choose another audience".into(),
                ),
                other => other.into(),
            })?;
            return Ok(Resolved::Rules(Selection {
                rules: segment.rules,
                search: None,
            }));
        }
        if !self.tag_ids.is_empty() {
            let rules: Vec<_> = self
                .tag_ids
                .iter()
                .map(|t| json!({ "field": "tag", "op": "has", "value": t }))
                .collect();
            let group = Group::parse(&json!({ "any": true, "rules": rules }))
                .map_err(|e| AppError::internal(anyhow::anyhow!("{}: {}", e.path, e.message)))?;
            return Ok(Resolved::Rules(Selection {
                rules: group,
                search: None,
            }));
        }
        Ok(Resolved::Contacts(self.contact_ids.clone()))
    }
}

fn not_found(e: store::StoreError, field: &str, what: &str) -> AppError {
    match e {
        store::StoreError::NotFound => AppError::validation(field, what),
        other => other.into(),
    }
}
