//! Flattening a definition's steps into a [`Program`] a run walks with a
//! program counter, so a run's place is one number and survives restarts.

use super::{Condition, Step};
use crate::automations::cron::{self, Cron};

/// One instruction of a compiled definition. `path` says where its step is
/// in the definition (`steps[2].then[0]`), for the execution log.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Do the step (an action) and go on to the next instruction.
    Act { path: String, step: Step },
    /// Wait, then go on to the next instruction.
    Wait { path: String, seconds: i64 },
    /// Wait until the next time `at` fires (in the tenant's zone), then go
    /// on to the next instruction.
    WaitUntil { path: String, at: Cron },
    /// Wait for the contact's reply at most `seconds`: go on to the next
    /// instruction if it came, else to `timeout`.
    WaitForReply {
        path: String,
        seconds: i64,
        timeout: usize,
    },
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
                let head = ops.len();
                ops.push(Op::Branch {
                    path: path.clone(),
                    conditions: conditions.clone(),
                    otherwise: 0,
                });
                let second = sides(
                    then,
                    &format!("{path}.then"),
                    otherwise,
                    &format!("{path}.else"),
                    ops,
                );
                if let Op::Branch { otherwise, .. } = &mut ops[head] {
                    *otherwise = second;
                }
            }
            Step::WaitForReply {
                seconds,
                replied,
                timeout,
            } => {
                let head = ops.len();
                ops.push(Op::WaitForReply {
                    path: path.clone(),
                    seconds: *seconds,
                    timeout: 0,
                });
                let second = sides(
                    replied,
                    &format!("{path}.replied"),
                    timeout,
                    &format!("{path}.timeout"),
                    ops,
                );
                if let Op::WaitForReply { timeout, .. } = &mut ops[head] {
                    *timeout = second;
                }
            }
            Step::WaitUntil { time, days } => ops.push(Op::WaitUntil {
                path,
                at: wall_time(time, days),
            }),
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

/// Emits the two sides of a branch (the first falling through, then a
/// jump over the second when there is one); where the second starts.
fn sides(
    first: &[Step],
    first_path: &str,
    second: &[Step],
    second_path: &str,
    ops: &mut Program,
) -> usize {
    emit(first, first_path, ops);
    let jump = (!second.is_empty()).then(|| {
        ops.push(Op::Jump { to: 0 });
        ops.len() - 1
    });
    let second_at = ops.len();
    emit(second, second_path, ops);
    if let Some(j) = jump {
        ops[j] = Op::Jump { to: ops.len() };
    }
    second_at
}

/// A `wait_until` step's time and days as a daily schedule (checked
/// definitions only; an unreadable time is midnight).
fn wall_time(time: &str, days: &[String]) -> Cron {
    let (hour, minute) = cron::parse_hh_mm(time).unwrap_or((0, 0));
    let days: Vec<u8> = days
        .iter()
        .filter_map(|d| cron::weekday_number(d))
        .collect();
    Cron::daily(hour, minute, &days)
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
}
