//! What the task rules check: titles, descriptions, assignees and links;
//! and who created a task.

use super::{MAX_DESCRIPTION, MAX_TITLE, TaskLink};
use crate::auth::{Actor, TenantCtx};
use crate::error::{AppError, AppResult};
use domain::{ApiKeyId, Timestamp, UserId};
use store::{StoreError, TenantTx};

pub(super) fn title(raw: &str) -> AppResult<String> {
    let t = raw.trim();
    if t.is_empty() || raw.chars().count() > MAX_TITLE {
        return Err(AppError::validation(
            "title",
            format!("1 to {MAX_TITLE} characters"),
        ));
    }
    Ok(t.to_owned())
}

/// Empty is none.
pub(super) fn description(raw: Option<&str>) -> AppResult<Option<String>> {
    if raw.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(AppError::validation(
            "description",
            format!("at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(raw
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned))
}

/// `NotFound` as a 422 on `field`.
fn no_such(field: &'static str, what: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::validation(field, format!("no such {what}")),
        other => other.into(),
    }
}

/// The assignee must be an active user of the tenant.
pub(super) async fn check_assignee(tx: &mut TenantTx, user: Option<UserId>) -> AppResult<()> {
    if let Some(u) = user {
        let found = tx
            .find_user(u)
            .await
            .map_err(no_such("assignee_user_id", "user"))?;
        if found.disabled_at.is_some() {
            return Err(AppError::validation(
                "assignee_user_id",
                "this user is disabled",
            ));
        }
    }
    Ok(())
}

/// A contact or conversation linked to must exist (a deal is not checked).
pub(super) async fn check_link(tx: &mut TenantTx, link: TaskLink) -> AppResult<()> {
    match link {
        TaskLink::Contact(c) => drop(
            tx.find_contact(c)
                .await
                .map_err(no_such("contact_id", "contact"))?,
        ),
        TaskLink::Conversation(c) => drop(
            tx.find_conversation(c)
                .await
                .map_err(no_such("conversation_id", "conversation"))?,
        ),
        TaskLink::Deal(_) | TaskLink::None => {}
    }
    Ok(())
}

pub(super) fn creator(ctx: &TenantCtx) -> (Option<UserId>, Option<ApiKeyId>) {
    match &ctx.actor {
        Actor::User { user_id, .. } => (Some(*user_id), None),
        Actor::ApiKey { key_id, .. } => (None, Some(*key_id)),
        Actor::Operator { .. } | Actor::System { .. } => (None, None),
    }
}

/// A due time already past needs no reminder: it is overdue from the
/// start, and the overdue list shows it.
pub(super) fn reminded_at(due: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
    due.filter(|d| *d <= now).map(|_| now)
}
