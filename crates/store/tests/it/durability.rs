//! "Stored before 200" must hold across power loss, not only a crash of
//! the process: SQLite's writer syncs every commit (`synchronous=FULL`).

use store::Store;

#[tokio::test]
async fn sqlite_commits_are_on_disk_when_they_return() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    assert!(store.durable_commits().await.unwrap());
}
