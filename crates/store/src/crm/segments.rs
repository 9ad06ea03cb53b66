//! Segments: a tenant's saved rule trees (`segments`), and the contacts a
//! rule tree or a contact-list filter selects ([`Selection`]), counted or
//! read a page at a time with the tree compiled into the query
//! ([`super::rules::sql`]).

use super::rules::Group;
use super::rules::sql::{Arg, Fragment, Selection, compile};
use crate::Engine;
use crate::db::{TenantTx, Tx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::inbox::{CONTACT_COLUMNS, Contact, ContactRow};
use crate::page::{Page, PageRequest};
use domain::{ContactId, SegmentId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// A segment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub id: SegmentId,
    pub name: String,
    pub description: Option<String>,
    pub rules: Group,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    description: Option<String>,
    rules: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Segment {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        let json: Value = serde_json::from_str(&r.rules).map_err(StoreError::corrupt)?;
        let rules = Group::parse(&json).map_err(|e| {
            StoreError::corrupt(format!("segment rules: {}: {}", e.path, e.message))
        })?;
        Ok(Segment {
            id: SegmentId::from_uuid(r.id),
            name: r.name,
            description: r.description,
            rules,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const SELECT: &str = "SELECT id, name, description, rules, created_at, updated_at FROM segments";

/// Fetches every row of `$f` (text and arguments, bound after the
/// tenant) with `$ctor` (`sqlx::query_as::<_, Row>` or the like), on
/// either engine.
macro_rules! fetch_bound {
    ($tx:expr, $tenant:expr, $f:expr, $ctor:expr) => {{
        let f: &Fragment = $f;
        run!($tx, |c| {
            let mut q = $ctor(sqlx::AssertSqlSafe(f.sql.clone())).bind($tenant);
            for a in &f.args {
                q = match a {
                    Arg::Uuid(u) => q.bind(*u),
                    Arg::Text(t) => q.bind(t.clone()),
                    Arg::Real(r) => q.bind(*r),
                    Arg::Int(i) => q.bind(*i),
                };
            }
            q.fetch_all(c).await
        })
    }};
}

fn engine(tx: &TenantTx) -> Engine {
    match tx.tx {
        Tx::Sqlite(_) => Engine::Sqlite,
        Tx::Postgres(_) => Engine::Postgres,
    }
}

impl TenantTx {
    /// Inserts `s` (a name another segment has, in any ASCII case, is a
    /// `Conflict`).
    pub async fn insert_segment(&mut self, s: &Segment) -> StoreResult<()> {
        let rules = s.rules.to_json().to_string();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO segments (tenant_id, id, name, description, rules, created_at, \
                                   updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(&s.name)
        .bind(s.description.as_deref())
        .bind(rules.as_str())
        .bind(s.created_at.as_millis())
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes `s`'s name, description, rules and `updated_at`.
    pub async fn update_segment(&mut self, s: &Segment) -> StoreResult<()> {
        let rules = s.rules.to_json().to_string();
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE segments SET name = $3, description = $4, rules = $5, updated_at = $6 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(&s.name)
        .bind(s.description.as_deref())
        .bind(rules.as_str())
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_segment(&mut self, id: SegmentId) -> StoreResult<Segment> {
        let sql = format!("{SELECT} WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Segments, newest first.
    pub async fn list_segments(&mut self, page: PageRequest) -> StoreResult<Page<Segment>> {
        let sql = format!(
            "{SELECT} WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let items = rows
            .into_iter()
            .map(Segment::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(items, |s: &Segment| s.id.as_uuid()))
    }

    pub async fn count_segments(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM segments WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    pub async fn delete_segment(&mut self, id: SegmentId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM segments WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// How many contacts `sel` selects (`now` anchors "within days").
    pub async fn count_selected_contacts(
        &mut self,
        sel: &Selection,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let f = compile(sel, engine(self), now, 2);
        let sql = Fragment {
            sql: format!(
                "SELECT COUNT(*) FROM contacts WHERE contacts.tenant_id = $1 AND {}",
                f.sql
            ),
            args: f.args,
        };
        let tenant = self.tenant.as_uuid();
        let n: Vec<i64> = fetch_bound!(&mut self.tx, tenant, &sql, sqlx::query_scalar::<_, i64>)?;
        Ok(n.first().copied().unwrap_or(0))
    }

    /// Up to `limit` contacts `sel` selects, newest first, after the
    /// contact `after` (a cursor: the last id of the previous page). Their
    /// `tags` are not loaded.
    pub async fn select_contacts(
        &mut self,
        sel: &Selection,
        now: Timestamp,
        after: Option<ContactId>,
        limit: u32,
    ) -> StoreResult<Vec<Contact>> {
        let mut f = compile(sel, engine(self), now, 2);
        let mut sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE contacts.tenant_id = $1 AND {}",
            f.sql
        );
        if let Some(after) = after {
            f.args.push(Arg::Uuid(after.as_uuid()));
            sql.push_str(&format!(" AND contacts.id < ${}", f.args.len() + 1));
        }
        f.args.push(Arg::Int(i64::from(limit)));
        sql.push_str(&format!(
            " ORDER BY contacts.id DESC LIMIT ${}",
            f.args.len() + 1
        ));
        let sql = Fragment { sql, args: f.args };
        let tenant = self.tenant.as_uuid();
        let rows: Vec<ContactRow> =
            fetch_bound!(&mut self.tx, tenant, &sql, sqlx::query_as::<_, ContactRow>)?;
        rows.into_iter().map(Contact::try_from).collect()
    }

    /// One page of the contacts `sel` selects, newest first, with their
    /// tags.
    pub async fn page_selected_contacts(
        &mut self,
        sel: &Selection,
        now: Timestamp,
        page: PageRequest,
    ) -> StoreResult<Page<Contact>> {
        let after = page.after.map(ContactId::from_uuid);
        let limit = u32::try_from(page.fetch_limit()).unwrap_or(PageRequest::MAX_LIMIT + 1);
        let mut rows = self.select_contacts(sel, now, after, limit).await?;
        self.load_contact_tags(&mut rows).await?;
        Ok(page.finish(rows, |c: &Contact| c.id.as_uuid()))
    }
}
