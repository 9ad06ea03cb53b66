//! Outgoing email and password resets by email (migration 0041).
//!
//! An email is written by the transaction that has something to say (a
//! tenant's, or the system's for operators), then sent by a job. Its body
//! arrives here sealed: it may carry a link with a secret in it.

use crate::db::{SystemTx, TenantTx, Tx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{EmailId, OperatorId, PasswordResetId, TenantId, Timestamp, UserId};
use uuid::Uuid;

/// An email as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub id: EmailId,
    pub tenant_id: Option<TenantId>,
    pub to_address: String,
    pub kind: String,
    pub subject: String,
    /// Sealed.
    pub body: String,
    /// `queued`, `sent`, `failed` or `kept`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct EmailRow {
    id: Uuid,
    tenant_id: Option<Uuid>,
    to_address: String,
    kind: String,
    subject: String,
    body: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

impl From<EmailRow> for Email {
    fn from(r: EmailRow) -> Self {
        Email {
            id: EmailId::from_uuid(r.id),
            tenant_id: r.tenant_id.map(TenantId::from_uuid),
            to_address: r.to_address,
            kind: r.kind,
            subject: r.subject,
            body: r.body,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: Timestamp::from_millis(r.created_at),
            sent_at: r.sent_at.map(Timestamp::from_millis),
        }
    }
}

const EMAIL_COLUMNS: &str = "SELECT id, tenant_id, to_address, kind, subject, body, status, \
     attempts, last_error, created_at, sent_at FROM emails";

/// An email to write.
#[derive(Debug, Clone)]
pub struct NewEmail<'a> {
    pub id: EmailId,
    pub to_address: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    /// Sealed.
    pub body: &'a str,
    /// `queued` (to be sent) or `kept` (no SMTP: for the operator to read).
    pub status: &'a str,
    pub now: Timestamp,
}

async fn insert_email(tx: &mut Tx, tenant: Option<TenantId>, e: &NewEmail<'_>) -> StoreResult<()> {
    exec!(tx, |c| sqlx::query(
        "INSERT INTO emails (id, tenant_id, to_address, kind, subject, body, status, attempts, \
                             created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8)"
    )
    .bind(e.id.as_uuid())
    .bind(tenant.map(|t| t.as_uuid()))
    .bind(e.to_address)
    .bind(e.kind)
    .bind(e.subject)
    .bind(e.body)
    .bind(e.status)
    .bind(e.now.as_millis())
    .execute(c)
    .await)?;
    Ok(())
}

impl TenantTx {
    /// Writes an email about this tenant.
    pub async fn insert_email(&mut self, e: &NewEmail<'_>) -> StoreResult<()> {
        insert_email(&mut self.tx, Some(self.tenant), e).await
    }
}

impl SystemTx {
    /// Writes an email, about `tenant` or (`None`) the platform.
    pub async fn insert_email(
        &mut self,
        tenant: Option<TenantId>,
        e: &NewEmail<'_>,
    ) -> StoreResult<()> {
        insert_email(&mut self.tx, tenant, e).await
    }

    pub async fn find_email(&mut self, id: EmailId) -> StoreResult<Email> {
        let sql = format!("{EMAIL_COLUMNS} WHERE id = $1");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, EmailRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    /// Every email, newest first.
    pub async fn list_emails(&mut self, page: PageRequest) -> StoreResult<Page<Email>> {
        let sql =
            format!("{EMAIL_COLUMNS} WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2");
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, EmailRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let emails = rows.into_iter().map(Email::from).collect();
        Ok(page.finish(emails, |e: &Email| e.id.as_uuid()))
    }

    /// Records one try: `Ok` marks it sent; an error is kept with the
    /// status it leaves (`queued` to try again, `failed` to give up).
    pub async fn record_email_attempt(
        &mut self,
        id: EmailId,
        result: Result<(), (&str, &str)>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (status, error, sent_at) = match result {
            Ok(()) => ("sent", None, Some(now.as_millis())),
            Err((status, error)) => (status, Some(error), None),
        };
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE emails SET status = $2, attempts = attempts + 1, last_error = $3, \
                               sent_at = COALESCE($4, sent_at), updated_at = $5 \
             WHERE id = $1"
        )
        .bind(id.as_uuid())
        .bind(status)
        .bind(error)
        .bind(sent_at)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}

/// A password reset, found by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    pub id: PasswordResetId,
    /// The tenant and user; `None` for an operator's.
    pub tenant_id: Option<TenantId>,
    pub user_id: Option<UserId>,
    pub operator_id: Option<OperatorId>,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

impl TenantTx {
    pub async fn insert_password_reset(
        &mut self,
        user: UserId,
        token_hash: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<PasswordResetId> {
        let id = PasswordResetId::new();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO password_resets (tenant_id, id, user_id, token_hash, expires_at, \
                                          created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(user.as_uuid())
        .bind(token_hash)
        .bind(expires_at.as_millis())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(id)
    }

    /// Whether `user` asked for a reset at or after `since`.
    pub async fn password_reset_since(
        &mut self,
        user: UserId,
        since: Timestamp,
    ) -> StoreResult<bool> {
        let n = run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM password_resets \
             WHERE tenant_id = $1 AND user_id = $2 AND created_at >= $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)?;
        Ok(n > 0)
    }

    /// Marks a reset used; `false` if it was used already (a second use
    /// racing the first).
    pub async fn use_password_reset(
        &mut self,
        id: PasswordResetId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE password_resets SET used_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND used_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(n == 1)
    }
}

impl SystemTx {
    /// A user's or an operator's reset with this token hash.
    pub async fn find_password_reset(&mut self, token_hash: &str) -> StoreResult<PasswordReset> {
        let user = run!(&mut self.tx, |c| sqlx::query_as::<
            _,
            (Uuid, Uuid, Uuid, i64, Option<i64>),
        >(
            "SELECT id, tenant_id, user_id, expires_at, used_at FROM password_resets \
             WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await)?;
        if let Some((id, tenant, user, expires, used)) = user {
            return Ok(PasswordReset {
                id: PasswordResetId::from_uuid(id),
                tenant_id: Some(TenantId::from_uuid(tenant)),
                user_id: Some(UserId::from_uuid(user)),
                operator_id: None,
                expires_at: Timestamp::from_millis(expires),
                used_at: used.map(Timestamp::from_millis),
            });
        }
        let (id, operator, expires, used) = run!(&mut self.tx, |c| sqlx::query_as::<
            _,
            (Uuid, Uuid, i64, Option<i64>),
        >(
            "SELECT id, operator_id, expires_at, used_at FROM operator_password_resets \
             WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await)?
        .or_not_found()?;
        Ok(PasswordReset {
            id: PasswordResetId::from_uuid(id),
            tenant_id: None,
            user_id: None,
            operator_id: Some(OperatorId::from_uuid(operator)),
            expires_at: Timestamp::from_millis(expires),
            used_at: used.map(Timestamp::from_millis),
        })
    }

    pub async fn insert_operator_password_reset(
        &mut self,
        operator: OperatorId,
        token_hash: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<PasswordResetId> {
        let id = PasswordResetId::new();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO operator_password_resets (id, operator_id, token_hash, expires_at, \
                                                   created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id.as_uuid())
        .bind(operator.as_uuid())
        .bind(token_hash)
        .bind(expires_at.as_millis())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(id)
    }

    /// [`TenantTx::password_reset_since`] for an operator.
    pub async fn operator_password_reset_since(
        &mut self,
        operator: OperatorId,
        since: Timestamp,
    ) -> StoreResult<bool> {
        let n = run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM operator_password_resets \
             WHERE operator_id = $1 AND created_at >= $2"
        )
        .bind(operator.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)?;
        Ok(n > 0)
    }

    /// [`TenantTx::use_password_reset`] for an operator's reset.
    pub async fn use_operator_password_reset(
        &mut self,
        id: PasswordResetId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE operator_password_resets SET used_at = $2 WHERE id = $1 AND used_at IS NULL"
        )
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(n == 1)
    }
}
