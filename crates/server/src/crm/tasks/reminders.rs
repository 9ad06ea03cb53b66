//! Reminders: when an open task comes due, its assignee gets a `task_due`
//! notification and the tenant a `task.due` event, exactly once per due
//! time. [`poll`], a poller of the job runtime (registered in
//! [`crate::crm::jobs`]), claims due tasks by setting their `reminded_at`
//! in the transaction that writes the notification and the event, so a
//! restart never repeats one and two nodes never both send one (see
//! `TenantTx::claim_due_tasks`). Changing a task's due time clears
//! `reminded_at`, arming it again. Email reminders wait for email.

use super::rules::audit;
use super::{task_link, task_ref};
use crate::auth::{Actor, TenantCtx, Via};
use crate::crm::notifications::{Subject, notify};
use crate::events::record;
use crate::state::AppState;
use domain::events::Event;
use domain::{TenantId, Timestamp};
use futures::future::BoxFuture;
use serde_json::json;
use store::crm::notifications::NotificationKind;

/// Tenants per round of the poller.
const TENANTS_PER_ROUND: i64 = 100;
/// Tasks per transaction.
const BATCH: i64 = 200;

/// One round: every tenant with tasks come due gets one batch of them
/// reminded.
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(async move {
        let now = state.now();
        let tenants = {
            let mut sys = state.store.system_read().await?;
            let t = sys.tenants_with_due_tasks(now, TENANTS_PER_ROUND).await?;
            sys.commit().await?;
            t
        };
        let mut total = 0;
        for tenant in tenants {
            match remind(state, tenant, now).await {
                Ok(n) => total += n,
                Err(e) => {
                    tracing::error!(tenant_id = %tenant, error = %format!("{e:#}"), "task reminders failed");
                }
            }
        }
        Ok(total)
    })
}

/// Claims and reminds up to a batch of `tenant`'s tasks due by `now`; how
/// many.
pub async fn remind(state: &AppState, tenant: TenantId, now: Timestamp) -> anyhow::Result<usize> {
    let ctx = TenantCtx {
        tenant_id: tenant,
        actor: Actor::System { via: Via::Worker },
        ip: None,
    };
    let mut tx = state.store.tenant(tenant).await?;
    let due = tx.claim_due_tasks(now, BATCH).await?;
    for t in &due {
        if let Some(user) = t.assignee_user_id {
            let title = format!("Task due: {}", t.title);
            let (kind, link) = (NotificationKind::TaskDue, task_link(t.id));
            notify(&mut tx, user, kind, title, link, Subject::Task(t.id), now).await?;
            let notice = crate::email::notices::Notice::TaskDue {
                task_id: t.id,
                user_id: user,
                title: t.title.clone(),
                due_at: t.due_at.unwrap_or(now),
            };
            crate::email::notices::notify(&mut tx, &notice, now).await?;
        }
        record(&mut tx, Event::TaskDue(task_ref(t)), now);
        audit(&mut tx, &ctx, t, "due", json!({}), now).await?;
    }
    tx.commit().await?;
    Ok(due.len())
}
