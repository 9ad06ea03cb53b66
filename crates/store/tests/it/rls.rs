use domain::{Role, TenantId, TenantStatus, Timestamp};
use store::auth::NewUser;
use store::tenancy::NewTenant;
use testkit::{Engine, TestApp};

async fn tenant_with_user(store: &store::Store, slug: &str) -> TenantId {
    let now = Timestamp::from_millis(1_700_000_000_000);
    let mut sys = store.system().await.unwrap();
    let t = sys
        .insert_tenant(NewTenant {
            id: TenantId::new(),
            name: slug,
            slug,
            status: TenantStatus::Active,
            plan_code: "starter",
            now,
        })
        .await
        .unwrap();
    let mut tx = sys.enter_tenant(t.id).await.unwrap();
    tx.insert_user(NewUser {
        email: &format!("u@{slug}.example.com"),
        name: "U",
        role: Role::Agent,
        password_hash: "x",
        now,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    t.id
}

/// Even SQL with no tenant filter, run inside tenant A's transaction, can
/// neither read nor write tenant B's rows: PostgreSQL's policies stop it.
#[tokio::test]
async fn unfiltered_queries_inside_a_tenant_see_only_that_tenant() {
    if testkit::pg_admin_url().is_none() {
        assert!(
            std::env::var("SWITCHBOARD_REQUIRE_PG").as_deref() != Ok("1"),
            "PostgreSQL required"
        );
        return;
    }
    let app = TestApp::start(Engine::Postgres).await;
    let store = &app.state.store;
    let a = tenant_with_user(store, "rls-a").await;
    let b = tenant_with_user(store, "rls-b").await;

    let mut tx = store.tenant(a).await.unwrap();
    let conn = tx.postgres_connection().unwrap();
    let visible: Vec<(uuid::Uuid,)> = sqlx::query_as("SELECT tenant_id FROM users")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    assert_eq!(visible, vec![(a.as_uuid(),)], "only A's users are visible");
    let changed = sqlx::query("UPDATE users SET name = 'hijacked'")
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1, "only A's row was updated");
    let deleted = sqlx::query("DELETE FROM users WHERE email = 'u@rls-b.example.com'")
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0, "B's row cannot be deleted");
    let insert = sqlx::query(
        "INSERT INTO users (tenant_id, id, email, name, role, password_hash, created_at, updated_at) \
         VALUES ($1, $2, 'x@evil.example.com', 'x', 'owner', 'x', 0, 0)",
    )
    .bind(b.as_uuid())
    .bind(uuid::Uuid::now_v7())
    .execute(&mut *conn)
    .await;
    let err = insert.expect_err("writing into B is refused").to_string();
    assert!(err.contains("row-level security"), "{err}");
    drop(tx);

    // B's row is untouched.
    let b_user = {
        let mut tx = store.tenant(b).await.unwrap();
        tx.find_user_by_email("u@rls-b.example.com").await.unwrap()
    };
    assert_eq!(b_user.name, "U");

    // Without any scope set, a raw connection sees nothing at all.
    let mut raw = <sqlx::PgConnection as sqlx::Connection>::connect(&app.state.config.database_url)
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn tenant_transactions_filter_by_tenant_on_both_engines() {
    testkit::each_engine(|app| async move {
        let store = &app.state.store;
        let a = tenant_with_user(store, "scope-a").await;
        let _b = tenant_with_user(store, "scope-b").await;
        let mut tx = store.tenant(a).await.unwrap();
        let err = tx
            .find_user_by_email("u@scope-b.example.com")
            .await
            .unwrap_err();
        assert!(matches!(err, store::StoreError::NotFound), "{err:?}");
        let page = tx
            .list_users(store::page::PageRequest::new(None, 50))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].email, "u@scope-a.example.com");
    })
    .await;
}
