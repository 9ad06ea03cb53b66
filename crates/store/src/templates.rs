//! Message templates (`message_templates`): each WhatsApp Business
//! Account's library as Switchboard keeps it, in step with Meta. A
//! template is one name in one language of one account; `components` is
//! Meta's JSON as the management API returns and takes it.

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{TemplateId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// A template as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub id: TemplateId,
    pub waba_id: String,
    /// Meta's id; `None` until Meta has it.
    pub meta_id: Option<String>,
    pub name: String,
    pub language: String,
    pub category: String,
    /// Meta's status, upper case (`APPROVED`, `PENDING`, `REJECTED`…).
    pub status: String,
    pub parameter_format: Option<String>,
    /// Meta's components (a JSON array).
    pub components: Value,
    pub quality: Option<String>,
    pub rejected_reason: Option<String>,
    pub synced_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Template {
    pub fn is_approved(&self) -> bool {
        self.status == "APPROVED"
    }
}

/// Which templates a page lists.
#[derive(Debug, Clone, Default)]
pub struct TemplateFilter {
    pub waba_id: Option<String>,
    /// Meta's status, upper case.
    pub status: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    waba_id: String,
    meta_id: Option<String>,
    name: String,
    language: String,
    category: String,
    status: String,
    parameter_format: Option<String>,
    components: String,
    quality: Option<String>,
    rejected_reason: Option<String>,
    synced_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl From<Row> for Template {
    fn from(r: Row) -> Self {
        Template {
            id: TemplateId::from_uuid(r.id),
            waba_id: r.waba_id,
            meta_id: r.meta_id,
            name: r.name,
            language: r.language,
            category: r.category,
            status: r.status,
            parameter_format: r.parameter_format,
            components: serde_json::from_str(&r.components).unwrap_or(Value::Array(Vec::new())),
            quality: r.quality,
            rejected_reason: r.rejected_reason,
            synced_at: r.synced_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

const COLUMNS: &str = "id, waba_id, meta_id, name, language, category, status, parameter_format, \
     components, quality, rejected_reason, synced_at, created_at, updated_at";

impl TenantTx {
    /// Inserts `t`, or, if the account has a template of that name and
    /// language already, overwrites everything of it but its id and
    /// `created_at`. Returns the stored template.
    pub async fn upsert_template(&mut self, t: &Template) -> StoreResult<Template> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO message_templates (tenant_id, id, waba_id, meta_id, name, language, \
                 category, status, parameter_format, components, quality, rejected_reason, \
                 synced_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (tenant_id, waba_id, name, language) DO UPDATE SET \
                 meta_id = COALESCE(excluded.meta_id, message_templates.meta_id), \
                 category = excluded.category, status = excluded.status, \
                 parameter_format = excluded.parameter_format, components = excluded.components, \
                 quality = excluded.quality, rejected_reason = excluded.rejected_reason, \
                 synced_at = excluded.synced_at, updated_at = excluded.updated_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(t.id.as_uuid())
        .bind(&t.waba_id)
        .bind(t.meta_id.as_deref())
        .bind(&t.name)
        .bind(&t.language)
        .bind(&t.category)
        .bind(&t.status)
        .bind(t.parameter_format.as_deref())
        .bind(t.components.to_string())
        .bind(t.quality.as_deref())
        .bind(t.rejected_reason.as_deref())
        .bind(t.synced_at.map(Timestamp::as_millis))
        .bind(t.created_at.as_millis())
        .bind(t.updated_at.as_millis())
        .execute(c)
        .await)?;
        self.find_template_by_name(&t.waba_id, &t.name, &t.language)
            .await
    }

    pub async fn find_template(&mut self, id: TemplateId) -> StoreResult<Template> {
        let sql =
            format!("SELECT {COLUMNS} FROM message_templates WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    pub async fn find_template_by_name(
        &mut self,
        waba_id: &str,
        name: &str,
        language: &str,
    ) -> StoreResult<Template> {
        let sql = format!(
            "SELECT {COLUMNS} FROM message_templates \
             WHERE tenant_id = $1 AND waba_id = $2 AND name = $3 AND language = $4"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(waba_id)
        .bind(name)
        .bind(language)
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    /// The category (`MARKETING`, …) of a template, if it is known.
    pub async fn template_category(
        &mut self,
        waba_id: &str,
        name: &str,
        language: &str,
    ) -> StoreResult<Option<String>> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, String>(
            "SELECT category FROM message_templates \
             WHERE tenant_id = $1 AND waba_id = $2 AND name = $3 AND language = $4"
        )
        .bind(self.tenant.as_uuid())
        .bind(waba_id)
        .bind(name)
        .bind(language)
        .fetch_optional(c)
        .await)
    }

    /// The templates of one account (`None`: of every account), by name
    /// then language.
    pub async fn list_templates(&mut self, waba_id: Option<&str>) -> StoreResult<Vec<Template>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM message_templates \
             WHERE tenant_id = $1 AND ($2 IS NULL OR waba_id = $2) ORDER BY name, language, id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(waba_id)
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Template::from).collect())
    }

    /// Removes a template from the library (after Meta deleted it).
    pub async fn delete_template(&mut self, id: TemplateId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM message_templates WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// The template Meta knows by `meta_id`, if the library has it.
    pub async fn find_template_by_meta_id(&mut self, meta_id: &str) -> StoreResult<Template> {
        let sql = format!(
            "SELECT {COLUMNS} FROM message_templates WHERE tenant_id = $1 AND meta_id = $2 \
             ORDER BY id LIMIT 1"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(meta_id)
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    /// One page of the library, newest first, filtered by account and
    /// status.
    pub async fn page_templates(
        &mut self,
        filter: &TemplateFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Template>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM message_templates WHERE tenant_id = $1 \
               AND ($2 IS NULL OR waba_id = $2) AND ($3 IS NULL OR status = $3) \
               AND ($4 IS NULL OR id < $4) \
             ORDER BY id DESC LIMIT $5"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(filter.waba_id.as_deref())
        .bind(filter.status.as_deref())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let items = rows.into_iter().map(Template::from).collect();
        Ok(page.finish(items, |t: &Template| t.id.as_uuid()))
    }

    /// Removes the templates of accounts none of the tenant's numbers
    /// belongs to any more; how many.
    pub async fn prune_templates_without_channel(&mut self) -> StoreResult<u64> {
        exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM message_templates WHERE tenant_id = $1 AND waba_id NOT IN \
             (SELECT waba_id FROM channels WHERE tenant_id = $1)"
        )
        .bind(self.tenant.as_uuid())
        .execute(c)
        .await)
    }
}
