//! The segment editor's form: the rule tree as rows of inputs named by
//! their node's path (`field@rules[1].rules[0]`, the path a validation
//! error names too), read back into a tree, changed by the "add rule",
//! "add group" and "remove" buttons, and turned into the API's JSON.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use store::crm::rules::{Field, MAX_DEPTH, MAX_RULES};

/// A form's fields in order.
pub type Fields = Vec<(String, String)>;

#[derive(Debug, Clone, PartialEq)]
pub struct FormGroup {
    pub any: bool,
    pub items: Vec<FormNode>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormNode {
    Rule(FormRule),
    Group(FormGroup),
}

/// A rule row as typed: every value still text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FormRule {
    pub field: String,
    pub op: String,
    pub key: String,
    pub value: String,
}

impl FormRule {
    pub fn new() -> FormRule {
        FormRule {
            field: "tag".into(),
            op: "has".into(),
            ..FormRule::default()
        }
    }
}

/// `rules[1].rules[0]` → `[1, 0]`; the root group is `""`.
pub fn parse_path(p: &str) -> Option<Vec<usize>> {
    if p.is_empty() {
        return Some(Vec::new());
    }
    p.split('.')
        .map(|part| part.strip_prefix("rules[")?.strip_suffix(']')?.parse().ok())
        .collect()
}

pub fn path_string(p: &[usize]) -> String {
    p.iter()
        .map(|i| format!("rules[{i}]"))
        .collect::<Vec<_>>()
        .join(".")
}

enum Entry {
    Group(bool),
    Rule(FormRule),
}

/// Reads the tree from the form (unknown or malformed names are ignored).
pub fn read(fields: &Fields) -> FormGroup {
    let mut entries: BTreeMap<Vec<usize>, Entry> = BTreeMap::new();
    for (k, v) in fields {
        let Some((name, path)) = k.split_once('@') else {
            continue;
        };
        let Some(path) = parse_path(path).filter(|p| p.len() < MAX_DEPTH + 1) else {
            continue;
        };
        if entries.len() > 4 * MAX_RULES && !entries.contains_key(&path) {
            continue;
        }
        if name == "any" {
            entries.insert(path, Entry::Group(v == "true"));
            continue;
        }
        let e = entries
            .entry(path)
            .or_insert_with(|| Entry::Rule(FormRule::default()));
        if let Entry::Rule(r) = e {
            match name {
                "field" => r.field = v.clone(),
                "op" => r.op = v.clone(),
                "key" => r.key = v.clone(),
                "value" => r.value = v.clone(),
                _ => {}
            }
        }
    }
    let any = matches!(entries.get(&Vec::new()), Some(Entry::Group(true)));
    build(&entries, &[], any)
}

fn build(entries: &BTreeMap<Vec<usize>, Entry>, at: &[usize], any: bool) -> FormGroup {
    let mut items = Vec::new();
    for (path, e) in entries {
        if path.len() != at.len() + 1 || !path.starts_with(at) {
            continue;
        }
        items.push(match e {
            Entry::Group(any) => FormNode::Group(build(entries, path, *any)),
            Entry::Rule(r) => FormNode::Rule(r.clone()),
        });
    }
    FormGroup { any, items }
}

/// The tree of the API's JSON (a saved segment's rules).
pub fn from_json(any: bool, rules: &[Value]) -> FormGroup {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let items = rules
        .iter()
        .map(|r| match r.get("field") {
            Some(_) => FormNode::Rule(FormRule {
                field: text(&r["field"]),
                op: text(&r["op"]),
                key: text(&r["key"]),
                value: text(&r["value"]),
            }),
            None => FormNode::Group(from_json(
                r["any"].as_bool().unwrap_or(false),
                r["rules"].as_array().map(Vec::as_slice).unwrap_or(&[]),
            )),
        })
        .collect();
    FormGroup { any, items }
}

impl FormGroup {
    fn group_at(&mut self, path: &[usize]) -> Option<&mut FormGroup> {
        match path.split_first() {
            None => Some(self),
            Some((i, rest)) => match self.items.get_mut(*i)? {
                FormNode::Group(g) => g.group_at(rest),
                FormNode::Rule(_) => None,
            },
        }
    }

    /// Applies a button: `add_rule:<group>`, `add_group:<group>`,
    /// `remove:<node>` (other actions change nothing).
    pub fn apply(&mut self, action: &str) {
        let Some((what, path)) = action.split_once(':') else {
            return;
        };
        let Some(path) = parse_path(path) else {
            return;
        };
        match what {
            "add_rule" => {
                if let Some(g) = self.group_at(&path) {
                    g.items.push(FormNode::Rule(FormRule::new()));
                }
            }
            "add_group" if path.len() + 2 <= MAX_DEPTH => {
                if let Some(g) = self.group_at(&path) {
                    g.items.push(FormNode::Group(FormGroup {
                        any: false,
                        items: vec![FormNode::Rule(FormRule::new())],
                    }));
                }
            }
            "remove" => {
                if let Some((last, parent)) = path.split_last()
                    && let Some(g) = self.group_at(parent)
                    && *last < g.items.len()
                {
                    g.items.remove(*last);
                    self.prune();
                }
            }
            _ => {}
        }
    }

    /// Drops nested groups left without rules.
    fn prune(&mut self) {
        self.items.retain_mut(|n| match n {
            FormNode::Group(g) => {
                g.prune();
                !g.items.is_empty()
            }
            FormNode::Rule(_) => true,
        });
    }

    /// Puts each row in a shape its field allows: a known field, one of its
    /// operators, a key for attributes only (a row whose field changed
    /// keeps what still fits).
    pub fn normalise(&mut self) {
        for n in &mut self.items {
            match n {
                FormNode::Group(g) => g.normalise(),
                FormNode::Rule(r) => {
                    let field = Field::parse(&r.field).unwrap_or(Field::Tag);
                    r.field = field.as_str().to_owned();
                    if !field.ops().contains(&r.op.as_str()) {
                        r.op = field.ops()[0].to_owned();
                    }
                    if field != Field::Attribute {
                        r.key.clear();
                    }
                }
            }
        }
    }

    /// The API's JSON for the group's rules, values typed by their field
    /// and operator (an attribute's value stays text: the rule types it by
    /// the attribute's type).
    pub fn to_json(&self) -> Vec<Value> {
        self.items
            .iter()
            .map(|n| match n {
                FormNode::Group(g) => json!({ "any": g.any, "rules": g.to_json() }),
                FormNode::Rule(r) => rule_json(r),
            })
            .collect()
    }
}

fn rule_json(r: &FormRule) -> Value {
    let v = r.value.trim();
    let value = match (Field::parse(&r.field), r.op.as_str()) {
        // The select shows "no (opted in)" unless "true" was chosen.
        (Some(Field::OptedOut), _) => json!(v == "true"),
        (_, "within_days" | "not_within_days") => v
            .parse::<i64>()
            .map(|d| json!(d))
            .unwrap_or_else(|_| json!(v)),
        _ => json!(v),
    };
    let mut o = json!({ "field": r.field, "op": r.op });
    if r.field == Field::Attribute.as_str() {
        o["key"] = json!(r.key);
    }
    if !matches!(r.op.as_str(), "is_set" | "is_not_set") {
        o["value"] = value;
    }
    o
}

/// The row path a validation error's field names (`rules[1].value` →
/// `rules[1]`; `rules` → the root group, `""`).
pub fn node_of(field: &str) -> String {
    match field.rsplit_once('.') {
        Some((node, last)) if !last.starts_with("rules[") => node.to_owned(),
        None if !field.starts_with("rules[") => String::new(),
        _ => field.to_owned(),
    }
}

#[cfg(test)]
mod tests;
