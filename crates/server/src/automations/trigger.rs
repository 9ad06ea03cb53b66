//! Starting runs: a durable consumer of the event log
//! (`automations.workflows`) that applies the auto-tag rules
//! ([`super::auto_tags`]) and starts a run of every enabled workflow
//! whose trigger fires on an event and whose conditions then hold, in the
//! transaction that moves its cursor ([`super::start`], with its guards).
//! So a run is never lost between the event and its start, and a workflow
//! starts at most one run per event (the runs' unique key backs that up
//! across nodes).

use super::auto_tags;
use super::conditions::{Facts, all_hold, gone_is_none, has_keyword};
use super::definition::{Trigger, pattern};
use super::start::{Budget, Start};
use super::versions::{Version, Versions};
use crate::events::{Consumer, poll_having};
use crate::state::AppState;
use domain::{ContactId, ConversationId, EventId, MessageId, Timestamp, WorkflowId};
use futures::future::BoxFuture;
use serde_json::Value;
use std::sync::Arc;
use store::TenantTx;
use store::events::{CursorStart, StoredEvent, Table};
use store::workflows::{RunStatus, Workflow};

/// The consumer's cursor name.
pub const CONSUMER: &str = "automations.workflows";
/// Events per batch (one transaction).
const BATCH: i64 = 200;

/// An enabled workflow with its current version, read.
struct Active {
    workflow: Workflow,
    version: Arc<Version>,
}

/// The consumer, as of `now`, with the versions read so far.
pub struct Triggers {
    pub now: Timestamp,
    pub versions: Versions,
}

impl Consumer for Triggers {
    const NAME: &'static str = CONSUMER;
    const START: CursorStart = CursorStart::Latest;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        let active = enabled(tx, &self.versions).await?;
        let rules = auto_tags::enabled_rules(tx).await?;
        let awaiting = tx.any_run_awaiting_reply().await?;
        if active.is_empty() && rules.is_empty() && !awaiting {
            return Ok(());
        }
        let ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
        let causes = tx.event_causes(&ids).await?;
        let mut budget = Budget::default();
        for event in events {
            if awaiting && event.name == "message.received" {
                resume_replied(tx, event, &self.versions, self.now).await?;
            }
            let tagging = auto_tags::applying(&rules, &event.name);
            let candidates: Vec<&Active> = active
                .iter()
                .filter(|a| fires_on(a.workflow.id, &a.version.definition.trigger, event))
                .collect();
            if candidates.is_empty() && tagging.is_empty() {
                continue;
            }
            let subject = Subject::of(tx, event).await?;
            let mut facts =
                Facts::load(tx, subject.contact, subject.conversation, subject.message).await?;
            // Auto-tag rules first: the workflows' conditions see their tags.
            auto_tags::apply(tx, &tagging, &mut facts, self.now).await?;
            for a in candidates {
                let definition = &a.version.definition;
                facts
                    .load_hours(tx, &definition.conditions, self.now)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:#}"))?;
                if accepts(tx, &definition.trigger, &subject, &facts).await?
                    && all_hold(&definition.conditions, &facts)
                {
                    let cause = causes.get(&event.id).copied();
                    let start = Start {
                        workflow: &a.workflow,
                        version: &a.version,
                        event,
                        subject: &subject,
                        cause,
                    };
                    start.run(tx, &mut budget, self.now).await?;
                }
            }
        }
        Ok(())
    }
}

/// The enabled workflows whose definitions read (one that does not is
/// logged and left out rather than stop every other).
async fn enabled(tx: &mut TenantTx, versions: &Versions) -> anyhow::Result<Vec<Active>> {
    let mut active = Vec::new();
    for workflow in tx.enabled_workflows().await? {
        match versions.get(tx, workflow.id, workflow.version).await {
            Ok(version) => active.push(Active { workflow, version }),
            Err(e) if e.is::<serde_json::Error>() => {
                tracing::error!(workflow_id = %workflow.id, error = %e,
                    "a stored workflow definition does not read");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(active)
}

/// The runs waiting for the reply of the contact who wrote `event`'s
/// message go on (a message written before a run began to wait is no
/// reply to it).
async fn resume_replied(
    tx: &mut TenantTx,
    event: &StoredEvent,
    versions: &Versions,
    now: Timestamp,
) -> anyhow::Result<()> {
    let subject = Subject::of(tx, event).await?;
    let (Some(contact), Some(message)) = (subject.contact, subject.message) else {
        return Ok(());
    };
    for waiting in tx.runs_awaiting_reply(contact).await? {
        let mut run = tx.claim_workflow_run(waiting.id).await?;
        if run.status == RunStatus::Waiting
            && run.awaiting_reply
            && event.created_at >= run.updated_at
        {
            super::run::replied(tx, versions, &mut run, message, subject.conversation, now).await?;
        }
    }
    Ok(())
}

/// Whether `trigger` of workflow `workflow` is about an event like
/// `event` (its details are checked by [`accepts`]).
pub fn fires_on(workflow: WorkflowId, trigger: &Trigger, event: &StoredEvent) -> bool {
    let p = &event.payload;
    let id_is = |key: &str, id: String| p[key].as_str() == Some(id.as_str());
    match trigger {
        Trigger::Schedule { .. } => {
            event.name == "workflow.schedule_fired" && id_is("workflow_id", workflow.to_string())
        }
        Trigger::Inbound => {
            event.name == "workflow.inbound_received" && id_is("workflow_id", workflow.to_string())
        }
        Trigger::MessageReceived { .. } => event.name == "message.received",
        Trigger::ConversationOpened => event.name == "conversation.opened",
        Trigger::ConversationResolved => {
            event.name == "conversation.status_changed" && p["status"] == "resolved"
        }
        Trigger::ConversationAssigned => {
            event.name == "conversation.assigned" && !p["assigned_user_id"].is_null()
        }
        Trigger::ContactCreated => event.name == "contact.created",
        Trigger::TagAdded { tag_id } => {
            event.name == "contact.tagged" && id_is("tag_id", tag_id.to_string())
        }
        Trigger::TagRemoved { tag_id } => {
            event.name == "contact.untagged" && id_is("tag_id", tag_id.to_string())
        }
        Trigger::BookingMade => event.name == "booking.created",
        Trigger::BookingCancelled => event.name == "booking.cancelled",
        Trigger::DealStageChanged { stage_id } => {
            event.name == "deal.stage_changed"
                && stage_id.is_none_or(|s| id_is("to_stage_id", s.to_string()))
        }
    }
}

/// What an event is about: its contact, conversation and message.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject {
    pub contact: Option<ContactId>,
    pub conversation: Option<ConversationId>,
    pub message: Option<MessageId>,
}

impl Subject {
    /// The ids `event`'s payload names; the contact of its conversation
    /// when it names none.
    pub async fn of(tx: &mut TenantTx, event: &StoredEvent) -> anyhow::Result<Subject> {
        let id = |key: &str| {
            event
                .payload
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
        };
        let mut s = Subject {
            contact: id("contact_id").map(ContactId::from_uuid),
            conversation: id("conversation_id").map(ConversationId::from_uuid),
            message: id("message_id").map(MessageId::from_uuid),
        };
        if let (None, Some(c)) = (s.contact, s.conversation) {
            s.contact = gone_is_none(tx.find_conversation(c).await)?.map(|c| c.contact_id);
        }
        Ok(s)
    }
}

/// The trigger's own details: a message's keywords or pattern (either one
/// matching is enough when both are given), and whether it is the first
/// of its conversation.
async fn accepts(
    tx: &mut TenantTx,
    trigger: &Trigger,
    subject: &Subject,
    facts: &Facts,
) -> anyhow::Result<bool> {
    let Trigger::MessageReceived {
        keywords,
        pattern: p,
        first_in_conversation,
    } = trigger
    else {
        return Ok(true);
    };
    if !keywords.is_empty() || p.is_some() {
        let text = facts.message_text.as_deref().unwrap_or_default();
        let by_keyword = keywords.iter().any(|k| has_keyword(text, k));
        let by_pattern = p
            .as_deref()
            .is_some_and(|p| pattern(p).is_ok_and(|re| re.is_match(text)));
        if !(by_keyword || by_pattern) {
            return Ok(false);
        }
    }
    if *first_in_conversation {
        let (Some(c), Some(m)) = (subject.conversation, subject.message) else {
            return Ok(false);
        };
        return Ok(tx.is_first_inbound(c, m).await?);
    }
    Ok(true)
}

/// One round of the consumer: every tenant with a workflow whose cursor is
/// behind gets one batch. Registered as a poller ([`super::jobs`]).
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(poll_having(state, Table::Automations, BATCH, |now| {
        Triggers {
            now,
            versions: state.workflow_versions.clone(),
        }
    }))
}
