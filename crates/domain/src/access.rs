//! Who may do what. Roles map to permissions through one matrix
//! ([`Role::permissions`]); API keys carry a subset of permissions as scopes.
//! The server checks a permission in exactly one place, so the matrix written
//! down in `docs/PERMISSIONS.md` is the whole truth.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A user's role inside one tenant.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Agent,
    Viewer,
}

/// One thing a caller may be allowed to do inside a tenant.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum Permission {
    /// See the tenant's profile, plan and usage.
    #[serde(rename = "tenant:read")]
    TenantRead,
    /// See the team.
    #[serde(rename = "users:read")]
    UsersRead,
    /// Invite users, change roles, disable and remove users.
    #[serde(rename = "users:manage")]
    UsersManage,
    /// Create and revoke API keys.
    #[serde(rename = "api_keys:manage")]
    ApiKeysManage,
    /// Read the tenant's audit log.
    #[serde(rename = "audit:read")]
    AuditRead,
    /// Connect and configure WhatsApp numbers and other settings.
    #[serde(rename = "settings:manage")]
    SettingsManage,
    /// Read conversations, messages and contacts.
    #[serde(rename = "inbox:read")]
    InboxRead,
    /// Send messages, assign and resolve conversations, edit contacts.
    #[serde(rename = "inbox:write")]
    InboxWrite,
    /// Templates, broadcasts, automations and the booking bot.
    #[serde(rename = "campaigns:manage")]
    CampaignsManage,
    /// Plans, subscriptions and invoices.
    #[serde(rename = "billing:manage")]
    BillingManage,
    /// Outbound webhook endpoints, their secrets, deliveries and replays.
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    /// Read the workspace's analytics and export them.
    #[serde(rename = "analytics:read")]
    AnalyticsRead,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Permission::TenantRead,
        Permission::UsersRead,
        Permission::UsersManage,
        Permission::ApiKeysManage,
        Permission::AuditRead,
        Permission::SettingsManage,
        Permission::InboxRead,
        Permission::InboxWrite,
        Permission::CampaignsManage,
        Permission::BillingManage,
        Permission::WebhooksManage,
        Permission::AnalyticsRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::TenantRead => "tenant:read",
            Permission::UsersRead => "users:read",
            Permission::UsersManage => "users:manage",
            Permission::ApiKeysManage => "api_keys:manage",
            Permission::AuditRead => "audit:read",
            Permission::SettingsManage => "settings:manage",
            Permission::InboxRead => "inbox:read",
            Permission::InboxWrite => "inbox:write",
            Permission::CampaignsManage => "campaigns:manage",
            Permission::BillingManage => "billing:manage",
            Permission::WebhooksManage => "webhooks:manage",
            Permission::AnalyticsRead => "analytics:read",
        }
    }

    /// Whether holding this permission lets the caller change data.
    pub fn is_write(self) -> bool {
        !matches!(
            self,
            Permission::TenantRead
                | Permission::UsersRead
                | Permission::AuditRead
                | Permission::InboxRead
                | Permission::AnalyticsRead
        )
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Permission {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| InvalidValue::new("scopes", format!("unknown scope `{s}`")))
    }
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }

    /// The permission matrix. Keep `docs/PERMISSIONS.md` in step with it
    /// (a test compares them).
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Owner => &Permission::ALL,
            Role::Admin => &[
                TenantRead,
                UsersRead,
                UsersManage,
                ApiKeysManage,
                AuditRead,
                SettingsManage,
                InboxRead,
                InboxWrite,
                CampaignsManage,
                WebhooksManage,
                AnalyticsRead,
            ],
            Role::Agent => &[TenantRead, UsersRead, InboxRead, InboxWrite],
            Role::Viewer => &[TenantRead, UsersRead, InboxRead, AnalyticsRead],
        }
    }

    pub fn allows(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }

    /// Whether a user with this role may give `other` to someone, or change
    /// someone who has `other`. Only owners touch owners.
    pub fn may_manage(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => other != Role::Owner,
            Role::Agent | Role::Viewer => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            "viewer" => Ok(Role::Viewer),
            _ => Err(InvalidValue::new("role", format!("unknown role `{s}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_holds_no_write_permission() {
        assert!(Role::Viewer.permissions().iter().all(|p| !p.is_write()));
    }

    #[test]
    fn only_owner_manages_billing_and_owners() {
        assert!(Role::Owner.allows(Permission::BillingManage));
        assert!(!Role::Admin.allows(Permission::BillingManage));
        assert!(!Role::Admin.may_manage(Role::Owner));
        assert!(Role::Admin.may_manage(Role::Agent));
    }

    #[test]
    fn scopes_round_trip_through_their_names() {
        for p in Permission::ALL {
            assert_eq!(p.as_str().parse::<Permission>(), Ok(p));
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!("inbox:delete".parse::<Permission>().is_err());
    }
}
