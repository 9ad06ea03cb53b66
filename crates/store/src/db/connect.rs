//! Opening a store: connections and their settings on each engine,
//! migrations, and the checks and shutdown around them.

use super::{Db, Engine, Store, WRITE_WAIT};
use crate::error::{StoreResult, classify};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

impl Store {
    /// Connects to `url`: `sqlite://path` (created if missing, WAL, busy
    /// timeout) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?.application_name("switchboard");
            let pool = PgPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options.clone())
                .await?;
            // The webhook intake's own connections: it never waits for one
            // behind the workers (opened on first use).
            let first = PgPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(Duration::from_secs(10))
                .connect_lazy_with(options.clone());
            // Read-only transactions' own connections (the API's reads, as
            // SQLite's readers): a campaign's send and webhook jobs, which
            // can hold every connection of `pool`, never make a reader
            // queue behind them.
            let readers = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_lazy_with(options);
            Db::Postgres {
                pool,
                first,
                readers,
            }
        } else {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // A commit survives a crash of this process at once, and
                // power loss once the WAL is next synced. Transactions
                // whose commit must survive power loss when it returns (the
                // webhook intake's, a send's claim) switch the writer to
                // FULL first (see `scoped`).
                .synchronous(SqliteSynchronous::Normal)
                // Another process on the same file (a second node, a CLI
                // command) still contends for the lock.
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let writer_synced = Arc::new(AtomicBool::new(false));
            let reset = writer_synced.clone();
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(WRITE_WAIT)
                .after_connect(move |_, _| {
                    reset.store(false, Ordering::SeqCst);
                    Box::pin(async { Ok(()) })
                })
                .connect_with(options.clone())
                .await?;
            let readers = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options.pragma("query_only", "ON"))
                .await?;
            Db::Sqlite {
                writer,
                gate: Arc::default(),
                writer_synced,
                readers,
            }
        };
        Ok(Self { db })
    }

    pub fn engine(&self) -> Engine {
        match self.db {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres { .. } => Engine::Postgres,
        }
    }

    /// Brings the schema up to date. Migrations are embedded in the binary.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite { writer, .. } => sqlx::migrate!("./migrations/sqlite").run(writer).await?,
            Db::Postgres { pool, .. } => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Whether the connected role ignores row-level security (a superuser or
    /// a BYPASSRLS role). Always false on SQLite, which has no such thing.
    pub async fn bypasses_row_security(&self) -> StoreResult<bool> {
        match &self.db {
            Db::Sqlite { .. } => Ok(false),
            Db::Postgres { pool: p, .. } => sqlx::query_scalar::<_, bool>(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
            )
            .fetch_one(p)
            .await
            .map_err(classify),
        }
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite { readers, .. } => sqlx::query("SELECT 1").execute(readers).await.map(drop),
            Db::Postgres { pool, .. } => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
        .map_err(classify)
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite {
                writer, readers, ..
            } => {
                writer.close().await;
                readers.close().await;
            }
            Db::Postgres {
                pool,
                first,
                readers,
            } => {
                pool.close().await;
                first.close().await;
                readers.close().await;
            }
        }
    }
}
