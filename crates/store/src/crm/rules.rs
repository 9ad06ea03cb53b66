//! A segment's rules: a tree of AND / OR groups of conditions on contacts,
//! read from JSON with the path of whatever is wrong (`rules[2].op`),
//! written back as the same JSON, and compiled ([`sql`]) into one
//! parameterised `WHERE` fragment over `contacts` for either engine.
//!
//! The JSON: a group is `{"any": false, "rules": [...]}` (`any`: OR, else
//! AND); each of its rules is a group again or a condition
//! `{"field": "...", "op": "...", "value": ..., "key": "..."}` (`key` only
//! for `attribute`). [`Field::ops`] lists each field's operators.
//! This module checks only what the JSON alone can tell; that a tag or a
//! stage exists, and an attribute's type, are checked by the server's rule.

mod parse;
pub mod sql;

use domain::{ChannelId, StageId, TagId, Timestamp};
use serde_json::{Map, Value, json};

/// Groups nest at most this deep (the root group is the first level).
pub const MAX_DEPTH: usize = 3;
/// Conditions in one segment, at most.
pub const MAX_RULES: usize = 50;
/// Characters in a text value, at most.
pub const MAX_TEXT: usize = 200;
/// `within_days` and `not_within_days` take 1 to this many days.
pub const MAX_DAYS: i64 = 3650;

/// All (`any: false`) or any (`any: true`) of its rules hold. An empty root
/// group matches every contact.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    pub any: bool,
    pub rules: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Rule(Rule),
    Group(Group),
}

/// One condition on a contact.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Carries (`has`) or does not carry the tag.
    Tag { has: bool, tag: TagId },
    /// A custom attribute's value (`contacts.attributes`).
    Attribute {
        key: String,
        op: AttrOp,
        value: AttrValue,
    },
    /// Opted out (`true`) or not.
    OptedOut(bool),
    /// The time of the contact's latest inbound (or outbound) message.
    LastMessage { inbound: bool, when: When },
    /// Has (`is`) or has not an open deal in the stage.
    DealStage { is: bool, stage: StageId },
    /// Has (`is`) or has not a conversation on the number.
    Channel { is: bool, channel: ChannelId },
    /// When the contact was created.
    CreatedAt(When),
}

/// The fields a condition can test, by their JSON names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Tag,
    Attribute,
    OptedOut,
    LastInboundAt,
    LastOutboundAt,
    DealStage,
    Channel,
    CreatedAt,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Tag,
        Field::Attribute,
        Field::OptedOut,
        Field::LastInboundAt,
        Field::LastOutboundAt,
        Field::DealStage,
        Field::Channel,
        Field::CreatedAt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Tag => "tag",
            Field::Attribute => "attribute",
            Field::OptedOut => "opted_out",
            Field::LastInboundAt => "last_inbound_at",
            Field::LastOutboundAt => "last_outbound_at",
            Field::DealStage => "deal_stage",
            Field::Channel => "channel",
            Field::CreatedAt => "created_at",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The operators this field takes, the first being the default.
    pub fn ops(self) -> &'static [&'static str] {
        match self {
            Field::Tag => &["has", "has_not"],
            Field::Attribute => &[
                "eq",
                "ne",
                "gt",
                "gte",
                "lt",
                "lte",
                "contains",
                "is_set",
                "is_not_set",
            ],
            Field::OptedOut => &["is"],
            Field::LastInboundAt | Field::LastOutboundAt => {
                &["within_days", "not_within_days", "before", "after"]
            }
            Field::DealStage | Field::Channel => &["is", "is_not"],
            Field::CreatedAt => &["within_days", "before", "after"],
        }
    }
}

/// How an attribute's value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrOp {
    Eq,
    /// Not equal, including contacts without a value.
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    /// The text contains the value (ASCII letters in any case).
    Contains,
    IsSet,
    IsNotSet,
}

impl AttrOp {
    pub const ALL: [AttrOp; 9] = [
        AttrOp::Eq,
        AttrOp::Ne,
        AttrOp::Gt,
        AttrOp::Gte,
        AttrOp::Lt,
        AttrOp::Lte,
        AttrOp::Contains,
        AttrOp::IsSet,
        AttrOp::IsNotSet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttrOp::Eq => "eq",
            AttrOp::Ne => "ne",
            AttrOp::Gt => "gt",
            AttrOp::Gte => "gte",
            AttrOp::Lt => "lt",
            AttrOp::Lte => "lte",
            AttrOp::Contains => "contains",
            AttrOp::IsSet => "is_set",
            AttrOp::IsNotSet => "is_not_set",
        }
    }

    pub fn parse(s: &str) -> Option<AttrOp> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// An attribute condition's value; its JSON type decides how values are
/// compared (a contact whose value has another type never matches `eq`).
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// For `is_set` and `is_not_set`.
    None,
    Text(String),
    Number(f64),
    Bool(bool),
}

impl AttrValue {
    pub fn to_json(&self) -> Value {
        match self {
            AttrValue::None => Value::Null,
            AttrValue::Text(t) => json!(t),
            AttrValue::Number(n) => json!(n),
            AttrValue::Bool(b) => json!(b),
        }
    }
}

/// A condition on a time.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// Earlier than this moment.
    Before(Moment),
    /// At or after this moment.
    After(Moment),
    /// In the last so many days (24-hour periods back from now).
    WithinDays(i64),
    /// Not in the last so many days (never, for a message, included).
    NotWithinDays(i64),
}

impl When {
    fn op(&self) -> &'static str {
        match self {
            When::Before(_) => "before",
            When::After(_) => "after",
            When::WithinDays(_) => "within_days",
            When::NotWithinDays(_) => "not_within_days",
        }
    }

    fn value(&self) -> Value {
        match self {
            When::Before(m) | When::After(m) => json!(m.text),
            When::WithinDays(d) | When::NotWithinDays(d) => json!(d),
        }
    }
}

/// A moment as given: a date (`2026-01-31`, its start in UTC) or an
/// RFC 3339 time.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub at: Timestamp,
    pub text: String,
}

impl Moment {
    pub fn parse(s: &str) -> Option<Moment> {
        let s = s.trim();
        let b = s.as_bytes();
        let date = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        let at = if date {
            Timestamp::parse_rfc3339(&format!("{s}T00:00:00Z"))?
        } else {
            Timestamp::parse_rfc3339(s)?
        };
        Some(Moment {
            at,
            text: s.to_owned(),
        })
    }
}

/// What is wrong in a rule tree, and where (`rules[2].rules[0].op`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub path: String,
    pub message: String,
}

/// Whether `key` is an attribute key a rule may name: `[a-z][a-z0-9_]{0,39}`.
pub fn valid_key(key: &str) -> bool {
    key.len() <= 40
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Group {
    /// Reads a root group (`{"any": …, "rules": […]}`); errors name the
    /// path from the root (`rules[1].value`).
    pub fn parse(v: &Value) -> Result<Group, RuleError> {
        let mut count = 0;
        parse::group(v, "", 1, &mut count)
    }

    /// The group as JSON (what [`parse`](Self::parse) reads).
    pub fn to_json(&self) -> Value {
        json!({
            "any": self.any,
            "rules": self.rules.iter().map(Node::to_json).collect::<Vec<_>>(),
        })
    }

    /// How many conditions the tree holds.
    pub fn rule_count(&self) -> usize {
        self.rules
            .iter()
            .map(|n| match n {
                Node::Rule(_) => 1,
                Node::Group(g) => g.rule_count(),
            })
            .sum()
    }
}

impl Node {
    pub fn to_json(&self) -> Value {
        match self {
            Node::Group(g) => g.to_json(),
            Node::Rule(r) => r.to_json(),
        }
    }
}

impl Rule {
    pub fn field(&self) -> Field {
        match self {
            Rule::Tag { .. } => Field::Tag,
            Rule::Attribute { .. } => Field::Attribute,
            Rule::OptedOut(_) => Field::OptedOut,
            Rule::LastMessage { inbound: true, .. } => Field::LastInboundAt,
            Rule::LastMessage { inbound: false, .. } => Field::LastOutboundAt,
            Rule::DealStage { .. } => Field::DealStage,
            Rule::Channel { .. } => Field::Channel,
            Rule::CreatedAt(_) => Field::CreatedAt,
        }
    }

    /// The operator's JSON name.
    pub fn op(&self) -> &'static str {
        let yes_no = |b: bool, yes, no| if b { yes } else { no };
        match self {
            Rule::Tag { has, .. } => yes_no(*has, "has", "has_not"),
            Rule::Attribute { op, .. } => op.as_str(),
            Rule::OptedOut(_) => "is",
            Rule::LastMessage { when, .. } | Rule::CreatedAt(when) => when.op(),
            Rule::DealStage { is, .. } | Rule::Channel { is, .. } => yes_no(*is, "is", "is_not"),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("field".into(), json!(self.field().as_str()));
        o.insert("op".into(), json!(self.op()));
        let value = match self {
            Rule::Tag { tag, .. } => json!(tag),
            Rule::Attribute { key, value, .. } => {
                o.insert("key".into(), json!(key));
                value.to_json()
            }
            Rule::OptedOut(b) => json!(b),
            Rule::LastMessage { when, .. } | Rule::CreatedAt(when) => when.value(),
            Rule::DealStage { stage, .. } => json!(stage),
            Rule::Channel { channel, .. } => json!(channel),
        };
        if !value.is_null() {
            o.insert("value".into(), value);
        }
        Value::Object(o)
    }
}

#[cfg(test)]
mod tests;
