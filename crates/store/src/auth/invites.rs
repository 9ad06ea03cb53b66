use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{InviteId, Role, TenantId, Timestamp, UserId};
use uuid::Uuid;

/// An invitation to join a tenant with a role. The token is shown once.
#[derive(Debug, Clone)]
pub struct Invite {
    pub tenant_id: TenantId,
    pub id: InviteId,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<UserId>,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct InviteRow {
    tenant_id: Uuid,
    id: Uuid,
    email: String,
    role: String,
    invited_by: Option<Uuid>,
    expires_at: i64,
    accepted_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<InviteRow> for Invite {
    type Error = StoreError;
    fn try_from(r: InviteRow) -> StoreResult<Self> {
        Ok(Invite {
            tenant_id: TenantId::from_uuid(r.tenant_id),
            id: InviteId::from_uuid(r.id),
            email: r.email,
            role: r.role.parse().map_err(StoreError::corrupt)?,
            invited_by: r.invited_by.map(UserId::from_uuid),
            expires_at: Timestamp::from_millis(r.expires_at),
            accepted_at: r.accepted_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewInvite<'a> {
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub invited_by: Option<UserId>,
    pub expires_at: Timestamp,
    pub now: Timestamp,
}

impl TenantTx {
    pub async fn insert_invite(&mut self, i: NewInvite<'_>) -> StoreResult<Invite> {
        let id = InviteId::new();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO invites (tenant_id, id, email, role, token_hash, invited_by, expires_at, \
                                  created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(i.email)
        .bind(i.role.as_str())
        .bind(i.token_hash)
        .bind(i.invited_by.map(|u| u.as_uuid()))
        .bind(i.expires_at.as_millis())
        .bind(i.now.as_millis())
        .execute(c)
        .await)?;
        self.find_invite(id).await
    }

    pub async fn find_invite(&mut self, id: InviteId) -> StoreResult<Invite> {
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, InviteRow>(
            "SELECT tenant_id, id, email, role, invited_by, expires_at, accepted_at, created_at \
             FROM invites WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await
        })?;
        row.or_not_found()?.try_into()
    }

    /// Invitations not yet accepted, newest first.
    pub async fn list_pending_invites(&mut self, page: PageRequest) -> StoreResult<Page<Invite>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, InviteRow>(
            "SELECT tenant_id, id, email, role, invited_by, expires_at, accepted_at, created_at \
             FROM invites WHERE tenant_id = $1 AND accepted_at IS NULL \
               AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await
        })?;
        let invites = rows
            .into_iter()
            .map(Invite::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(invites, |i| i.id.as_uuid()))
    }

    pub async fn delete_invite(&mut self, id: InviteId) -> StoreResult<()> {
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM invites WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Marks an invitation used. False if it was already used.
    pub async fn accept_invite(&mut self, id: InviteId, now: Timestamp) -> StoreResult<bool> {
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE invites SET accepted_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(done == 1)
    }
}

impl SystemTx {
    /// Finds an invitation by its token's hash, in whichever tenant it is.
    pub async fn find_invite_by_token_hash(&mut self, token_hash: &str) -> StoreResult<Invite> {
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, InviteRow>(
            "SELECT tenant_id, id, email, role, invited_by, expires_at, accepted_at, created_at \
             FROM invites WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await
        })?;
        row.or_not_found()?.try_into()
    }
}
