//! A dry run: what a workflow would do for a contact, without doing it.

use super::conditions::{Facts, all_hold};
use super::definition::{Op, Step, compile};
use super::workflows::read;
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ContactId, Permission, WorkflowId};
use store::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub struct DryStep {
    pub path: String,
    pub kind: String,
    pub would: String,
}

/// What workflow `id`'s current version would do for `contact` (in its
/// latest conversation) if it ran now, without doing any of it: whether
/// its conditions hold, and the steps it would take, branches decided on
/// the contact as it is. Waits are not waited: the steps after one are
/// shown as they would go now.
pub async fn dry_run(
    state: &AppState,
    ctx: &TenantCtx,
    id: WorkflowId,
    contact: ContactId,
) -> AppResult<(bool, Vec<DryStep>)> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let w = tx.find_workflow(id).await?;
    let d = read(&mut tx, &w).await?;
    tx.find_contact(contact).await.map_err(|e| match e {
        StoreError::NotFound => AppError::validation("contact_id", "no such contact"),
        other => other.into(),
    })?;
    let conversation = tx
        .list_contact_conversations(contact)
        .await?
        .first()
        .map(|c| c.id);
    let mut facts = Facts::load(&mut tx, Some(contact), conversation, None).await?;
    // Any branch may ask: read it once, as of now.
    let channel = facts.conversation.as_ref().map(|c| c.channel_id);
    facts.within_hours = Some(super::hours::is_open_in(&mut tx, channel, state.now()).await?);
    tx.commit().await?;
    let conditions_hold = all_hold(&d.conditions, &facts);
    let program = compile(&d.steps);
    let mut steps = Vec::new();
    let mut pc = 0;
    while let Some(op) = program.get(pc) {
        pc += 1;
        let (path, kind, would) = match op {
            Op::Jump { to } => {
                pc = *to;
                continue;
            }
            Op::Stop { path } => {
                steps.push(dry(path, "stop", "end the run here".into()));
                break;
            }
            Op::Wait { path, seconds } => (path, "wait", format!("wait {seconds} seconds")),
            Op::WaitUntil { path, .. } => (path, "wait_until", "wait for the time it names".into()),
            // Shown as if the reply came: the `replied` side.
            Op::WaitForReply { path, seconds, .. } => (
                path,
                "wait_for_reply",
                format!("wait up to {seconds} seconds for a reply (shown as if it came)"),
            ),
            Op::Branch {
                path,
                conditions,
                otherwise,
            } => {
                let taken = all_hold(conditions, &facts);
                if !taken {
                    pc = *otherwise;
                }
                let side = if taken { "then" } else { "else" };
                (path, "branch", format!("take the `{side}` side"))
            }
            Op::Act { path, step } => (path, step.kind(), would(step)),
        };
        steps.push(dry(path, kind, would));
    }
    Ok((conditions_hold, steps))
}

fn dry(path: &str, kind: &str, would: String) -> DryStep {
    DryStep {
        path: path.to_owned(),
        kind: kind.to_owned(),
        would,
    }
}

/// An action step in words.
fn would(step: &Step) -> String {
    match step {
        Step::SendText { text } => format!("send the text “{text}”"),
        Step::SendTemplate { name, language, .. } => {
            format!("send the template {name} ({language})")
        }
        Step::AddTag { tag_id } => format!("tag the contact with {tag_id}"),
        Step::RemoveTag { tag_id } => format!("take tag {tag_id} off the contact"),
        Step::SetAttribute { key, value } => format!("set {key} to {value}"),
        Step::Assign { user_id, team_id } => match (user_id, team_id) {
            (Some(u), _) => format!("assign the conversation to user {u}"),
            (_, Some(t)) => format!("move the conversation to team {t}"),
            _ => "assign the conversation".into(),
        },
        Step::SetStatus { status } => format!("mark the conversation {status}"),
        Step::AddNote { text } => format!("add the note “{text}”"),
        Step::Wait { seconds } => format!("wait {seconds} seconds"),
        Step::WaitUntil { time, days } if days.is_empty() => format!("wait until {time}"),
        Step::WaitUntil { time, days } => format!("wait until {time} on {}", days.join(", ")),
        Step::WaitForReply { seconds, .. } => format!("wait up to {seconds} seconds for a reply"),
        Step::StartDrip { drip_id } => format!("enrol the contact in drip {drip_id}"),
        Step::StopDrip { drip_id } => format!("end the contact's enrolment in drip {drip_id}"),
        Step::CallHttp { url, method, .. } => format!("call {} {url}", method.as_str()),
        Step::HandToGenesys => "hand the conversation to Genesys".into(),
        Step::Branch { .. } => "decide a branch".into(),
        Step::Stop => "end the run here".into(),
    }
}
