//! Who acts: an [`Actor`] in a tenant, carried with the tenant and the
//! caller's address in a [`TenantCtx`], which every rule takes.

use crate::error::{AppError, AppResult};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::{ApiKeyId, OperatorId, Permission, Role, SessionId, TenantId, UserId};
use std::sync::Arc;

/// Who is acting in a tenant: the rules of every area take one, whichever
/// adapter (API, dashboard, job, CLI) called them.
#[derive(Debug, Clone)]
pub enum Actor {
    User {
        user_id: UserId,
        role: Role,
        session_id: SessionId,
    },
    ApiKey {
        key_id: ApiKeyId,
        scopes: Arc<[Permission]>,
    },
    /// The platform operator, acting on a tenant.
    Operator { operator_id: OperatorId },
    /// Switchboard itself, on behalf of `via` (inbound webhooks, and later
    /// automations, campaigns, the bot, the Genesys bridge).
    System { via: Via },
}

/// What part of Switchboard acts as [`Actor::System`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Meta's webhooks: inbound messages, statuses, account updates.
    WhatsApp,
    /// A background job (delivery to Meta, media fetching).
    Worker,
    /// The command line (`switchboard admin`).
    Cli,
    /// An automation's run (a workflow's step).
    Automation,
    /// The booking bot, answering a customer.
    Bot,
    /// The Genesys Cloud bridge (an agent's reply, a hand-back).
    Genesys,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::WhatsApp => "whatsapp",
            Via::Worker => "worker",
            Via::Cli => "cli",
            Via::Automation => "automation",
            Via::Bot => "bot",
            Via::Genesys => "genesys",
        }
    }
}

/// A resolved caller of the tenant API.
#[derive(Debug, Clone)]
pub struct TenantCtx {
    pub tenant_id: TenantId,
    pub actor: Actor,
    pub ip: Option<String>,
}

impl TenantCtx {
    pub fn allows(&self, p: Permission) -> bool {
        match &self.actor {
            Actor::User { role, .. } => role.allows(p),
            Actor::ApiKey { scopes, .. } => scopes.contains(&p),
            // The operator and Switchboard itself are bounded by the rules,
            // not by a role.
            Actor::Operator { .. } | Actor::System { .. } => true,
        }
    }

    /// `403 permission_denied` unless this caller holds `p`: for rules that
    /// other adapters than the API (dashboard pages, jobs) call too.
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.allows(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "permission_denied",
                format!("this needs the `{p}` permission"),
            ))
        }
    }

    /// The permissions this caller holds.
    pub fn permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| self.allows(*p))
            .collect()
    }

    pub fn audit_actor(&self) -> store::audit::Actor {
        match &self.actor {
            Actor::User { user_id, .. } => store::audit::Actor::User(*user_id),
            Actor::ApiKey { key_id, .. } => store::audit::Actor::ApiKey(*key_id),
            Actor::Operator { operator_id } => store::audit::Actor::Operator(*operator_id),
            Actor::System { via } => store::audit::Actor::SystemVia(via.as_str()),
        }
    }

    /// A stable name for the caller, used to scope idempotency keys.
    pub fn principal_key(&self) -> String {
        match &self.actor {
            Actor::User { user_id, .. } => format!("user:{user_id}"),
            Actor::ApiKey { key_id, .. } => format!("api_key:{key_id}"),
            Actor::Operator { operator_id } => format!("operator:{operator_id}"),
            Actor::System { via } => format!("system:{}", via.as_str()),
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match &self.actor {
            Actor::User { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }

    /// For routes about "me": only a signed-in user has a self.
    pub fn require_user(&self) -> AppResult<(UserId, Role, SessionId)> {
        match &self.actor {
            Actor::User {
                user_id,
                role,
                session_id,
            } => Ok((*user_id, *role, *session_id)),
            _ => Err(AppError::Forbidden(
                "user_required",
                "this call needs a signed-in user, not an API key".into(),
            )),
        }
    }
}

impl TenantCtx {
    /// Switchboard itself acting in `tenant` (jobs, webhooks, the CLI).
    pub fn system(tenant_id: TenantId, via: Via) -> Self {
        TenantCtx {
            tenant_id,
            actor: Actor::System { via },
            ip: None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for TenantCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<TenantCtx>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}
