//! A run's action steps, done through the rules people use (sending,
//! tagging, editing fields, assigning, notes, drips), each returning what
//! came of it for the execution log. [`super::run`] walks the program and
//! calls [`act`] for each action in the step's transaction.

use super::call;
use super::definition::Step;
use crate::auth::TenantCtx;
use crate::channels::send::{Lane, Outgoing, SentBy, queue_message};
use crate::crm::notes::{NoteOn, create_note_in};
use crate::crm::tags::{Carrier, set_tag_in};
use crate::error::{AppError, AppResult};
use crate::inbox::contacts::{ContactChanges, edit_fields};
use crate::inbox::conversations::{ConversationChanges, change_conversation};
use crate::scheduled::{Content, TemplateContent};
use domain::{ConversationId, Timestamp};
use serde_json::{Value, json};
use store::TenantTx;
use store::inbox::ConversationStatus;
use store::workflows::WorkflowRun;

/// The conversation a step works in: the run's, else the contact's latest.
async fn conversation(tx: &mut TenantTx, run: &WorkflowRun) -> AppResult<ConversationId> {
    if let Some(c) = run.conversation_id {
        return Ok(c);
    }
    let no_conversation = || {
        AppError::Rule(
            "no_conversation",
            "the contact has no conversation to work in yet".into(),
        )
    };
    let contact = run.contact_id.ok_or_else(no_conversation)?;
    let latest = tx.list_contact_conversations(contact).await?;
    latest.first().map(|c| c.id).ok_or_else(no_conversation)
}

/// The run's contact, or the refusal of a step that needs one.
fn contact(run: &WorkflowRun) -> AppResult<domain::ContactId> {
    run.contact_id.ok_or_else(|| {
        AppError::Rule(
            "no_contact",
            "the event that started this run is about no contact".into(),
        )
    })
}

/// Does an action step through the rules people use; what came of it.
pub(super) async fn act(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    run: &WorkflowRun,
    step: &Step,
    now: Timestamp,
) -> AppResult<Value> {
    match step {
        Step::SendText { .. } | Step::SendTemplate { .. } => {
            let content = match step {
                Step::SendText { text } => Content::Text { text: text.clone() },
                Step::SendTemplate {
                    name,
                    language,
                    parameters,
                } => Content::Template(TemplateContent {
                    name: name.clone(),
                    language: language.clone(),
                    parameters: parameters.clone(),
                    named_parameters: Default::default(),
                }),
                _ => unreachable!("matched above"),
            };
            let out = Outgoing {
                conversation_id: Some(conversation(tx, run).await?),
                channel_id: None,
                to: None,
                reply_to: None,
                content: content.outgoing(),
                lane: Lane::Conversational,
            };
            let m = queue_message(tx, SentBy::Automation, out, now).await?;
            Ok(json!({ "message_id": m.id, "conversation_id": m.conversation_id }))
        }
        Step::AddTag { tag_id } | Step::RemoveTag { tag_id } => {
            let on = matches!(step, Step::AddTag { .. });
            let carrier = Carrier::Contact(contact(run)?);
            let changed = set_tag_in(tx, ctx, carrier, *tag_id, on, now).await?;
            Ok(json!({ "changed": changed }))
        }
        Step::SetAttribute { key, value } => {
            let c = tx.find_contact(contact(run)?).await?;
            let mut values = serde_json::Map::new();
            values.insert(key.clone(), value.clone());
            let changes = ContactChanges {
                attributes: Some(values),
                ..ContactChanges::default()
            };
            edit_fields(tx, ctx, &c, &changes, now).await?;
            Ok(json!({}))
        }
        Step::Assign { user_id, team_id } => {
            let id = conversation(tx, run).await?;
            let changes = ConversationChanges {
                assigned_user_id: user_id.map(Some),
                team_id: team_id.map(Some),
                ..ConversationChanges::default()
            };
            let c = change_conversation(tx, ctx, id, changes, now).await?;
            Ok(
                json!({ "conversation_id": id, "assigned_user_id": c.assigned_user_id, "team_id": c.team_id }),
            )
        }
        Step::SetStatus { status } => {
            let id = conversation(tx, run).await?;
            let status = ConversationStatus::parse(status)
                .ok_or_else(|| AppError::validation("status", "one of open, pending, resolved"))?;
            let changes = ConversationChanges {
                status: Some(status),
                ..ConversationChanges::default()
            };
            change_conversation(tx, ctx, id, changes, now).await?;
            Ok(json!({ "conversation_id": id }))
        }
        Step::AddNote { text } => {
            let on = match conversation(tx, run).await {
                Ok(c) => NoteOn::Conversation(c),
                Err(_) => NoteOn::Contact(contact(run)?),
            };
            let note = create_note_in(tx, ctx, on, text, now).await?;
            Ok(json!({ "note_id": note.id }))
        }
        Step::StartDrip { drip_id } => {
            let enrolled = super::drips::enroll_in(tx, ctx, *drip_id, contact(run)?, now).await?;
            Ok(json!({ "enrolled": enrolled }))
        }
        Step::HandToGenesys => {
            let id = conversation(tx, run).await?;
            let (h, opened) = crate::genesys::handover::hand_over_in(
                tx,
                id,
                crate::genesys::handover::Reason::Automation,
                "automation",
                now,
            )
            .await?;
            Ok(json!({ "handover_id": h.id, "handed_over": opened }))
        }
        Step::StopDrip { drip_id } => {
            let stopped = super::drips::stop_in(tx, ctx, *drip_id, contact(run)?, now).await?;
            Ok(json!({ "stopped": stopped }))
        }
        // Compiled into their own instructions, never acted; a call is
        // made before its transaction ([`called`] records it).
        Step::Wait { .. }
        | Step::WaitUntil { .. }
        | Step::WaitForReply { .. }
        | Step::Branch { .. }
        | Step::Stop
        | Step::CallHttp { .. } => Ok(Value::Null),
    }
}

/// Records a `call_http` step's answer: the attributes it saves are set
/// on the contact (through the rules people use).
pub(super) async fn called(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    run: &WorkflowRun,
    save: &std::collections::BTreeMap<String, String>,
    answer: call::Answer,
    now: Timestamp,
) -> AppResult<Value> {
    let values = call::saved(&answer.json, save);
    if !values.is_empty() {
        let c = tx.find_contact(contact(run)?).await?;
        let changes = ContactChanges {
            attributes: Some(values.clone()),
            ..ContactChanges::default()
        };
        edit_fields(tx, ctx, &c, &changes, now).await?;
    }
    Ok(json!({ "status": answer.status, "saved": values }))
}
