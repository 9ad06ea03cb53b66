//! The event log: numbered in commit order without gaps, read through
//! durable cursors that hand each event to one consumer exactly once.

use crate::new_tenant;
use domain::{Clock, ManualClock, TenantId};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use store::Store;
use store::events::{CursorStart, NewEvent, StoredEvent};

const CONSUMER: &str = "test.consumer";
const WRITERS: u64 = 16;
const TRANSACTIONS: u64 = 50;

/// A writer's pseudo-random choices (xorshift): the same every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Lets other tasks run (and commit) for a random little while.
async fn jitter(dice: &mut Dice) {
    match dice.roll(4) {
        0 => {}
        1 => tokio::task::yield_now().await,
        _ => tokio::time::sleep(Duration::from_micros(dice.roll(1500))).await,
    }
}

/// Which event this is: (writer, transaction, index in the transaction).
type Key = (u64, u64, u64);

fn key_of(e: &StoredEvent) -> Key {
    let n = |f: &str| e.payload[f].as_u64().unwrap();
    (n("w"), n("t"), n("i"))
}

/// Commits (or now and then rolls back) transactions that each record one
/// to three events; returns the keys of the committed ones, per transaction.
async fn write(store: Store, tenant: TenantId, clock: ManualClock, w: u64) -> Vec<Vec<Key>> {
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ (w + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut committed = Vec::new();
    for t in 0..TRANSACTIONS {
        let mut tx = store.tenant(tenant).await.unwrap();
        let mut keys = Vec::new();
        for i in 0..=dice.roll(3) {
            let payload = json!({ "w": w, "t": t, "i": i });
            tx.record_event(NewEvent::new("test.happened", payload), clock.now());
            keys.push((w, t, i));
            jitter(&mut dice).await;
        }
        if dice.roll(5) == 0 {
            drop(tx); // rolls back
        } else {
            tx.commit().await.unwrap();
            committed.push(keys);
        }
        jitter(&mut dice).await;
    }
    committed
}

/// Reads the log through [`CONSUMER`]'s cursor, 20 events at a time, until
/// `done` was set before a read that found nothing; returns what it
/// processed (each batch counts once its transaction committed).
async fn consume(
    store: Store,
    tenant: TenantId,
    clock: ManualClock,
    done: Arc<AtomicBool>,
) -> Vec<StoredEvent> {
    let mut seen = Vec::new();
    loop {
        let finished = done.load(Ordering::SeqCst);
        let mut tx = store.tenant(tenant).await.unwrap();
        let cursor = tx
            .lock_cursor(CONSUMER, CursorStart::Beginning)
            .await
            .unwrap();
        let batch = tx.events_after(cursor, 20).await.unwrap();
        let mut previous = cursor;
        for e in &batch {
            assert_eq!(e.seq, previous + 1, "the log skipped after {previous}");
            previous = e.seq;
        }
        if let Some(last) = batch.last() {
            tx.advance_cursor(CONSUMER, last.seq, clock.now())
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        if batch.is_empty() {
            if finished {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        seen.extend(batch);
    }
}

/// Many writers commit in an interleaved order while two consumers share
/// one cursor: every committed event is processed exactly once, in
/// sequence order without gaps, and rolled-back events never appear.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn consumers_see_every_committed_event_once_in_commit_order() {
    testkit::each_engine(|app| async move {
        let store = app.state.store.clone();
        let clock = app.clock.clone();
        let tenant = new_tenant(&store, "log", clock.now()).await;
        let other = new_tenant(&store, "log-other", clock.now()).await;
        let done = Arc::new(AtomicBool::new(false));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let c = consume(store.clone(), tenant, clock.clone(), done.clone());
                tokio::spawn(c)
            })
            .collect();
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| tokio::spawn(write(store.clone(), tenant, clock.clone(), w)))
            .collect();
        // Another tenant's events go to its own log.
        let mut tx = store.tenant(other).await.unwrap();
        tx.record_event(NewEvent::new("test.elsewhere", json!({})), clock.now());
        tx.commit().await.unwrap();

        let mut committed = Vec::new();
        for w in writers {
            committed.extend(w.await.unwrap());
        }
        done.store(true, Ordering::SeqCst);
        let mut by_consumer = Vec::new();
        for c in consumers {
            by_consumer.push(c.await.unwrap());
        }

        let mut seen: Vec<StoredEvent> = by_consumer.concat();
        seen.sort_by_key(|e| e.seq);
        let seqs: Vec<i64> = seen.iter().map(|e| e.seq).collect();
        let expected: usize = committed.iter().map(Vec::len).sum();
        let twice: Vec<i64> = seqs
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        assert!(
            twice.is_empty(),
            "{} events processed twice: {twice:?}",
            twice.len()
        );
        assert_eq!(seqs.len(), expected, "every committed event, no more");
        assert!(
            seqs.iter().zip(1..).all(|(s, n)| *s == n),
            "numbered 1, 2, 3… without gaps"
        );
        let keys: BTreeSet<Key> = seen.iter().map(key_of).collect();
        assert_eq!(keys, committed.iter().flatten().copied().collect());
        for e in &seen {
            assert_eq!((e.name.as_str(), e.version), ("test.happened", 1));
        }
        // A transaction's events are numbered together, in recording order.
        for e in seen.windows(2) {
            let (a, b) = (key_of(&e[0]), key_of(&e[1]));
            if b.2 > 0 {
                assert_eq!(
                    (a.0, a.1, a.2 + 1),
                    b,
                    "a transaction's events are consecutive"
                );
            }
        }
        // Both consumers took part (each also in order, as checked inside).
        assert!(
            by_consumer.iter().all(|s| !s.is_empty()),
            "both consumers worked"
        );
        let mut tx = store.tenant_read(tenant).await.unwrap();
        assert_eq!(tx.latest_event_seq().await.unwrap(), expected as i64);
        let mut tx = store.tenant_read(other).await.unwrap();
        let theirs = tx.events_after(0, 10).await.unwrap();
        assert_eq!(theirs.len(), 1);
        assert_eq!(
            (theirs[0].seq, theirs[0].name.as_str()),
            (1, "test.elsewhere")
        );
    })
    .await;
}

/// Cursors that start at the newest event, ids resolved to numbers, events
/// recorded in the system scope, and the list of tenants a consumer is behind on.
#[tokio::test]
async fn cursors_start_where_asked_and_tenants_behind_lists_unread_logs() {
    testkit::each_engine(|app| async move {
        let store = app.state.store.clone();
        let now = app.clock.now();
        let a = new_tenant(&store, "behind-a", now).await;
        let b = new_tenant(&store, "behind-b", now).await;
        let ev = |n: u64| NewEvent::new("test.n", json!({ "n": n }));

        let mut sys = store.system().await.unwrap();
        assert!(sys.tenants_behind("c", 10).await.unwrap().is_empty());
        let first = sys.record_event(b, ev(1), now);
        sys.record_event(a, ev(2), now);
        let second = sys.record_event(b, ev(3), now);
        sys.commit().await.unwrap();

        // Nothing of a rolled-back transaction is left, not even a number.
        let mut tx = store.tenant(b).await.unwrap();
        tx.record_event(ev(99), now);
        drop(tx);

        // A system transaction narrowed to a tenant keeps its events.
        let mut sys = store.system().await.unwrap();
        sys.record_event(b, ev(4), now);
        let mut tx = sys.enter_tenant(b).await.unwrap();
        tx.record_event(ev(5).subject(b.as_uuid()).version(2), now);
        tx.commit().await.unwrap();

        let mut tx = store.tenant(b).await.unwrap();
        let log = tx.events_after(0, 100).await.unwrap();
        let ns: Vec<(i64, u64)> = log
            .iter()
            .map(|e| (e.seq, e.payload["n"].as_u64().unwrap()))
            .collect();
        assert_eq!(ns, vec![(1, 1), (2, 3), (3, 4), (4, 5)]);
        assert_eq!((log[3].version, log[3].subject_id), (2, Some(b.as_uuid())));
        assert_eq!(log[0].id, first);
        assert_eq!(tx.find_event_seq(second).await.unwrap(), Some(2));
        assert_eq!(
            tx.find_event_seq(domain::EventId::new()).await.unwrap(),
            None
        );
        let first_seq = tx.find_event_seq(first).await.unwrap().unwrap();
        let after_first = tx.events_after(first_seq, 10).await.unwrap();
        assert_eq!(after_first.first().map(|e| e.seq), Some(2));
        assert_eq!(tx.latest_event_seq().await.unwrap(), 4);
        assert_eq!(
            tx.lock_cursor("late", CursorStart::Latest).await.unwrap(),
            4
        );
        assert_eq!(
            tx.lock_cursor("c", CursorStart::Beginning).await.unwrap(),
            0
        );
        tx.advance_cursor("c", 4, now).await.unwrap();
        // Never back.
        tx.advance_cursor("c", 2, now).await.unwrap();
        assert_eq!(tx.lock_cursor("c", CursorStart::Latest).await.unwrap(), 4);
        tx.commit().await.unwrap();

        let mut sys = store.system().await.unwrap();
        assert_eq!(sys.tenants_behind("c", 10).await.unwrap(), vec![a]);
        assert!(sys.tenants_behind("late", 10).await.unwrap().contains(&a));
        let mut both = sys.tenants_behind("new", 10).await.unwrap();
        both.sort();
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(both, expected);
        assert_eq!(sys.tenants_behind("new", 1).await.unwrap().len(), 1);
    })
    .await;
}
