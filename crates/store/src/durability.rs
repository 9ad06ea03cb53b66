//! Durability: whether a commit is on disk when it returns (see
//! `Store::tenant_synced` and docs/DESIGN.md, "Durability").

use crate::db::{Engine, Store, SystemTx, TenantTx, Tx};
use crate::error::{StoreResult, classify};

impl Store {
    /// Whether the database keeps its promise that a synced transaction's
    /// commit ([`system_first`](Self::system_first),
    /// [`tenant_synced`](Self::tenant_synced)) is on disk when it returns.
    /// Always on SQLite (those run `synchronous=FULL`); on PostgreSQL, only
    /// with `fsync` on and `synchronous_commit` not off.
    pub async fn durable_commits(&self) -> StoreResult<bool> {
        if self.engine() == Engine::Sqlite {
            return Ok(true);
        }
        let mut sys = self.system_read().await?;
        let durable = sys.commits_durably().await?;
        sys.commit().await?;
        Ok(durable)
    }
}

impl TenantTx {
    /// Whether this transaction's commit will be on disk when it returns.
    pub async fn commits_durably(&mut self) -> StoreResult<bool> {
        self.tx.commits_durably().await
    }

    /// Lets this transaction's commit return before it is on disk, for work
    /// that is done again if a crash loses it (see [`Tx::commit_lazily`]).
    pub async fn commit_lazily(&mut self) -> StoreResult<()> {
        self.tx.commit_lazily().await
    }
}

impl SystemTx {
    /// Whether this transaction's commit will be on disk when it returns.
    pub async fn commits_durably(&mut self) -> StoreResult<bool> {
        self.tx.commits_durably().await
    }

    /// See [`TenantTx::commit_lazily`].
    pub async fn commit_lazily(&mut self) -> StoreResult<()> {
        self.tx.commit_lazily().await
    }
}

impl Tx {
    /// Lets this transaction's commit return before its WAL is flushed.
    /// For work whose input stays stored until the commit that marks it
    /// done (processing a stored webhook: its body and its job), so a crash
    /// that loses the commit only means it is done again. PostgreSQL writes
    /// WAL in order, so a later synced commit (a send's claim, a consumer's
    /// cursor) flushes every lazy commit before it: nothing that depends on
    /// a lazy commit is durable without it. On PostgreSQL it is
    /// `synchronous_commit = off` for this transaction; SQLite's commits
    /// other than synced ones are already `NORMAL` (nothing to do).
    pub(crate) async fn commit_lazily(&mut self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(_) => Ok(()),
            Tx::Postgres(t) => sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut **t)
                .await
                .map(drop)
                .map_err(classify),
        }
    }

    /// Whether this transaction's commit will be on disk when it returns:
    /// on SQLite, `synchronous` is FULL (or EXTRA) on its connection; on
    /// PostgreSQL, see [`Store::durable_commits`].
    pub(crate) async fn commits_durably(&mut self) -> StoreResult<bool> {
        match self {
            Tx::Sqlite(t) => {
                let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut **t)
                    .await
                    .map_err(classify)?;
                Ok(level >= 2)
            }
            Tx::Postgres(t) => {
                let (fsync, commit): (String, String) = sqlx::query_as(
                    "SELECT current_setting('fsync'), current_setting('synchronous_commit')",
                )
                .fetch_one(&mut **t)
                .await
                .map_err(classify)?;
                Ok(fsync == "on" && commit != "off")
            }
        }
    }
}
