//! The SQL plumbing of the analytics seeding: one connection on either
//! engine, statements written once with `:name` placeholders, and the few
//! expressions that differ between SQLite and PostgreSQL.

use sqlx::{Connection as _, PgConnection, SqliteConnection};
use std::str::FromStr as _;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub(super) enum Arg {
    I(i64),
    U(Uuid),
    S(String),
}

pub(super) enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// `template` with its `:name` placeholders numbered `$1…` in order of
/// first use, and the values of those used.
fn numbered(template: &str, args: &[(&str, Arg)]) -> (String, Vec<Arg>) {
    let (mut sql, mut used, mut names) = (String::new(), Vec::new(), Vec::<&str>::new());
    let mut rest = template;
    while let Some(i) = rest.find(':') {
        sql.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        match args.iter().find(|(n, _)| *n == name) {
            Some((n, v)) if len > 0 => {
                let k = match names.iter().position(|x| x == n) {
                    Some(k) => k,
                    None => {
                        names.push(n);
                        used.push(v.clone());
                        names.len() - 1
                    }
                };
                sql.push_str(&format!("${}", k + 1));
                rest = &after[len..];
            }
            _ => {
                sql.push(':');
                rest = after;
            }
        }
    }
    sql.push_str(rest);
    (sql, used)
}

macro_rules! bound {
    ($sql:expr, $args:expr) => {{
        let mut q = sqlx::query(sqlx::AssertSqlSafe($sql));
        for a in $args {
            q = match a {
                Arg::I(v) => q.bind(v),
                Arg::U(v) => q.bind(v),
                Arg::S(v) => q.bind(v),
            };
        }
        q
    }};
}

impl Conn {
    pub(super) async fn open(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres") {
            return Ok(Conn::Postgres(PgConnection::connect(url).await?));
        }
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
            .busy_timeout(std::time::Duration::from_secs(30))
            .pragma("cache_size", "-262144");
        Ok(Conn::Sqlite(SqliteConnection::connect_with(&opts).await?))
    }

    pub(super) fn pg(&self) -> bool {
        matches!(self, Conn::Postgres(_))
    }

    pub(super) async fn run(
        &mut self,
        template: &str,
        args: &[(&str, Arg)],
    ) -> anyhow::Result<u64> {
        let (sql, args) = numbered(template, args);
        let n = match self {
            Conn::Sqlite(c) => bound!(sql, args).execute(&mut *c).await?.rows_affected(),
            Conn::Postgres(c) => bound!(sql, args).execute(&mut *c).await?.rows_affected(),
        };
        Ok(n)
    }

    /// `expr` as `width` lower-case hex digits.
    pub(super) fn hex(&self, expr: &str, width: usize) -> String {
        if self.pg() {
            format!("lpad(to_hex({expr}), {width}, '0')")
        } else {
            format!("printf('%0{width}x', {expr})")
        }
    }

    /// The id (BLOB or UUID) written as 32 hex digits by `hex32`.
    pub(super) fn id(&self, hex32: &str) -> String {
        if self.pg() {
            format!("CAST({hex32} AS UUID)")
        } else {
            format!("unhex({hex32})")
        }
    }

    /// The tenant's `n`-th thing of kind `tag` (four hex digits), as the
    /// database stores its id; [`det`] is the same id in Rust.
    pub(super) fn det_id(&self, tag: &str, n: &str) -> String {
        self.id(&format!(
            "{} || '{tag}70008000' || {}",
            self.hex(":t", 8),
            self.hex(n, 12)
        ))
    }

    /// The same id as text (`sent_by`, report subjects).
    pub(super) fn det_text(&self, tag: &str, n: &str) -> String {
        format!(
            "{} || '-{tag}-7000-8000-' || {}",
            self.hex(":t", 8),
            self.hex(n, 12)
        )
    }

    pub(super) fn least(&self, a: &str, b: &str) -> String {
        if self.pg() {
            format!("LEAST({a}, {b})")
        } else {
            format!("min({a}, {b})")
        }
    }

    /// A `WITH` clause naming `s(e)`: 0, 1, … `:episodes - 1`.
    pub(super) fn series(&self) -> &'static str {
        if self.pg() {
            "WITH s(e) AS (SELECT generate_series(CAST(0 AS BIGINT), :episodes - 1))"
        } else {
            "WITH RECURSIVE s(e) AS (SELECT 0 UNION ALL SELECT e + 1 FROM s WHERE e + 1 < :episodes)"
        }
    }
}

/// Tenant `t`'s `n`-th thing of kind `tag`.
pub(super) fn det(t: usize, tag: &str, n: usize) -> anyhow::Result<Uuid> {
    Ok(Uuid::parse_str(&format!(
        "{t:08x}-{tag}-7000-8000-{n:012x}"
    ))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_by_first_use_and_json_is_left_alone() {
        let (sql, args) = numbered(
            "SELECT :b, :a, :b, '{\"k\":\"v\"}', 'https://x', CAST(0 AS BIGINT)",
            &[("a", Arg::I(1)), ("b", Arg::I(2)), ("unused", Arg::I(3))],
        );
        assert_eq!(
            sql,
            "SELECT $1, $2, $1, '{\"k\":\"v\"}', 'https://x', CAST(0 AS BIGINT)"
        );
        assert!(matches!(args.as_slice(), [Arg::I(2), Arg::I(1)]));
    }

    #[test]
    fn ids_have_the_shape_the_sql_writes() {
        assert_eq!(
            det(3, "cafe", 11).unwrap().to_string(),
            "00000003-cafe-7000-8000-00000000000b"
        );
    }
}
