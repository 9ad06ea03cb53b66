//! Contacts the team makes and edits: created by phone number, their
//! name, email, language and custom attribute values changed.

use super::{Contact, phone_of};
use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use domain::{ContactId, Timestamp};
use serde_json::{Map, Value};

/// A contact the team creates by hand.
#[derive(Debug, Clone)]
pub struct NewContact<'a> {
    /// Digits only (the phone number without `+`).
    pub wa_id: &'a str,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub language: Option<&'a str>,
    pub attributes: &'a Map<String, Value>,
}

/// The fields a team edits, each as it should be after the change
/// (`None`: empty).
#[derive(Debug, Clone, Default)]
pub struct ContactFields {
    pub name: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub attributes: Map<String, Value>,
}

impl ContactFields {
    /// The fields as `c` has them now.
    pub fn of(c: &Contact) -> ContactFields {
        ContactFields {
            name: c.name.clone(),
            email: c.email.clone(),
            language: c.language.clone(),
            attributes: c.attributes.clone(),
        }
    }
}

impl TenantTx {
    /// Creates a contact for a phone number; `None` if a contact already
    /// has that WhatsApp id.
    pub async fn insert_manual_contact(
        &mut self,
        new: &NewContact<'_>,
        now: Timestamp,
    ) -> StoreResult<Option<Contact>> {
        let id = ContactId::new();
        let attributes = Value::Object(new.attributes.clone()).to_string();
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO contacts (tenant_id, id, wa_id, phone, name, email, language, attributes, \
                                   created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(new.wa_id)
        .bind(phone_of(Some(new.wa_id)))
        .bind(new.name)
        .bind(new.email)
        .bind(new.language)
        .bind(attributes.as_str())
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        if n == 0 {
            return Ok(None);
        }
        self.find_contact(id).await.map(Some)
    }

    /// Writes a contact's team-edited fields.
    pub async fn set_contact_fields(
        &mut self,
        id: ContactId,
        fields: &ContactFields,
        now: Timestamp,
    ) -> StoreResult<()> {
        let attributes = Value::Object(fields.attributes.clone()).to_string();
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contacts SET name = $3, email = $4, language = $5, attributes = $6, \
                 updated_at = $7 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(fields.name.as_deref())
        .bind(fields.email.as_deref())
        .bind(fields.language.as_deref())
        .bind(attributes.as_str())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Whether something of `id`'s is still in motion: an outbound message
    /// still `queued` (waiting for or in its send), or inbound media still
    /// being fetched. Erasing the contact then could let the message reach
    /// them afterwards, or leave a file behind.
    pub async fn contact_is_busy(&mut self, id: ContactId) -> StoreResult<bool> {
        let n: i64 = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages m \
             WHERE m.tenant_id = $1 \
               AND m.conversation_id IN (SELECT id FROM conversations \
                                         WHERE tenant_id = $1 AND contact_id = $2) \
               AND ((m.direction = 'out' AND m.status = 'queued') \
                    OR EXISTS (SELECT 1 FROM media x WHERE x.tenant_id = $1 \
                               AND x.message_id = m.id AND x.status = 'pending'))"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_one(c)
        .await)?;
        Ok(n > 0)
    }
}
