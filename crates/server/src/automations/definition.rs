//! A workflow's definition, the JSON the builder and integrators write:
//! a trigger, conditions that must all hold for a run to start, and steps
//! (branches nest steps). [`check`] says what is wrong with one, by path;
//! [`compile`] flattens the steps into a [`Program`] a run walks with a
//! program counter, so a run's place is one number and survives restarts.

use crate::error::{AppError, AppResult};
use domain::{ChannelId, StageId, TagId, TeamId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Steps in a definition, counting those inside branches, at most.
pub const MAX_STEPS: usize = 100;
/// Branches nest at most this deep; condition groups too.
pub const MAX_DEPTH: usize = 5;
/// Keywords of a trigger, at most.
pub const MAX_KEYWORDS: usize = 20;
/// Characters in a keyword, a pattern or a compared text, at most.
pub const MAX_SHORT_TEXT: usize = 200;
/// Characters in a message or a note, at most (Meta's limit for a text).
pub const MAX_TEXT: usize = 4096;
/// The longest wait: 90 days.
pub const MAX_WAIT_SECONDS: i64 = 90 * 24 * 3600;

/// A workflow's trigger, conditions and steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub trigger: Trigger,
    /// All of them must hold, when the triggering event is read, for a run
    /// to start. Empty: every trigger starts one.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// What a run does, in order.
    #[schema(no_recursion)]
    pub steps: Vec<Step>,
}

/// What starts a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// A customer's message. With `keywords`, only a message that is one
    /// of them or holds one as a whole word (any case); with `pattern`, a
    /// message a regular expression finds something in (any case); with
    /// `first_in_conversation`, only the first message of a conversation.
    MessageReceived {
        #[serde(default)]
        keywords: Vec<String>,
        #[serde(default)]
        pattern: Option<String>,
        #[serde(default)]
        first_in_conversation: bool,
    },
    /// A conversation started (either side wrote first).
    ConversationOpened,
    /// A conversation was resolved.
    ConversationResolved,
    /// A conversation was given to someone (by a person, a rule or a run).
    ConversationAssigned,
    /// A contact appeared.
    ContactCreated,
    /// A tag was put on a contact.
    TagAdded { tag_id: TagId },
    /// A tag was taken off a contact.
    TagRemoved { tag_id: TagId },
    /// A deal of the contact moved, to `stage_id` if given.
    DealStageChanged {
        #[serde(default)]
        stage_id: Option<StageId>,
    },
}

impl Trigger {
    /// The trigger's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::MessageReceived { .. } => "message_received",
            Trigger::ConversationOpened => "conversation_opened",
            Trigger::ConversationResolved => "conversation_resolved",
            Trigger::ConversationAssigned => "conversation_assigned",
            Trigger::ContactCreated => "contact_created",
            Trigger::TagAdded { .. } => "tag_added",
            Trigger::TagRemoved { .. } => "tag_removed",
            Trigger::DealStageChanged { .. } => "deal_stage_changed",
        }
    }
}

/// Something true or false about the run's contact, conversation or
/// message, read when it is checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Every one of them holds.
    All {
        #[schema(no_recursion)]
        conditions: Vec<Condition>,
    },
    /// At least one of them holds.
    Any {
        #[schema(no_recursion)]
        conditions: Vec<Condition>,
    },
    HasTag {
        tag_id: TagId,
    },
    LacksTag {
        tag_id: TagId,
    },
    /// A custom attribute of the contact compared with `value`.
    Attribute {
        key: String,
        op: AttributeOp,
        #[serde(default)]
        value: Option<Value>,
    },
    /// The triggering message holds `text` (any case).
    MessageContains {
        text: String,
    },
    /// A regular expression finds something in the triggering message
    /// (any case).
    MessageMatches {
        pattern: String,
    },
    /// The conversation is on this number.
    Channel {
        channel_id: ChannelId,
    },
    /// The conversation is `open`, `pending` or `resolved`.
    ConversationStatus {
        status: String,
    },
}

/// How an attribute is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeOp {
    Equals,
    NotEquals,
    /// Holds `value`, as text, in any case.
    Contains,
    IsSet,
    IsNotSet,
}

/// One step of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// A text in the run's conversation (or the contact's latest), under
    /// every rule of sending: only while the 24-hour window is open.
    SendText {
        text: String,
    },
    /// An approved template, with the values of its body's `{{1}}`, `{{2}}`…
    SendTemplate {
        name: String,
        language: String,
        #[serde(default)]
        parameters: Vec<String>,
    },
    AddTag {
        tag_id: TagId,
    },
    RemoveTag {
        tag_id: TagId,
    },
    /// Sets a custom attribute of the contact (`null` clears it).
    SetAttribute {
        key: String,
        value: Value,
    },
    /// Gives the conversation to a user, or to a team (whose rule then
    /// picks a member).
    Assign {
        #[serde(default)]
        user_id: Option<UserId>,
        #[serde(default)]
        team_id: Option<TeamId>,
    },
    /// Moves the conversation to `open`, `pending` or `resolved`.
    SetStatus {
        status: String,
    },
    /// A private note on the conversation (or the contact).
    AddNote {
        text: String,
    },
    /// Goes on after this many seconds.
    Wait {
        seconds: i64,
    },
    /// `then` if every condition of `if` holds, else `else`.
    Branch {
        #[serde(rename = "if")]
        conditions: Vec<Condition>,
        #[serde(default)]
        #[schema(no_recursion)]
        then: Vec<Step>,
        #[serde(default, rename = "else")]
        #[schema(no_recursion)]
        otherwise: Vec<Step>,
    },
    /// Ends the run here.
    Stop,
}

impl Step {
    /// The step's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::SendText { .. } => "send_text",
            Step::SendTemplate { .. } => "send_template",
            Step::AddTag { .. } => "add_tag",
            Step::RemoveTag { .. } => "remove_tag",
            Step::SetAttribute { .. } => "set_attribute",
            Step::Assign { .. } => "assign",
            Step::SetStatus { .. } => "set_status",
            Step::AddNote { .. } => "add_note",
            Step::Wait { .. } => "wait",
            Step::Branch { .. } => "branch",
            Step::Stop => "stop",
        }
    }
}

/// The statuses a conversation can be moved to.
pub const STATUSES: [&str; 3] = ["open", "pending", "resolved"];

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
pub(super) fn into_result(errors: Errors) -> AppResult<()> {
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
pub(super) type Errors = Vec<(String, String)>;

fn count_steps(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            Step::Branch {
                then, otherwise, ..
            } => 1 + count_steps(then) + count_steps(otherwise),
            _ => 1,
        })
        .sum()
}

fn check_trigger(t: &Trigger, errors: &mut Errors) {
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

pub(super) fn check_short(text: &str, path: &str, errors: &mut Errors) {
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

pub(super) fn check_pattern(p: &str, path: &str, errors: &mut Errors) {
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

pub(super) fn check_conditions(cs: &[Condition], path: &str, depth: usize, errors: &mut Errors) {
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
            Step::Wait { seconds } if !(1..=MAX_WAIT_SECONDS).contains(seconds) => {
                errors.push((
                    format!("{at}.seconds"),
                    format!("from 1 to {MAX_WAIT_SECONDS} (90 days)"),
                ));
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

/// Everything a definition names that must exist in the tenant.
#[derive(Debug, Default, PartialEq)]
pub struct Names {
    pub tags: Vec<(String, TagId)>,
    pub users: Vec<(String, UserId)>,
    pub teams: Vec<(String, TeamId)>,
    pub channels: Vec<(String, ChannelId)>,
    pub stages: Vec<(String, StageId)>,
    pub attributes: Vec<(String, String)>,
}

/// What `d` names, each with the path it is at.
pub fn names(d: &Definition) -> Names {
    let mut n = Names::default();
    match &d.trigger {
        Trigger::TagAdded { tag_id } | Trigger::TagRemoved { tag_id } => {
            n.tags.push(("trigger.tag_id".into(), *tag_id));
        }
        Trigger::DealStageChanged {
            stage_id: Some(stage),
        } => n.stages.push(("trigger.stage_id".into(), *stage)),
        _ => {}
    }
    condition_names(&d.conditions, "conditions", &mut n);
    step_names(&d.steps, "steps", &mut n);
    n
}

pub(super) fn condition_names(cs: &[Condition], path: &str, n: &mut Names) {
    for (i, c) in cs.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match c {
            Condition::All { conditions } | Condition::Any { conditions } => {
                condition_names(conditions, &format!("{at}.conditions"), n);
            }
            Condition::HasTag { tag_id } | Condition::LacksTag { tag_id } => {
                n.tags.push((format!("{at}.tag_id"), *tag_id));
            }
            Condition::Attribute { key, .. } => {
                n.attributes.push((format!("{at}.key"), key.clone()));
            }
            Condition::Channel { channel_id } => {
                n.channels.push((format!("{at}.channel_id"), *channel_id));
            }
            _ => {}
        }
    }
}

fn step_names(steps: &[Step], path: &str, n: &mut Names) {
    for (i, s) in steps.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match s {
            Step::AddTag { tag_id } | Step::RemoveTag { tag_id } => {
                n.tags.push((format!("{at}.tag_id"), *tag_id));
            }
            Step::SetAttribute { key, .. } => {
                n.attributes.push((format!("{at}.key"), key.clone()));
            }
            Step::Assign { user_id, team_id } => {
                if let Some(u) = user_id {
                    n.users.push((format!("{at}.user_id"), *u));
                }
                if let Some(t) = team_id {
                    n.teams.push((format!("{at}.team_id"), *t));
                }
            }
            Step::Branch {
                conditions,
                then,
                otherwise,
            } => {
                condition_names(conditions, &format!("{at}.if"), n);
                step_names(then, &format!("{at}.then"), n);
                step_names(otherwise, &format!("{at}.else"), n);
            }
            _ => {}
        }
    }
}

/// One instruction of a compiled definition. `path` says where its step is
/// in the definition (`steps[2].then[0]`), for the execution log.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Do the step (an action) and go on to the next instruction.
    Act { path: String, step: Step },
    /// Wait, then go on to the next instruction.
    Wait { path: String, seconds: i64 },
    /// Go on to the next instruction if every condition holds, else to
    /// `otherwise`.
    Branch {
        path: String,
        conditions: Vec<Condition>,
        otherwise: usize,
    },
    /// Go on at `to` (the end of a branch's `then`, over its `else`).
    Jump { to: usize },
    /// End the run.
    Stop { path: String },
}

/// The steps as instructions; a run ends when its counter passes the last.
pub type Program = Vec<Op>;

/// Flattens `steps` into a [`Program`].
pub fn compile(steps: &[Step]) -> Program {
    let mut ops = Vec::new();
    emit(steps, "steps", &mut ops);
    ops
}

fn emit(steps: &[Step], path: &str, ops: &mut Program) {
    for (i, step) in steps.iter().enumerate() {
        let path = format!("{path}[{i}]");
        match step {
            Step::Branch {
                conditions,
                then,
                otherwise,
            } => {
                let branch = ops.len();
                ops.push(Op::Branch {
                    path: path.clone(),
                    conditions: conditions.clone(),
                    otherwise: 0,
                });
                emit(then, &format!("{path}.then"), ops);
                let mut jump = None;
                if !otherwise.is_empty() {
                    jump = Some(ops.len());
                    ops.push(Op::Jump { to: 0 });
                }
                let else_at = ops.len();
                emit(otherwise, &format!("{path}.else"), ops);
                let end = ops.len();
                if let Op::Branch { otherwise, .. } = &mut ops[branch] {
                    *otherwise = else_at;
                }
                if let Some(j) = jump {
                    ops[j] = Op::Jump { to: end };
                }
            }
            Step::Wait { seconds } => ops.push(Op::Wait {
                path,
                seconds: *seconds,
            }),
            Step::Stop => ops.push(Op::Stop { path }),
            other => ops.push(Op::Act {
                path,
                step: other.clone(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn definition(v: Value) -> Definition {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn branches_compile_to_jumps_over_the_other_side() {
        let d = definition(json!({
            "trigger": {"type": "message_received"},
            "steps": [
                {"type": "send_text", "text": "hi"},
                {"type": "branch", "if": [{"type": "message_contains", "text": "price"}],
                 "then": [{"type": "send_text", "text": "10 EUR"}],
                 "else": [{"type": "wait", "seconds": 60}, {"type": "stop"}]},
                {"type": "set_status", "status": "resolved"}
            ]
        }));
        let p = compile(&d.steps);
        assert_eq!(p.len(), 7);
        assert!(matches!(&p[1], Op::Branch { otherwise: 4, path, .. } if path == "steps[1]"));
        assert!(matches!(&p[2], Op::Act { path, .. } if path == "steps[1].then[0]"));
        assert_eq!(p[3], Op::Jump { to: 6 });
        assert!(matches!(&p[4], Op::Wait { seconds: 60, .. }));
        assert!(matches!(&p[5], Op::Stop { path } if path == "steps[1].else[1]"));
        assert!(matches!(&p[6], Op::Act { path, .. } if path == "steps[2]"));
    }

    #[test]
    fn a_branch_without_else_falls_through() {
        let d = definition(json!({
            "trigger": {"type": "contact_created"},
            "steps": [
                {"type": "branch", "if": [{"type": "conversation_status", "status": "open"}],
                 "then": [{"type": "add_note", "text": "n"}]},
                {"type": "stop"}
            ]
        }));
        let p = compile(&d.steps);
        assert_eq!(p.len(), 3);
        assert!(matches!(&p[0], Op::Branch { otherwise: 2, .. }));
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

    #[test]
    fn names_lists_what_must_exist_with_its_path() {
        let tag = TagId::new();
        let user = UserId::new();
        let d = definition(json!({
            "trigger": {"type": "tag_added", "tag_id": tag},
            "steps": [{"type": "branch", "if": [{"type": "has_tag", "tag_id": tag}],
                       "then": [{"type": "assign", "user_id": user}]}]
        }));
        let n = names(&d);
        assert_eq!(
            n.tags,
            [
                ("trigger.tag_id".to_owned(), tag),
                ("steps[0].if[0].tag_id".to_owned(), tag)
            ]
        );
        assert_eq!(n.users, [("steps[0].then[0].user_id".to_owned(), user)]);
    }
}
