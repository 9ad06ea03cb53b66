//! What the builder picks from (tags, stages, numbers, approved templates,
//! people, teams, contact fields, drips), read through each area's own rules, and
//! the words a page uses for a trigger.

use crate::auth::TenantCtx;
use crate::automations::definition::Trigger;
use crate::error::AppResult;
use crate::state::AppState;
use store::page::PageRequest;

/// One option of a picker: its value (an id, a key) and its label.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    /// A contact field's type (`text`, `number`, `boolean`…); empty for
    /// the others.
    pub kind: String,
}

fn choice(value: impl ToString, label: impl Into<String>) -> Choice {
    Choice {
        value: value.to_string(),
        label: label.into(),
        kind: String::new(),
    }
}

/// Everything the builder's selects offer.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub tags: Vec<Choice>,
    /// Each stage with its pipeline's name (`Sales › Proposal`).
    pub stages: Vec<Choice>,
    pub numbers: Vec<Choice>,
    /// Approved templates: `name|language`, labelled `name (language)`.
    pub templates: Vec<Choice>,
    pub users: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub attributes: Vec<Choice>,
    pub drips: Vec<Choice>,
}

impl Choices {
    /// Loads the choices through the rules of the areas that own them.
    pub async fn load(state: &AppState, ctx: &TenantCtx) -> AppResult<Choices> {
        let outreach = crate::campaigns::choices::choices(state, ctx).await?;
        let pipelines = crate::crm::deals::pipelines::list_pipelines(
            state,
            ctx,
            PageRequest::new(None, PageRequest::MAX_LIMIT),
        )
        .await?;
        let users = crate::team::users::list_users(
            state,
            ctx,
            PageRequest::new(None, PageRequest::MAX_LIMIT),
        )
        .await?;
        let teams = crate::crm::teams::list_teams(state, ctx).await?;
        let attributes = crate::crm::attributes::all_attributes(state, ctx).await?;
        let drips = crate::automations::drips::rules::list_drips(state, ctx).await?;
        let mut stages = Vec::new();
        for p in pipelines.items {
            for s in p.stages {
                stages.push(choice(s.id, format!("{} › {}", p.name, s.name)));
            }
        }
        Ok(Choices {
            tags: outreach
                .tags
                .into_iter()
                .map(|(id, name)| choice(id, name))
                .collect(),
            stages,
            numbers: outreach
                .numbers
                .into_iter()
                .map(|n| choice(n.id, n.label))
                .collect(),
            templates: outreach
                .templates
                .into_iter()
                .map(|t| {
                    let value = t
                        .label
                        .replacen(" (", "|", 1)
                        .trim_end_matches(')')
                        .to_owned();
                    choice(value, t.label)
                })
                .collect(),
            users: users
                .items
                .into_iter()
                .filter(|u| u.disabled_at.is_none())
                .map(|u| {
                    let name = if u.name.is_empty() { u.email } else { u.name };
                    choice(u.id, name)
                })
                .collect(),
            teams: teams
                .into_iter()
                .map(|t| choice(t.team.id, t.team.name))
                .collect(),
            attributes: attributes
                .into_iter()
                .map(|a| Choice {
                    value: a.key,
                    label: a.label,
                    kind: a.kind.as_str().to_owned(),
                })
                .collect(),
            drips: drips
                .into_iter()
                .map(|d| choice(d.drip.id, d.drip.name))
                .collect(),
        })
    }

    /// `text` with the ids of tags, people and teams it names replaced by
    /// their names (a dry run's sentences name things by id).
    pub fn name_ids(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for c in self.tags.iter().chain(&self.users).chain(&self.teams) {
            if out.contains(&c.value) {
                out = out.replace(&c.value, &format!("“{}”", c.label));
            }
        }
        out
    }

    fn label<'a>(list: &'a [Choice], value: &str) -> &'a str {
        list.iter()
            .find(|c| c.value == value)
            .map_or("a deleted one", |c| c.label.as_str())
    }

    /// What starts a workflow, in words (`Tag “VIP” added`).
    pub fn trigger(&self, t: &Trigger) -> String {
        match t {
            Trigger::MessageReceived {
                keywords,
                pattern,
                first_in_conversation,
            } => {
                let mut s = if *first_in_conversation {
                    "A customer's first message".to_owned()
                } else {
                    "A customer's message".to_owned()
                };
                if !keywords.is_empty() {
                    let words: Vec<String> = keywords.iter().map(|k| format!("“{k}”")).collect();
                    s.push_str(&format!(" with {}", words.join(", ")));
                }
                if let Some(p) = pattern {
                    s.push_str(&format!(" matching /{p}/"));
                }
                s
            }
            Trigger::Schedule { cron } => format!("On the schedule “{cron}”"),
            Trigger::Inbound => "A call to the workflow's inbound URL".to_owned(),
            Trigger::ConversationOpened => "A conversation starts".to_owned(),
            Trigger::ConversationResolved => "A conversation is resolved".to_owned(),
            Trigger::ConversationAssigned => "A conversation is assigned".to_owned(),
            Trigger::ContactCreated => "A contact is created".to_owned(),
            Trigger::TagAdded { tag_id } => format!(
                "Tag “{}” put on a contact",
                Self::label(&self.tags, &tag_id.to_string())
            ),
            Trigger::TagRemoved { tag_id } => format!(
                "Tag “{}” taken off a contact",
                Self::label(&self.tags, &tag_id.to_string())
            ),
            Trigger::DealStageChanged { stage_id: None } => "A deal moves".to_owned(),
            Trigger::BookingMade => "A booking is made".to_owned(),
            Trigger::BookingCancelled => "A booking is cancelled".to_owned(),
            Trigger::DealStageChanged { stage_id: Some(s) } => format!(
                "A deal moves to {}",
                Self::label(&self.stages, &s.to_string())
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_sentences_become_names() {
        let c = Choices {
            tags: vec![choice("t-1", "VIP")],
            users: vec![choice("u-1", "Ana")],
            ..Choices::default()
        };
        assert_eq!(
            c.name_ids("tag the contact with t-1, then assign u-1"),
            "tag the contact with “VIP”, then assign “Ana”"
        );
    }
}
