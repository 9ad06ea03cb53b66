//! Saved searches: an inbox filter (status, assignee, number, tag, unread,
//! text) kept under a name, personal (only its owner sees it) or shared
//! with the whole team. API keys see and save shared ones only. Reading
//! needs `inbox:read`; saving, changing and deleting `inbox:write` (a
//! personal search only by its owner: to anyone else it does not exist).
//! Every change is audited.

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ChannelId, Permission, SavedSearchId, TagId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use store::TenantTx;
use store::crm::saved_searches::SavedSearch as Stored;
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// The longest name, in characters.
pub const MAX_NAME: usize = 60;
/// The longest text query, in characters.
pub const MAX_QUERY: usize = 200;

/// An inbox filter: the inbox list's query parameters
/// (`/app/inbox?status=open&assigned=me…`). Absent: any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxFilter {
    /// `open`, `pending`, `resolved` or `all`.
    #[schema(pattern = "^(open|pending|resolved|all)$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `me` (whoever looks), `none` (unassigned) or a user id.
    #[schema(
        pattern = r"^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned: Option<String>,
    /// A number's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<ChannelId>,
    /// A tag's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<TagId>,
    /// A team's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<domain::TeamId>,
    /// Only conversations with unread messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
    /// Text the contact's name, WhatsApp id or phone contains.
    #[schema(max_length = 200)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
}

impl InboxFilter {
    /// Checks every value, dropping empty ones.
    pub fn checked(self) -> AppResult<InboxFilter> {
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if let Some(q) = &self.q
            && q.chars().count() > MAX_QUERY
        {
            return Err(AppError::validation(
                "filter.q",
                format!("at most {MAX_QUERY} characters"),
            ));
        }
        let status = self.status;
        if let Some(s) = &status
            && !["open", "pending", "resolved", "all"].contains(&s.as_str())
        {
            return Err(AppError::validation(
                "filter.status",
                "open, pending, resolved or all",
            ));
        }
        let assigned = self.assigned;
        if let Some(a) = &assigned
            && a != "me"
            && a != "none"
            && a.parse::<UserId>().is_err()
        {
            return Err(AppError::validation(
                "filter.assigned",
                "me, none or a user id",
            ));
        }
        let q = text(self.q);
        Ok(InboxFilter {
            status,
            assigned,
            number: self.number,
            tag: self.tag,
            team: self.team,
            unread: self.unread.filter(|u| *u),
            q,
        })
    }

    /// As the inbox list's query parameters.
    pub fn to_params(&self) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                m.insert(k.to_owned(), v);
            }
        };
        put("status", self.status.clone());
        put("assigned", self.assigned.clone());
        put("number", self.number.map(|n| n.to_string()));
        put("tag", self.tag.map(|t| t.to_string()));
        put("team", self.team.map(|t| t.to_string()));
        put("unread", self.unread.map(|u| u.to_string()));
        put("q", self.q.clone());
        m
    }

    /// From the inbox list's query parameters; unknown names are left out.
    pub fn from_params(p: &BTreeMap<String, String>) -> InboxFilter {
        let get = |k: &str| p.get(k).cloned().filter(|v| !v.is_empty());
        InboxFilter {
            status: get("status"),
            assigned: get("assigned"),
            number: get("number").and_then(|v| v.parse().ok()),
            tag: get("tag").and_then(|v| v.parse().ok()),
            team: get("team").and_then(|v| v.parse().ok()),
            unread: get("unread").map(|v| v == "true" || v == "1" || v == "on"),
            q: get("q"),
        }
    }

    /// The query string (`status=open&q=oat`).
    pub fn query_string(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.to_params() {
            s.append_pair(&k, &v);
        }
        s.finish()
    }
}

/// A saved search as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedSearch {
    pub id: SavedSearchId,
    pub name: String,
    pub filter: InboxFilter,
    /// Seen by the whole team (else only by its owner).
    pub shared: bool,
    /// Whose personal search it is (`null` when shared).
    pub owner_user_id: Option<UserId>,
    /// The filter as the inbox's query string: `/app/inbox?{query}`.
    pub query: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Stored> for SavedSearch {
    fn from(s: Stored) -> Self {
        let filter = InboxFilter::from_params(&s.filter);
        SavedSearch {
            id: s.id,
            name: s.name,
            query: filter.query_string(),
            filter,
            shared: s.owner.is_none(),
            owner_user_id: s.owner,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A search to save.
#[derive(Debug, Clone, Default)]
pub struct NewSavedSearch {
    pub name: String,
    pub filter: InboxFilter,
    /// Shared with the team (API keys may save only these).
    pub shared: bool,
}

/// A change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SavedSearchChange {
    pub name: Option<String>,
    pub filter: Option<InboxFilter>,
    /// Making a shared search personal makes it the caller's.
    pub shared: Option<bool>,
}

fn name(raw: &str) -> AppResult<String> {
    let n = raw.trim();
    if n.is_empty() || raw.chars().count() > MAX_NAME {
        return Err(AppError::validation(
            "name",
            format!("1 to {MAX_NAME} characters"),
        ));
    }
    Ok(n.to_owned())
}

/// The owner of a search the caller saves: themself, or nobody (shared).
fn owner(ctx: &TenantCtx, shared: bool) -> AppResult<Option<UserId>> {
    if shared {
        return Ok(None);
    }
    match ctx.user_id() {
        Some(u) => Ok(Some(u)),
        None => Err(AppError::validation(
            "shared",
            "only a signed-in user has personal searches: an API key saves shared ones",
        )),
    }
}

/// Saves a search.
pub async fn create_saved_search(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewSavedSearch,
) -> AppResult<SavedSearch> {
    ctx.require(Permission::InboxWrite)?;
    let name = name(&input.name)?;
    let filter = input.filter.checked()?;
    let owner = owner(ctx, input.shared)?;
    let now = state.now();
    let s = Stored {
        id: SavedSearchId::new(),
        name,
        filter: filter.to_params(),
        owner,
        created_at: now,
        updated_at: now,
    };
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.insert_saved_search(&s).await?;
    audit(&mut tx, ctx, &s, "create", now).await?;
    tx.commit().await?;
    Ok(s.into())
}

/// The searches the caller sees (shared ones and their own), newest first.
pub async fn list_saved_searches(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<SavedSearch>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_saved_searches(ctx.user_id(), page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(SavedSearch::from).collect(),
        next: found.next,
    })
}

pub async fn get_saved_search(
    state: &AppState,
    ctx: &TenantCtx,
    id: SavedSearchId,
) -> AppResult<SavedSearch> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let s = tx.find_saved_search(id, ctx.user_id()).await?;
    tx.commit().await?;
    Ok(s.into())
}

/// Changes a search the caller sees.
pub async fn update_saved_search(
    state: &AppState,
    ctx: &TenantCtx,
    id: SavedSearchId,
    change: SavedSearchChange,
) -> AppResult<SavedSearch> {
    ctx.require(Permission::InboxWrite)?;
    let new_name = change.name.as_deref().map(name).transpose()?;
    let new_filter = change.filter.map(InboxFilter::checked).transpose()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut s = tx.find_saved_search(id, ctx.user_id()).await?;
    if let Some(n) = new_name {
        s.name = n;
    }
    if let Some(f) = new_filter {
        s.filter = f.to_params();
    }
    match change.shared {
        Some(true) => s.owner = None,
        Some(false) if s.owner.is_none() => s.owner = owner(ctx, false)?,
        _ => {}
    }
    s.updated_at = now;
    tx.update_saved_search(&s).await?;
    audit(&mut tx, ctx, &s, "update", now).await?;
    tx.commit().await?;
    Ok(s.into())
}

/// Deletes a search the caller sees.
pub async fn delete_saved_search(
    state: &AppState,
    ctx: &TenantCtx,
    id: SavedSearchId,
) -> AppResult<()> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let s = tx.find_saved_search(id, ctx.user_id()).await?;
    tx.delete_saved_search(id).await?;
    audit(&mut tx, ctx, &s, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

async fn audit(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    s: &Stored,
    what: &str,
    now: Timestamp,
) -> AppResult<()> {
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("saved_search.{what}"),
        ("saved_search", s.id.to_string()),
        json!({ "name": s.name, "filter": s.filter, "shared": s.owner.is_none() }),
    )
    .await
}
