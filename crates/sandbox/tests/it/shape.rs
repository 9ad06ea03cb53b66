//! Fidelity: every webhook body the sandbox emits only uses key paths and
//! JSON types that the reference fixtures use.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

/// Structure of a JSON value: types seen, object fields, array items.
#[derive(Debug, Default, Clone)]
struct Shape {
    types: BTreeSet<&'static str>,
    fields: BTreeMap<String, Shape>,
    items: Option<Box<Shape>>,
}

fn shape(v: &Value) -> Shape {
    let mut s = Shape::default();
    match v {
        Value::Null => {
            s.types.insert("null");
        }
        Value::Bool(_) => {
            s.types.insert("bool");
        }
        Value::Number(_) => {
            s.types.insert("number");
        }
        Value::String(_) => {
            s.types.insert("string");
        }
        Value::Array(a) => {
            s.types.insert("array");
            let mut items = Shape::default();
            for x in a {
                merge(&mut items, shape(x));
            }
            s.items = Some(Box::new(items));
        }
        Value::Object(o) => {
            s.types.insert("object");
            for (k, x) in o {
                s.fields.insert(k.clone(), shape(x));
            }
        }
    }
    s
}

fn merge(into: &mut Shape, other: Shape) {
    into.types.extend(other.types);
    for (k, v) in other.fields {
        merge(into.fields.entry(k).or_default(), v);
    }
    if let Some(i) = other.items {
        merge(into.items.get_or_insert_with(Default::default), *i);
    }
}

/// Every path/type of `emitted` must exist in `reference`.
fn check(emitted: &Shape, reference: &Shape, path: &str, errors: &mut Vec<String>) {
    for t in &emitted.types {
        if !reference.types.contains(t) {
            errors.push(format!("{path}: type {t} not in {:?}", reference.types));
        }
    }
    for (k, v) in &emitted.fields {
        match reference.fields.get(k) {
            Some(r) => check(v, r, &format!("{path}.{k}"), errors),
            None => errors.push(format!("{path}.{k}: key not in fixture")),
        }
    }
    if let Some(i) = &emitted.items {
        match &reference.items {
            Some(r) => check(i, r, &format!("{path}[]"), errors),
            None => errors.push(format!("{path}[]: array not in fixture")),
        }
    }
}

fn fixture(names: &[&str]) -> Shape {
    let mut s = Shape::default();
    for name in names {
        let path = format!(
            "{}/../../docs/reference/fixtures/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        merge(&mut s, shape(&serde_json::from_str(&text).unwrap()));
    }
    s
}

/// The business-scoped user id (BSUID) keys of newer payloads, which the
/// fixtures predate (reference §1.4–1.6): `contacts[].user_id` /
/// `parent_user_id` / `profile.username`, contacts on status webhooks,
/// `from_user_id` on messages, `recipient_user_id` on statuses.
fn bsuid_keys() -> Shape {
    shape(&json!({"entry": [{"changes": [{"value": {
        "contacts": [{"wa_id": "1", "user_id": "US.1", "parent_user_id": "US.ENT.1",
            "profile": {"name": "A", "username": "a"}}],
        "messages": [{"from_user_id": "US.1", "from_parent_user_id": "US.ENT.1"}],
        "statuses": [{"recipient_user_id": "US.1", "parent_recipient_user_id": "US.ENT.1"}]
    }}]}]}))
}

pub fn assert_fits(what: &str, body: &Value, fixtures: &[&str]) {
    let mut errors = Vec::new();
    let mut reference = fixture(fixtures);
    merge(&mut reference, bsuid_keys());
    check(&shape(body), &reference, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{what} does not fit {fixtures:?}:\n{}\n{body:#}",
        errors.join("\n")
    );
}

#[test]
fn shape_check_catches_invented_and_mistyped_keys() {
    let reference = shape(&json!({"a": {"b": "x", "c": [1, 2]}}));
    let mut errors = Vec::new();
    check(
        &shape(&json!({"a": {"b": "y"}})),
        &reference,
        "$",
        &mut errors,
    );
    assert!(errors.is_empty());
    check(
        &shape(&json!({"a": {"b": 1, "d": true, "c": ["s"]}})),
        &reference,
        "$",
        &mut errors,
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
}
