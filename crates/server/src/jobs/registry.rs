//! From a stored job's kind to its handler.

use super::{Batch, Commit, JobKind, Outcome};
use crate::state::AppState;
use domain::{TenantId, Timestamp};
use futures::FutureExt as _;
use futures::future::BoxFuture;
use std::collections::HashMap;
use store::TenantTx;
use store::jobs::Job;

type Handler = for<'a> fn(&'a AppState, &'a Job) -> BoxFuture<'a, Outcome>;
type BatchHandler = for<'a> fn(&'a AppState, &'a [Job]) -> BoxFuture<'a, Batch>;
type GivenUp =
    for<'a> fn(&'a mut TenantTx, &'a Job, &'a str, Timestamp) -> BoxFuture<'a, anyhow::Result<()>>;

/// A poller: looks for work that is not a job row (a consumer of the event
/// log behind its tenants' logs, say) and does one round of it, answering
/// how much it did (0: nothing to do).
pub type Poller = for<'a> fn(&'a AppState) -> BoxFuture<'a, anyhow::Result<usize>>;

#[derive(Clone, Copy)]
struct Entry {
    run: Handler,
    run_batch: BatchHandler,
    batch: usize,
    given_up: GivenUp,
}

/// Every job kind the workers can run. Built once by
/// [`crate::job_registry`] from each area's `jobs::register`.
#[derive(Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Entry>,
    pollers: Vec<(&'static str, Poller)>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.handlers.keys().collect();
        kinds.sort();
        let pollers: Vec<_> = self.pollers.iter().map(|(n, _)| n).collect();
        f.debug_struct("Registry")
            .field("kinds", &kinds)
            .field("pollers", &pollers)
            .finish()
    }
}

impl Registry {
    /// Adds kind `K`. Registering one kind twice is a programming error
    /// caught by the tests (the second replaces the first).
    pub fn register<K: JobKind>(&mut self) -> &mut Self {
        let entry = Entry {
            run: dispatch::<K>,
            run_batch: dispatch_batch::<K>,
            batch: K::BATCH.max(1),
            given_up: dispatch_given_up::<K>,
        };
        let previous = self.handlers.insert(K::KIND, entry);
        debug_assert!(previous.is_none(), "job kind {} registered twice", K::KIND);
        self
    }

    /// Adds a poller, run by every node's workers about every 100 ms and
    /// when work is announced, and by [`super::drain`] until it finds
    /// nothing to do.
    pub fn poll(&mut self, name: &'static str, poller: Poller) -> &mut Self {
        self.pollers.push((name, poller));
        self
    }

    /// Runs every poller once; how much work they did. A failing poller is
    /// logged and the others still run; so is one that panics (a consumer
    /// runs rules, an automation's first steps among them), which would
    /// otherwise end this node's pollers for good.
    pub async fn run_pollers(&self, state: &AppState) -> usize {
        let mut total = 0;
        for (name, poller) in &self.pollers {
            let polled = std::panic::AssertUnwindSafe(poller(state))
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| {
                    Err(anyhow::anyhow!(super::worker::panic_message(&*panic)))
                });
            match polled {
                Ok(n) => total += n,
                Err(e) => {
                    tracing::error!(poller = name, error = %format!("{e:#}"), "poller failed")
                }
            }
        }
        total
    }

    /// The kinds registered, for tests and diagnostics.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }

    /// Runs `job` with its kind's handler.
    pub async fn run(&self, state: &AppState, job: &Job) -> Outcome {
        match self.handlers.get(job.kind.as_str()) {
            Some(entry) => (entry.run)(state, job).await,
            None => Outcome::Fail {
                error: format!("unknown job kind `{}`", job.kind),
            },
        }
    }

    /// How many jobs of `kind` may run as one batch (1 for an unknown kind).
    pub fn batch_size(&self, kind: &str) -> usize {
        self.handlers.get(kind).map_or(1, |e| e.batch)
    }

    /// Runs `jobs` (of one kind and one tenant) as one batch with their
    /// kind's batch handler.
    pub async fn run_batch(&self, state: &AppState, jobs: &[Job]) -> Batch {
        let Some(entry) = jobs
            .first()
            .and_then(|j| self.handlers.get(j.kind.as_str()))
        else {
            let outcomes = jobs
                .iter()
                .map(|j| Outcome::Fail {
                    error: format!("unknown job kind `{}`", j.kind),
                })
                .collect();
            return Batch {
                commit: Commit::Nothing,
                outcomes,
            };
        };
        (entry.run_batch)(state, jobs).await
    }

    /// Tells `job`'s kind that the job was given up, in `tx` (which marks
    /// it failed).
    pub async fn given_up(
        &self,
        tx: &mut TenantTx,
        job: &Job,
        error: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        match self.handlers.get(job.kind.as_str()) {
            Some(entry) => (entry.given_up)(tx, job, error, now).await,
            None => Ok(()),
        }
    }
}

/// Decodes `job`'s payload as `K`'s and runs `K`'s handler.
fn dispatch<'a, K: JobKind>(state: &'a AppState, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(async move {
        let payload = match serde_json::from_str::<K::Payload>(&job.payload) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::Fail {
                    error: format!("job payload does not fit `{}`: {e}", K::KIND),
                };
            }
        };
        K::run(state, job.tenant_id.map(TenantId::from_uuid), payload).await
    })
}

/// Decodes the payloads of `jobs` as `K`'s and runs `K`'s batch handler on
/// those that decode (the others fail); one outcome per job, in order.
fn dispatch_batch<'a, K: JobKind>(state: &'a AppState, jobs: &'a [Job]) -> BoxFuture<'a, Batch> {
    Box::pin(async move {
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(jobs.len());
        let mut payloads = Vec::new();
        for job in jobs {
            match serde_json::from_str::<K::Payload>(&job.payload) {
                Ok(p) => {
                    payloads.push(p);
                    outcomes.push(None);
                }
                Err(e) => outcomes.push(Some(Outcome::Fail {
                    error: format!("job payload does not fit `{}`: {e}", K::KIND),
                })),
            }
        }
        let tenant = jobs.first().and_then(|j| j.tenant());
        let batch = if payloads.is_empty() {
            Batch {
                commit: Commit::Nothing,
                outcomes: Vec::new(),
            }
        } else {
            K::run_batch(state, tenant, payloads).await
        };
        let mut answered = batch.outcomes.into_iter();
        let outcomes = outcomes
            .into_iter()
            .map(|o| {
                o.or_else(|| answered.next()).unwrap_or_else(|| {
                    Outcome::retry(format!("`{}` answered fewer outcomes than jobs", K::KIND))
                })
            })
            .collect();
        Batch {
            commit: batch.commit,
            outcomes,
        }
    })
}

/// Decodes `job`'s payload as `K`'s and runs `K`'s give-up hook (a payload
/// that does not decode names no work to settle).
fn dispatch_given_up<'a, K: JobKind>(
    tx: &'a mut TenantTx,
    job: &'a Job,
    error: &'a str,
    now: Timestamp,
) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(async move {
        match serde_json::from_str::<K::Payload>(&job.payload) {
            Ok(payload) => K::given_up(tx, payload, error, now).await,
            Err(_) => Ok(()),
        }
    })
}
