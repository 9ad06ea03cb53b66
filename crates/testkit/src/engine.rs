use crate::TestApp;
use sqlx::Connection;
use std::future::Future;

/// Which database a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The superuser URL of the test PostgreSQL, if one is configured.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The engines a test runs on: SQLite, then PostgreSQL when available.
/// With `SWITCHBOARD_REQUIRE_PG=1` (set by the README's test command) a
/// missing PostgreSQL fails the test instead of leaving it half-run. For
/// tests that start their apps themselves; see [`each_engine`].
pub fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Sqlite];
    if pg_admin_url().is_some() {
        engines.push(Engine::Postgres);
    } else if std::env::var("SWITCHBOARD_REQUIRE_PG").is_ok_and(|v| v == "1") {
        panic!("SWITCHBOARD_REQUIRE_PG=1 but TEST_DATABASE_URL is not set");
    }
    engines
}

/// Runs `test` on SQLite, then on PostgreSQL when available. With
/// `SWITCHBOARD_REQUIRE_PG=1` (set by the README's test command) a missing
/// PostgreSQL fails the test instead of leaving it half-run.
pub async fn each_engine<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        test(TestApp::start(engine).await).await;
    }
}

/// The application role tests connect as: no superuser, no BYPASSRLS.
pub const APP_ROLE: &str = "switchboard_app";
const APP_PASSWORD: &str = "switchboard_app";

/// Creates a fresh database owned by the application role and returns the
/// application's URL for it.
pub async fn fresh_pg_database() -> String {
    let admin = pg_admin_url().expect("TEST_DATABASE_URL");
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to TEST_DATABASE_URL");
    // Concurrent tests may race to create the role; either way it exists after.
    let _ = sqlx::query(
        "DO $$ BEGIN \
           CREATE ROLE switchboard_app LOGIN PASSWORD 'switchboard_app' \
             NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    )
    .execute(&mut conn)
    .await;
    let name = format!("sb_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} OWNER {APP_ROLE}"
    )))
    .execute(&mut conn)
    .await
    .expect("create test database");
    conn.close().await.ok();
    let mut url = reqwest::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
    url.set_username(APP_ROLE).ok();
    url.set_password(Some(APP_PASSWORD)).ok();
    url.set_path(&format!("/{name}"));
    url.to_string()
}
