//! Listing contacts through a [`ContactFilter`], and the contacts that may
//! be the same person as another (duplicate suggestions).
//!
//! The list's SQL is put together from the filter's parts, each adding one
//! `AND` clause and its parameters; attribute conditions read the JSON of
//! `contacts.attributes`, which is the one place the two engines need
//! different SQL ([`attribute_clause`]).

use super::{COLUMNS, Contact, ContactRow, contacts};
use crate::db::{TenantTx, Tx, run};
use crate::error::StoreResult;
use crate::page::{Page, PageRequest};
use domain::{ContactId, TagId};
use uuid::Uuid;

/// Which contacts a list shows; `None` (or empty) means "any".
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Matches name, email, WhatsApp id or phone (case-insensitive).
    pub search: Option<String>,
    /// Only contacts carrying this tag.
    pub tag: Option<TagId>,
    /// `true`: only those who opted out; `false`: only those who did not.
    pub opted_out: Option<bool>,
    /// Every condition must hold.
    pub attributes: Vec<AttributeFilter>,
}

/// A condition on one custom attribute's value.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeFilter {
    /// The attribute's key (`[a-z][a-z0-9_]*`; anything else matches
    /// nothing).
    pub key: String,
    pub condition: AttributeCondition,
}

/// What an attribute's value must be. A contact without a value for the
/// attribute, or with a value of another type, never matches.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeCondition {
    /// A text or choice value equal to this.
    Text(String),
    /// A number equal to, at least (`Gte`) or at most (`Lte`) this.
    Number(Comparison, f64),
    /// A date (`YYYY-MM-DD`) equal to, on or after, on or before this.
    Date(Comparison, String),
    Boolean(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Gte,
    Lte,
}

impl Comparison {
    fn sql(self) -> &'static str {
        match self {
            Comparison::Eq => "=",
            Comparison::Gte => ">=",
            Comparison::Lte => "<=",
        }
    }
}

/// A query parameter of a query put together at run time.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Uuid(Uuid),
    Text(String),
    Real(f64),
    Int(i64),
}

/// SQL put together clause by clause, with its parameters in order.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: impl Into<String>, tenant: Uuid) -> Sql {
        Sql {
            text: text.into(),
            args: vec![Arg::Uuid(tenant)],
        }
    }

    /// Adds a parameter; returns its placeholder (`$n`).
    pub fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    pub fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }
}

/// Runs `sql` (a `SELECT` of contacts' [`COLUMNS`]) on either engine.
macro_rules! fetch_contacts {
    ($tx:expr, $sql:expr) => {{
        let sql: &Sql = $sql;
        run!($tx, |c| {
            let mut q = sqlx::query_as::<_, ContactRow>(sqlx::AssertSqlSafe(sql.text.clone()));
            for a in &sql.args {
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

/// The clause for one attribute condition on `contacts.attributes`.
fn attribute_clause(sqlite: bool, f: &AttributeFilter, sql: &mut Sql) -> String {
    let safe = f.key.starts_with(|c: char| c.is_ascii_lowercase())
        && f.key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !safe {
        return "1 = 0".to_owned();
    }
    // SQLite reads a JSON path (`$.key`); PostgreSQL a key of the jsonb.
    let key = if sqlite {
        sql.arg(Arg::Text(format!("$.{}", f.key)))
    } else {
        sql.arg(Arg::Text(f.key.clone()))
    };
    let (json_type, text) = if sqlite {
        (
            format!("json_type(attributes, {key})"),
            format!("json_extract(attributes, {key})"),
        )
    } else {
        (
            format!("jsonb_typeof(attributes::jsonb -> {key}::text)"),
            format!("(attributes::jsonb ->> {key}::text)"),
        )
    };
    let (string, number, boolean) = if sqlite {
        ("'text'", "('integer', 'real')", "")
    } else {
        ("'string'", "('number')", "'boolean'")
    };
    match &f.condition {
        AttributeCondition::Text(v) => {
            let v = sql.arg(Arg::Text(v.clone()));
            format!("({json_type} = {string} AND {text} = {v})")
        }
        AttributeCondition::Date(op, v) => {
            let v = sql.arg(Arg::Text(v.clone()));
            format!("({json_type} = {string} AND {text} {} {v})", op.sql())
        }
        AttributeCondition::Number(op, v) => {
            let v = sql.arg(Arg::Real(*v));
            let value = if sqlite {
                format!("json_extract(attributes, {key})")
            } else {
                format!("CAST({text} AS DOUBLE PRECISION)")
            };
            format!(
                "(CASE WHEN {json_type} IN {number} THEN {value} END) {} {v}",
                op.sql()
            )
        }
        AttributeCondition::Boolean(b) => {
            let v = sql.arg(Arg::Text(b.to_string()));
            if sqlite {
                // json_type names a boolean by its value.
                format!("{json_type} = {v}")
            } else {
                format!("({json_type} = {boolean} AND {text} = {v})")
            }
        }
    }
}

/// Why a contact may be the same person as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateReason {
    Phone,
    Email,
    Name,
}

impl TenantTx {
    fn on_sqlite(&self) -> bool {
        matches!(self.tx, Tx::Sqlite(_))
    }

    /// Contacts matching `f`, newest first.
    pub async fn list_contacts(
        &mut self,
        f: &ContactFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Contact>> {
        let sqlite = self.on_sqlite();
        let mut sql = Sql::new(
            format!("SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1"),
            self.tenant.as_uuid(),
        );
        if let Some(after) = page.after {
            let p = sql.arg(Arg::Uuid(after));
            sql.push(&format!(" AND id < {p}"));
        }
        if let Some(search) = f.search.as_deref().filter(|s| !s.trim().is_empty()) {
            let p = sql.arg(Arg::Text(crate::page::contains_pattern(search.trim())));
            sql.push(&format!(
                " AND (LOWER(COALESCE(name, '')) LIKE {p} ESCAPE '\\' \
                   OR LOWER(COALESCE(profile_name, '')) LIKE {p} ESCAPE '\\' \
                   OR LOWER(COALESCE(email, '')) LIKE {p} ESCAPE '\\' \
                   OR COALESCE(wa_id, '') LIKE {p} ESCAPE '\\' \
                   OR COALESCE(phone, '') LIKE {p} ESCAPE '\\')"
            ));
        }
        if let Some(tag) = f.tag {
            let p = sql.arg(Arg::Uuid(tag.as_uuid()));
            sql.push(&format!(
                " AND id IN (SELECT contact_id FROM contact_tags \
                   WHERE tenant_id = $1 AND tag_id = {p})"
            ));
        }
        match f.opted_out {
            Some(true) => sql.push(" AND opted_out_at IS NOT NULL"),
            Some(false) => sql.push(" AND opted_out_at IS NULL"),
            None => {}
        }
        for a in &f.attributes {
            let clause = attribute_clause(sqlite, a, &mut sql);
            sql.push(&format!(" AND {clause}"));
        }
        let limit = sql.arg(Arg::Int(page.fetch_limit()));
        sql.push(&format!(" ORDER BY id DESC LIMIT {limit}"));
        let rows = fetch_contacts!(&mut self.tx, &sql)?;
        Ok(page.finish(contacts(rows)?, |c: &Contact| c.id.as_uuid()))
    }

    /// The contact whose WhatsApp id is `wa_id`, if any.
    pub async fn find_contact_by_wa_id(&mut self, wa_id: &str) -> StoreResult<Option<Contact>> {
        let mut sql = Sql::new(
            format!("SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1"),
            self.tenant.as_uuid(),
        );
        let p = sql.arg(Arg::Text(wa_id.to_owned()));
        sql.push(&format!(" AND wa_id = {p}"));
        let rows = fetch_contacts!(&mut self.tx, &sql)?;
        Ok(contacts(rows)?.into_iter().next())
    }

    /// Up to 50 other contacts that may be the same person as `of`: the
    /// same phone, the same email or the same name (both compared
    /// case-insensitively by the engine's `LOWER`), newest first, each
    /// with why.
    pub async fn find_duplicate_contacts(
        &mut self,
        of: &Contact,
    ) -> StoreResult<Vec<(Contact, Vec<DuplicateReason>)>> {
        let mut sql = Sql::new(
            format!("SELECT {COLUMNS} FROM contacts WHERE tenant_id = $1"),
            self.tenant.as_uuid(),
        );
        let me = sql.arg(Arg::Uuid(of.id.as_uuid()));
        sql.push(&format!(" AND id <> {me} AND (1 = 0"));
        if let Some(phone) = of.phone.as_deref().filter(|p| !p.is_empty()) {
            let p = sql.arg(Arg::Text(phone.to_owned()));
            sql.push(&format!(" OR phone = {p}"));
        }
        if let Some(email) = of.email.as_deref().filter(|e| !e.trim().is_empty()) {
            let p = sql.arg(Arg::Text(email.trim().to_owned()));
            sql.push(&format!(
                " OR (email IS NOT NULL AND LOWER(email) = LOWER({p}))"
            ));
        }
        if let Some(name) = of.display_name() {
            let p = sql.arg(Arg::Text(name.trim().to_owned()));
            sql.push(&format!(
                " OR LOWER(COALESCE(name, profile_name)) = LOWER({p})"
            ));
        }
        sql.push(") ORDER BY id DESC LIMIT 50");
        let rows = fetch_contacts!(&mut self.tx, &sql)?;
        let fold = |s: Option<&str>| s.map(|s| s.trim().to_lowercase());
        Ok(contacts(rows)?
            .into_iter()
            .map(|c| {
                let mut why = Vec::new();
                if c.phone.is_some() && c.phone == of.phone {
                    why.push(DuplicateReason::Phone);
                }
                if c.email.is_some() && fold(c.email.as_deref()) == fold(of.email.as_deref()) {
                    why.push(DuplicateReason::Email);
                }
                if c.display_name().is_some() && fold(c.display_name()) == fold(of.display_name()) {
                    why.push(DuplicateReason::Name);
                }
                (c, why)
            })
            .collect())
    }

    /// Whether `id` exists (for rules that only need to know).
    pub async fn contact_exists(&mut self, id: ContactId) -> StoreResult<bool> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM contacts WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_one(c)
        .await)
        .map(|n| n > 0)
    }
}
