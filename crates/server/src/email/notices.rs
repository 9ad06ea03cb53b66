//! Emails that tell people something happened in their workspace: usage
//! near the plan's limit, a webhook endpoint switched off, a task due.
//!
//! The rule that notices the happening enqueues a [`Notice`] job in its own
//! transaction (it has no mailer at hand, and need not wait for one); the
//! job finds who to tell and writes their emails in one transaction, so
//! each notice is emailed once.

use super::messages::{self, Mail};
use crate::jobs::{JobKind, Outcome, Queue, Registry};
use crate::state::AppState;
use domain::{Role, TaskId, TenantId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use store::TenantTx;
use store::page::PageRequest;

pub fn register(registry: &mut Registry) {
    registry.register::<SendNotice>();
}

/// What to tell, and to whom it goes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// To the owners and admins.
    UsageWarning {
        /// `messages` (the words for the limit).
        what: String,
        used: i64,
        allowed: i64,
        reached: bool,
    },
    /// To the owners and admins.
    WebhookDisabled { url: String, reason: String },
    /// To the task's assignee.
    TaskDue {
        task_id: TaskId,
        user_id: UserId,
        title: String,
        due_at: Timestamp,
    },
}

/// Queues `notice` for this transaction's tenant: it is emailed once the
/// transaction commits.
pub async fn notify(tx: &mut TenantTx, notice: &Notice, now: Timestamp) -> store::StoreResult<()> {
    crate::jobs::enqueue::<SendNotice>(tx, notice, now).await
}

/// Turns a [`Notice`] into emails.
pub struct SendNotice;

impl JobKind for SendNotice {
    const KIND: &'static str = "email.notice";
    const QUEUE: Queue = Queue::Tenants;
    type Payload = Notice;

    fn dedupe_key(_: &Notice) -> Option<String> {
        None
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, notice: Notice) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a notice names no workspace".into(),
            };
        };
        match write(state, tenant, &notice).await {
            Ok(tx) => Outcome::CommitTenant(tx),
            Err(e) => Outcome::Retry {
                error: format!("{e:#}"),
                after_ms: None,
            },
        }
    }
}

/// Writes the notice's emails in a transaction the job commits.
async fn write(state: &AppState, tenant: TenantId, notice: &Notice) -> anyhow::Result<TenantTx> {
    let now = state.now();
    let public = &state.config.public_url;
    let mut tx = state.store.tenant(tenant).await?;
    let workspace = tx.find_tenant().await?.name;
    let mails: Vec<Mail> = match notice {
        Notice::UsageWarning {
            what,
            used,
            allowed,
            reached,
        } => managers(&mut tx)
            .await?
            .iter()
            .map(|to| {
                let url = format!("{public}/app/settings");
                messages::usage_warning(to, &workspace, what, *used, *allowed, *reached, &url)
            })
            .collect(),
        Notice::WebhookDisabled { url, reason } => managers(&mut tx)
            .await?
            .iter()
            .map(|to| {
                let page = format!("{public}/app/settings/webhooks");
                messages::webhook_disabled(to, &workspace, url, reason, &page)
            })
            .collect(),
        Notice::TaskDue {
            task_id,
            user_id,
            title,
            due_at,
        } => {
            let user = tx.find_user(*user_id).await?;
            let zone = crate::tenancy::zone::tenant_zone(&mut tx).await?;
            let due = crate::tenancy::zone::display_local(&zone, *due_at);
            let url = format!("{public}{}", crate::crm::tasks::task_link(*task_id));
            if user.disabled_at.is_some() {
                Vec::new()
            } else {
                vec![messages::task_reminder(
                    &user.email,
                    &workspace,
                    title,
                    &due,
                    &url,
                )]
            }
        }
    };
    for mail in &mails {
        super::outbox::queue(state, &mut tx, mail, now).await?;
    }
    Ok(tx)
}

/// The addresses of the workspace's enabled owners and admins.
async fn managers(tx: &mut TenantTx) -> anyhow::Result<Vec<String>> {
    let mut found = Vec::new();
    let mut page = PageRequest::new(None, PageRequest::MAX_LIMIT);
    loop {
        let users = tx.list_users(page).await?;
        found.extend(
            users
                .items
                .iter()
                .filter(|u| u.disabled_at.is_none() && matches!(u.role, Role::Owner | Role::Admin))
                .map(|u| u.email.clone()),
        );
        match users.next {
            Some(after) => page = PageRequest::new(Some(after), PageRequest::MAX_LIMIT),
            None => return Ok(found),
        }
    }
}
