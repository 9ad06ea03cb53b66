//! The new auto-tag rule form: its fields as posted (and shown again),
//! read into a [`NewRule`], and which field a refusal's path is about.

use crate::automations::auto_tags::{Matcher, NewRule};
use crate::automations::definition::Condition;
use crate::error::{AppError, AppResult, FieldError};
use domain::TagId;
use serde::Deserialize;

/// The form as posted, and as shown again after a refusal.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub tag_id: String,
    /// `message` or `contact`.
    #[serde(default)]
    pub on: String,
    /// Comma separated.
    #[serde(default)]
    pub keywords: String,
    #[serde(default)]
    pub pattern: String,
    /// A contact rule's conditions, as JSON.
    #[serde(default)]
    pub conditions: String,
    /// `true` when ticked.
    #[serde(default)]
    pub stop: String,
    /// `true` when ticked.
    #[serde(default)]
    pub enabled: String,
}

impl Default for RuleFields {
    /// A blank form: a message rule, enabled.
    fn default() -> Self {
        RuleFields {
            name: String::new(),
            tag_id: String::new(),
            on: "message".to_owned(),
            keywords: String::new(),
            pattern: String::new(),
            conditions: String::new(),
            stop: String::new(),
            enabled: "true".to_owned(),
        }
    }
}

impl RuleFields {
    pub fn on_contact(&self) -> bool {
        self.on == "contact"
    }

    /// The new rule the form describes, or what in it does not read.
    pub fn parse(&self) -> AppResult<NewRule> {
        let mut errors = Vec::new();
        let tag_id = self.tag_id.trim().parse::<TagId>().map_err(|_| FieldError {
            field: "tag_id".into(),
            message: "choose a tag".into(),
        });
        let matcher = match self.on.as_str() {
            "message" => Ok(Matcher::Message {
                keywords: self
                    .keywords
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect(),
                pattern: Some(self.pattern.trim())
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            }),
            "contact" => {
                let text = self.conditions.trim();
                let text = if text.is_empty() { "[]" } else { text };
                serde_json::from_str::<Vec<Condition>>(text)
                    .map(|conditions| Matcher::Contact { conditions })
                    .map_err(|e| FieldError {
                        field: "matcher.conditions".into(),
                        message: format!("not a list of conditions: {e}"),
                    })
            }
            _ => Err(FieldError {
                field: "matcher".into(),
                message: "choose what it matches: a message or the contact".into(),
            }),
        };
        let tag_id = tag_id.map_err(|e| errors.push(e));
        let matcher = matcher.map_err(|e| errors.push(e));
        match (tag_id, matcher) {
            (Ok(tag_id), Ok(matcher)) => Ok(NewRule {
                name: self.name.clone(),
                enabled: self.enabled == "true",
                matcher,
                tag_id,
                stop: self.stop == "true",
                position: None,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// The form field a rule's path (`matcher.keywords[0]`) is about; empty
/// for the top of the page.
pub fn field_of(path: &str) -> &'static str {
    match path {
        "name" => "name",
        "tag_id" => "tag_id",
        "matcher" => "keywords",
        p if p.starts_with("matcher.keywords") => "keywords",
        p if p.starts_with("matcher.pattern") => "pattern",
        p if p.starts_with("matcher.conditions") => "conditions",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_split_and_blank_ones_dropped() {
        let f = RuleFields {
            tag_id: uuid::Uuid::now_v7().to_string(),
            keywords: " price, , cost ".to_owned(),
            ..RuleFields::default()
        };
        let new = f.parse().unwrap();
        assert_eq!(
            new.matcher,
            Matcher::Message {
                keywords: vec!["price".into(), "cost".into()],
                pattern: None
            }
        );
        assert!(new.enabled && !new.stop);
    }

    #[test]
    fn conditions_that_do_not_read_say_so_beside_them() {
        let f = RuleFields {
            on: "contact".to_owned(),
            conditions: "[{\"type\": \"sunrise\"}]".to_owned(),
            ..RuleFields::default()
        };
        let Err(AppError::Validation(errors)) = f.parse() else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| field_of(&e.field)).collect();
        assert_eq!(fields, ["tag_id", "conditions"]);
    }
}
