use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{Role, Timestamp, UserId};
use uuid::Uuid;

/// A member of a tenant's team.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    /// The TOTP seed, encrypted under the master key.
    pub totp_secret: Option<String>,
    /// Set once the user proved the seed works; from then on login needs a code.
    pub totp_enabled_at: Option<Timestamp>,
    pub disabled_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl User {
    pub fn mfa_enabled(&self) -> bool {
        self.totp_enabled_at.is_some()
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    totp_secret: Option<String>,
    totp_enabled_at: Option<i64>,
    disabled_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> StoreResult<Self> {
        Ok(User {
            id: UserId::from_uuid(r.id),
            email: r.email,
            name: r.name,
            role: r.role.parse().map_err(StoreError::corrupt)?,
            password_hash: r.password_hash,
            totp_secret: r.totp_secret,
            totp_enabled_at: r.totp_enabled_at.map(Timestamp::from_millis),
            disabled_at: r.disabled_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub now: Timestamp,
}

impl TenantTx {
    pub async fn insert_user(&mut self, u: NewUser<'_>) -> StoreResult<User> {
        let id = UserId::new();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO users (tenant_id, id, email, name, role, password_hash, created_at, \
                                updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(u.email)
        .bind(u.name)
        .bind(u.role.as_str())
        .bind(u.password_hash)
        .bind(u.now.as_millis())
        .execute(c)
        .await)?;
        self.find_user(id).await
    }

    pub async fn find_user(&mut self, id: UserId) -> StoreResult<User> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, UserRow>(
            "SELECT id, email, name, role, password_hash, totp_secret, totp_enabled_at, \
                    disabled_at, created_at, updated_at \
             FROM users WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    pub async fn find_user_by_email(&mut self, email: &str) -> StoreResult<User> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, UserRow>(
            "SELECT id, email, name, role, password_hash, totp_secret, totp_enabled_at, \
                    disabled_at, created_at, updated_at \
             FROM users WHERE tenant_id = $1 AND email = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(email)
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Every user's name, by id: what lists show for an assignee.
    pub async fn user_names(&mut self) -> StoreResult<std::collections::HashMap<UserId, String>> {
        let rows: Vec<(Uuid, String)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT id, name FROM users WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| (UserId::from_uuid(id), name))
            .collect())
    }

    /// The team, newest first.
    pub async fn list_users(&mut self, page: PageRequest) -> StoreResult<Page<User>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, UserRow>(
            "SELECT id, email, name, role, password_hash, totp_secret, totp_enabled_at, \
                    disabled_at, created_at, updated_at \
             FROM users WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) \
             ORDER BY id DESC LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let users = rows
            .into_iter()
            .map(User::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(users, |u| u.id.as_uuid()))
    }

    /// Users who count against the plan's seats: everyone not disabled.
    pub async fn count_active_users(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND disabled_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// Enabled owners; a tenant must always keep at least one.
    pub async fn count_active_owners(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM users \
             WHERE tenant_id = $1 AND role = 'owner' AND disabled_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    pub async fn update_user(
        &mut self,
        id: UserId,
        name: &str,
        role: Role,
        disabled_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<User> {
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE users SET name = $3, role = $4, disabled_at = $5, updated_at = $6 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(name)
        .bind(role.as_str())
        .bind(disabled_at.map(Timestamp::as_millis))
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.find_user(id).await
    }

    pub async fn set_user_password(
        &mut self,
        id: UserId,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE users SET password_hash = $3, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(password_hash)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Stores (or clears) a user's encrypted TOTP seed and whether it is in force.
    pub async fn set_user_totp(
        &mut self,
        id: UserId,
        secret: Option<&str>,
        enabled_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE users SET totp_secret = $3, totp_enabled_at = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(secret)
        .bind(enabled_at.map(Timestamp::as_millis))
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Spends TOTP time step `step` for `user`: true unless that step (or a
    /// later one) was already used, so each code signs in once.
    pub async fn use_totp_step(&mut self, user: UserId, step: i64) -> StoreResult<bool> {
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE users SET totp_last_step = $3 \
             WHERE tenant_id = $1 AND id = $2 \
               AND (totp_last_step IS NULL OR totp_last_step < $3)"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .bind(step)
        .execute(c)
        .await)?;
        Ok(done == 1)
    }

    /// Removes a user with their sessions and recovery codes.
    pub async fn delete_user(&mut self, id: UserId) -> StoreResult<()> {
        for sql in [
            "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2",
            "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2",
        ] {
            exec!(&mut self.tx, |c| sqlx::query(sql)
                .bind(self.tenant.as_uuid())
                .bind(id.as_uuid())
                .execute(c)
                .await)?;
        }
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM users WHERE tenant_id = $1 AND id = $2"
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

    /// Replaces a user's recovery codes with new ones (given as hashes).
    pub async fn replace_recovery_codes(
        &mut self,
        user: UserId,
        code_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .execute(c)
        .await)?;
        for hash in code_hashes {
            exec!(&mut self.tx, |c| sqlx::query(
                "INSERT INTO recovery_codes (tenant_id, user_id, code_hash, created_at) \
                 VALUES ($1, $2, $3, $4)"
            )
            .bind(self.tenant.as_uuid())
            .bind(user.as_uuid())
            .bind(hash)
            .bind(now.as_millis())
            .execute(c)
            .await)?;
        }
        Ok(())
    }

    /// Spends a recovery code. True if it existed and was unused.
    pub async fn use_recovery_code(
        &mut self,
        user: UserId,
        code_hash: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE recovery_codes SET used_at = $4 \
             WHERE tenant_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .bind(code_hash)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(done == 1)
    }
}
