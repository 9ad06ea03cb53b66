use super::{Batch, Commit, Outcome, Queue};
use crate::state::AppState;
use domain::Timestamp;
use futures::FutureExt as _;
use std::time::Duration;
use store::jobs::Job;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument as _;

/// A claimed job's lease lasts `config.job_lease_seconds` and is renewed
/// (by [`keep_leases`]) every third of that while the job runs, so a long
/// Graph call or pacing wait never loses it, while the jobs of a node that
/// died run elsewhere (or on its restart) within one lease.
fn lease_until(state: &AppState, now: Timestamp) -> Timestamp {
    now.plus_seconds(state.config.job_lease_seconds)
}

/// The heartbeat of one worker loop: extends the lease of every job it is
/// running until the loop ends (the task is aborted then).
async fn keep_leases(state: AppState, queue: &'static str, worker: String) {
    let every = Duration::from_millis((state.config.job_lease_seconds * 1000 / 3).max(100) as u64);
    loop {
        tokio::time::sleep(every).await;
        let now = state.now();
        if let Err(e) = state
            .store
            .renew_leases(queue, &worker, lease_until(&state, now), now)
            .await
        {
            tracing::warn!(error = %e, queue, "renewing job leases failed");
        }
    }
}

/// How long a waiting job stays parked if nothing wakes it: a wake missed
/// in a race (credentials fixed while the job was deciding to wait) costs
/// at most this long.
const WAIT_RECHECK_SECONDS: i64 = 3600;

/// Default back-off: exponential from 1 s, capped at 10 minutes, full jitter.
fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 20) as u32;
    let cap = 600_000i64;
    let base = 1000i64.saturating_mul(2i64.saturating_pow(exp)).min(cap);
    let jitter: f64 = rand::random();
    ((base as f64) * (0.5 + jitter / 2.0)) as i64
}

/// What a panic in a handler says, for the retry it causes.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let msg = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "handler panicked".into());
    format!("panic: {msg}")
}

fn job_span(job: &Job) -> tracing::Span {
    tracing::info_span!("job", kind = %job.kind, tenant_id = ?job.tenant_id, attempt = job.attempts)
}

/// Runs a group of claimed jobs of one kind and tenant (see [`groups`]):
/// one job through its kind's handler, several through its batch handler.
/// Panics are caught (every job of the group is retried); each outcome is
/// recorded.
async fn run(state: &AppState, worker: &str, jobs: Vec<Job>) {
    let Some(first) = jobs.first() else {
        return;
    };
    if state.jobs.batch_size(&first.kind) == 1 {
        for job in jobs {
            let span = job_span(&job);
            let started = std::time::Instant::now();
            let outcome = std::panic::AssertUnwindSafe(state.jobs.run(state, &job))
                .catch_unwind()
                .instrument(span.clone())
                .await
                .unwrap_or_else(|panic| Outcome::retry(panic_message(&*panic)));
            record(state, worker, &job, outcome, started, &span).await;
        }
        return;
    }
    let span = job_span(first);
    let started = std::time::Instant::now();
    let batch = std::panic::AssertUnwindSafe(state.jobs.run_batch(state, &jobs))
        .catch_unwind()
        .instrument(span.clone())
        .await
        .unwrap_or_else(|panic| {
            let error = panic_message(&*panic);
            Batch {
                commit: Commit::Nothing,
                outcomes: jobs.iter().map(|_| Outcome::retry(&error)).collect(),
            }
        });
    let pairs = jobs.into_iter().zip(batch.outcomes);
    let (done, rest): (Vec<_>, Vec<_>) = match batch.commit {
        Commit::Nothing => (Vec::new(), pairs.collect()),
        commit => {
            let (done, rest): (Vec<_>, Vec<_>) =
                pairs.partition(|(_, o)| matches!(o, Outcome::Done));
            let ids: Vec<uuid::Uuid> = done.iter().map(|(j, _)| j.id).collect();
            let now = state.now();
            let committed = match commit {
                Commit::Tenant(mut tx) => match tx.complete_jobs(&ids, worker, now).await {
                    Ok(_) => tx.commit().await,
                    Err(e) => Err(e),
                },
                Commit::System(mut sys) => match sys.complete_jobs(&ids, worker, now).await {
                    Ok(_) => sys.commit().await,
                    Err(e) => Err(e),
                },
                Commit::Nothing => Ok(()),
            };
            if let Err(e) = committed {
                let _e = span.enter();
                tracing::error!(error = %e, jobs = ids.len(), "committing a batch failed; its jobs' leases will expire and they will run again");
            }
            (done, rest)
        }
    };
    let elapsed = started.elapsed();
    for (job, _) in &done {
        count(job, "done", elapsed);
    }
    for (job, outcome) in rest {
        record(state, worker, &job, outcome, started, &span).await;
    }
}

/// Splits claimed jobs into the groups that run together: jobs of one
/// kind and one tenant, at most the kind's batch size each, in claim order.
fn groups(state: &AppState, jobs: Vec<Job>) -> Vec<Vec<Job>> {
    let mut groups: Vec<Vec<Job>> = Vec::new();
    for job in jobs {
        let size = state.jobs.batch_size(&job.kind);
        let open = groups
            .iter_mut()
            .find(|g| g.len() < size && g[0].kind == job.kind && g[0].tenant_id == job.tenant_id);
        match open {
            Some(g) => g.push(job),
            None => groups.push(vec![job]),
        }
    }
    groups
}

fn count(job: &Job, label: &'static str, elapsed: Duration) {
    metrics::counter!("switchboard_jobs_total", "queue" => job.queue.clone(), "kind" => job.kind.clone(), "outcome" => label).increment(1);
    metrics::histogram!("switchboard_job_seconds", "queue" => job.queue.clone())
        .record(elapsed.as_secs_f64());
}

/// Records what `job` concluded: done, retried later, failed for good or
/// parked.
async fn record(
    state: &AppState,
    worker: &str,
    job: &Job,
    outcome: Outcome,
    started: std::time::Instant,
    span: &tracing::Span,
) {
    let now = state.now();
    let label = match &outcome {
        Outcome::Done | Outcome::CommitTenant(_) | Outcome::CommitSystem(_) => "done",
        Outcome::Retry { .. } if job.attempts >= job.max_attempts => "failed",
        Outcome::Retry { .. } => "retry",
        Outcome::Fail { .. } => "failed",
        Outcome::Wait { .. } => "waiting",
    };
    count(job, label, started.elapsed());
    let recorded = match outcome {
        Outcome::Done => state.store.complete_job(job.id, worker, now).await,
        Outcome::CommitTenant(mut tx) => match tx.complete_job(job.id, worker, now).await {
            Ok(_) => tx.commit().await.map(|()| true),
            Err(e) => Err(e),
        },
        Outcome::CommitSystem(mut sys) => match sys.complete_job(job.id, worker, now).await {
            Ok(_) => sys.commit().await.map(|()| true),
            Err(e) => Err(e),
        },
        Outcome::Retry { error, .. } if job.attempts >= job.max_attempts => {
            let error = format!("gave up after {} attempts: {error}", job.attempts);
            give_up(state, worker, job, &error, now)
                .instrument(span.clone())
                .await
        }
        Outcome::Retry { error, after_ms } => {
            let _e = span.enter();
            tracing::warn!(error = %error, "job will be retried");
            let after = after_ms.unwrap_or_else(|| backoff_ms(job.attempts));
            state
                .store
                .retry_job(job.id, worker, &error, now.plus_millis(after), now)
                .await
        }
        Outcome::Fail { error } => {
            give_up(state, worker, job, &error, now)
                .instrument(span.clone())
                .await
        }
        Outcome::Wait { reason } => {
            let _e = span.enter();
            tracing::info!(reason = %reason, "job waits until woken");
            let recheck = now.plus_seconds(WAIT_RECHECK_SECONDS);
            state
                .store
                .park_job(job.id, worker, &reason, recheck, now)
                .await
        }
    };
    if let Err(e) = recorded {
        let _e = span.enter();
        tracing::error!(error = %e, "recording a job outcome failed; its lease will expire and it will run again");
    }
}

/// Fails `job` for good. A tenant's job fails in one transaction with its
/// kind's [`super::JobKind::given_up`] hook, so the work it stood for (a
/// queued message, a pending media) is settled with the reason; if the
/// hook cannot be recorded, nothing is, and the job runs again once its
/// lease runs out.
async fn give_up(
    state: &AppState,
    worker: &str,
    job: &Job,
    error: &str,
    now: Timestamp,
) -> store::StoreResult<bool> {
    tracing::error!(error = %error, "job failed");
    let Some(tenant) = job.tenant() else {
        return state.store.fail_job(job.id, worker, error, now).await;
    };
    let mut tx = state.store.tenant(tenant).await?;
    if !tx.give_up_job(job.id, worker, error, now).await? {
        // Another worker holds it now.
        return Ok(false);
    }
    if let Err(e) = state.jobs.given_up(&mut tx, job, error, now).await {
        tracing::error!(error = %format!("{e:#}"), "settling a failed job's work failed; it will run again");
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

async fn claim(
    state: &AppState,
    queue: &str,
    worker: &str,
    now: Timestamp,
    limit: i64,
) -> Vec<Job> {
    match state
        .store
        .claim_jobs(queue, worker, now, lease_until(state, now), limit)
        .await
    {
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::error!(error = %e, queue, "claiming jobs failed");
            Vec::new()
        }
    }
}

/// Runs every job that is due at the clock's current time, one at a time,
/// and every poller, until neither finds anything left: deterministic, for
/// tests and the CLI. Answers how many jobs ran.
pub async fn drain(state: &AppState) -> usize {
    let worker = format!("drain-{}", uuid::Uuid::now_v7());
    let mut total = 0;
    loop {
        let polled = state.jobs.run_pollers(state).await;
        let mut ran = 0;
        for queue in Queue::ALL {
            let claimed = claim(state, queue.as_str(), &worker, state.now(), 64).await;
            ran += claimed.len();
            for group in groups(state, claimed) {
                run(state, &worker, group).await;
            }
        }
        if ran == 0 && polled == 0 {
            return total;
        }
        total += ran;
    }
}

/// How often the pollers run when nothing announces work.
const POLL_EVERY: Duration = Duration::from_millis(100);

/// The loop that runs the registry's pollers on this node.
async fn run_pollers(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        // Listening before the round: work announced while the pollers
        // run wakes the next round at once instead of after POLL_EVERY.
        let announced = state.work_notify.notified();
        tokio::pin!(announced);
        announced.as_mut().enable();
        // Work found: look again at once (a backlog drains without waiting).
        if state.jobs.run_pollers(&state).await > 0 {
            tokio::task::yield_now().await;
            continue;
        }
        tokio::select! {
            _ = announced => {}
            _ = tokio::time::sleep(POLL_EVERY) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Background workers: one loop per queue, each running its jobs
/// concurrently, woken by new work or by a short poll.
pub struct Worker;

impl Worker {
    pub fn spawn(
        state: AppState,
        shutdown: watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let node = format!("{}-{}", hostname(), uuid::Uuid::now_v7());
        let pollers = tokio::spawn(run_pollers(state.clone(), shutdown.clone()));
        let mut loops: Vec<tokio::task::JoinHandle<()>> = Queue::ALL
            .iter()
            .map(|queue| {
                let state = state.clone();
                let mut shutdown = shutdown.clone();
                let limit = queue.concurrency(state.config.worker_concurrency);
                let queue = queue.as_str();
                let worker = format!("{node}/{queue}");
                tokio::spawn(async move {
                    let heartbeat = tokio::spawn(keep_leases(state.clone(), queue, worker.clone()));
                    // Each task runs a group of jobs and answers its size:
                    // `in_flight` counts jobs, which the concurrency bounds.
                    let mut running: JoinSet<i64> = JoinSet::new();
                    let mut in_flight = 0i64;
                    loop {
                        if *shutdown.borrow() {
                            break;
                        }
                        while let Some(ended) = running.try_join_next() {
                            in_flight -= ended.unwrap_or(0);
                        }
                        if running.is_empty() {
                            // A task that died outside its job's panic guard
                            // answered no size; nothing runs now.
                            in_flight = 0;
                        }
                        let room = limit - in_flight;
                        // Listening before the claim: work announced
                        // meanwhile is claimed at once, not after a poll.
                        let announced = state.work_notify.notified();
                        tokio::pin!(announced);
                        announced.as_mut().enable();
                        let jobs = if room > 0 {
                            claim(&state, queue, &worker, state.now(), room).await
                        } else {
                            Vec::new()
                        };
                        // With no room, wait below for a job to end rather than spin.
                        let full = room > 0 && jobs.len() as i64 == room;
                        for group in groups(&state, jobs) {
                            let state = state.clone();
                            let worker = worker.clone();
                            let size = group.len() as i64;
                            in_flight += size;
                            running.spawn(async move {
                                run(&state, &worker, group).await;
                                size
                            });
                        }
                        if full {
                            continue;
                        }
                        tokio::select! {
                            _ = announced => {}
                            Some(ended) = running.join_next(), if !running.is_empty() => {
                                in_flight -= ended.unwrap_or(0);
                            }
                            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                            _ = shutdown.changed() => {}
                        }
                    }
                    // Let jobs in flight finish (their leases protect the rest).
                    while running.join_next().await.is_some() {}
                    heartbeat.abort();
                })
            })
            .collect();
        loops.push(pollers);
        loops
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into())
}
