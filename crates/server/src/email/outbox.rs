//! Writing an email in the transaction that has something to say.

use super::jobs::{EmailJob, SendEmail};
use super::messages::Mail;
use crate::error::AppResult;
use crate::state::AppState;
use domain::{EmailId, TenantId, Timestamp};
use store::emails::NewEmail;
use store::{SystemTx, TenantTx};

/// The email row for `mail`: sealed, and `queued` when SMTP is configured,
/// else `kept` for the operator.
fn row<'a>(state: &AppState, mail: &'a Mail, sealed: &'a str, now: Timestamp) -> NewEmail<'a> {
    NewEmail {
        id: EmailId::new(),
        to_address: &mail.to,
        kind: mail.kind,
        subject: &mail.subject,
        body: sealed,
        status: if state.mailer.sends() {
            "queued"
        } else {
            "kept"
        },
        now,
    }
}

/// Writes `mail` about this transaction's tenant; it goes once the
/// transaction commits.
pub async fn queue(
    state: &AppState,
    tx: &mut TenantTx,
    mail: &Mail,
    now: Timestamp,
) -> AppResult<EmailId> {
    let sealed = state.secrets.seal_str(&mail.body);
    let email = row(state, mail, &sealed, now);
    tx.insert_email(&email).await?;
    if state.mailer.sends() {
        let job = EmailJob { email_id: email.id };
        crate::jobs::enqueue::<SendEmail>(tx, &job, now).await?;
    }
    Ok(email.id)
}

/// [`queue`] from the system scope, about `tenant` or (`None`) the
/// platform (an operator's email).
pub async fn queue_system(
    state: &AppState,
    sys: &mut SystemTx,
    tenant: Option<TenantId>,
    mail: &Mail,
    now: Timestamp,
) -> AppResult<EmailId> {
    let sealed = state.secrets.seal_str(&mail.body);
    let email = row(state, mail, &sealed, now);
    sys.insert_email(tenant, &email).await?;
    if state.mailer.sends() {
        let job = EmailJob { email_id: email.id };
        crate::jobs::enqueue_system::<SendEmail>(sys, tenant, &job, now).await?;
    }
    Ok(email.id)
}

/// An email as the operator reads it, its body opened.
#[derive(Debug, Clone)]
pub struct ReadEmail {
    pub email: store::emails::Email,
    pub body: String,
}

/// Every email, newest first (the operator's outbox).
pub async fn list(
    state: &AppState,
    _ctx: &crate::auth::OperatorCtx,
    page: store::page::PageRequest,
) -> AppResult<store::Page<store::emails::Email>> {
    let mut sys = state.store.system_read().await?;
    let emails = sys.list_emails(page).await?;
    sys.commit().await?;
    Ok(emails)
}

/// One email with its body, for the operator (who can read every email:
/// without SMTP this is how invitations and resets reach people).
pub async fn read(
    state: &AppState,
    _ctx: &crate::auth::OperatorCtx,
    id: EmailId,
) -> AppResult<ReadEmail> {
    let mut sys = state.store.system_read().await?;
    let email = sys.find_email(id).await?;
    sys.commit().await?;
    let body = state
        .secrets
        .open_str(&email.body)
        .map_err(crate::error::AppError::internal)?;
    Ok(ReadEmail { email, body })
}
