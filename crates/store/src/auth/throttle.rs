//! Sign-in throttling's failure counters (migration 0038), shared by every
//! node on the database. A counter is named by the SHA-256 of its key, so
//! no email or address is kept in clear; the policy (free failures,
//! delays, windows) is the server's (`auth::throttle`). Old counters go
//! with the housekeeping sweep ([`crate::housekeeping::Sweepable`]).

use crate::db::{SystemTx, exec, run};
use crate::error::StoreResult;
use crate::placeholders::{list, rows_per_statement};
use domain::Timestamp;

/// One counter's failures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInFailures {
    pub key_hash: String,
    /// Failures since the counter last started again.
    pub failures: i64,
    /// When the latest of them was.
    pub latest: Timestamp,
}

#[derive(sqlx::FromRow)]
struct FailuresRow {
    key_hash: String,
    failures: i64,
    latest: i64,
}

impl SystemTx {
    /// The counters among `key_hashes` that have failures (the others have
    /// none).
    pub async fn find_sign_in_failures(
        &mut self,
        key_hashes: &[&str],
    ) -> StoreResult<Vec<SignInFailures>> {
        let mut found = Vec::with_capacity(key_hashes.len());
        for chunk in key_hashes.chunks(rows_per_statement(1)) {
            let sql = format!(
                "SELECT key_hash, failures, latest FROM sign_in_failures WHERE key_hash IN ({})",
                list(chunk.len(), 1)
            );
            let rows = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_as::<_, FailuresRow>(sqlx::AssertSqlSafe(sql.clone()));
                for key in chunk {
                    q = q.bind(*key);
                }
                q.fetch_all(c).await
            })?;
            found.extend(rows.into_iter().map(|r| SignInFailures {
                key_hash: r.key_hash,
                failures: r.failures,
                latest: Timestamp::from_millis(r.latest),
            }));
        }
        Ok(found)
    }

    /// Counts one failure at `now` against `key_hash`. A counter whose
    /// latest failure was at or before `forget_until` starts again from
    /// this one. One statement, so failures on several nodes at once are
    /// all counted.
    pub async fn record_sign_in_failure(
        &mut self,
        key_hash: &str,
        now: Timestamp,
        forget_until: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO sign_in_failures (key_hash, failures, latest) VALUES ($1, 1, $2) \
             ON CONFLICT (key_hash) DO UPDATE SET \
                 failures = CASE WHEN sign_in_failures.latest <= $3 THEN 1 \
                                 ELSE sign_in_failures.failures + 1 END, \
                 latest = $2"
        )
        .bind(key_hash)
        .bind(now.as_millis())
        .bind(forget_until.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Forgets the failures of `key_hashes`; returns how many counters went.
    pub async fn delete_sign_in_failures(&mut self, key_hashes: &[&str]) -> StoreResult<u64> {
        let mut removed = 0;
        for chunk in key_hashes.chunks(rows_per_statement(1)) {
            let sql = format!(
                "DELETE FROM sign_in_failures WHERE key_hash IN ({})",
                list(chunk.len(), 1)
            );
            removed += exec!(&mut self.tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for key in chunk {
                    q = q.bind(*key);
                }
                q.execute(c).await
            })?;
        }
        Ok(removed)
    }
}
