//! Sign-in failure counters: failures recorded at once through two
//! connections to one database (two nodes) are all counted, a counter
//! starts again once its window is over, and old counters are swept.

use domain::{Clock, Timestamp};
use store::Store;
use store::housekeeping::Sweepable;

const WINDOW_SECONDS: i64 = 15 * 60;

async fn record(store: &Store, key: &str, now: Timestamp) {
    let mut sys = store.system().await.unwrap();
    sys.record_sign_in_failure(key, now, now.plus_seconds(-WINDOW_SECONDS))
        .await
        .unwrap();
    sys.commit().await.unwrap();
}

async fn failures(store: &Store, keys: &[&str]) -> Vec<(String, i64, Timestamp)> {
    let mut sys = store.system_read().await.unwrap();
    let mut found: Vec<_> = sys
        .find_sign_in_failures(keys)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.key_hash, c.failures, c.latest))
        .collect();
    sys.commit().await.unwrap();
    found.sort();
    found
}

#[tokio::test]
async fn failures_on_two_nodes_at_once_are_all_counted() {
    testkit::each_engine(|app| async move {
        let one = app.state.store.clone();
        let two = Store::connect(&app.state.config.database_url)
            .await
            .unwrap();
        let now = app.clock.now();
        let mut tries = tokio::task::JoinSet::new();
        for n in 0..40 {
            let store = if n % 2 == 0 { one.clone() } else { two.clone() };
            tries.spawn(async move { record(&store, "aa", now).await });
        }
        tries.join_all().await;
        record(&one, "bb", now).await;
        assert_eq!(
            failures(&two, &["aa", "bb", "cc"]).await,
            vec![("aa".into(), 40, now), ("bb".into(), 1, now)]
        );

        // Within the window a failure adds one; once it is over, the
        // counter starts again.
        let later = now.plus_seconds(WINDOW_SECONDS - 1);
        record(&two, "aa", later).await;
        assert_eq!(
            failures(&one, &["aa"]).await,
            vec![("aa".into(), 41, later)]
        );
        let after = later.plus_seconds(WINDOW_SECONDS);
        record(&one, "aa", after).await;
        assert_eq!(failures(&one, &["aa"]).await, vec![("aa".into(), 1, after)]);

        // Cleared counters are gone; the sweep takes those older than the
        // cutoff only.
        let mut sys = one.system().await.unwrap();
        assert_eq!(sys.delete_sign_in_failures(&["aa", "cc"]).await.unwrap(), 1);
        sys.commit().await.unwrap();
        record(&one, "cc", after).await;
        let mut sys = one.system().await.unwrap();
        let swept = sys
            .sweep(Sweepable::SignInFailures, now.plus_seconds(1), 10)
            .await
            .unwrap();
        sys.commit().await.unwrap();
        assert_eq!(swept, 1);
        assert_eq!(
            failures(&two, &["aa", "bb", "cc"]).await,
            vec![("cc".into(), 1, after)]
        );
    })
    .await;
}
