//! Savepoints: a part of a transaction that can be undone on its own,
//! for work that tries something inside a larger change and, if it fails,
//! keeps the rest (an automation's first steps in the transaction that
//! starts the run).

use super::{TenantTx, exec};
use crate::error::StoreResult;

/// A point a [`TenantTx`] can go back to. Ended by [`TenantTx::keep`] or
/// [`TenantTx::undo`]; savepoints nest, and the inner one ends first.
#[derive(Debug)]
#[must_use = "a savepoint is ended by keep or undo"]
pub struct Savepoint {
    /// How many events the transaction had recorded: those recorded after
    /// it are dropped with the rest when it is undone.
    events: usize,
}

impl TenantTx {
    /// Marks the point [`undo`](Self::undo) goes back to.
    pub async fn savepoint(&mut self) -> StoreResult<Savepoint> {
        exec!(&mut self.tx, |c| sqlx::query("SAVEPOINT part")
            .execute(c)
            .await)?;
        Ok(Savepoint {
            events: self.events.len(),
        })
    }

    /// Keeps what was done since `point` (it commits with the rest).
    pub async fn keep(&mut self, point: Savepoint) -> StoreResult<()> {
        let Savepoint { events: _ } = point;
        exec!(&mut self.tx, |c| sqlx::query("RELEASE SAVEPOINT part")
            .execute(c)
            .await)?;
        Ok(())
    }

    /// Undoes everything done since `point`, events included; the
    /// transaction goes on from there (on PostgreSQL, even after a
    /// statement failed in it).
    pub async fn undo(&mut self, point: Savepoint) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query("ROLLBACK TO SAVEPOINT part")
            .execute(c)
            .await)?;
        exec!(&mut self.tx, |c| sqlx::query("RELEASE SAVEPOINT part")
            .execute(c)
            .await)?;
        self.events.truncate(point.events);
        Ok(())
    }
}
