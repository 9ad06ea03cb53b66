//! The event catalogue: docs/EVENTS.md lists every event the code can
//! record (`server::events::record` takes only the typed `Event`, whose
//! names are `Event::NAMES`), each example parses as the payload the code
//! writes, and its version is the one the code records.

use domain::events::Event;
use serde_json::Value;
use std::collections::BTreeMap;

/// `### name (vN)` headings, each with the JSON example that follows it.
fn documented() -> BTreeMap<String, (i64, Value)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/EVENTS.md"))
        .unwrap();
    let mut found = BTreeMap::new();
    let mut sections = doc.split("\n### ").skip(1);
    for section in sections.by_ref() {
        let heading = section.lines().next().unwrap();
        let (name, version) = heading
            .strip_suffix(')')
            .and_then(|h| h.split_once(" (v"))
            .unwrap_or_else(|| panic!("heading `{heading}` is not `name (vN)`"));
        let example = section
            .split("```json\n")
            .nth(1)
            .and_then(|rest| rest.split("\n```").next())
            .unwrap_or_else(|| panic!("{name} has no JSON example"));
        let example: Value = serde_json::from_str(example)
            .unwrap_or_else(|e| panic!("{name}: the example is not JSON: {e}"));
        let previous = found.insert(name.to_owned(), (version.parse().unwrap(), example));
        assert!(previous.is_none(), "{name} is documented twice");
    }
    found
}

#[test]
fn every_event_is_documented_with_an_example_that_parses() {
    let docs = documented();
    for name in Event::NAMES {
        let Some((version, example)) = docs.get(*name) else {
            panic!("{name} is not in docs/EVENTS.md");
        };
        let event = Event::from_parts(name, example.clone())
            .unwrap_or_else(|e| panic!("docs/EVENTS.md's {name} example: {e}"));
        assert_eq!(event.version(), *version, "{name}'s documented version");
        assert_eq!(
            &event.payload(),
            example,
            "{name}'s example should show every field the code writes"
        );
    }
    for name in docs.keys() {
        assert!(
            Event::NAMES.contains(&name.as_str()),
            "docs/EVENTS.md lists {name}, which the code never records"
        );
    }
}

/// Collects what it is fed, to check that each event comes exactly once.
struct Collector(std::sync::Mutex<Vec<i64>>);

impl server::events::Consumer for Collector {
    const NAME: &'static str = "test.collector";
    const START: store::events::CursorStart = store::events::CursorStart::Beginning;

    async fn handle(
        &self,
        _tx: &mut store::TenantTx,
        events: &[store::events::StoredEvent],
    ) -> anyhow::Result<()> {
        self.0.lock().unwrap().extend(events.iter().map(|e| e.seq));
        Ok(())
    }
}

/// Many writers commit events concurrently (some roll back) while two
/// consumers read the log through their shared cursor: together they see
/// every committed event exactly once, in commit order, none rolled back.
#[tokio::test]
async fn consumers_see_every_event_once_in_commit_order_while_writers_commit() {
    use domain::events::{ConversationRead, Event};
    testkit::each_engine(|app| async move {
        let t = app.create_tenant("log-writers").await;
        let tenant: domain::TenantId = t.id.parse().unwrap();
        let state = app.state.clone();
        let collector = std::sync::Arc::new(Collector(Default::default()));
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

        let mut writers = tokio::task::JoinSet::new();
        for w in 0..8u64 {
            let state = state.clone();
            writers.spawn(async move {
                let mut committed = 0;
                for i in 0..25u64 {
                    let mut tx = state.store.tenant(tenant).await.unwrap();
                    for _ in 0..=(i % 3) {
                        let event = Event::ConversationRead(ConversationRead {
                            conversation_id: domain::ConversationId::new(),
                        });
                        server::events::record(&mut tx, event, state.now());
                    }
                    tokio::task::yield_now().await;
                    if (w + i) % 5 == 0 {
                        drop(tx); // rolled back: its events must never be seen
                    } else {
                        tx.commit().await.unwrap();
                        committed += i % 3 + 1;
                    }
                }
                committed
            });
        }
        let mut consumers = Vec::new();
        for _ in 0..2 {
            let (state, collector, done) = (state.clone(), collector.clone(), done.clone());
            consumers.push(tokio::spawn(async move {
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    server::events::consume_all(&state, collector.as_ref())
                        .await
                        .unwrap();
                    if finished {
                        return;
                    }
                    tokio::task::yield_now().await;
                }
            }));
        }
        let mut expected = 0;
        while let Some(n) = writers.join_next().await {
            expected += n.unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        for c in consumers {
            c.await.unwrap();
        }
        // Handled under the cursor's lock, so in one order across both.
        let seen = collector.0.lock().unwrap().clone();
        let all: Vec<i64> = (1..=expected as i64).collect();
        assert_eq!(
            seen, all,
            "every committed event exactly once, in order, no gaps"
        );
        app.stop().await;
    })
    .await;
}
