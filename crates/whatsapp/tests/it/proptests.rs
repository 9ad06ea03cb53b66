//! `parse_webhook` never panics, whatever the input: arbitrary bytes,
//! arbitrary JSON, fixtures mutated as JSON (mutations inside a change never
//! make the payload unparseable) and as bytes (truncated, overwritten,
//! spliced), and inputs built to exhaust the stack or memory.
//!
//! More cases: `PROPTEST_CASES=20000 cargo nextest run -p switchboard-whatsapp -E 'test(proptests)'`.

use proptest::prelude::*;
use serde_json::{Map, Value};
use whatsapp::parse_webhook;

use crate::{fixture_bytes, meta_fixture_names};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z_]{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        prop::sample::select(vec![
            "text",
            "image",
            "interactive",
            "button_reply",
            "list_reply",
            "messages",
            "failed",
            "unsupported",
            "system",
            "contacts",
            "edit",
            "nfm_reply",
            "131047",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// JSON pointers of every node of `value`.
fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{prefix}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{prefix}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    Duplicate,
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        arb_json().prop_map(Mutation::Replace),
        Just(Mutation::Remove),
        Just(Mutation::Duplicate),
    ]
}

/// Applies `mutation` at `pointer` (a non-root pointer).
fn mutate(root: &mut Value, pointer: &str, mutation: Mutation) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    let Some(parent) = root.pointer_mut(parent) else {
        return;
    };
    match (parent, mutation) {
        (Value::Object(map), Mutation::Replace(v)) => {
            map.insert(key, v);
        }
        (Value::Object(map), Mutation::Remove) => {
            map.remove(&key);
        }
        (Value::Object(map), Mutation::Duplicate) => {
            if let Some(v) = map.get(&key).cloned() {
                map.insert(format!("{key}_copy"), v);
            }
        }
        (Value::Array(items), m) => {
            let Ok(i) = key.parse::<usize>() else { return };
            if i >= items.len() {
                return;
            }
            match m {
                Mutation::Replace(v) => items[i] = v,
                Mutation::Remove => {
                    items.remove(i);
                }
                Mutation::Duplicate => {
                    let v = items[i].clone();
                    items.push(v);
                }
            }
        }
        _ => {}
    }
}

/// Parses and exercises everything a consumer would touch.
fn exercise(bytes: &[u8]) -> bool {
    match parse_webhook(bytes) {
        Ok(payload) => {
            for event in payload.events() {
                let _ = event.waba_id();
                let _ = event.phone_number_id();
                let _ = format!("{event:?}");
            }
            serde_json::to_value(&payload).is_ok()
        }
        Err(_) => false,
    }
}

/// One byte-level edit of a body.
#[derive(Debug, Clone)]
enum ByteEdit {
    Truncate(prop::sample::Index),
    Overwrite(prop::sample::Index, u8),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
}

fn arb_byte_edit() -> impl Strategy<Value = ByteEdit> {
    let special = prop::sample::select(b"{}[]\",:0-e\\\x00\xff".to_vec());
    prop_oneof![
        any::<prop::sample::Index>().prop_map(ByteEdit::Truncate),
        (
            any::<prop::sample::Index>(),
            prop_oneof![any::<u8>(), special.clone()]
        )
            .prop_map(|(i, b)| ByteEdit::Overwrite(i, b)),
        (
            any::<prop::sample::Index>(),
            prop::collection::vec(prop_oneof![any::<u8>(), special], 1..8)
        )
            .prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        (any::<prop::sample::Index>(), 1..16usize).prop_map(|(i, n)| ByteEdit::Delete(i, n)),
    ]
}

fn edit(bytes: &mut Vec<u8>, e: &ByteEdit) {
    if bytes.is_empty() {
        return;
    }
    match e {
        ByteEdit::Truncate(i) => bytes.truncate(i.index(bytes.len())),
        ByteEdit::Overwrite(i, b) => {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        ByteEdit::Insert(i, b) => {
            let i = i.index(bytes.len());
            bytes.splice(i..i, b.iter().copied());
        }
        ByteEdit::Delete(i, n) => {
            let i = i.index(bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
    }
}

#[test]
fn inputs_built_to_exhaust_the_parser_are_refused_or_parsed() {
    // Deep nesting: refused by the recursion limit, never a stack overflow.
    for deep in [
        vec![b'['; 100_000],
        "{\"a\":".repeat(100_000).into_bytes(),
        [
            br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":"#.as_slice(),
            &vec![b'['; 100_000],
        ]
        .concat(),
    ] {
        assert!(!exercise(&deep));
    }
    // Nesting a little inside the limit still parses.
    let value = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"flows","value":{value}}}]}}]}}"#
    );
    assert!(exercise(body.as_bytes()));
    // Huge arrays: many entries, many messages, each one an event.
    let entries = vec![r#"{"id":"1","changes":[]}"#; 200_000].join(",");
    let body = format!(r#"{{"object":"whatsapp_business_account","entry":[{entries}]}}"#);
    assert!(exercise(body.as_bytes()));
    let messages = vec![
        r#"{"from":"1","id":"wamid.x","timestamp":"1","type":"text","text":{"body":"hi"}}"#;
        20_000
    ]
    .join(",");
    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"1"}},"messages":[{messages}]}}}}]}}]}}"#
    );
    let payload = parse_webhook(body.as_bytes()).unwrap();
    assert_eq!(payload.events().count(), 20_000);
    // A huge string and a huge number.
    let body = format!(
        r#"{{"object":"{}","entry":[{{"id":1e999999}}]}}"#,
        "x".repeat(4_000_000)
    );
    let _ = exercise(body.as_bytes());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fixture_byte_edits_never_panic(
        file_index in any::<prop::sample::Index>(),
        edits in prop::collection::vec(arb_byte_edit(), 1..6),
    ) {
        let names = meta_fixture_names();
        let mut bytes = fixture_bytes(file_index.get(&names).as_str());
        for e in &edits {
            edit(&mut bytes, e);
            let _ = exercise(&bytes);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = exercise(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        let _ = exercise(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn arbitrary_json_as_a_change_value_always_parses(value in arb_json(), field in prop::sample::select(vec!["messages", "message_template_status_update", "flows"])) {
        let body = serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": field, "value": value}]}]
        });
        prop_assert!(exercise(&serde_json::to_vec(&body).unwrap()));
    }

    #[test]
    fn fixture_mutations_never_panic(
        file_index in any::<prop::sample::Index>(),
        node_index in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(arb_mutation(), 1..4),
    ) {
        let names = meta_fixture_names();
        let name = file_index.get(&names);
        let mut root: Value = serde_json::from_slice(&fixture_bytes(name)).unwrap();
        let mut envelope_intact = true;
        for mutation in mutations {
            let mut ptrs = Vec::new();
            pointers(&root, String::new(), &mut ptrs);
            if ptrs.is_empty() {
                break;
            }
            let pointer = node_index.get(&ptrs).clone();
            mutate(&mut root, &pointer, mutation);
            // Inside a change (`/entry/N/changes/M/...`) nothing may break
            // parsing; only the envelope's own shape can.
            let inside_change = pointer.split('/').count() > 5
                && pointer.starts_with("/entry/")
                && pointer.split('/').nth(3) == Some("changes");
            envelope_intact &= inside_change;
            let ok = exercise(&serde_json::to_vec(&root).unwrap());
            if envelope_intact {
                prop_assert!(ok, "mutation at {} broke parsing", pointer);
            }
        }
    }
}
