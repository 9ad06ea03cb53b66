use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{ContactId, Timestamp};
use serde_json::{Map, Value};
use uuid::Uuid;

mod edit;
mod erase;
mod list;

pub use edit::{ContactFields, NewContact};
pub use erase::{ErasedContact, MergedContacts};
pub use list::{AttributeCondition, AttributeFilter, Comparison, ContactFilter, DuplicateReason};

/// A customer, known by their WhatsApp id (or, where Meta hides the phone
/// number, their business-scoped user id).
#[derive(Debug, Clone)]
pub struct Contact {
    pub id: ContactId,
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    pub profile_name: Option<String>,
    /// The customer's WhatsApp username, where Meta sends one.
    pub username: Option<String>,
    pub phone: Option<String>,
    pub opted_out_at: Option<Timestamp>,
    /// When Meta last reported that the customer's identity changed
    /// (`customer_identity_changed`: a new phone or reinstall).
    pub identity_changed_at: Option<Timestamp>,
    /// The team's name for the contact (shown instead of `profile_name`).
    pub name: Option<String>,
    pub email: Option<String>,
    /// A language tag (`en`, `pt_BR`).
    pub language: Option<String>,
    /// Custom attribute values by attribute key.
    pub attributes: Map<String, Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Its tags, by name: empty until loaded with
    /// [`TenantTx::load_contact_tags`] (the rules that show contacts do).
    pub tags: Vec<crate::crm::tags::Tag>,
}

impl Contact {
    /// The name to show: the team's, else the WhatsApp profile name.
    pub fn display_name(&self) -> Option<&str> {
        [self.name.as_deref(), self.profile_name.as_deref()]
            .into_iter()
            .flatten()
            .find(|n| !n.trim().is_empty())
    }
}

/// What a webhook tells about a customer: at least one of the two ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactFacts<'a> {
    pub wa_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub username: Option<&'a str>,
    pub profile_name: Option<&'a str>,
}

pub(crate) const COLUMNS: &str = "id, wa_id, user_id, profile_name, username, phone, opted_out_at, \
     identity_changed_at, name, email, language, attributes, created_at, updated_at";

/// `+<digits>` for a WhatsApp id that is a phone number.
fn phone_of(wa_id: Option<&str>) -> Option<String> {
    wa_id
        .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
        .map(|w| format!("+{w}"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: Uuid,
    wa_id: Option<String>,
    user_id: Option<String>,
    profile_name: Option<String>,
    username: Option<String>,
    phone: Option<String>,
    opted_out_at: Option<i64>,
    identity_changed_at: Option<i64>,
    name: Option<String>,
    email: Option<String>,
    language: Option<String>,
    attributes: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> StoreResult<Self> {
        let attributes = match serde_json::from_str(&r.attributes) {
            Ok(Value::Object(map)) => map,
            Ok(_) => Map::new(),
            Err(e) => return Err(StoreError::corrupt(e)),
        };
        Ok(Contact {
            id: ContactId::from_uuid(r.id),
            wa_id: r.wa_id,
            user_id: r.user_id,
            profile_name: r.profile_name,
            username: r.username,
            phone: r.phone,
            opted_out_at: r.opted_out_at.map(Timestamp::from_millis),
            identity_changed_at: r.identity_changed_at.map(Timestamp::from_millis),
            name: r.name,
            email: r.email,
            language: r.language,
            attributes,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            tags: Vec::new(),
        })
    }
}

/// Rows read back as contacts.
fn contacts(rows: Vec<ContactRow>) -> StoreResult<Vec<Contact>> {
    rows.into_iter().map(Contact::try_from).collect()
}

impl TenantTx {
    /// Finds or creates the contact for an inbound sender, refreshing the
    /// profile name when Meta sends one; `true` with it if it was created.
    pub async fn upsert_contact(
        &mut self,
        wa_id: &str,
        user_id: Option<&str>,
        profile_name: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<(Contact, bool)> {
        let new_id = ContactId::new();
        let phone = phone_of(Some(wa_id));
        let sql = format!(
            "INSERT INTO contacts (tenant_id, id, wa_id, user_id, profile_name, phone, created_at, \
                                   updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (tenant_id, wa_id) DO UPDATE SET \
               profile_name = COALESCE(excluded.profile_name, contacts.profile_name), \
               user_id = COALESCE(excluded.user_id, contacts.user_id), \
               updated_at = excluded.updated_at \
             RETURNING {COLUMNS}"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, ContactRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(new_id.as_uuid())
        .bind(wa_id)
        .bind(user_id)
        .bind(profile_name)
        .bind(phone)
        .bind(now.as_millis())
        .fetch_one(c)
        .await)?;
        let contact = Contact::try_from(row)?;
        let created = contact.id == new_id;
        Ok((contact, created))
    }

    pub async fn find_contact(&mut self, id: ContactId) -> StoreResult<Contact> {
        let sql = format!("SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, ContactRow>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(self.tenant.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(c)
                .await
        })?;
        row.or_not_found()?.try_into()
    }

    /// The contacts of `ids` that exist, in no particular order.
    pub async fn find_contacts(&mut self, ids: &[ContactId]) -> StoreResult<Vec<Contact>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(crate::placeholders::rows_per_statement(1)) {
            let sql = format!(
                "SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1 AND id IN ({})",
                crate::placeholders::list(chunk.len(), 2)
            );
            let rows = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_as::<_, ContactRow>(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid());
                for id in chunk {
                    q = q.bind(id.as_uuid());
                }
                q.fetch_all(c).await
            })?;
            found.extend(contacts(rows)?);
        }
        Ok(found)
    }

    /// The contacts known by any of these WhatsApp ids or business-scoped
    /// user ids (those that exist), in one query.
    pub async fn find_contacts_by_keys(
        &mut self,
        wa_ids: &[&str],
        user_ids: &[&str],
    ) -> StoreResult<Vec<Contact>> {
        if wa_ids.is_empty() && user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1 \
             AND (wa_id IN ({}) OR user_id IN ({}))",
            crate::placeholders::list(wa_ids.len(), 2),
            crate::placeholders::list(user_ids.len(), 2 + wa_ids.len()),
        );
        let rows = run!(&mut self.tx, |c| {
            let mut q = sqlx::query_as::<_, ContactRow>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(self.tenant.as_uuid());
            for key in wa_ids.iter().chain(user_ids) {
                q = q.bind(*key);
            }
            q.fetch_all(c).await
        })?;
        contacts(rows)
    }

    /// Inserts a contact for a customer no contact knows yet; `None` if
    /// another transaction took one of its ids first.
    pub async fn insert_contact(
        &mut self,
        facts: ContactFacts<'_>,
        now: Timestamp,
    ) -> StoreResult<Option<Contact>> {
        let id = ContactId::new();
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO contacts (tenant_id, id, wa_id, user_id, username, profile_name, phone, \
                                   created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(facts.wa_id)
        .bind(facts.user_id)
        .bind(facts.username)
        .bind(facts.profile_name)
        .bind(phone_of(facts.wa_id))
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        if n == 0 {
            return Ok(None);
        }
        self.find_contact(id).await.map(Some)
    }

    /// Adds what `facts` tells to a contact: an id it lacked, a new
    /// username or profile name. Ids it has already are kept.
    pub async fn merge_contact_facts(
        &mut self,
        id: ContactId,
        facts: ContactFacts<'_>,
        now: Timestamp,
    ) -> StoreResult<Contact> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contacts SET wa_id = COALESCE(wa_id, $3), user_id = COALESCE(user_id, $4), \
                 username = COALESCE($5, username), profile_name = COALESCE($6, profile_name), \
                 phone = COALESCE(phone, $7), updated_at = $8 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(facts.wa_id)
        .bind(facts.user_id)
        .bind(facts.username)
        .bind(facts.profile_name)
        .bind(phone_of(facts.wa_id))
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        self.find_contact(id).await
    }

    /// The customer moved to a new WhatsApp number (`user_changed_number`).
    pub async fn set_contact_wa_id(
        &mut self,
        id: ContactId,
        wa_id: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contacts SET wa_id = $3, phone = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(wa_id)
        .bind(phone_of(Some(wa_id)))
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Meta reported that the customer's identity changed at `at`.
    pub async fn set_contact_identity_changed(
        &mut self,
        id: ContactId,
        at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contacts SET identity_changed_at = $3, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(at.as_millis())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Records an opt-out (`Some`) or opt-in (`None`).
    pub async fn set_contact_opt_out(
        &mut self,
        id: ContactId,
        at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| {
            sqlx::query(
            "UPDATE contacts SET opted_out_at = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(at.map(Timestamp::as_millis))
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        Ok(())
    }
}
