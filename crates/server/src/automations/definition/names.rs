//! What a definition names that must exist in the tenant (tags, users…).

use super::*;

/// Everything a definition names that must exist in the tenant.
#[derive(Debug, Default, PartialEq)]
pub struct Names {
    pub tags: Vec<(String, TagId)>,
    pub users: Vec<(String, UserId)>,
    pub teams: Vec<(String, TeamId)>,
    pub channels: Vec<(String, ChannelId)>,
    pub stages: Vec<(String, StageId)>,
    pub attributes: Vec<(String, String)>,
    pub drips: Vec<(String, DripId)>,
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

pub(crate) fn condition_names(cs: &[Condition], path: &str, n: &mut Names) {
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
            Step::WaitForReply {
                replied, timeout, ..
            } => {
                step_names(replied, &format!("{at}.replied"), n);
                step_names(timeout, &format!("{at}.timeout"), n);
            }
            Step::StartDrip { drip_id } | Step::StopDrip { drip_id } => {
                n.drips.push((format!("{at}.drip_id"), *drip_id));
            }
            Step::CallHttp { save, .. } => {
                for key in save.keys() {
                    n.attributes.push((format!("{at}.save"), key.clone()));
                }
            }
            _ => {}
        }
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
