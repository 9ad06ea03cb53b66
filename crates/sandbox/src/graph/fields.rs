//! `fields=` selection shared by the Graph nodes the sandbox serves.
//!
//! Meta answers exactly the requested fields that have a value (plus `id`),
//! silently leaves out documented fields that have none, and refuses names the
//! node type does not have (code 100). Client libraries such as pywa always
//! ask for every documented field, so refusing documented-but-unsimulated
//! fields would break them.

use serde_json::{Map, Value};

use super::errors::GraphError;

/// A Graph node type: its name in error messages and its documented fields.
pub(crate) struct NodeType {
    pub name: &'static str,
    pub documented: &'static [&'static str],
}

/// Top-level field names of a `fields=` value, `None` when absent or empty.
///
/// Field expansion (`health_status{can_send_message}`) and modifiers
/// (`subscribed_apps.limit(5)`) are accepted; only the base name is used.
pub(crate) fn requested(fields: Option<&str>) -> Option<Vec<String>> {
    let raw = fields.filter(|f| !f.trim().is_empty())?;
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in raw.chars() {
        match c {
            '{' | '(' => depth += 1,
            '}' | ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => names.push(std::mem::take(&mut current)),
            _ if depth == 0 => current.push(c),
            _ => {}
        }
    }
    names.push(current);
    let names: Vec<String> = names
        .iter()
        .map(|n| base_name(n))
        .filter(|n| !n.is_empty())
        .collect();
    Some(names)
}

/// `subscribed_apps.limit(5)` -> `subscribed_apps`.
fn base_name(field: &str) -> String {
    field.split('.').next().unwrap_or("").trim().to_owned()
}

/// Picks the requested fields (or `default`) out of `values`; `id` is always
/// added when the node has one.
pub(crate) fn select(
    values: &Map<String, Value>,
    node: &NodeType,
    fields: Option<&str>,
    default: &[&str],
) -> Result<Value, GraphError> {
    let wanted =
        requested(fields).unwrap_or_else(|| default.iter().map(|f| (*f).to_owned()).collect());
    let mut out = Map::new();
    for f in &wanted {
        if !node.documented.contains(&f.as_str()) && !values.contains_key(f) {
            return Err(nonexisting(f, node.name));
        }
        if let Some(v) = values.get(f).filter(|v| !v.is_null()) {
            out.insert(f.clone(), v.clone());
        }
    }
    if let Some(id) = values.get("id") {
        out.insert("id".into(), id.clone());
    }
    Ok(Value::Object(out))
}

/// Meta's answer for a field the node type does not have.
pub(crate) fn nonexisting(field: &str, node: &str) -> GraphError {
    GraphError::param(format!(
        "Tried accessing nonexisting field ({field}) on node type ({node})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NODE: NodeType = NodeType {
        name: "Thing",
        documented: &["id", "a", "b", "c"],
    };

    fn values() -> Map<String, Value> {
        let Value::Object(m) = json!({"id": "1", "a": 1, "b": {"x": 2}}) else {
            return Map::new();
        };
        m
    }

    #[test]
    fn requested_handles_expansion_and_modifiers() {
        assert_eq!(requested(None), None);
        assert_eq!(requested(Some(" ")), None);
        assert_eq!(
            requested(Some("a, b{x,y},c.limit(5)")),
            Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])
        );
    }

    #[test]
    fn select_returns_known_fields_and_id_and_refuses_undocumented() {
        let v = values();
        assert_eq!(
            select(&v, &NODE, Some("b,c"), &["a"]).ok(),
            Some(json!({"b": {"x": 2}, "id": "1"}))
        );
        assert_eq!(
            select(&v, &NODE, None, &["a"]).ok(),
            Some(json!({"a": 1, "id": "1"}))
        );
        let err = select(&v, &NODE, Some("a,nope"), &[]).err();
        assert!(err.is_some_and(|e| e.message.contains("nonexisting field (nope)")));
    }
}
