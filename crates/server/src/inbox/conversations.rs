//! Conversations: the inbox list, one conversation with its messages,
//! assignment, status, and reading.

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::{
    ConversationAssigned, ConversationRead, ConversationStatusChanged, ConversationTeamChanged,
};
use domain::{ConversationId, TeamId, Timestamp, UserId};
use serde_json::json;
use store::auth::User;
use store::channels::Channel;
use store::inbox::{Contact, Conversation, ConversationFilter, ConversationStatus, Media, Message};
use store::page::PageRequest;
use store::{StoreError, TenantTx};

/// Conversations matching `filter`, most recent activity first.
pub async fn list_conversations(
    state: &AppState,
    ctx: &TenantCtx,
    filter: &ConversationFilter,
) -> AppResult<Vec<Conversation>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut rows = tx.list_conversations(filter).await?;
    tx.load_conversation_tags(&mut rows).await?;
    tx.commit().await?;
    Ok(rows)
}

/// One row of the inbox: a conversation, its contact, its last message,
/// who has it and the team it is routed to (by name).
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub conversation: Conversation,
    pub contact: Contact,
    pub last: Option<Message>,
    pub assignee: Option<String>,
    pub team: Option<String>,
}

/// The inbox as the dashboard shows it: up to 50 rows matching `filter`
/// (and `search`, on the contact's name, WhatsApp id or phone), with the
/// tenant's numbers and teams to filter by.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub rows: Vec<InboxRow>,
    pub channels: Vec<Channel>,
    pub teams: Vec<store::crm::teams::Team>,
}

pub async fn list_inbox(
    state: &AppState,
    ctx: &TenantCtx,
    filter: ConversationFilter,
    search: Option<&str>,
) -> AppResult<Inbox> {
    const ROWS: usize = 50;
    let filter = ConversationFilter {
        search: search.map(str::to_owned).filter(|s| !s.trim().is_empty()),
        limit: ROWS as i64,
        ..filter
    };
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut rows = Vec::new();
    let mut found = tx.list_conversations(&filter).await?;
    tx.load_conversation_tags(&mut found).await?;
    let people = tx.user_names().await?;
    let teams = tx.list_teams().await?;
    for conversation in found {
        let contact = tx.find_contact(conversation.contact_id).await?;
        let last = tx
            .list_messages(conversation.id, PageRequest::new(None, 1))
            .await?
            .items
            .pop();
        let assignee = conversation
            .assigned_user_id
            .and_then(|u| people.get(&u).cloned());
        let team = conversation
            .team_id
            .and_then(|id| teams.iter().find(|t| t.id == id))
            .map(|t| t.name.clone());
        rows.push(InboxRow {
            conversation,
            contact,
            last,
            assignee,
            team,
        });
    }
    let channels = tx.list_channels().await?;
    tx.commit().await?;
    Ok(Inbox {
        rows,
        channels,
        teams,
    })
}

pub async fn get_conversation(
    state: &AppState,
    ctx: &TenantCtx,
    id: ConversationId,
) -> AppResult<Conversation> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut c = tx.find_conversation(id).await?;
    tx.load_conversation_tags(std::slice::from_mut(&mut c))
        .await?;
    tx.commit().await?;
    Ok(c)
}

/// A conversation with what a thread view shows: its contact, its number
/// (`None` if disconnected), its last 100 messages with their media, and
/// the teammates it can be assigned to.
#[derive(Debug, Clone)]
pub struct Thread {
    pub conversation: Conversation,
    pub contact: Contact,
    pub channel: Option<Channel>,
    pub messages: Vec<Message>,
    pub media: Vec<Media>,
    pub team: Vec<User>,
}

pub async fn get_thread(
    state: &AppState,
    ctx: &TenantCtx,
    id: ConversationId,
) -> AppResult<Thread> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut conversation = tx.find_conversation(id).await?;
    tx.load_conversation_tags(std::slice::from_mut(&mut conversation))
        .await?;
    let contact = tx.find_contact(conversation.contact_id).await?;
    let channel = match tx.find_channel(conversation.channel_id).await {
        Ok(c) => Some(c),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let messages = tx
        .list_messages(id, PageRequest::new(None, 100))
        .await?
        .items;
    let ids: Vec<_> = messages.iter().map(|m| m.id).collect();
    let media = tx.list_media_of_messages(&ids).await?;
    let team = tx
        .list_users(PageRequest::new(None, 200))
        .await?
        .items
        .into_iter()
        .filter(|u| u.disabled_at.is_none())
        .collect();
    tx.commit().await?;
    Ok(Thread {
        conversation,
        contact,
        channel,
        messages,
        media,
        team,
    })
}

/// What may change about a conversation.
#[derive(Debug, Clone, Default)]
pub struct ConversationChanges {
    pub status: Option<ConversationStatus>,
    /// `Some(None)` unassigns.
    pub assigned_user_id: Option<Option<UserId>>,
    /// `Some(None)` takes it out of its team. Moving an open, unassigned
    /// conversation to a team lets the team's rule assign it.
    pub team_id: Option<Option<TeamId>>,
}

/// Changes a conversation's status or assignee; each change is audited and
/// recorded as an event (nothing is, if nothing changed).
pub async fn update_conversation(
    state: &AppState,
    ctx: &TenantCtx,
    id: ConversationId,
    changes: ConversationChanges,
) -> AppResult<Conversation> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let c = change_conversation(&mut tx, ctx, id, changes, now).await?;
    tx.commit().await?;
    Ok(c)
}

/// [`update_conversation`] in the caller's transaction (an automation's
/// step).
pub async fn change_conversation(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    id: ConversationId,
    changes: ConversationChanges,
    now: Timestamp,
) -> AppResult<Conversation> {
    let current = tx.find_conversation(id).await?;
    let status = changes.status.unwrap_or(current.status);
    let assigned = match changes.assigned_user_id {
        Some(Some(user)) => {
            let u = tx.find_user(user).await.map_err(|e| match e {
                StoreError::NotFound => AppError::validation("assigned_user_id", "no such user"),
                other => other.into(),
            })?;
            if u.disabled_at.is_some() {
                return Err(AppError::validation(
                    "assigned_user_id",
                    "this user is disabled",
                ));
            }
            Some(user)
        }
        Some(None) => None,
        None => current.assigned_user_id,
    };
    let team = match changes.team_id {
        Some(Some(team)) => Some(crate::crm::teams::known_team(tx, team).await?.id),
        Some(None) => None,
        None => current.team_id,
    };
    let mut c = tx
        .update_conversation(id, status, assigned, team, now)
        .await?;
    tx.load_conversation_tags(std::slice::from_mut(&mut c))
        .await?;
    let target = ("conversation", id.to_string());
    if status != current.status {
        let event = Event::ConversationStatusChanged(ConversationStatusChanged {
            conversation_id: id,
            status: status.as_str().to_owned(),
            previous_status: current.status.as_str().to_owned(),
        });
        record(tx, event, now);
        let details = json!({ "status": status.as_str(), "previous": current.status.as_str() });
        crate::audit::tenant_change(tx, ctx, now, "conversation.status", target.clone(), details)
            .await?;
    }
    if assigned != current.assigned_user_id {
        let event = Event::ConversationAssigned(ConversationAssigned {
            conversation_id: id,
            assigned_user_id: assigned,
            previous_user_id: current.assigned_user_id,
            rule: None,
        });
        record(tx, event, now);
        let details = json!({ "assigned_user_id": assigned, "previous": current.assigned_user_id });
        crate::audit::tenant_change(tx, ctx, now, "conversation.assign", target.clone(), details)
            .await?;
    }
    if team != current.team_id {
        let event = Event::ConversationTeamChanged(ConversationTeamChanged {
            conversation_id: id,
            team_id: team,
            previous_team_id: current.team_id,
        });
        record(tx, event, now);
        let details = json!({ "team_id": team, "previous": current.team_id });
        crate::audit::tenant_change(tx, ctx, now, "conversation.route", target, details).await?;
    }
    Ok(c)
}

/// Marks a conversation read: its unread count drops to zero.
pub async fn mark_read(
    state: &AppState,
    ctx: &TenantCtx,
    id: ConversationId,
) -> AppResult<Conversation> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.find_conversation(id).await?;
    let mut c = tx.mark_conversation_read(id, now).await?;
    tx.load_conversation_tags(std::slice::from_mut(&mut c))
        .await?;
    let event = Event::ConversationRead(ConversationRead {
        conversation_id: id,
    });
    record(&mut tx, event, now);
    tx.commit().await?;
    Ok(c)
}
