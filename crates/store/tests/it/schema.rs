use sqlx::Connection;
use std::collections::BTreeSet;
use store::Store;
use testkit::{Engine, TestApp};

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

fn file_names(tree: &str) -> BTreeSet<String> {
    std::fs::read_dir(format!("{MIGRATIONS}/{tree}"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_trees_have_the_same_migration_files() {
    let sqlite = file_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, file_names("postgres"));
}

async fn sqlite_columns() -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
           AND m.name NOT LIKE '%_fts' AND m.name NOT LIKE '%_fts_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter().collect()
}

#[tokio::test]
async fn both_engines_end_with_the_same_tables_and_columns() {
    let sqlite = sqlite_columns().await;
    assert!(sqlite.contains(&("tenants".into(), "slug".into())));
    if testkit::pg_admin_url().is_none() {
        assert!(
            std::env::var("SWITCHBOARD_REQUIRE_PG").as_deref() != Ok("1"),
            "PostgreSQL required"
        );
        return;
    }
    let app = TestApp::start(Engine::Postgres).await;
    let url = app.state.config.database_url.clone();
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    // The words PostgreSQL's full-text index reads (SQLite keeps them in
    // its FTS5 tables, left out above).
    let pg: BTreeSet<(String, String)> = rows
        .into_iter()
        .filter(|(table, column)| !(table == "messages" && column == "search_words"))
        .collect();
    assert_eq!(sqlite, pg, "the two migration trees give different schemas");
}

#[tokio::test]
async fn every_tenant_owned_postgres_table_forces_row_level_security() {
    if testkit::pg_admin_url().is_none() {
        assert!(
            std::env::var("SWITCHBOARD_REQUIRE_PG").as_deref() != Ok("1"),
            "PostgreSQL required"
        );
        return;
    }
    let app = TestApp::start(Engine::Postgres).await;
    let mut conn = sqlx::PgConnection::connect(&app.state.config.database_url)
        .await
        .unwrap();
    let unprotected: Vec<(String,)> = sqlx::query_as(
        "SELECT c.relname::text FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' \
         WHERE c.relkind = 'r' \
           AND EXISTS (SELECT 1 FROM information_schema.columns col \
                       WHERE col.table_schema = 'public' AND col.table_name = c.relname \
                         AND col.column_name = 'tenant_id') \
           AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(
        unprotected.is_empty(),
        "tables without forced RLS: {unprotected:?}"
    );
    // And the application role can not bypass it.
    assert!(!app.state.store.bypasses_row_security().await.unwrap());
}
