//! The bulk writes of one part of an import, each a few multi-row
//! statements (a part is 1,000 rows): the phone numbers seen, the contacts
//! created, the tags put on them, the rows rejected.

use super::ImportReject;
use crate::db::{TenantTx, exec, run};
use crate::error::{StoreError, StoreResult};
use crate::placeholders::{list, rows_per_statement, values};
use domain::{ContactId, ContactImportId, TagId, Timestamp};
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// A contact an import creates.
#[derive(Debug, Clone)]
pub struct ImportedContact {
    pub id: ContactId,
    /// Digits only.
    pub wa_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub attributes: Map<String, Value>,
}

impl TenantTx {
    /// Of `wa_ids`, those an earlier part of the import has read, with the
    /// row each was first seen in.
    pub async fn find_contact_import_phones(
        &mut self,
        id: ContactImportId,
        wa_ids: &[&str],
    ) -> StoreResult<HashMap<String, i64>> {
        let mut seen = HashMap::new();
        for chunk in wa_ids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "SELECT wa_id, row_number FROM contact_import_phones \
                 WHERE tenant_id = $1 AND import_id = $2 AND wa_id IN ({})",
                list(chunk.len(), 3)
            );
            let rows: Vec<(String, i64)> = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid())
                    .bind(id.as_uuid());
                for w in chunk {
                    q = q.bind(*w);
                }
                q.fetch_all(c).await
            })?;
            seen.extend(rows);
        }
        Ok(seen)
    }

    /// Records the first row of each phone number this part read.
    pub async fn insert_contact_import_phones(
        &mut self,
        id: ContactImportId,
        phones: &[(&str, i64)],
    ) -> StoreResult<()> {
        for chunk in phones.chunks(rows_per_statement(2)) {
            let sql = format!(
                "INSERT INTO contact_import_phones (tenant_id, import_id, wa_id, row_number) \
                 VALUES {}",
                values(chunk.len(), 2, 3, |p| format!("($1, $2, {p})"))
            );
            exec!(&mut self.tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid())
                    .bind(id.as_uuid());
                for (wa_id, row) in chunk {
                    q = q.bind(*wa_id).bind(*row);
                }
                q.execute(c).await
            })?;
        }
        Ok(())
    }

    /// Records rejected rows.
    pub async fn insert_contact_import_rejects(
        &mut self,
        id: ContactImportId,
        rejects: &[ImportReject],
    ) -> StoreResult<()> {
        for chunk in rejects.chunks(rows_per_statement(3)) {
            let cells: Vec<String> = chunk
                .iter()
                .map(|r| serde_json::to_string(&r.cells).map_err(StoreError::corrupt))
                .collect::<StoreResult<_>>()?;
            let sql = format!(
                "INSERT INTO contact_import_rejects (tenant_id, import_id, row_number, cells, \
                                                     reason) \
                 VALUES {}",
                values(chunk.len(), 3, 3, |p| format!("($1, $2, {p})"))
            );
            exec!(&mut self.tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid())
                    .bind(id.as_uuid());
                for (r, cells) in chunk.iter().zip(&cells) {
                    q = q
                        .bind(r.row_number)
                        .bind(cells.as_str())
                        .bind(r.reason.as_str());
                }
                q.execute(c).await
            })?;
        }
        Ok(())
    }

    /// Creates contacts; answers the ids and WhatsApp ids of those created
    /// (a contact that another transaction gave one of these WhatsApp ids
    /// first is left out).
    pub async fn insert_imported_contacts(
        &mut self,
        contacts: &[ImportedContact],
        now: Timestamp,
    ) -> StoreResult<Vec<(ContactId, String)>> {
        let mut created = Vec::with_capacity(contacts.len());
        for chunk in contacts.chunks(rows_per_statement(7)) {
            let attributes: Vec<String> = chunk
                .iter()
                .map(|c| Value::Object(c.attributes.clone()).to_string())
                .collect();
            let sql = format!(
                "INSERT INTO contacts (tenant_id, id, wa_id, phone, name, email, language, \
                                       attributes, created_at, updated_at) \
                 VALUES {} ON CONFLICT DO NOTHING RETURNING id, wa_id",
                values(chunk.len(), 7, 3, |p| format!("($1, {p}, $2, $2)"))
            );
            let rows: Vec<(Uuid, String)> = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid())
                    .bind(now.as_millis());
                for (n, attrs) in chunk.iter().zip(&attributes) {
                    q = q
                        .bind(n.id.as_uuid())
                        .bind(n.wa_id.as_str())
                        .bind(format!("+{}", n.wa_id))
                        .bind(n.name.as_deref())
                        .bind(n.email.as_deref())
                        .bind(n.language.as_deref())
                        .bind(attrs.as_str());
                }
                q.fetch_all(c).await
            })?;
            created.extend(
                rows.into_iter()
                    .map(|(id, wa_id)| (ContactId::from_uuid(id), wa_id)),
            );
        }
        Ok(created)
    }

    /// Puts tags on contacts; answers the links that are new.
    pub async fn tag_contacts(
        &mut self,
        links: &[(ContactId, TagId)],
        now: Timestamp,
    ) -> StoreResult<Vec<(ContactId, TagId)>> {
        let mut added = Vec::new();
        for chunk in links.chunks(rows_per_statement(2)) {
            let sql = format!(
                "INSERT INTO contact_tags (tenant_id, contact_id, tag_id, created_at) \
                 VALUES {} ON CONFLICT DO NOTHING RETURNING contact_id, tag_id",
                values(chunk.len(), 2, 3, |p| format!("($1, {p}, $2)"))
            );
            let rows: Vec<(Uuid, Uuid)> = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid())
                    .bind(now.as_millis());
                for (contact, tag) in chunk {
                    q = q.bind(contact.as_uuid()).bind(tag.as_uuid());
                }
                q.fetch_all(c).await
            })?;
            added.extend(
                rows.into_iter()
                    .map(|(c, t)| (ContactId::from_uuid(c), TagId::from_uuid(t))),
            );
        }
        Ok(added)
    }
}
