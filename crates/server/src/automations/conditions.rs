//! What a run's conditions are checked against ([`Facts`]: the contact
//! with its tags, the conversation, the triggering message's text, loaded
//! when they are checked) and the checks themselves, plain functions.

use super::definition::{AttributeOp, Condition, pattern};
use crate::error::AppResult;
use domain::{ContactId, ConversationId, MessageId, Timestamp};
use serde_json::Value;
use store::inbox::{Contact, Conversation};
use store::{StoreError, StoreResult, TenantTx};

/// The run's contact, conversation and message, as they are now.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// With its tags.
    pub contact: Option<Contact>,
    pub conversation: Option<Conversation>,
    /// The triggering message's text (its caption, or the title of the
    /// button or list row the customer chose).
    pub message_text: Option<String>,
    /// Whether it is within business hours, once [`Facts::load_hours`]
    /// read it (only for conditions that ask).
    pub within_hours: Option<bool>,
}

impl Facts {
    /// Reads them (a contact, conversation or message erased since is
    /// simply absent).
    pub async fn load(
        tx: &mut TenantTx,
        contact: Option<ContactId>,
        conversation: Option<ConversationId>,
        message: Option<MessageId>,
    ) -> StoreResult<Facts> {
        let mut facts = Facts::default();
        if let Some(id) = contact
            && let Some(c) = gone_is_none(tx.find_contact(id).await)?
        {
            let mut one = [c];
            tx.load_contact_tags(&mut one).await?;
            let [c] = one;
            facts.contact = Some(c);
        }
        if let Some(id) = conversation {
            facts.conversation = gone_is_none(tx.find_conversation(id).await)?;
        }
        if let Some(id) = message {
            facts.message_text =
                gone_is_none(tx.find_message(id).await)?.and_then(|m| message_text(&m.content));
        }
        Ok(facts)
    }

    /// Reads whether it is within business hours at `at` (the
    /// conversation's number's, else the workspace's) if `conditions` ask
    /// and it was not read yet.
    pub async fn load_hours(
        &mut self,
        tx: &mut TenantTx,
        conditions: &[Condition],
        at: Timestamp,
    ) -> AppResult<()> {
        if self.within_hours.is_none() && Condition::any_about_hours(conditions) {
            let channel = self.conversation.as_ref().map(|c| c.channel_id);
            self.within_hours = Some(super::hours::is_open_in(tx, channel, at).await?);
        }
        Ok(())
    }
}

/// `Ok(None)` for a row that is not there.
pub fn gone_is_none<T>(r: StoreResult<T>) -> StoreResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The words of a message as Meta sent it: a text's body, a media
/// caption, or the title of the reply button or list row chosen.
pub fn message_text(content: &Value) -> Option<String> {
    let at = |path: &[&str]| {
        path.iter()
            .try_fold(content, |v, k| v.get(k))
            .and_then(Value::as_str)
    };
    [
        &["text", "body"][..],
        &["interactive", "button_reply", "title"],
        &["interactive", "list_reply", "title"],
        &["button", "text"],
        &["image", "caption"],
        &["video", "caption"],
        &["document", "caption"],
    ]
    .into_iter()
    .find_map(at)
    .map(str::to_owned)
}

/// Whether `text` is `keyword` or holds it as a whole word (or phrase),
/// in any case: `price` matches "Price?" and "what's the price", not
/// "priceless".
pub fn has_keyword(text: &str, keyword: &str) -> bool {
    let text = text.to_lowercase();
    let keyword = keyword.trim().to_lowercase();
    if keyword.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(&keyword).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + keyword.len()..].chars().next();
        !word(before) && !word(after)
    })
}

/// Whether every one of `conditions` holds (none: true).
pub fn all_hold(conditions: &[Condition], f: &Facts) -> bool {
    conditions.iter().all(|c| holds(c, f))
}

/// Whether `c` holds. A condition about something the run does not have
/// (a message, a conversation) does not.
pub fn holds(c: &Condition, f: &Facts) -> bool {
    match c {
        Condition::All { conditions } => all_hold(conditions, f),
        Condition::Any { conditions } => conditions.iter().any(|c| holds(c, f)),
        Condition::HasTag { tag_id } => f
            .contact
            .as_ref()
            .is_some_and(|c| c.tags.iter().any(|t| t.id == *tag_id)),
        Condition::LacksTag { tag_id } => f
            .contact
            .as_ref()
            .is_some_and(|c| c.tags.iter().all(|t| t.id != *tag_id)),
        Condition::Attribute { key, op, value } => f
            .contact
            .as_ref()
            .is_some_and(|c| attribute_holds(c.attributes.get(key), *op, value.as_ref())),
        Condition::MessageContains { text } => f
            .message_text
            .as_ref()
            .is_some_and(|m| m.to_lowercase().contains(&text.trim().to_lowercase())),
        Condition::MessageMatches { pattern: p } => {
            f.message_text.as_ref().is_some_and(|m| {
                // Checked when saved; a pattern that fails now holds nothing.
                pattern(p).is_ok_and(|re| re.is_match(m))
            })
        }
        Condition::Channel { channel_id } => f
            .conversation
            .as_ref()
            .is_some_and(|c| c.channel_id == *channel_id),
        Condition::ConversationStatus { status } => f
            .conversation
            .as_ref()
            .is_some_and(|c| c.status.as_str() == status),
        Condition::BusinessHours { open } => f.within_hours == Some(*open),
    }
}

/// An attribute's value, as text for comparing (`true`, `42`, `gold`).
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_lowercase(),
        other => other.to_string(),
    }
}

fn attribute_holds(actual: Option<&Value>, op: AttributeOp, expected: Option<&Value>) -> bool {
    let actual = actual.filter(|v| !v.is_null());
    let same = || match (actual, expected) {
        (Some(a), Some(e)) => as_text(a) == as_text(e),
        _ => false,
    };
    match op {
        AttributeOp::IsSet => actual.is_some(),
        AttributeOp::IsNotSet => actual.is_none(),
        AttributeOp::Equals => same(),
        AttributeOp::NotEquals => !same(),
        AttributeOp::Contains => match (actual, expected) {
            (Some(a), Some(e)) => as_text(a).contains(&as_text(e)),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keywords_match_whole_words_in_any_case() {
        assert!(has_keyword("Price?", "price"));
        assert!(has_keyword("what's the PRICE of it", "price"));
        assert!(has_keyword("opening hours please", "opening hours"));
        assert!(!has_keyword("priceless", "price"));
        assert!(!has_keyword("hello", " "));
        assert!(has_keyword("preço?", "PREÇO"));
    }

    #[test]
    fn message_text_reads_texts_captions_and_replies() {
        assert_eq!(
            message_text(&json!({"type": "text", "text": {"body": "hi"}})).as_deref(),
            Some("hi")
        );
        let reply = json!({"type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": "b1", "title": "Yes"}}});
        assert_eq!(message_text(&reply).as_deref(), Some("Yes"));
        let image = json!({"type": "image", "image": {"id": "1", "caption": "receipt"}});
        assert_eq!(message_text(&image).as_deref(), Some("receipt"));
        assert_eq!(message_text(&json!({"type": "location"})), None);
    }

    #[test]
    fn attributes_compare_as_text_in_any_case() {
        let gold = json!("Gold");
        assert!(attribute_holds(
            Some(&gold),
            AttributeOp::Equals,
            Some(&json!("gold"))
        ));
        assert!(attribute_holds(
            Some(&gold),
            AttributeOp::NotEquals,
            Some(&json!("silver"))
        ));
        assert!(attribute_holds(
            Some(&json!(42)),
            AttributeOp::Equals,
            Some(&json!(42))
        ));
        assert!(attribute_holds(None, AttributeOp::IsNotSet, None));
        assert!(attribute_holds(
            Some(&Value::Null),
            AttributeOp::IsNotSet,
            None
        ));
        assert!(!attribute_holds(
            None,
            AttributeOp::Contains,
            Some(&json!("x"))
        ));
    }

    #[test]
    fn conditions_about_what_a_run_lacks_do_not_hold() {
        let f = Facts::default();
        let c = Condition::MessageContains { text: "x".into() };
        assert!(!holds(&c, &f));
        let any = Condition::Any {
            conditions: vec![c.clone()],
        };
        assert!(!holds(&any, &f));
        assert!(holds(&Condition::All { conditions: vec![] }, &f));
    }
}
