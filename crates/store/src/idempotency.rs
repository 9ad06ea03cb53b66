//! Stored answers to creating calls made with an `Idempotency-Key`, so a
//! retried request gets the first answer instead of a second effect.
//!
//! The key is claimed in the request's own write transaction: [`claimed`]
//! runs the request's handler with a [`Claim`] in scope, and the first
//! write transaction it opens for the claim's tenant inserts the key's row
//! before anything else. That transaction's `commit` is held back
//! ([`Claimed::Held`]) until the answer is known; the caller stores the
//! answer in it and commits once, so the change and its answer are
//! committed together or not at all. A concurrent request with the same
//! key waits on the row (PostgreSQL) or the writer (SQLite) and then finds
//! the key taken ([`Claimed::Lost`]): it replays the stored answer instead
//! of running twice.
//!
//! Answers are stored as the server hands them over (sealed: they can hold
//! secrets such as a new API key); the store never sees them in clear.

use crate::db::{TenantTx, exec, run};
use crate::error::{StoreError, StoreResult};
use domain::{TenantId, Timestamp};
use std::future::Future;
use std::sync::{Arc, Mutex};

/// The first answer given to a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// Hash of the method, path and body of the first request; a different
    /// request under the same key is refused rather than replayed.
    pub request_hash: String,
    pub status_code: u16,
    /// Sealed by the server.
    pub body: String,
}

/// An idempotent request: whose key it is, and what was asked.
#[derive(Debug, Clone)]
pub struct Claim {
    pub tenant: TenantId,
    pub principal: String,
    pub key: String,
    pub request_hash: String,
    pub now: Timestamp,
}

/// What became of a claim once the handler returned.
pub enum Claimed {
    /// The handler wrote nothing in the claim's tenant.
    Unused,
    /// The handler committed its change; the commit is held until the
    /// answer is stored with [`Held::commit_with`].
    Held(Box<Held>),
    /// Another request holds (or held) the key.
    Lost,
    /// The claiming transaction was rolled back: nothing to keep.
    Abandoned,
}

/// The held transaction of a claimed request.
pub struct Held(TenantTx, Claim);

impl Held {
    /// Stores `answer` for the key and commits the change with it.
    pub async fn commit_with(mut self, status_code: u16, body: &str) -> StoreResult<()> {
        let Held(tx, claim) = &mut self;
        exec!(&mut tx.tx, |c| sqlx::query(
            "UPDATE idempotency_keys SET status_code = $4, response_body = $5 \
             WHERE tenant_id = $1 AND principal = $2 AND key = $3"
        )
        .bind(claim.tenant.as_uuid())
        .bind(&claim.principal)
        .bind(&claim.key)
        .bind(i32::from(status_code))
        .bind(body)
        .execute(c)
        .await)?;
        self.0.commit_now().await
    }
}

enum State {
    Unclaimed,
    /// The claiming transaction is open in the handler.
    Open,
    Parked(TenantTx),
    Lost,
}

struct Slot {
    claim: Claim,
    state: State,
}

type Shared = Arc<Mutex<Slot>>;

tokio::task_local! {
    static REQUEST: Shared;
}

fn with_slot<R>(f: impl FnOnce(&mut Slot) -> R) -> Option<R> {
    REQUEST
        .try_with(|shared| shared.lock().ok().map(|mut slot| f(&mut slot)))
        .ok()
        .flatten()
}

/// Runs `handler` with `claim` in scope (see the module's notes).
pub async fn claimed<F: Future>(claim: Claim, handler: F) -> (F::Output, Claimed) {
    let shared: Shared = Arc::new(Mutex::new(Slot {
        claim,
        state: State::Unclaimed,
    }));
    let out = REQUEST.scope(shared.clone(), handler).await;
    let claimed = match shared.lock() {
        Ok(mut slot) => match std::mem::replace(&mut slot.state, State::Unclaimed) {
            State::Parked(tx) => Claimed::Held(Box::new(Held(tx, slot.claim.clone()))),
            State::Lost => Claimed::Lost,
            State::Open => Claimed::Abandoned,
            State::Unclaimed => Claimed::Unused,
        },
        Err(_) => Claimed::Unused,
    };
    (out, claimed)
}

/// The held transaction of this task's claim on `tenant`, if one is
/// parked: a second write transaction of the same request continues it.
pub(crate) fn resume(tenant: TenantId) -> Option<TenantTx> {
    with_slot(|slot| {
        if slot.claim.tenant != tenant {
            return None;
        }
        match std::mem::replace(&mut slot.state, State::Open) {
            State::Parked(tx) => Some(tx),
            other => {
                slot.state = other;
                None
            }
        }
    })
    .flatten()
}

/// Whether this task holds a parked claiming transaction (which, on
/// SQLite, holds the one writer).
pub(crate) fn holds_parked() -> bool {
    with_slot(|slot| matches!(slot.state, State::Parked(_))).unwrap_or(false)
}

/// Claims this task's key in `tx`, its first write transaction for the
/// claim's tenant. A key already taken fails the transaction: the request
/// then answers with the first request's answer.
pub(crate) async fn claim_in(tx: &mut TenantTx) -> StoreResult<()> {
    let claim = with_slot(|slot| {
        (slot.claim.tenant == tx.tenant && matches!(slot.state, State::Unclaimed))
            .then(|| slot.claim.clone())
    })
    .flatten();
    let Some(claim) = claim else {
        return Ok(());
    };
    let n = exec!(&mut tx.tx, |c| sqlx::query(
        "INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, status_code, \
                                       response_body, created_at) \
         VALUES ($1, $2, $3, $4, 0, '', $5) ON CONFLICT DO NOTHING"
    )
    .bind(claim.tenant.as_uuid())
    .bind(&claim.principal)
    .bind(&claim.key)
    .bind(&claim.request_hash)
    .bind(claim.now.as_millis())
    .execute(c)
    .await)?;
    let taken = n == 0;
    with_slot(|slot| slot.state = if taken { State::Lost } else { State::Open });
    if taken {
        return Err(StoreError::Conflict("idempotency_keys".into()));
    }
    tx.holds_claim = true;
    Ok(())
}

/// Holds back the commit of the claiming transaction until the answer is
/// stored; gives `tx` back (to commit as it is) if this task has no claim
/// waiting for it: moved out of its request, it commits with the key
/// claimed but unanswered (`in progress` to retries), never allowing a
/// second effect.
pub(crate) fn park(tx: TenantTx) -> Option<TenantTx> {
    let slot = REQUEST.try_with(Arc::clone).ok();
    let Some(shared) = slot else {
        return Some(tx);
    };
    match shared.lock() {
        Ok(mut slot) => {
            slot.state = State::Parked(tx);
            None
        }
        Err(_) => Some(tx),
    }
}

impl TenantTx {
    pub async fn find_idempotent_response(
        &mut self,
        principal: &str,
        key: &str,
    ) -> StoreResult<Option<StoredResponse>> {
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, (String, i32, String)>(
                "SELECT request_hash, status_code, response_body FROM idempotency_keys \
             WHERE tenant_id = $1 AND principal = $2 AND key = $3",
            )
            .bind(self.tenant.as_uuid())
            .bind(principal)
            .bind(key)
            .fetch_optional(c)
            .await
        })?;
        Ok(row.map(|(request_hash, status_code, body)| StoredResponse {
            request_hash,
            status_code: u16::try_from(status_code).unwrap_or(500),
            body,
        }))
    }

    /// Keeps the first answer; a concurrent duplicate that lost the race
    /// leaves the stored one untouched. For requests whose handler wrote
    /// nothing in the tenant (the answer is all there is to keep).
    pub async fn insert_idempotent_response(
        &mut self,
        principal: &str,
        key: &str,
        response: &StoredResponse,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, status_code, \
                                           response_body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(principal)
        .bind(key)
        .bind(&response.request_hash)
        .bind(i32::from(response.status_code))
        .bind(&response.body)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}
