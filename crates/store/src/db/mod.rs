//! Engines, connections, migrations and scoped transactions.

use crate::error::{StoreResult, classify};
use crate::events::{self, PendingEvent};
use crate::gate::{Line, WriteGate, WritePass};
use domain::TenantId;
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

mod connect;
mod savepoint;
mod sql;

pub use savepoint::Savepoint;

pub(crate) use sql::{exec, run, values_rows};

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
enum Db {
    /// SQLite allows one writer at a time. Write transactions wait at
    /// `gate` for `writer`, a pool of exactly one connection, so they are
    /// woken in turn inside the process (the webhook intake first) instead
    /// of polling SQLite's lock in its busy handler; read-only transactions
    /// use `readers` (WAL: they run beside the writer, on a snapshot) and
    /// cannot write (`PRAGMA query_only`).
    Sqlite {
        writer: SqlitePool,
        /// Who gets `writer` next (see [`crate::gate`]).
        gate: Arc<WriteGate>,
        /// Whether `writer` runs `synchronous=FULL` now (else `NORMAL`):
        /// switched before a transaction that needs the other, by whoever
        /// holds the gate; a new connection starts at `NORMAL`.
        writer_synced: Arc<AtomicBool>,
        readers: SqlitePool,
    },
    /// `first` serves [`Store::system_first`], `readers` read-only
    /// transactions, `pool` everything else.
    Postgres {
        pool: PgPool,
        first: PgPool,
        readers: PgPool,
    },
}

/// How long a SQLite write transaction may wait for its turn.
const WRITE_WAIT: Duration = Duration::from_secs(30);

/// Whether a transaction may write, and if so in which line it waits and
/// whether its commit must be on disk when it returns (see
/// [`Store::tenant_synced`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Write { line: Line, synced: bool },
    Read,
}

/// The database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await.map_err(classify),
            Tx::Postgres(t) => t.commit().await.map_err(classify),
        }
    }
}

/// A transaction scoped to one tenant. Dropping it without [`commit`](Self::commit)
/// rolls back.
pub struct TenantTx {
    pub(crate) tx: Tx,
    pub(crate) tenant: TenantId,
    /// Events recorded in this transaction, written at commit (see
    /// [`crate::events`]).
    pub(crate) events: Vec<PendingEvent>,
    /// It claimed an `Idempotency-Key`: its commit waits for the answer
    /// (see [`crate::idempotency`]).
    pub(crate) holds_claim: bool,
    /// SQLite's write turn, held until the transaction ends (declared after
    /// `tx`, so it is released after the transaction). Only ever dropped.
    _pass: Option<WritePass>,
}

/// A transaction that may see every tenant: for the operator and for the
/// lookups that discover which tenant a request belongs to.
pub struct SystemTx {
    pub(crate) tx: Tx,
    /// As in [`TenantTx`], with the tenant of each.
    pub(crate) events: Vec<(TenantId, PendingEvent)>,
    /// As in [`TenantTx`].
    pass: Option<WritePass>,
}

impl Store {
    /// Opens a transaction that can only see and change `tenant`'s rows.
    pub async fn tenant(&self, tenant: TenantId) -> StoreResult<TenantTx> {
        self.tenant_write(tenant, false).await
    }

    /// Like [`tenant`](Self::tenant), for a change that must survive power
    /// loss once its commit returns, not only a crash of the process (on
    /// SQLite it commits with `synchronous=FULL`, one more fsync; PostgreSQL
    /// commits every transaction so). For a send's claim: lost, the message
    /// could be sent twice.
    pub async fn tenant_synced(&self, tenant: TenantId) -> StoreResult<TenantTx> {
        self.tenant_write(tenant, true).await
    }

    async fn tenant_write(&self, tenant: TenantId, synced: bool) -> StoreResult<TenantTx> {
        // Inside an idempotent request, its held transaction continues, and
        // its first write transaction claims the key (crate::idempotency).
        if let Some(held) = crate::idempotency::resume(tenant) {
            return Ok(held);
        }
        let line = Line::Normal;
        let (tx, pass) = self
            .scoped(Some(tenant), Access::Write { line, synced })
            .await?;
        let mut tx = TenantTx {
            tx,
            tenant,
            events: Vec::new(),
            holds_claim: false,
            _pass: pass,
        };
        crate::idempotency::claim_in(&mut tx).await?;
        Ok(tx)
    }

    /// Like [`tenant`](Self::tenant), read-only: for requests that only
    /// look. On SQLite it runs beside the writer instead of queueing for it;
    /// a write in it fails (on both engines).
    pub async fn tenant_read(&self, tenant: TenantId) -> StoreResult<TenantTx> {
        let (tx, pass) = self.scoped(Some(tenant), Access::Read).await?;
        Ok(TenantTx {
            tx,
            tenant,
            events: Vec::new(),
            holds_claim: false,
            _pass: pass,
        })
    }

    /// Opens a transaction that sees every tenant. Use only for operator
    /// work and for lookups that discover the tenant.
    pub async fn system(&self) -> StoreResult<SystemTx> {
        let access = Access::Write {
            line: Line::Normal,
            synced: false,
        };
        let (tx, pass) = self.scoped(None, access).await?;
        Ok(SystemTx {
            tx,
            events: Vec::new(),
            pass,
        })
    }

    /// Like [`system`](Self::system), served before every other waiting
    /// writer (SQLite), on connections of its own (PostgreSQL): for the
    /// webhook intake, whose callers (Meta) wait for its commit. Its commit
    /// is on disk when it returns (see [`tenant_synced`](Self::tenant_synced)):
    /// a webhook answered 200 survives power loss.
    pub async fn system_first(&self) -> StoreResult<SystemTx> {
        let access = Access::Write {
            line: Line::First,
            synced: true,
        };
        let (tx, pass) = self.scoped(None, access).await?;
        Ok(SystemTx {
            tx,
            events: Vec::new(),
            pass,
        })
    }

    /// Like [`system`](Self::system), read-only (see [`tenant_read`](Self::tenant_read)).
    pub async fn system_read(&self) -> StoreResult<SystemTx> {
        let (tx, pass) = self.scoped(None, Access::Read).await?;
        Ok(SystemTx {
            tx,
            events: Vec::new(),
            pass,
        })
    }

    /// Begins a transaction in `tenant`'s scope (every tenant for `None`).
    async fn scoped(
        &self,
        tenant: Option<TenantId>,
        access: Access,
    ) -> StoreResult<(Tx, Option<WritePass>)> {
        Ok(match (&self.db, access) {
            (Db::Sqlite { .. }, Access::Write { .. }) if crate::idempotency::holds_parked() => {
                // The held transaction of this idempotent request has the
                // one writer: waiting for it here would never end.
                return Err(sqlx::Error::Protocol(
                    "a second write transaction inside an idempotent request".into(),
                )
                .into());
            }
            (
                Db::Sqlite {
                    writer,
                    gate,
                    writer_synced,
                    ..
                },
                Access::Write { line, synced },
            ) => {
                // A bounded wait, like a pool's: a writer that never ends
                // (or one that waits for itself) becomes an error, not a hang.
                let pass = tokio::time::timeout(WRITE_WAIT, gate.enter(line))
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?;
                // The level in force at COMMIT decides whether the WAL is
                // synced then; it cannot change inside a transaction, so it
                // is switched before, only when it differs (the writer is
                // ours while we hold the pass).
                if writer_synced.load(Ordering::SeqCst) != synced {
                    let level = if synced { "FULL" } else { "NORMAL" };
                    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA synchronous = {level}")))
                        .execute(writer)
                        .await?;
                    writer_synced.store(synced, Ordering::SeqCst);
                }
                // IMMEDIATE takes the write lock up front, so a transaction
                // that reads then writes never fails on lock upgrade (only
                // other processes contend for it: this one has one writer).
                let tx = writer.begin_with("BEGIN IMMEDIATE").await?;
                (Tx::Sqlite(tx), Some(pass))
            }
            (Db::Sqlite { readers, .. }, Access::Read) => {
                (Tx::Sqlite(readers.begin().await?), None)
            }
            (
                Db::Postgres {
                    pool,
                    first,
                    readers,
                },
                access,
            ) => {
                let mut t = match access {
                    Access::Write {
                        line: Line::First, ..
                    } => first.begin().await?,
                    Access::Write {
                        line: Line::Normal, ..
                    } => pool.begin().await?,
                    Access::Read => readers.begin_with("BEGIN READ ONLY").await?,
                };
                enter_scope(&mut t, tenant).await?;
                (Tx::Postgres(t), None)
            }
        })
    }
}

/// Sets the row-level security scope of a PostgreSQL transaction: one
/// tenant, or (`None`) the system scope that sees every tenant.
async fn enter_scope(t: &mut sqlx::PgConnection, tenant: Option<TenantId>) -> StoreResult<()> {
    match tenant {
        Some(tenant) => sqlx::query(
            "SELECT set_config('app.scope', 'tenant', true), \
                    set_config('app.tenant_id', $1, true)",
        )
        .bind(tenant.to_string())
        .execute(t)
        .await
        .map(drop),
        None => sqlx::query("SELECT set_config('app.scope', 'system', true)")
            .execute(t)
            .await
            .map(drop),
    }
    .map_err(classify)
}

impl TenantTx {
    pub fn tenant_id(&self) -> TenantId {
        self.tenant
    }

    /// Writes the events recorded in this transaction, then commits.
    pub async fn commit(self) -> StoreResult<()> {
        if self.holds_claim {
            // An idempotent request's change: committed with its answer.
            return match crate::idempotency::park(self) {
                None => Ok(()),
                Some(tx) => tx.commit_now().await,
            };
        }
        self.commit_now().await
    }

    /// Writes the events recorded in this transaction, then commits, even
    /// if it holds an idempotency claim.
    pub(crate) async fn commit_now(mut self) -> StoreResult<()> {
        let pending = std::mem::take(&mut self.events);
        events::write_pending(&mut self.tx, self.tenant, &pending).await?;
        self.tx.commit().await
    }

    /// Moves this transaction to `tenant`'s scope, keeping everything done
    /// so far in it: the events recorded for the tenant it served until now
    /// are written first (in that tenant's scope), then PostgreSQL's
    /// row-level security is set to `tenant`. For work that applies several
    /// tenants' changes in one commit (a batch of webhooks): each tenant's
    /// writes are still scoped to it. Not inside an idempotent request.
    pub async fn switch_to(&mut self, tenant: TenantId) -> StoreResult<()> {
        if self.holds_claim {
            return Err(sqlx::Error::Protocol(
                "an idempotent request's transaction cannot change tenant".into(),
            )
            .into());
        }
        if tenant == self.tenant {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.events);
        events::write_pending(&mut self.tx, self.tenant, &pending).await?;
        if let Tx::Postgres(t) = &mut self.tx {
            enter_scope(t, Some(tenant)).await?;
        }
        self.tenant = tenant;
        Ok(())
    }

    /// Widens this transaction to the system scope, keeping everything done
    /// so far in it (the events recorded for its tenant stay buffered until
    /// the commit). Not inside an idempotent request.
    pub async fn into_system(mut self) -> StoreResult<SystemTx> {
        if self.holds_claim {
            return Err(sqlx::Error::Protocol(
                "an idempotent request's transaction cannot change scope".into(),
            )
            .into());
        }
        if let Tx::Postgres(t) = &mut self.tx {
            enter_scope(t, None).await?;
        }
        let tenant = self.tenant;
        let events = std::mem::take(&mut self.events);
        Ok(SystemTx {
            tx: self.tx,
            events: events.into_iter().map(|e| (tenant, e)).collect(),
            pass: self._pass,
        })
    }

    /// The raw PostgreSQL connection under this transaction (still inside
    /// the tenant's row-level security), or `None` on SQLite. For
    /// engine-specific code and for tests that prove the policies hold.
    pub fn postgres_connection(&mut self) -> Option<&mut sqlx::PgConnection> {
        match &mut self.tx {
            Tx::Postgres(t) => Some(&mut **t),
            Tx::Sqlite(_) => None,
        }
    }
}

impl SystemTx {
    /// Writes the events recorded in this transaction, then commits.
    pub async fn commit(mut self) -> StoreResult<()> {
        let pending = std::mem::take(&mut self.events);
        events::write_pending_by_tenant(&mut self.tx, pending).await?;
        self.tx.commit().await
    }

    /// Narrows this transaction to one tenant, keeping everything done so
    /// far in it (for work that creates a tenant and its first rows at once).
    /// Events recorded for `tenant` stay buffered until the commit; those of
    /// other tenants are written now, while the scope still lets them be
    /// (this takes their counters' locks early; no caller records events
    /// for several tenants and then narrows).
    pub async fn enter_tenant(mut self, tenant: TenantId) -> StoreResult<TenantTx> {
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.events)
            .into_iter()
            .partition(|(t, _)| *t == tenant);
        events::write_pending_by_tenant(&mut self.tx, others).await?;
        let (mut tx, pass) = (self.tx, self.pass);
        if let Tx::Postgres(t) = &mut tx {
            enter_scope(t, Some(tenant)).await?;
        }
        Ok(TenantTx {
            tx,
            tenant,
            events: mine.into_iter().map(|(_, e)| e).collect(),
            holds_claim: false,
            _pass: pass,
        })
    }
}
