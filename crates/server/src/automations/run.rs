//! Running a run: its job ([`super::jobs`]) walks the compiled program of
//! the version it started on, one instruction per transaction. Each
//! transaction takes the run's row, does the step (through the same rules
//! people use: sending, tagging, assigning…), logs it and moves the run's
//! counter past it, so after a crash the run goes on from the first step
//! not committed and never repeats one that was.
//!
//! A `wait` commits the run as `waiting` with a job due when it ends (jobs
//! are rows: a wait of days survives restarts and deploys). A step a rule
//! refuses (the window is closed, the contact opted out) fails the run at
//! that step, in a fresh transaction, so nothing of the refused step stays;
//! the run can be retried from it. Errors that are no refusal (the
//! database) leave the run as it was for the job to retry.

use super::act::{act, called};
use super::call;
use super::conditions::{Facts, all_hold};
use super::definition::{Op, Step};
use super::jobs;
use super::versions::{Version, Versions};
use crate::auth::{TenantCtx, Via};
use crate::error::AppResult;
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, WorkflowRunFailed, WorkflowRunRef};
use domain::{ConversationId, MessageId, TenantId, Timestamp, WorkflowRunId};
use serde_json::{Value, json};
use std::sync::Arc;
use store::workflows::{EventCause, RunStatus, RunStep, WorkflowRun};
use store::{StoreError, TenantTx};

/// What [`advance`] left the run as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advanced {
    /// Ended, waiting with a job due, or nothing to do.
    Done,
    /// Waiting, and woken before its time: try again then.
    NotYet(Timestamp),
}

/// What one instruction led to.
pub(super) enum Stepped {
    /// Go on at this instruction.
    Next(usize),
    /// Wait until then, then go on at the next.
    Wait(Timestamp),
    /// Wait for the contact's reply until then, at this instruction.
    AwaitReply(Timestamp),
    /// The run is complete.
    End,
}

/// Takes run `id` in `tx` for its next step: the run, or what to answer
/// when it has none to take now.
async fn take(
    tx: &mut TenantTx,
    id: WorkflowRunId,
    now: Timestamp,
) -> anyhow::Result<Result<WorkflowRun, Advanced>> {
    let mut run = match tx.claim_workflow_run(id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Ok(Err(Advanced::Done)),
        Err(e) => return Err(e.into()),
    };
    match (run.status, run.wake_at) {
        (RunStatus::Running, _) => {}
        (RunStatus::Waiting, Some(at)) if at > now => return Ok(Err(Advanced::NotYet(at))),
        (RunStatus::Waiting, _) => run.status = RunStatus::Running,
        // Ended, cancelled or failed meanwhile.
        _ => return Ok(Err(Advanced::Done)),
    }
    Ok(Ok(run))
}

/// Runs run `id` of `tenant` from where it is until it ends, fails or
/// waits. An error is internal: the job tries again later.
pub async fn advance(
    state: &AppState,
    tenant: TenantId,
    id: WorkflowRunId,
) -> anyhow::Result<Advanced> {
    let ctx = TenantCtx::system(tenant, Via::Automation);
    let mut version: Option<Arc<Version>> = None;
    // Every instruction moves the counter forward or ends the run, so this
    // ends within the program's length.
    loop {
        let now = state.now();
        let mut tx = state.store.tenant(tenant).await?;
        let mut run = match take(&mut tx, id, now).await? {
            Ok(run) => run,
            Err(answer) => return Ok(answer),
        };
        let program = match &version {
            Some(v) => &v.program,
            None => {
                let read = state
                    .workflow_versions
                    .get(&mut tx, run.workflow_id, run.version)
                    .await?;
                &version.insert(read).program
            }
        };
        let pc = usize::try_from(run.pc).unwrap_or(usize::MAX);
        let Some(op) = program.get(pc) else {
            end(&mut tx, &mut run, now).await?;
            tx.commit().await?;
            return Ok(Advanced::Done);
        };
        // An HTTP call is made with no transaction open, then the run is
        // taken again (and left alone if someone moved it meanwhile).
        let mut answer = None;
        if let Op::Act {
            step: Step::CallHttp {
                url, method, body, ..
            },
            ..
        } = op
        {
            let request =
                call::prepare(state, &mut tx, &run, pc, url, *method, body.as_ref()).await;
            drop(tx);
            answer = Some(match request {
                Ok(r) => call::send(state, &r, now).await,
                Err(e) => Err(e),
            });
            tx = state.store.tenant(tenant).await?;
            run = match take(&mut tx, id, now).await? {
                Ok(again) if again.pc == run.pc => again,
                Ok(_) => continue,
                Err(answer) => return Ok(answer),
            };
        }
        match step(&mut tx, &ctx, &run, op, pc, now, answer).await {
            Ok(Stepped::Next(next)) => {
                run.pc = i64::try_from(next)?;
                run.wake_at = None;
                run.awaiting_reply = false;
                run.updated_at = now;
                // The last step's commit ends the run too.
                let last = program.get(next).is_none();
                if last {
                    end(&mut tx, &mut run, now).await?;
                } else {
                    tx.update_workflow_run(&run).await?;
                }
                tx.commit().await?;
                state.wake_workers();
                if last {
                    return Ok(Advanced::Done);
                }
            }
            Ok(Stepped::Wait(until)) => {
                run.pc += 1;
                wait(&mut tx, &mut run, until, now).await?;
                tx.commit().await?;
                return Ok(Advanced::Done);
            }
            Ok(Stepped::AwaitReply(until)) => {
                run.awaiting_reply = true;
                wait(&mut tx, &mut run, until, now).await?;
                tx.commit().await?;
                return Ok(Advanced::Done);
            }
            Ok(Stepped::End) => {
                end(&mut tx, &mut run, now).await?;
                tx.commit().await?;
                state.wake_workers();
                return Ok(Advanced::Done);
            }
            Err(e) => {
                let Some((code, reason)) = e.refusal() else {
                    return Err(anyhow::anyhow!("{e:#}"));
                };
                // Nothing of the refused step stays.
                drop(tx);
                fail(state, tenant, id, pc, op, &code, &reason).await?;
                return Ok(Advanced::Done);
            }
        }
    }
}

/// Suspends `run` in `tx` until `until`, with the job that wakes it then.
pub(super) async fn wait(
    tx: &mut TenantTx,
    run: &mut WorkflowRun,
    until: Timestamp,
    now: Timestamp,
) -> anyhow::Result<()> {
    run.status = RunStatus::Waiting;
    run.wake_at = Some(until);
    run.updated_at = now;
    tx.update_workflow_run(run).await?;
    jobs::enqueue_run(tx, run.id, until).await?;
    Ok(())
}

/// The contact of waiting `run` wrote `message` (in `conversation`): the
/// run goes on with its `replied` steps, which read that message. Logged
/// as the wait's step; in `tx`, which took the run.
pub async fn replied(
    tx: &mut TenantTx,
    versions: &Versions,
    run: &mut WorkflowRun,
    message: MessageId,
    conversation: Option<ConversationId>,
    now: Timestamp,
) -> anyhow::Result<()> {
    let waited = run.updated_at;
    let version = versions.get(tx, run.workflow_id, run.version).await?;
    let path = match usize::try_from(run.pc)
        .ok()
        .and_then(|pc| version.program.get(pc))
    {
        Some(Op::WaitForReply { path, .. }) => path.clone(),
        // The run is not at a wait for a reply: leave it.
        _ => return Ok(()),
    };
    run.pc += 1;
    run.status = RunStatus::Running;
    run.awaiting_reply = false;
    run.wake_at = None;
    run.message_id = Some(message);
    run.conversation_id = conversation.or(run.conversation_id);
    run.updated_at = now;
    tx.update_workflow_run(run).await?;
    let n = tx.next_run_step_n(run.id).await?;
    tx.insert_run_step(&RunStep {
        run_id: run.id,
        n,
        path,
        kind: "wait_for_reply".into(),
        status: "done".into(),
        input: json!({}),
        output: json!({ "replied": true, "message_id": message }),
        error: None,
        started_at: waited,
        duration_ms: now.as_millis() - waited.as_millis(),
    })
    .await?;
    jobs::enqueue_run(tx, run.id, now).await?;
    Ok(())
}

/// Does instruction `op` (number `pc`) of `run` in `tx` and logs it.
pub(super) async fn step(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    run: &WorkflowRun,
    op: &Op,
    pc: usize,
    now: Timestamp,
    answer: Option<AppResult<call::Answer>>,
) -> AppResult<Stepped> {
    let started = std::time::Instant::now();
    let (path, kind, input, output, next) = match op {
        Op::Jump { to } => return Ok(Stepped::Next(*to)),
        Op::Stop { path } => (path, "stop", json!({}), json!({}), Stepped::End),
        Op::WaitUntil { path, at } => {
            let zone = crate::tenancy::zone::tenant_zone(tx).await?;
            let tz = jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC);
            let until = at.next_after(&tz, now).unwrap_or(now);
            let output = json!({ "until": until, "time_zone": zone });
            (path, "wait_until", json!({}), output, Stepped::Wait(until))
        }
        // First reached: wait. Woken with the run still awaiting: the
        // time ran out (a reply resumes the run through [`replied`]).
        Op::WaitForReply { seconds, .. } if !run.awaiting_reply => {
            return Ok(Stepped::AwaitReply(now.plus_seconds(*seconds)));
        }
        Op::WaitForReply {
            path,
            seconds,
            timeout,
        } => (
            path,
            "wait_for_reply",
            json!({ "seconds": seconds }),
            json!({ "replied": false }),
            Stepped::Next(*timeout),
        ),
        Op::Wait { path, seconds } => {
            let until = Timestamp::from_millis(now.as_millis().saturating_add(seconds * 1000));
            let output = json!({ "until": until });
            (
                path,
                "wait",
                json!({ "seconds": seconds }),
                output,
                Stepped::Wait(until),
            )
        }
        Op::Branch {
            path,
            conditions,
            otherwise,
        } => {
            let mut facts =
                Facts::load(tx, run.contact_id, run.conversation_id, run.message_id).await?;
            facts.load_hours(tx, conditions, now).await?;
            let taken = all_hold(conditions, &facts);
            let next = if taken { pc + 1 } else { *otherwise };
            let output = json!({ "taken": if taken { "then" } else { "else" } });
            (
                path,
                "branch",
                json!({ "if": conditions }),
                output,
                Stepped::Next(next),
            )
        }
        Op::Act { path, step } => {
            let before = tx.pending_event_ids().len();
            let output = match (step, answer) {
                (Step::CallHttp { save, .. }, Some(answer)) => {
                    called(tx, ctx, run, save, answer?, now).await?
                }
                _ => act(tx, ctx, run, step, now).await?,
            };
            let caused: Vec<_> = tx.pending_event_ids().split_off(before);
            let cause = EventCause {
                run_id: run.id,
                workflow_id: run.workflow_id,
                depth: run.depth,
            };
            tx.insert_event_causes(&caused, cause, now).await?;
            let input = serde_json::to_value(step).unwrap_or(Value::Null);
            (path, step.kind(), input, output, Stepped::Next(pc + 1))
        }
    };
    let n = tx.next_run_step_n(run.id).await?;
    tx.insert_run_step(&RunStep {
        run_id: run.id,
        n,
        path: path.clone(),
        kind: kind.to_owned(),
        status: "done".into(),
        input,
        output,
        error: None,
        started_at: now,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    })
    .await?;
    Ok(next)
}

/// The run's reference in its events.
pub fn run_ref(run: &WorkflowRun) -> WorkflowRunRef {
    WorkflowRunRef {
        run_id: run.id,
        workflow_id: run.workflow_id,
        version: run.version,
        trigger_event_id: run.trigger_event_id,
        trigger_event: run.trigger_event.clone(),
        contact_id: run.contact_id,
        conversation_id: run.conversation_id,
    }
}

/// Completes `run` in `tx`, with its event.
pub(super) async fn end(
    tx: &mut TenantTx,
    run: &mut WorkflowRun,
    now: Timestamp,
) -> anyhow::Result<()> {
    run.end(RunStatus::Completed, None, now);
    tx.update_workflow_run(run).await?;
    record(tx, Event::WorkflowRunCompleted(run_ref(run)), now);
    Ok(())
}

/// Fails run `id` at instruction `pc` (`op`) with `code` and `reason`, in
/// a transaction of its own, if it is still there.
async fn fail(
    state: &AppState,
    tenant: TenantId,
    id: WorkflowRunId,
    pc: usize,
    op: &Op,
    code: &str,
    reason: &str,
) -> anyhow::Result<()> {
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let mut run = tx.claim_workflow_run(id).await?;
    if !run.status.is_active() || run.pc != i64::try_from(pc)? {
        // Someone else moved it meanwhile.
        return Ok(());
    }
    let (path, kind, input) = match op {
        Op::Act { path, step } => (
            path.clone(),
            step.kind(),
            serde_json::to_value(step).unwrap_or(Value::Null),
        ),
        _ => (String::new(), "step", Value::Null),
    };
    let n = tx.next_run_step_n(run.id).await?;
    tx.insert_run_step(&RunStep {
        run_id: run.id,
        n,
        path: path.clone(),
        kind: kind.to_owned(),
        status: "failed".into(),
        input,
        output: json!({}),
        error: Some(format!("{code}: {reason}")),
        started_at: now,
        duration_ms: 0,
    })
    .await?;
    run.end(RunStatus::Failed, Some(format!("{code}: {reason}")), now);
    tx.update_workflow_run(&run).await?;
    let event = WorkflowRunFailed {
        run: run_ref(&run),
        step: path,
        code: code.to_owned(),
        reason: reason.to_owned(),
    };
    record(&mut tx, Event::WorkflowRunFailed(event), now);
    tx.commit().await?;
    Ok(())
}

/// The job gave up on run `id` (internal errors, every attempt): it fails
/// with `internal_error` rather than stay running for ever.
pub async fn give_up(tx: &mut TenantTx, id: WorkflowRunId, now: Timestamp) -> anyhow::Result<()> {
    let mut run = match tx.claim_workflow_run(id).await {
        Ok(r) if r.status.is_active() => r,
        Ok(_) | Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let reason = "an internal error kept the step from running; see the server's log";
    run.end(
        RunStatus::Failed,
        Some(format!("internal_error: {reason}")),
        now,
    );
    tx.update_workflow_run(&run).await?;
    let event = WorkflowRunFailed {
        run: run_ref(&run),
        step: String::new(),
        code: "internal_error".into(),
        reason: reason.into(),
    };
    record(tx, Event::WorkflowRunFailed(event), now);
    Ok(())
}
