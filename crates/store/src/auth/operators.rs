use crate::db::{SystemTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use domain::{OperatorId, SessionId, Timestamp};
use uuid::Uuid;

/// A platform operator.
#[derive(Debug, Clone)]
pub struct Operator {
    pub id: OperatorId,
    pub email: String,
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
struct OperatorRow {
    id: Uuid,
    email: String,
    password_hash: String,
}

impl From<OperatorRow> for Operator {
    fn from(r: OperatorRow) -> Self {
        Operator {
            id: OperatorId::from_uuid(r.id),
            email: r.email,
            password_hash: r.password_hash,
        }
    }
}

/// An operator's login, revocable.
#[derive(Debug, Clone)]
pub struct OperatorSession {
    pub id: SessionId,
    pub operator_id: OperatorId,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct OperatorSessionRow {
    id: Uuid,
    operator_id: Uuid,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl SystemTx {
    pub async fn count_operators(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM operators"
        )
        .fetch_one(c)
        .await)
    }

    pub async fn insert_operator(
        &mut self,
        email: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Operator> {
        let id = OperatorId::new();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO operators (id, email, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)"
        )
        .bind(id.as_uuid())
        .bind(email)
        .bind(password_hash)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(Operator {
            id,
            email: email.to_owned(),
            password_hash: password_hash.to_owned(),
        })
    }

    pub async fn find_operator_by_email(&mut self, email: &str) -> StoreResult<Operator> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, OperatorRow>(
            "SELECT id, email, password_hash FROM operators WHERE email = $1"
        )
        .bind(email)
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    pub async fn find_operator(&mut self, id: OperatorId) -> StoreResult<Operator> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, OperatorRow>(
            "SELECT id, email, password_hash FROM operators WHERE id = $1"
        )
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    pub async fn set_operator_password(
        &mut self,
        email: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE operators SET password_hash = $2, updated_at = $3 WHERE email = $1"
        )
        .bind(email)
        .bind(password_hash)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        if done == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn insert_operator_session(
        &mut self,
        operator: OperatorId,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<SessionId> {
        let id = SessionId::new();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO operator_sessions (id, operator_id, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id.as_uuid())
        .bind(operator.as_uuid())
        .bind(token_hash)
        .bind(now.as_millis())
        .bind(expires_at.as_millis())
        .execute(c)
        .await)?;
        Ok(id)
    }

    pub async fn find_operator_session(&mut self, id: SessionId) -> StoreResult<OperatorSession> {
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, OperatorSessionRow>(
            "SELECT id, operator_id, expires_at, revoked_at FROM operator_sessions WHERE id = $1"
        )
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await
        })?;
        let r = row.or_not_found()?;
        Ok(OperatorSession {
            id: SessionId::from_uuid(r.id),
            operator_id: OperatorId::from_uuid(r.operator_id),
            expires_at: Timestamp::from_millis(r.expires_at),
            revoked_at: r.revoked_at.map(Timestamp::from_millis),
        })
    }

    pub async fn revoke_operator_session(
        &mut self,
        id: SessionId,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE operator_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
        )
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Signs an operator out everywhere (a password reset).
    pub async fn revoke_operator_sessions(
        &mut self,
        operator: OperatorId,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE operator_sessions SET revoked_at = $2 \
             WHERE operator_id = $1 AND revoked_at IS NULL"
        )
        .bind(operator.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}
