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
