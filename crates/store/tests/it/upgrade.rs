//! Data written before 0006 (event log) and 0007 (job fairness) is carried
//! over: old events are numbered per tenant in id order and the counters
//! continue from there; old jobs keep their run_at order.

use sqlx::Connection;
use sqlx::migrate::Migrator;
use std::path::Path;
use store::Store;
use uuid::Uuid;

const BEFORE_EVENT_LOG: i64 = 5;

/// Rows as the server wrote them before 0006: tenant A's events inserted
/// out of id order, one event of tenant B, one pending job of A. Each
/// statement with the indexes (into [`ids`]) of what it binds.
const OLD_ROWS: [(&str, &[usize]); 5] = [
    (
        "INSERT INTO plans (code, name, created_at, updated_at) VALUES ('p', 'P', 0, 0)",
        &[],
    ),
    (
        "INSERT INTO tenants (id, name, slug, status, plan_code, created_at, updated_at) \
         VALUES ($1, 'A', 'a', 'active', 'p', 0, 0), ($2, 'B', 'b', 'active', 'p', 0, 0)",
        &[0, 1],
    ),
    (
        "INSERT INTO events (tenant_id, id, kind, subject_id, payload, created_at) \
         VALUES ($1, $2, 'old.third', NULL, '{\"n\": 3}', 3), \
                ($1, $3, 'old.first', NULL, '{\"n\": 1}', 1)",
        &[0, 4, 2],
    ),
    (
        "INSERT INTO events (tenant_id, id, kind, subject_id, payload, created_at) \
         VALUES ($1, $2, 'old.b', NULL, '{}', 1), ($3, $4, 'old.second', NULL, '{\"n\": 2}', 2)",
        &[1, 5, 0, 3],
    ),
    (
        "INSERT INTO jobs (id, tenant_id, queue, lane, kind, payload, run_at, attempts, \
                           max_attempts, status, created_at, updated_at) \
         VALUES ($1, $2, 'old', 0, 'old.job', '{}', 1234, 0, 5, 'pending', 0, 0)",
        &[2, 0],
    ),
];

async fn migrations(engine: &str) -> Migrator {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine);
    Migrator::new(dir).await.unwrap()
}

async fn check(store: &Store, ids: &[Uuid; 6]) {
    let (a, b) = (
        domain::TenantId::from_uuid(ids[0]),
        domain::TenantId::from_uuid(ids[1]),
    );
    let mut tx = store.tenant(a).await.unwrap();
    let log = tx.events_after(0, 10).await.unwrap();
    let got: Vec<(i64, Uuid, &str, i64)> = log
        .iter()
        .map(|e| (e.seq, e.id.as_uuid(), e.name.as_str(), e.version))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, ids[2], "old.first", 1),
            (2, ids[3], "old.second", 1),
            (3, ids[4], "old.third", 1)
        ]
    );
    // The counter carries on after the old events.
    tx.record_event(
        store::events::NewEvent::new("new", serde_json::json!({})),
        domain::Timestamp::from_millis(9),
    );
    tx.commit().await.unwrap();
    let mut tx = store.tenant(a).await.unwrap();
    assert_eq!(tx.latest_event_seq().await.unwrap(), 4);
    drop(tx);
    let mut tx = store.tenant(b).await.unwrap();
    assert_eq!(tx.latest_event_seq().await.unwrap(), 1);
    drop(tx);
    let now = domain::Timestamp::from_millis(10_000);
    let jobs = store
        .claim_jobs("old", "w", now, now.plus_seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(
        jobs.iter().map(|j| (j.id, j.fair_key)).collect::<Vec<_>>(),
        vec![(ids[2], 1234)]
    );
}

/// Ids in creation order (UUIDv7): two tenants, then events and a job.
fn ids() -> [Uuid; 6] {
    std::array::from_fn(|_| {
        std::thread::sleep(std::time::Duration::from_millis(2));
        Uuid::now_v7()
    })
}

#[tokio::test]
async fn sqlite_data_from_before_the_event_log_is_carried_over() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("u.db").display());
    let ids = ids();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    migrations("sqlite")
        .await
        .run_to(BEFORE_EVENT_LOG, &mut conn)
        .await
        .unwrap();
    for (sql, binds) in OLD_ROWS {
        let mut q = sqlx::query(sql);
        for &i in binds {
            q = q.bind(ids[i]);
        }
        q.execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    check(&store, &ids).await;
}

#[tokio::test]
async fn postgres_data_from_before_the_event_log_is_carried_over() {
    if testkit::pg_admin_url().is_none() {
        assert!(
            std::env::var("SWITCHBOARD_REQUIRE_PG").as_deref() != Ok("1"),
            "PostgreSQL required"
        );
        return;
    }
    // As the application role, which row-level security binds even while
    // migrating.
    let url = testkit::fresh_pg_database().await;
    let ids = ids();
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    migrations("postgres")
        .await
        .run_to(BEFORE_EVENT_LOG, &mut conn)
        .await
        .unwrap();
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.scope', 'system', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    for (sql, binds) in OLD_ROWS {
        let mut q = sqlx::query(sql);
        for &i in binds {
            q = q.bind(ids[i]);
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    conn.close().await.unwrap();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    check(&store, &ids).await;
}
