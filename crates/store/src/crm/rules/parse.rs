//! Reading a rule tree from JSON, with the path of whatever is wrong.

use super::{AttrOp, AttrValue, Field, Group, MAX_DAYS, MAX_DEPTH, MAX_RULES, MAX_TEXT, Moment};
use super::{Node, Rule, RuleError, When, valid_key};
use domain::{ChannelId, StageId, TagId};
use serde_json::{Map, Value};
use std::str::FromStr;

fn err<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, RuleError> {
    Err(RuleError {
        path: path.into(),
        message: message.into(),
    })
}

pub(super) fn group(
    v: &Value,
    path: &str,
    depth: usize,
    count: &mut usize,
) -> Result<Group, RuleError> {
    let at = |f: &str| {
        if path.is_empty() {
            f.to_owned()
        } else {
            format!("{path}.{f}")
        }
    };
    let Some(o) = v.as_object() else {
        return err(if path.is_empty() { "body" } else { path }, "a group");
    };
    if let Some(k) = o.keys().find(|k| *k != "any" && *k != "rules") {
        return err(at(k), "a group has only `any` and `rules`");
    }
    let any = match o.get("any") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return err(at("any"), "true (any rule) or false (every rule)"),
    };
    let Some(items) = o.get("rules").and_then(Value::as_array) else {
        return err(at("rules"), "a list of rules and groups");
    };
    if items.is_empty() && depth > 1 {
        return err(at("rules"), "a group needs at least one rule");
    }
    let mut rules = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let here = format!("{}[{i}]", at("rules"));
        let Some(obj) = item.as_object() else {
            return err(here, "a rule (with `field`) or a group (with `rules`)");
        };
        if obj.contains_key("field") {
            *count += 1;
            if *count > MAX_RULES {
                return err(here, format!("a segment has at most {MAX_RULES} rules"));
            }
            rules.push(Node::Rule(parse_rule(obj, &here)?));
        } else if obj.contains_key("rules") || obj.contains_key("any") {
            if depth >= MAX_DEPTH {
                return err(here, format!("groups nest at most {MAX_DEPTH} deep"));
            }
            rules.push(Node::Group(group(item, &here, depth + 1, count)?));
        } else {
            return err(here, "a rule (with `field`) or a group (with `rules`)");
        }
    }
    Ok(Group { any, rules })
}

fn parse_rule(o: &Map<String, Value>, path: &str) -> Result<Rule, RuleError> {
    let at = |f: &str| format!("{path}.{f}");
    if let Some(k) = o
        .keys()
        .find(|k| !["field", "op", "value", "key"].contains(&k.as_str()))
    {
        return err(at(k), "a rule has only `field`, `op`, `value` and `key`");
    }
    let names = Field::ALL.map(Field::as_str).join(", ");
    let Some(field) = o
        .get("field")
        .and_then(Value::as_str)
        .and_then(Field::parse)
    else {
        return err(at("field"), format!("one of {names}"));
    };
    let ops = field.ops();
    let op = match o.get("op").and_then(Value::as_str) {
        Some(op) if ops.contains(&op) => op,
        _ => return err(at("op"), format!("one of {}", ops.join(", "))),
    };
    let value = o.get("value").unwrap_or(&Value::Null);
    let key = o.get("key");
    if field != Field::Attribute && key.is_some() {
        return err(at("key"), "only attribute rules have a key");
    }
    let id = |what: &str| -> Result<String, RuleError> {
        match value.as_str() {
            Some(s) if uuid::Uuid::parse_str(s).is_ok() => Ok(s.to_owned()),
            _ => err(at("value"), format!("the id of a {what}")),
        }
    };
    Ok(match field {
        Field::Tag => Rule::Tag {
            has: op == "has",
            tag: TagId::from_str(&id("tag")?).map_err(|_| bad(&at("value")))?,
        },
        Field::DealStage => Rule::DealStage {
            is: op == "is",
            stage: StageId::from_str(&id("pipeline stage")?).map_err(|_| bad(&at("value")))?,
        },
        Field::Channel => Rule::Channel {
            is: op == "is",
            channel: ChannelId::from_str(&id("number")?).map_err(|_| bad(&at("value")))?,
        },
        Field::OptedOut => match value {
            Value::Bool(b) => Rule::OptedOut(*b),
            _ => return err(at("value"), "true (opted out) or false (opted in)"),
        },
        Field::LastInboundAt | Field::LastOutboundAt => Rule::LastMessage {
            inbound: field == Field::LastInboundAt,
            when: parse_when(op, value, &at("value"))?,
        },
        Field::CreatedAt => Rule::CreatedAt(parse_when(op, value, &at("value"))?),
        Field::Attribute => {
            let key = match key.and_then(Value::as_str) {
                Some(k) if valid_key(k) => k.to_owned(),
                _ => return err(at("key"), "an attribute key ([a-z][a-z0-9_]*, at most 40)"),
            };
            let op = AttrOp::parse(op).ok_or_else(|| bad(&at("op")))?;
            let value = parse_attr_value(op, value, &at("value"))?;
            Rule::Attribute { key, op, value }
        }
    })
}

fn bad(path: &str) -> RuleError {
    RuleError {
        path: path.to_owned(),
        message: "invalid".into(),
    }
}

fn parse_when(op: &str, value: &Value, path: &str) -> Result<When, RuleError> {
    match op {
        "before" | "after" => {
            let Some(m) = value.as_str().and_then(Moment::parse) else {
                return err(path, "a date (2026-01-31) or an RFC 3339 time");
            };
            Ok(if op == "before" {
                When::Before(m)
            } else {
                When::After(m)
            })
        }
        _ => match value.as_i64() {
            Some(d) if (1..=MAX_DAYS).contains(&d) => Ok(if op == "within_days" {
                When::WithinDays(d)
            } else {
                When::NotWithinDays(d)
            }),
            _ => err(path, format!("a whole number of days, 1 to {MAX_DAYS}")),
        },
    }
}

fn parse_attr_value(op: AttrOp, value: &Value, path: &str) -> Result<AttrValue, RuleError> {
    let text = |s: &str| -> Result<AttrValue, RuleError> {
        if s.is_empty() || s.chars().count() > MAX_TEXT {
            err(path, format!("a text of 1 to {MAX_TEXT} characters"))
        } else {
            Ok(AttrValue::Text(s.to_owned()))
        }
    };
    match (op, value) {
        (AttrOp::IsSet | AttrOp::IsNotSet, Value::Null) => Ok(AttrValue::None),
        (AttrOp::IsSet | AttrOp::IsNotSet, _) => err(path, "no value with is_set and is_not_set"),
        (AttrOp::Contains, Value::String(s)) => text(s),
        (AttrOp::Contains, _) => err(path, "a text to look for"),
        (_, Value::Number(n)) => n.as_f64().map(AttrValue::Number).ok_or_else(|| bad(path)),
        (_, Value::String(s)) => text(s),
        (AttrOp::Eq | AttrOp::Ne, Value::Bool(b)) => Ok(AttrValue::Bool(*b)),
        (AttrOp::Eq | AttrOp::Ne, _) => err(path, "a text, a number or true / false"),
        _ => err(path, "a number, or a date (2026-01-31)"),
    }
}
