//! The job runtime: typed jobs that areas declare, a registry that
//! dispatches them, and the workers that claim and run them.
//!
//! An area declares each of its jobs as a type implementing [`JobKind`]
//! (its kind name, queue, payload type and handler) in its own `jobs.rs`,
//! and registers them in [`crate::job_registry`]. Work is enqueued with
//! [`enqueue`] in the transaction that causes it. The runtime knows nothing
//! of any area; job ids and worker names never reach an area's rules: a
//! handler that wants its completion recorded with its last write returns
//! that transaction in [`Outcome::CommitTenant`] / [`Outcome::CommitSystem`].
//!
//! A kind whose jobs gain from running together (processing stored
//! webhooks, sending) sets [`JobKind::BATCH`]: the worker hands it the jobs
//! of one tenant it claimed together, and commits the batch's transaction
//! with all their completions.
//!
//! Every job is claimed under a lease; a handler that panics is retried and
//! never takes the worker down. Jobs of one queue are claimed fairly between
//! tenants (see `store::jobs`).

mod registry;
mod worker;

pub use registry::{Poller, Registry};
pub use worker::{Worker, drain, panic_message};

use crate::state::AppState;
use domain::{TenantId, Timestamp};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use store::jobs::NewJob;
use store::{SystemTx, TenantTx};

/// The queues. Each has its own worker loop; a slow queue never holds up
/// another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Processing stored webhooks.
    Webhooks,
    /// Handing messages to Meta, paced per number.
    Send,
    /// Fetching inbound media.
    Media,
    /// Tenant-wide work (releasing a reactivated tenant's held events).
    Tenants,
    /// Delivering outbound webhooks to tenants' endpoints.
    Hooks,
    /// Taking automations' runs through their steps.
    Automations,
}

impl Queue {
    /// Every queue, in the order a drain visits them.
    pub const ALL: [Queue; 6] = [
        Queue::Webhooks,
        Queue::Send,
        Queue::Media,
        Queue::Tenants,
        Queue::Hooks,
        Queue::Automations,
    ];

    /// How many of this queue's jobs a node runs at once, given the
    /// configured `worker_concurrency`. Sends run eight times that: a send
    /// mostly waits (for its number's slot, then for Meta's answer), and a
    /// number at 1,000/s needs a few batches in flight while one is being
    /// recorded. Stored webhooks run four times that (eight batches of 32 by
    /// default): a batch mostly waits for its turn at the database, twice
    /// (claim, then write), behind the sends' batches, and with two batches
    /// in flight the statuses of one number at 1,000/s fell behind.
    pub fn concurrency(self, configured: i64) -> i64 {
        match self {
            Queue::Send => configured.saturating_mul(8),
            Queue::Webhooks => configured.saturating_mul(4),
            _ => configured,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Webhooks => "webhooks",
            Queue::Send => "send",
            Queue::Media => "media",
            Queue::Tenants => "tenants",
            Queue::Hooks => "hooks",
            Queue::Automations => "automations",
        }
    }
}

/// What a job's handler concluded.
pub enum Outcome {
    Done,
    /// Done: commit this transaction, which records the job's completion
    /// too (one commit instead of two, and no window in which the work is
    /// committed but the job is not).
    CommitTenant(TenantTx),
    /// As [`Outcome::CommitTenant`], for work done in the system scope.
    CommitSystem(SystemTx),
    Retry {
        error: String,
        after_ms: Option<i64>,
    },
    Fail {
        error: String,
    },
    /// Cannot run until something changes (new credentials, a reactivated
    /// tenant): the job is parked, not retried, until its area wakes it
    /// (`TenantTx::wake_parked_jobs`). Waiting costs no attempt.
    Wait {
        reason: String,
    },
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Done => f.write_str("Done"),
            Outcome::CommitTenant(_) => f.write_str("CommitTenant"),
            Outcome::CommitSystem(_) => f.write_str("CommitSystem"),
            Outcome::Retry { error, after_ms } => f
                .debug_struct("Retry")
                .field("error", error)
                .field("after_ms", after_ms)
                .finish(),
            Outcome::Fail { error } => f.debug_struct("Fail").field("error", error).finish(),
            Outcome::Wait { reason } => f.debug_struct("Wait").field("reason", reason).finish(),
        }
    }
}

impl Outcome {
    /// A retry after the default back-off.
    pub fn retry(error: impl std::fmt::Display) -> Self {
        Outcome::Retry {
            error: error.to_string(),
            after_ms: None,
        }
    }
}

/// What a batch of jobs concluded ([`JobKind::run_batch`]).
pub struct Batch {
    /// The batch's shared transaction: committed with the completion of
    /// every job answered [`Outcome::Done`] (one commit for all of them).
    pub commit: Commit,
    /// One outcome per job, in the order of the payloads given.
    pub outcomes: Vec<Outcome>,
}

/// The transaction a [`Batch`] leaves for the runtime to commit.
pub enum Commit {
    Nothing,
    Tenant(TenantTx),
    System(SystemTx),
}

/// A kind of job: declared by its area, dispatched by the [`Registry`].
pub trait JobKind: Send + Sync + 'static {
    /// The stable name stored with each job (`message.send`).
    const KIND: &'static str;
    const QUEUE: Queue;
    /// How many times the job is tried before it fails for good.
    const MAX_ATTEMPTS: i64 = 25;
    type Payload: Serialize + DeserializeOwned + Send + Sync;

    /// Enqueueing a job whose key is already queued is a no-op.
    fn dedupe_key(payload: &Self::Payload) -> Option<String>;

    /// Lower lanes are claimed first (0: conversational, 10: bulk).
    fn lane(_payload: &Self::Payload) -> i64 {
        0
    }

    /// The most jobs of this kind (all of one tenant, or all of none) a
    /// worker hands to [`JobKind::run_batch`] at once. 1, the default: each
    /// job runs on its own through [`JobKind::run`].
    const BATCH: usize = 1;

    /// Runs several jobs at once (at most [`JobKind::BATCH`], claimed
    /// together), sharing reads and transactions where the kind can; every
    /// job still gets its own outcome. The default runs each with
    /// [`JobKind::run`], one after another.
    fn run_batch(
        state: &AppState,
        tenant: Option<TenantId>,
        payloads: Vec<Self::Payload>,
    ) -> impl Future<Output = Batch> + Send {
        async move {
            let mut outcomes = Vec::with_capacity(payloads.len());
            for p in payloads {
                outcomes.push(Self::run(state, tenant, p).await);
            }
            Batch {
                commit: Commit::Nothing,
                outcomes,
            }
        }
    }

    /// Runs the job. `tenant` is the tenant it was enqueued for, if any.
    fn run(
        state: &AppState,
        tenant: Option<TenantId>,
        payload: Self::Payload,
    ) -> impl Future<Output = Outcome> + Send;

    /// Called when a tenant's job is given up (its handler answered
    /// [`Outcome::Fail`], or it used its last attempt), in the transaction
    /// that marks it failed: what giving up means for the work (a message
    /// failed with the reason, say), so nothing is left waiting for a job
    /// that will never run again. Nothing by default.
    fn given_up(
        _tx: &mut TenantTx,
        _payload: Self::Payload,
        _error: &str,
        _now: Timestamp,
    ) -> impl Future<Output = anyhow::Result<()>> + Send {
        async { Ok(()) }
    }
}

/// The row that enqueues `payload` as a job of kind `K`.
pub fn new_job<K: JobKind>(payload: &K::Payload, now: Timestamp) -> NewJob {
    let encoded = serde_json::to_value(payload).unwrap_or(serde_json::Value::Null);
    let mut job = NewJob::new(K::QUEUE.as_str(), K::KIND, encoded, now)
        .lane(K::lane(payload))
        .max_attempts(K::MAX_ATTEMPTS);
    if let Some(key) = K::dedupe_key(payload) {
        job = job.dedupe(key);
    }
    job
}

/// Enqueues a job of kind `K` for this transaction's tenant; it runs once
/// the transaction commits.
pub async fn enqueue<K: JobKind>(
    tx: &mut TenantTx,
    payload: &K::Payload,
    now: Timestamp,
) -> store::StoreResult<()> {
    tx.enqueue_job(new_job::<K>(payload, now)).await?;
    Ok(())
}

/// Enqueues a job of kind `K` from the system scope, for `tenant` if it is
/// one tenant's work.
pub async fn enqueue_system<K: JobKind>(
    sys: &mut SystemTx,
    tenant: Option<TenantId>,
    payload: &K::Payload,
    now: Timestamp,
) -> store::StoreResult<()> {
    sys.enqueue_job(tenant, new_job::<K>(payload, now)).await?;
    Ok(())
}
