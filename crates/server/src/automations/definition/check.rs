//! What is wrong with a definition, by path (`steps[2].then[0].text`).

use super::*;
use crate::automations::cron;
use crate::error::{AppError, AppResult};
use serde_json::Value;

/// What is wrong with `d`, by path (`steps[2].then[0].text`); the tags,
/// users and other things it names are checked by the caller against the
/// tenant's.
pub fn check(d: &Definition) -> AppResult<()> {
    let mut errors = Vec::new();
    check_trigger(&d.trigger, &mut errors);
    check_conditions(&d.conditions, "conditions", 1, &mut errors);
    if d.steps.is_empty() {
        errors.push(("steps".to_owned(), "add at least one step".to_owned()));
    }
    check_steps(&d.steps, "steps", 1, &mut errors);
    if count_steps(&d.steps) > MAX_STEPS {
        errors.push(("steps".to_owned(), format!("at most {MAX_STEPS} steps")));
    }
    into_result(errors)
}

/// `Ok` without errors, else a validation error naming each field.
pub(crate) fn into_result(errors: Errors) -> AppResult<()> {
    if errors.is_empty() {
        return Ok(());
    }
    Err(AppError::Validation(
        errors
            .into_iter()
            .map(|(field, message)| crate::error::FieldError { field, message })
            .collect(),
    ))
}

/// Field paths and what is wrong there.
pub(crate) type Errors = Vec<(String, String)>;

fn count_steps(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            Step::Branch {
                then, otherwise, ..
            } => 1 + count_steps(then) + count_steps(otherwise),
            Step::WaitForReply {
                replied, timeout, ..
            } => 1 + count_steps(replied) + count_steps(timeout),
            _ => 1,
        })
        .sum()
}

fn check_trigger(t: &Trigger, errors: &mut Errors) {
    if let Trigger::Schedule { cron } = t
        && let Err(e) = cron::Cron::parse(cron)
    {
        errors.push(("trigger.cron".into(), e));
    }
    if let Trigger::MessageReceived {
        keywords, pattern, ..
    } = t
    {
        if keywords.len() > MAX_KEYWORDS {
            errors.push((
                "trigger.keywords".into(),
                format!("at most {MAX_KEYWORDS} keywords"),
            ));
        }
        for (i, k) in keywords.iter().enumerate() {
            check_short(k, &format!("trigger.keywords[{i}]"), errors);
        }
        if let Some(p) = pattern {
            check_pattern(p, "trigger.pattern", errors);
        }
    }
}

pub(crate) fn check_short(text: &str, path: &str, errors: &mut Errors) {
    if text.trim().is_empty() {
        errors.push((path.to_owned(), "must not be empty".into()));
    } else if text.chars().count() > MAX_SHORT_TEXT {
        errors.push((
            path.to_owned(),
            format!("at most {MAX_SHORT_TEXT} characters"),
        ));
    }
}

fn check_text(text: &str, path: &str, errors: &mut Errors) {
    if text.trim().is_empty() {
        errors.push((path.to_owned(), "must not be empty".into()));
    } else if text.chars().count() > MAX_TEXT {
        errors.push((path.to_owned(), format!("at most {MAX_TEXT} characters")));
    }
}

pub(crate) fn check_pattern(p: &str, path: &str, errors: &mut Errors) {
    check_short(p, path, errors);
    if let Err(e) = pattern(p) {
        errors.push((path.to_owned(), format!("not a regular expression: {e}")));
    }
}

/// `p` compiled, matching in any case, small enough to run on every
/// message.
pub fn pattern(p: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(p)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
}

pub(crate) fn check_conditions(cs: &[Condition], path: &str, depth: usize, errors: &mut Errors) {
    for (i, c) in cs.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match c {
            Condition::All { conditions } | Condition::Any { conditions } => {
                if depth >= MAX_DEPTH {
                    errors.push((at.clone(), format!("groups nest at most {MAX_DEPTH} deep")));
                } else {
                    check_conditions(conditions, &format!("{at}.conditions"), depth + 1, errors);
                }
            }
            Condition::Attribute { key, op, value } => {
                check_short(key, &format!("{at}.key"), errors);
                let needs_value = matches!(
                    op,
                    AttributeOp::Equals | AttributeOp::NotEquals | AttributeOp::Contains
                );
                if needs_value && value.as_ref().is_none_or(Value::is_null) {
                    errors.push((format!("{at}.value"), "give a value to compare".into()));
                }
            }
            Condition::MessageContains { text } => {
                check_short(text, &format!("{at}.text"), errors);
            }
            Condition::MessageMatches { pattern } => {
                check_pattern(pattern, &format!("{at}.pattern"), errors);
            }
            Condition::ConversationStatus { status } if !STATUSES.contains(&status.as_str()) => {
                errors.push((
                    format!("{at}.status"),
                    "one of open, pending, resolved".into(),
                ));
            }
            _ => {}
        }
    }
}

fn check_steps(steps: &[Step], path: &str, depth: usize, errors: &mut Errors) {
    for (i, s) in steps.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match s {
            Step::SendText { text } | Step::AddNote { text } => {
                check_text(text, &format!("{at}.text"), errors);
            }
            Step::SendTemplate { name, language, .. } => {
                check_short(name, &format!("{at}.name"), errors);
                check_short(language, &format!("{at}.language"), errors);
            }
            Step::SetAttribute { key, .. } => check_short(key, &format!("{at}.key"), errors),
            Step::Assign { user_id, team_id } if user_id.is_some() == team_id.is_some() => {
                errors.push((at, "name a user_id or a team_id".into()));
            }
            Step::SetStatus { status } if !STATUSES.contains(&status.as_str()) => {
                errors.push((
                    format!("{at}.status"),
                    "one of open, pending, resolved".into(),
                ));
            }
            Step::Wait { seconds } => check_seconds(*seconds, &at, errors),
            Step::WaitUntil { time, days } => {
                if cron::parse_hh_mm(time).is_none() {
                    errors.push((format!("{at}.time"), "write the time as HH:MM".into()));
                }
                for (j, d) in days.iter().enumerate() {
                    if cron::weekday_number(d).is_none() {
                        errors.push((
                            format!("{at}.days[{j}]"),
                            "one of mon, tue, wed, thu, fri, sat, sun".into(),
                        ));
                    }
                }
            }
            Step::WaitForReply {
                seconds,
                replied,
                timeout,
            } => {
                check_seconds(*seconds, &at, errors);
                if depth >= MAX_DEPTH {
                    errors.push((at, format!("branches nest at most {MAX_DEPTH} deep")));
                    continue;
                }
                check_steps(replied, &format!("{at}.replied"), depth + 1, errors);
                check_steps(timeout, &format!("{at}.timeout"), depth + 1, errors);
            }
            Step::CallHttp { url, save, .. } => {
                check_url(url, &format!("{at}.url"), errors);
                if save.len() > MAX_SAVED {
                    errors.push((format!("{at}.save"), format!("at most {MAX_SAVED} fields")));
                }
                for (key, pointer) in save {
                    check_short(key, &format!("{at}.save"), errors);
                    if !(pointer.is_empty() || pointer.starts_with('/')) {
                        errors.push((
                            format!("{at}.save.{key}"),
                            "a JSON pointer into the answer, such as /order/status".into(),
                        ));
                    }
                }
            }
            Step::Branch {
                conditions,
                then,
                otherwise,
            } => {
                if depth >= MAX_DEPTH {
                    errors.push((at, format!("branches nest at most {MAX_DEPTH} deep")));
                    continue;
                }
                if conditions.is_empty() {
                    errors.push((format!("{at}.if"), "add at least one condition".into()));
                }
                check_conditions(conditions, &format!("{at}.if"), 1, errors);
                check_steps(then, &format!("{at}.then"), depth + 1, errors);
                check_steps(otherwise, &format!("{at}.else"), depth + 1, errors);
            }
            _ => {}
        }
    }
}

fn check_seconds(seconds: i64, at: &str, errors: &mut Errors) {
    if !(1..=MAX_WAIT_SECONDS).contains(&seconds) {
        errors.push((
            format!("{at}.seconds"),
            format!("from 1 to {MAX_WAIT_SECONDS} (90 days)"),
        ));
    }
}

/// An `http` or `https` URL with a host and no user name or password
/// (where it may lead is checked when it is called).
fn check_url(url: &str, path: &str, errors: &mut Errors) {
    let ok = url.len() <= MAX_URL
        && url::Url::parse(url).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host().is_some()
                && u.username().is_empty()
                && u.password().is_none()
        });
    if !ok {
        errors.push((
            path.to_owned(),
            format!("an http(s) URL of at most {MAX_URL} characters, without a user name"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automations::definition::Definition;
    use serde_json::{Value, json};

    fn definition(v: Value) -> Definition {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn check_names_every_wrong_field_by_path() {
        let d = definition(json!({
            "trigger": {"type": "message_received", "keywords": [" "], "pattern": "("},
            "conditions": [{"type": "attribute", "key": "plan", "op": "equals"}],
            "steps": [
                {"type": "wait", "seconds": 0},
                {"type": "branch", "if": [], "then": [{"type": "send_text", "text": ""}]},
                {"type": "assign"},
                {"type": "set_status", "status": "closed"}
            ]
        }));
        let Err(AppError::Validation(errors)) = check(&d) else {
            panic!("expected errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "trigger.keywords[0]",
                "trigger.pattern",
                "conditions[0].value",
                "steps[0].seconds",
                "steps[1].if",
                "steps[1].then[0].text",
                "steps[2]",
                "steps[3].status",
            ]
        );
    }

    #[test]
    fn unknown_fields_and_types_are_refused() {
        let e = serde_json::from_value::<Definition>(json!({
            "trigger": {"type": "message_received", "keyword": "x"},
            "steps": []
        }));
        assert!(e.is_err());
        let e = serde_json::from_value::<Definition>(json!({
            "trigger": {"type": "sunrise"},
            "steps": []
        }));
        assert!(e.is_err());
    }
}
