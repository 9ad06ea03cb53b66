//! The segment editor's rows: the form tree flattened into a group's
//! start, its rules and its end, each with what its inputs offer.

use super::form::{FormGroup, FormNode, FormRule, path_string};
use crate::crm::segments::editor::Choices;
use store::crm::attributes::{AttributeDef, AttributeKind};
use store::crm::rules::{Field, MAX_DEPTH};

/// A choice of a select.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Opt {
        Opt {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// One line of the editor: a group's start or end, or a rule.
#[derive(Debug, Clone)]
pub struct Row {
    /// `open`, `rule` or `close`.
    pub kind: &'static str,
    /// The node's path (a group's for `open` and `close`).
    pub path: String,
    pub depth: usize,
    pub any: bool,
    /// A group below the root (it has a "remove" button).
    pub nested: bool,
    /// Whether a group may be added inside this one.
    pub can_nest: bool,
    pub rule: FormRule,
    /// The operators of the rule's field.
    pub ops: Vec<Opt>,
    /// How the value is entered: `tag`, `stage`, `number`, `yes_no`,
    /// `days`, `date`, `text`, `choice` (an attribute's options),
    /// `decimal` or `none`.
    pub input: &'static str,
    /// A choice attribute's options.
    pub options: Vec<Opt>,
    /// What is wrong with this row or group, if anything.
    pub error: Option<String>,
}

/// The rows of `g` (at `path`) in order, `error` (path, message) shown on
/// the row it names.
pub fn rows(g: &FormGroup, choices: &Choices, error: Option<&(String, String)>) -> Vec<Row> {
    let mut out = Vec::new();
    walk(g, &[], choices, error, &mut out);
    out
}

fn walk(
    g: &FormGroup,
    at: &[usize],
    choices: &Choices,
    error: Option<&(String, String)>,
    out: &mut Vec<Row>,
) {
    let path = path_string(at);
    let err_for = |p: &str| error.filter(|(ep, _)| ep == p).map(|(_, m)| m.clone());
    let base = Row {
        kind: "open",
        path: path.clone(),
        depth: at.len(),
        any: g.any,
        nested: !at.is_empty(),
        can_nest: at.len() + 2 <= MAX_DEPTH,
        rule: FormRule::default(),
        ops: Vec::new(),
        input: "none",
        options: Vec::new(),
        error: err_for(&path),
    };
    out.push(base.clone());
    for (i, n) in g.items.iter().enumerate() {
        let mut here = at.to_vec();
        here.push(i);
        match n {
            FormNode::Group(inner) => walk(inner, &here, choices, error, out),
            FormNode::Rule(r) => {
                let p = path_string(&here);
                let (input, options) = input_of(r, &choices.attributes);
                out.push(Row {
                    kind: "rule",
                    error: err_for(&p),
                    path: p,
                    depth: here.len(),
                    rule: r.clone(),
                    ops: ops_of(r),
                    input,
                    options,
                    ..base.clone()
                });
            }
        }
    }
    out.push(Row {
        kind: "close",
        error: None,
        ..base
    });
}

fn ops_of(r: &FormRule) -> Vec<Opt> {
    let field = Field::parse(&r.field).unwrap_or(Field::Tag);
    field
        .ops()
        .iter()
        .map(|o| Opt::new(*o, op_label(o)))
        .collect()
}

fn input_of(r: &FormRule, attributes: &[AttributeDef]) -> (&'static str, Vec<Opt>) {
    let field = Field::parse(&r.field).unwrap_or(Field::Tag);
    let input = match (field, r.op.as_str()) {
        (_, "is_set" | "is_not_set") => "none",
        (Field::Tag, _) => "tag",
        (Field::DealStage, _) => "stage",
        (Field::Channel, _) => "number",
        (Field::OptedOut, _) => "yes_no",
        (_, "within_days" | "not_within_days") => "days",
        (_, "before" | "after") => "date",
        (Field::Attribute, op) => {
            return match attributes.iter().find(|a| a.key == r.key) {
                Some(a) if a.kind == AttributeKind::Choice && op != "contains" => {
                    ("choice", a.options.iter().map(|o| Opt::new(o, o)).collect())
                }
                Some(a) if a.kind == AttributeKind::Boolean => ("yes_no", Vec::new()),
                Some(a) if a.kind == AttributeKind::Number => ("decimal", Vec::new()),
                Some(a) if a.kind == AttributeKind::Date => ("date", Vec::new()),
                _ => ("text", Vec::new()),
            };
        }
        _ => "text",
    };
    (input, Vec::new())
}

/// What the field select shows for each field.
pub fn field_label(f: Field) -> &'static str {
    match f {
        Field::Tag => "Tag",
        Field::Attribute => "Attribute",
        Field::OptedOut => "Opted out",
        Field::LastInboundAt => "Last message from them",
        Field::LastOutboundAt => "Last message to them",
        Field::DealStage => "Open deal in stage",
        Field::Channel => "Conversation on number",
        Field::CreatedAt => "Created",
    }
}

fn op_label(op: &str) -> &'static str {
    match op {
        "has" => "has",
        "has_not" => "has not",
        "is" => "is",
        "is_not" => "is not",
        "eq" => "is",
        "ne" => "is not",
        "gt" => "more than / after",
        "gte" => "at least / on or after",
        "lt" => "less than / before",
        "lte" => "at most / on or before",
        "contains" => "contains",
        "is_set" => "is set",
        "is_not_set" => "is not set",
        "within_days" => "in the last … days",
        "not_within_days" => "not in the last … days",
        "before" => "before",
        "after" => "on or after",
        _ => "?",
    }
}
