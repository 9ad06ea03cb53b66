//! From credentials to a caller.
//!
//! The tenant API's middleware ([`require_tenant`]) resolves one of:
//! an API key (`X-API-Key: sbk_…` or `Authorization: Bearer sbk_…`), a JWT
//! access token (`Authorization: Bearer eyJ…`), or a session cookie. It
//! refuses suspended tenants with 423 and stores a [`TenantCtx`] in the
//! request. Handlers then declare what they need with [`Authorized<P>`],
//! the one place a permission is checked.

pub use super::actor::{Actor, TenantCtx, Via};
use crate::auth::tokens::{API_KEY_PREFIX, hash_token, looks_like_jwt};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{OperatorId, Permission, Role, SessionId, TenantId, TenantStatus, UserId};
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::ops::Deref;
use store::StoreError;

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "sb_session";

/// A permission a handler requires, named by a marker type in [`perm`].
pub trait RequiredPermission {
    const PERMISSION: Permission;
}

/// Marker types, one per [`Permission`].
pub mod perm {
    use super::RequiredPermission;
    use domain::Permission;

    macro_rules! markers {
        ($($name:ident),*) => {$(
            #[derive(Debug)]
            pub struct $name;
            impl RequiredPermission for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*};
    }
    markers!(
        TenantRead,
        UsersRead,
        UsersManage,
        ApiKeysManage,
        AuditRead,
        SettingsManage,
        InboxRead,
        InboxWrite,
        CampaignsManage,
        BillingManage,
        WebhooksManage,
        AnalyticsRead
    );
}

/// A caller who holds permission `P`. Extracted before the body, so a
/// caller without the permission gets 403 whatever they sent.
#[derive(Debug)]
pub struct Authorized<P>(pub TenantCtx, PhantomData<P>);

impl<P> Deref for Authorized<P> {
    type Target = TenantCtx;
    fn deref(&self) -> &TenantCtx {
        &self.0
    }
}

impl<S: Send + Sync, P: RequiredPermission> FromRequestParts<S> for Authorized<P> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let ctx = TenantCtx::from_request_parts(parts, state).await?;
        if !ctx.allows(P::PERMISSION) {
            return Err(AppError::Forbidden(
                "permission_denied",
                format!("this needs the `{}` permission", P::PERMISSION),
            ));
        }
        Ok(Authorized(ctx, PhantomData))
    }
}

/// The caller's address: as resolved for the request
/// ([`crate::http::client_address`], which believes `X-Forwarded-For` from
/// trusted proxies only), else as the socket saw it.
pub fn client_ip(extensions: &axum::http::Extensions) -> Option<String> {
    match extensions.get::<crate::http::client_address::ClientAddress>() {
        Some(resolved) => resolved.0.map(|ip| ip.to_string()),
        None => extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string()),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The tenant slug named by the Host header, when a base domain is set.
pub fn host_slug<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    let base = state.config.base_domain.as_deref()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let host = host.split(':').next()?;
    let slug = host.strip_suffix(base)?.strip_suffix('.')?;
    (!slug.is_empty() && !slug.contains('.')).then_some(slug)
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized(
        "invalid_credentials",
        "the credentials are invalid, expired or revoked".into(),
    )
}

fn not_found_is_unauthorized(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => bad_credentials(),
        other => other.into(),
    }
}

/// Middleware for the tenant API: resolves the caller or answers 401/423.
pub async fn require_tenant(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let ip = client_ip(req.extensions());
    let ctx = resolve_tenant(&state, req.method(), req.headers(), ip).await?;
    if let Some(slug) = host_slug(&state, req.headers()) {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let tenant = tx.find_tenant().await?;
        if tenant.slug != slug {
            return Err(AppError::Unauthorized(
                "tenant_mismatch",
                "these credentials belong to another tenant".into(),
            ));
        }
    }
    let admission = match ctx.actor {
        Actor::ApiKey { .. } => {
            Some(crate::billing::rate_limit::admit_api_call(&state, ctx.tenant_id).await?)
        }
        _ => None,
    };
    let mut res = match admission.as_ref().and_then(|a| a.refusal()) {
        Some(refused) => refused.into_response(),
        None => {
            req.extensions_mut().insert(ctx);
            next.run(req).await
        }
    };
    if let Some(d) = admission.as_ref().and_then(|a| a.decision()) {
        crate::billing::rate_limit::add_headers(res.headers_mut(), d);
    }
    Ok(res)
}

pub(crate) async fn resolve_tenant(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    ip: Option<String>,
) -> AppResult<TenantCtx> {
    let now = state.now();
    let header_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    // Two credentials must agree: a valid key must not carry a bad (or
    // someone else's) bearer token through.
    if let (Some(key), true) = (header_key, headers.contains_key(header::AUTHORIZATION))
        && bearer(headers) != Some(key)
    {
        return Err(AppError::Unauthorized(
            "conflicting_credentials",
            "X-API-Key and Authorization name different credentials; send one".into(),
        ));
    }
    let api_key = header_key.or_else(|| bearer(headers).filter(|t| t.starts_with(API_KEY_PREFIX)));

    let (tenant_id, actor) = if let Some(key) = api_key {
        let mut sys = state.store.system_read().await?;
        let k = sys
            .find_api_key_by_hash(&hash_token(key))
            .await
            .map_err(not_found_is_unauthorized)?;
        sys.commit().await?;
        if !k.is_live(now) {
            return Err(bad_credentials());
        }
        if k.last_use_is_stale(now) {
            let mut tx = state.store.tenant(k.tenant_id).await?;
            tx.touch_api_key(k.id, now).await?;
            tx.commit().await?;
        }
        let actor = Actor::ApiKey {
            key_id: k.id,
            scopes: super::live::key_scopes(state, &k).await?.into(),
        };
        (k.tenant_id, actor)
    } else if let Some(token) = bearer(headers).filter(|t| looks_like_jwt(t)) {
        let claims = state.jwt.verify(token).ok_or_else(bad_credentials)?;
        let tid = claims.tid.filter(|_| claims.kind == "access");
        let Some(tid) = tid.filter(|_| now.as_unix_seconds() < claims.exp) else {
            return Err(bad_credentials());
        };
        let tenant_id = TenantId::from_uuid(tid);
        let session_id = SessionId::from_uuid(claims.sid);
        let user_id = UserId::from_uuid(claims.sub);
        let role = live_user_role(state, tenant_id, session_id, user_id).await?;
        let actor = Actor::User {
            user_id,
            role,
            session_id,
        };
        (tenant_id, actor)
    } else if let Some(token) = cookie(headers, SESSION_COOKIE) {
        // A cookie rides along on cross-site requests; a custom header cannot
        // be added cross-site without CORS, which we never grant.
        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe && !headers.contains_key("x-requested-with") {
            return Err(AppError::Forbidden(
                "csrf_check_failed",
                "cookie-authenticated changes need the X-Requested-With header".into(),
            ));
        }
        let mut sys = state.store.system_read().await?;
        let s = sys
            .find_session_by_token_hash(&hash_token(token))
            .await
            .map_err(not_found_is_unauthorized)?;
        sys.commit().await?;
        let role = live_user_role(state, s.tenant_id, s.id, s.user_id).await?;
        let actor = Actor::User {
            user_id: s.user_id,
            role,
            session_id: s.id,
        };
        (s.tenant_id, actor)
    } else {
        return Err(AppError::Unauthenticated);
    };

    tenant_not_suspended(state, tenant_id).await?;
    Ok(TenantCtx {
        tenant_id,
        actor,
        ip,
    })
}

/// 423 when the tenant is suspended.
pub(super) async fn tenant_not_suspended(state: &AppState, tenant_id: TenantId) -> AppResult<()> {
    let mut tx = state.store.tenant_read(tenant_id).await?;
    let tenant = tx.find_tenant().await.map_err(not_found_is_unauthorized)?;
    tx.commit().await?;
    if tenant.status == TenantStatus::Suspended {
        return Err(AppError::TenantSuspended(
            tenant
                .status_reason
                .unwrap_or_else(|| "no reason given".into()),
        ));
    }
    Ok(())
}

/// The user's current role, if the session is live and the user enabled.
pub(super) async fn live_user_role(
    state: &AppState,
    tenant: TenantId,
    session: SessionId,
    user: UserId,
) -> AppResult<Role> {
    let now = state.now();
    let mut tx = state.store.tenant_read(tenant).await?;
    let s = tx
        .find_session(session)
        .await
        .map_err(not_found_is_unauthorized)?;
    if !s.is_live(now) || s.user_id != user {
        return Err(bad_credentials());
    }
    let u = tx
        .find_user(user)
        .await
        .map_err(not_found_is_unauthorized)?;
    tx.commit().await?;
    if u.disabled_at.is_some() {
        return Err(bad_credentials());
    }
    Ok(u.role)
}

/// A signed-in platform operator.
#[derive(Debug, Clone)]
pub struct OperatorCtx {
    pub operator_id: OperatorId,
    pub session_id: SessionId,
    pub ip: Option<String>,
}

impl OperatorCtx {
    pub fn audit_actor(&self) -> store::audit::Actor {
        store::audit::Actor::Operator(self.operator_id)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for OperatorCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<OperatorCtx>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

/// Middleware for the operator API: an operator access token or 401.
pub async fn require_operator(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let now = state.now();
    let token = bearer(req.headers()).ok_or(AppError::Unauthenticated)?;
    let claims = state.jwt.verify(token).ok_or_else(bad_credentials)?;
    if claims.kind != "operator" || now.as_unix_seconds() >= claims.exp {
        return Err(bad_credentials());
    }
    let session_id = SessionId::from_uuid(claims.sid);
    let mut sys = state.store.system_read().await?;
    let s = sys
        .find_operator_session(session_id)
        .await
        .map_err(not_found_is_unauthorized)?;
    sys.commit().await?;
    if s.revoked_at.is_some() || now >= s.expires_at || s.operator_id.as_uuid() != claims.sub {
        return Err(bad_credentials());
    }
    let ctx = OperatorCtx {
        operator_id: s.operator_id,
        session_id,
        ip: client_ip(req.extensions()),
    };
    req.extensions_mut().insert(ctx);
    Ok(next.run(req).await)
}
