//! "Stored before 200" must hold across power loss, not only a crash of
//! the process: on SQLite the webhook intake's transactions (and a send's
//! claim) commit with `synchronous=FULL`; the rest keep `NORMAL`, which a
//! crash of the process cannot undo either.

use store::Store;

#[tokio::test]
async fn sqlite_syncs_the_commits_that_must_survive_power_loss() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let now = domain::Timestamp::from_millis(0);
    let mut sys = store.system().await.unwrap();
    sys.ensure_default_plans(now).await.unwrap();
    sys.commit().await.unwrap();
    let tenant = crate::new_tenant(&store, "durable", now).await;
    // Alternate, so each switch of the writer's level is seen.
    for _ in 0..2 {
        let mut intake = store.system_first().await.unwrap();
        assert!(
            intake.commits_durably().await.unwrap(),
            "the intake's commit"
        );
        intake.commit().await.unwrap();
        let mut other = store.system().await.unwrap();
        assert!(
            !other.commits_durably().await.unwrap(),
            "others stay NORMAL"
        );
        other.commit().await.unwrap();
        let mut claim = store.tenant_synced(tenant).await.unwrap();
        assert!(claim.commits_durably().await.unwrap(), "a send's claim");
        claim.commit().await.unwrap();
        let mut plain = store.tenant(tenant).await.unwrap();
        assert!(!plain.commits_durably().await.unwrap());
        plain.commit().await.unwrap();
    }
    assert!(store.durable_commits().await.unwrap());
}
