//! The job queue is fair between tenants: a tenant's huge backlog does not
//! hold up another tenant's jobs in the same queue, and a tenant alone still
//! gets its jobs in the order it enqueued them.

use crate::new_tenant;
use domain::{Clock, TenantId, Timestamp};
use serde_json::json;
use store::Store;
use store::jobs::{Job, NewJob};

const BACKLOG: u64 = 100_000;

fn job(queue: &'static str, n: u64, now: Timestamp) -> NewJob {
    NewJob::new(queue, "test.work", json!({ "n": n }), now)
}

fn owner_and_n(j: &Job) -> (TenantId, u64) {
    let n = j.payload().unwrap()["n"].as_u64().unwrap();
    (j.tenant().unwrap(), n)
}

async fn claim(store: &Store, queue: &str, now: Timestamp, limit: i64) -> Vec<(TenantId, u64)> {
    let jobs = store
        .claim_jobs(queue, "w1", now, now.plus_seconds(600), limit)
        .await
        .unwrap();
    jobs.iter().map(owner_and_n).collect()
}

async fn enqueue_one(store: &Store, tenant: TenantId, job: NewJob) {
    let mut tx = store.tenant(tenant).await.unwrap();
    tx.enqueue_job(job).await.unwrap().unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_tenants_backlog_does_not_hold_up_another_tenant() {
    testkit::each_engine(|app| async move {
        let store = app.state.store.clone();
        let a = new_tenant(&store, "fair-a", app.clock.now()).await;
        let b = new_tenant(&store, "fair-b", app.clock.now()).await;

        let mut sys = store.system().await.unwrap();
        for chunk in 0..BACKLOG / 1000 {
            let now = app.clock.now();
            let jobs: Vec<_> = (chunk * 1000..(chunk + 1) * 1000)
                .map(|n| (Some(a), job("q", n, now)))
                .collect();
            assert_eq!(sys.enqueue_jobs(&jobs).await.unwrap(), 1000);
        }
        sys.commit().await.unwrap();

        // Half a minute later B needs one thing done: it is in the very next claim.
        app.advance(30);
        enqueue_one(&store, b, job("q", 0, app.clock.now())).await;
        let claimed = claim(&store, "q", app.clock.now(), 64).await;
        assert!(
            claimed.contains(&(b, 0)),
            "B's job waits behind A's backlog: {claimed:?}"
        );
        // A's come out in the order A enqueued them.
        let a_ns: Vec<u64> = claimed
            .iter()
            .filter(|(t, _)| *t == a)
            .map(|j| j.1)
            .collect();
        assert_eq!(a_ns, (0..a_ns.len() as u64).collect::<Vec<_>>());

        // B's next jobs, enqueued one at a time while A's backlog is still
        // there, go out with the next claim, beside A's next ones.
        app.advance(1);
        for n in 1..=3 {
            enqueue_one(&store, b, job("q", n, app.clock.now())).await;
        }
        let next = claim(&store, "q", app.clock.now(), 8).await;
        let b_ns: Vec<u64> = next.iter().filter(|(t, _)| *t == b).map(|j| j.1).collect();
        assert_eq!(
            b_ns,
            vec![1, 2, 3],
            "B's jobs wait behind A's backlog: {next:?}"
        );
        let a_next: Vec<u64> = next.iter().filter(|(t, _)| *t == a).map(|j| j.1).collect();
        let a_from = a_ns.len() as u64;
        assert_eq!(a_next, (a_from..a_from + 5).collect::<Vec<_>>());
    })
    .await;
}

/// Two tenants that enqueue backlogs at about the same time take turns.
#[tokio::test]
async fn tenants_with_backlogs_take_turns() {
    testkit::each_engine(|app| async move {
        let store = app.state.store.clone();
        let d = new_tenant(&store, "turns-d", app.clock.now()).await;
        let e = new_tenant(&store, "turns-e", app.clock.now()).await;
        let start = app.clock.now();
        let backlog = |t: TenantId, at: Timestamp| -> Vec<_> {
            (0..5).map(|n| (Some(t), job("turns", n, at))).collect()
        };
        let mut sys = store.system().await.unwrap();
        sys.enqueue_jobs(&backlog(d, start)).await.unwrap();
        sys.commit().await.unwrap();
        // E a moment later.
        let later = start.plus_millis(100);
        app.clock.set(later);
        let mut sys = store.system().await.unwrap();
        sys.enqueue_jobs(&backlog(e, later)).await.unwrap();
        sys.commit().await.unwrap();
        let order = claim(&store, "turns", later, 64).await;
        let expected: Vec<_> = (0..5).flat_map(|n| [(d, n), (e, n)]).collect();
        assert_eq!(order, expected);
    })
    .await;
}

/// A tenant's own bulk backlog (another lane) and its jobs scheduled for
/// later do not push its next job behind other tenants' backlogs.
#[tokio::test]
async fn bulk_and_scheduled_work_do_not_push_a_tenants_next_job_back() {
    testkit::each_engine(|app| async move {
        let store = app.state.store.clone();
        let a = new_tenant(&store, "mix-a", app.clock.now()).await;
        let b = new_tenant(&store, "mix-b", app.clock.now()).await;
        let now = app.clock.now();
        let mut jobs: Vec<_> = (0..200).map(|n| (Some(a), job("mix", n, now))).collect();
        jobs.extend((0..100).map(|n| (Some(b), job("mix", 1000 + n, now).lane(10))));
        let mut tomorrow = job("mix", 2000, now);
        tomorrow.run_at = now.plus_seconds(86_400);
        jobs.push((Some(b), tomorrow));
        let mut sys = store.system().await.unwrap();
        sys.enqueue_jobs(&jobs).await.unwrap();
        sys.commit().await.unwrap();

        app.advance(10);
        enqueue_one(&store, b, job("mix", 1, app.clock.now())).await;
        let claimed = claim(&store, "mix", app.clock.now(), 16).await;
        assert!(
            claimed.contains(&(b, 1)),
            "B's job waits behind A's backlog"
        );
    })
    .await;
}

#[tokio::test]
async fn a_tenant_alone_gets_its_jobs_in_enqueue_order() {
    testkit::each_engine(|app| async move {
        let store = app.state.store.clone();
        let c = new_tenant(&store, "solo", app.clock.now()).await;
        let now = app.clock.now();
        let mut sys = store.system().await.unwrap();
        let batch: Vec<_> = (0..150).map(|n| (Some(c), job("solo", n, now))).collect();
        sys.enqueue_jobs(&batch).await.unwrap();
        sys.commit().await.unwrap();
        for n in 150..160 {
            enqueue_one(&store, c, job("solo", n, now)).await;
        }
        let mut order = Vec::new();
        loop {
            let got = claim(&store, "solo", now, 16).await;
            if got.is_empty() {
                break;
            }
            order.extend(got.into_iter().map(|(_, n)| n));
        }
        assert_eq!(order, (0..160).collect::<Vec<_>>());
    })
    .await;
}
