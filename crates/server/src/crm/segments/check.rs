//! What a rule tree must agree with in the tenant: its tags, stages and
//! numbers exist, and each attribute rule names a defined attribute with
//! an operator and a value of that attribute's type. Errors name the path
//! of the rule (`rules[1].rules[0].value`), as the tree's own reading does.

use crate::error::{AppError, AppResult};
use std::collections::HashSet;
use store::crm::attributes::{AttributeDef, AttributeKind};
use store::crm::rules::{AttrOp, AttrValue, Group, Moment, Node, Rule, RuleError};
use store::{StoreError, TenantTx};

/// The tree's reading error as a 422 naming its path.
pub fn rule_error(e: RuleError) -> AppError {
    AppError::validation(e.path, e.message)
}

/// Every rule of `g` with its path.
fn each_rule<'a>(g: &'a Group, prefix: &str, out: &mut Vec<(String, &'a Rule)>) {
    for (i, n) in g.rules.iter().enumerate() {
        let path = if prefix.is_empty() {
            format!("rules[{i}]")
        } else {
            format!("{prefix}.rules[{i}]")
        };
        match n {
            Node::Rule(r) => out.push((path, r)),
            Node::Group(g) => each_rule(g, &path, out),
        }
    }
}

/// Checks `g` against the tenant's tags, stages, numbers and attributes.
pub async fn references(tx: &mut TenantTx, g: &Group) -> AppResult<()> {
    let mut rules = Vec::new();
    each_rule(g, "", &mut rules);
    if rules.is_empty() {
        return Ok(());
    }
    let tags: HashSet<_> = tx.all_tags().await?.into_iter().map(|t| t.id).collect();
    let defs = tx.all_contact_attributes().await?;
    for (path, rule) in rules {
        let value = format!("{path}.value");
        match rule {
            Rule::Tag { tag, .. } if !tags.contains(tag) => {
                return Err(AppError::validation(value, "no such tag"));
            }
            Rule::DealStage { stage, .. } => {
                exists(
                    tx.find_stage(*stage).await,
                    &value,
                    "no such pipeline stage",
                )?;
            }
            Rule::Channel { channel, .. } => {
                exists(tx.find_channel(*channel).await, &value, "no such number")?;
            }
            Rule::Attribute { key, op, value: v } => {
                let Some(def) = defs.iter().find(|d| d.key == *key) else {
                    return Err(AppError::validation(
                        format!("{path}.key"),
                        "no attribute with this key (Settings → Contact fields)",
                    ));
                };
                attribute(def, *op, v, &path)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn exists<T>(found: Result<T, StoreError>, path: &str, message: &str) -> AppResult<()> {
    match found {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(AppError::validation(path, message)),
        Err(e) => Err(e.into()),
    }
}

/// The operators each type of attribute takes.
pub fn attribute_ops(kind: AttributeKind) -> &'static [AttrOp] {
    use AttrOp::*;
    match kind {
        AttributeKind::Text => &[Eq, Ne, Contains, IsSet, IsNotSet],
        AttributeKind::Choice => &[Eq, Ne, IsSet, IsNotSet],
        AttributeKind::Number | AttributeKind::Date => &[Eq, Ne, Gt, Gte, Lt, Lte, IsSet, IsNotSet],
        AttributeKind::Boolean => &[Eq, Ne, IsSet, IsNotSet],
    }
}

fn attribute(def: &AttributeDef, op: AttrOp, v: &AttrValue, path: &str) -> AppResult<()> {
    let ops = attribute_ops(def.kind);
    if !ops.contains(&op) {
        let names: Vec<&str> = ops.iter().map(|o| o.as_str()).collect();
        return Err(AppError::validation(
            format!("{path}.op"),
            format!(
                "a {} attribute takes {}",
                def.kind.as_str(),
                names.join(", ")
            ),
        ));
    }
    let fits = match (def.kind, v) {
        (_, AttrValue::None) => true,
        (AttributeKind::Text, AttrValue::Text(_)) => true,
        (AttributeKind::Choice, AttrValue::Text(t)) => def.options.contains(t),
        (AttributeKind::Number, AttrValue::Number(_)) => true,
        (AttributeKind::Date, AttrValue::Text(t)) => t.len() == 10 && Moment::parse(t).is_some(),
        (AttributeKind::Boolean, AttrValue::Bool(_)) => true,
        _ => false,
    };
    if fits {
        return Ok(());
    }
    let expected = match def.kind {
        AttributeKind::Text => "a text".to_owned(),
        AttributeKind::Choice => format!("one of: {}", def.options.join(", ")),
        AttributeKind::Number => "a number".to_owned(),
        AttributeKind::Date => "a date (2026-01-31)".to_owned(),
        AttributeKind::Boolean => "true or false".to_owned(),
    };
    Err(AppError::validation(format!("{path}.value"), expected))
}
