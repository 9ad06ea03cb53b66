//! Starting a run, in the transaction of the consumer that saw its
//! trigger ([`super::trigger`]): the guards, the plan's monthly budget,
//! the run's row, and its first steps.
//!
//! Guards, each recorded as a `skipped` run with the reason: a workflow
//! does not start itself (the event came from one of its own runs' steps);
//! runs started by runs go at most [`MAX_DEPTH`] deep (A starts B starts
//! A…); and a workflow starts at most [`MAX_RUNS_PER_CONTACT_HOUR`] runs
//! for one contact in an hour.
//!
//! A run's first instructions (up to [`FIRST_STEPS`]) run in the same
//! transaction, so a reply to a customer's keyword is queued in the
//! commit that saw the keyword, with no job between. Each runs in a
//! savepoint: one a rule refuses, or that fails, is undone, and the run's
//! job takes it on from there, as it does the rest (through
//! [`super::run::advance`], which fails the run at a refused step or
//! tries again). An HTTP call is never made with the transaction open:
//! the job makes it.

use super::definition::{Op, Program, Step};
use super::jobs;
use super::run::{Stepped, end, step, wait};
use super::trigger::Subject;
use super::versions::Version;
use crate::auth::{TenantCtx, Via};
use crate::tenancy::limits::month_start;
use domain::{Timestamp, WorkflowRunId};
use store::TenantTx;
use store::events::StoredEvent;
use store::workflows::{EventCause, RunStatus, Workflow, WorkflowRun};

/// Runs started by runs' steps nest at most this deep.
pub const MAX_DEPTH: i64 = 5;
/// Runs one workflow starts for one contact in an hour, at most.
pub const MAX_RUNS_PER_CONTACT_HOUR: i64 = 20;
/// Instructions a run takes in the transaction that starts it, at most.
const FIRST_STEPS: usize = 8;

/// Why a guard stops a run of `workflow` before its first step, if one does.
async fn guard(
    tx: &mut TenantTx,
    workflow: &Workflow,
    subject: &Subject,
    cause: Option<EventCause>,
    depth: i64,
    now: Timestamp,
) -> anyhow::Result<Option<String>> {
    if cause.is_some_and(|c| c.workflow_id == workflow.id) {
        return Ok(Some(
            "loop guard: the event came from a step of this workflow's own run, \
             and a workflow does not start itself"
                .into(),
        ));
    }
    if depth > MAX_DEPTH {
        return Ok(Some(format!(
            "loop guard: runs started by other runs' steps go at most {MAX_DEPTH} deep"
        )));
    }
    if let Some(contact) = subject.contact {
        let hour_ago = Timestamp::from_millis(now.as_millis() - 3_600_000);
        let recent = tx
            .count_recent_workflow_runs(workflow.id, contact, hour_ago)
            .await?;
        if recent >= MAX_RUNS_PER_CONTACT_HOUR {
            return Ok(Some(format!(
                "rate guard: this workflow started {MAX_RUNS_PER_CONTACT_HOUR} runs for this \
                 contact in the last hour"
            )));
        }
    }
    Ok(None)
}

/// Runs the plan still allows this month (`None`: no limit), read when
/// the batch first starts one.
#[derive(Debug, Default)]
pub(super) struct Budget(Option<Option<i64>>);

impl Budget {
    /// Takes one run from the budget; whether there was one.
    async fn take(&mut self, tx: &mut TenantTx, now: Timestamp) -> anyhow::Result<bool> {
        let left = match &mut self.0 {
            Some(left) => left,
            None => {
                let allowed = tx.find_plan().await?.limits.workflow_runs_per_month;
                let left = match allowed {
                    Some(max) => {
                        Some(max - tx.count_started_workflow_runs(month_start(now)).await?)
                    }
                    None => None,
                };
                self.0.insert(left)
            }
        };
        match left {
            Some(n) if *n <= 0 => Ok(false),
            Some(n) => {
                *n -= 1;
                Ok(true)
            }
            None => Ok(true),
        }
    }
}

/// A run of `workflow` to start for `event`.
pub(super) struct Start<'a> {
    pub workflow: &'a Workflow,
    pub version: &'a Version,
    pub event: &'a StoredEvent,
    pub subject: &'a Subject,
    pub cause: Option<EventCause>,
}

impl Start<'_> {
    /// Starts the run and takes its first steps (or records why a guard
    /// or the plan skipped it), unless the workflow has one for that event
    /// already.
    pub(super) async fn run(
        self,
        tx: &mut TenantTx,
        budget: &mut Budget,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        let Start {
            workflow,
            version,
            event,
            subject,
            cause,
        } = self;
        let depth = cause.map_or(0, |c| c.depth + 1);
        let mut skipped = guard(tx, workflow, subject, cause, depth, now).await?;
        if skipped.is_none() && !budget.take(tx, now).await? {
            skipped = Some(
                "plan limit: the workspace's plan allows no more workflow runs this month".into(),
            );
        }
        let mut run = WorkflowRun {
            id: WorkflowRunId::new(),
            workflow_id: workflow.id,
            version: workflow.version,
            workflow_name: workflow.name.clone(),
            status: if skipped.is_some() {
                RunStatus::Skipped
            } else {
                RunStatus::Running
            },
            pc: 0,
            trigger_event_id: event.id,
            trigger_event: event.name.clone(),
            contact_id: subject.contact,
            conversation_id: subject.conversation,
            message_id: subject.message,
            depth,
            wake_at: None,
            awaiting_reply: false,
            finished_at: skipped.is_some().then_some(now),
            error: skipped.clone(),
            started_at: now,
            updated_at: now,
        };
        if !tx.insert_workflow_run(&run).await? {
            return Ok(());
        }
        match skipped {
            Some(reason) => {
                tracing::info!(tenant_id = %tx.tenant_id(), workflow_id = %workflow.id,
                    event = %event.name, %reason, "workflow run skipped");
            }
            None => first_steps(tx, &mut run, &version.program, now).await?,
        }
        Ok(())
    }
}

/// Takes `run`, just started in `tx`, through its first instructions (see
/// the module's documentation); what is left is its job's.
async fn first_steps(
    tx: &mut TenantTx,
    run: &mut WorkflowRun,
    program: &Program,
    now: Timestamp,
) -> anyhow::Result<()> {
    let ctx = TenantCtx::system(tx.tenant_id(), Via::Automation);
    for _ in 0..FIRST_STEPS {
        let pc = usize::try_from(run.pc).unwrap_or(usize::MAX);
        let Some(op) = program.get(pc) else {
            return end(tx, run, now).await;
        };
        if matches!(
            op,
            Op::Act {
                step: Step::CallHttp { .. },
                ..
            }
        ) {
            break;
        }
        let point = tx.savepoint().await?;
        match step(tx, &ctx, run, op, pc, now, None).await {
            Ok(Stepped::Next(next)) => {
                tx.keep(point).await?;
                run.pc = i64::try_from(next)?;
            }
            Ok(Stepped::Wait(until)) => {
                tx.keep(point).await?;
                run.pc += 1;
                return wait(tx, run, until, now).await;
            }
            Ok(Stepped::AwaitReply(until)) => {
                tx.keep(point).await?;
                run.awaiting_reply = true;
                return wait(tx, run, until, now).await;
            }
            Ok(Stepped::End) => {
                tx.keep(point).await?;
                return end(tx, run, now).await;
            }
            Err(e) => {
                tracing::debug!(run_id = %run.id, error = %e,
                    "a run's first step is left to its job");
                tx.undo(point).await?;
                break;
            }
        }
    }
    tx.update_workflow_run(run).await?;
    jobs::enqueue_run(tx, run.id, now).await?;
    Ok(())
}
