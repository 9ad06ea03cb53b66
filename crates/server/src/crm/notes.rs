//! Private notes on a conversation or a contact. They live in their own
//! table, never among the messages, so nothing can ever send one to the
//! customer. Writing needs `inbox:write`, reading `inbox:read`; a note is
//! changed or removed by its author (the user or API key that wrote it)
//! or by an owner or admin. Each teammate its text `@mentions`
//! ([`mentions`]) gets an in-app notification. Every change is audited and
//! recorded as a `note.*` event.

pub mod mentions;

use super::notifications::{Subject, actor_name, notify, shorten, team, user_name};
use crate::auth::{Actor, TenantCtx};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, NoteRef};
use domain::{ApiKeyId, ContactId, ConversationId, NoteId, Permission, Role, Timestamp, UserId};
use serde::Serialize;
use serde_json::json;
use store::auth::User;
use store::crm::notes::{Note as Stored, NoteFilter};
use store::crm::notifications::NotificationKind;
use store::inbox::Contact;
use store::page::{Page, PageRequest};
use store::{StoreError, TenantTx};
use utoipa::ToSchema;

/// The longest note, in characters.
pub const MAX_BODY: usize = 10_000;

/// What a note is written on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteOn {
    Conversation(ConversationId),
    Contact(ContactId),
}

/// Who wrote a note.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteAuthor {
    /// The user who wrote it (`null` for an API key).
    pub user_id: Option<UserId>,
    /// The API key that wrote it (`null` for a user).
    pub api_key_id: Option<ApiKeyId>,
    /// Their name as teammates see it.
    pub name: String,
}

/// A private note.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Note {
    pub id: NoteId,
    /// Set for a note on a conversation.
    pub conversation_id: Option<ConversationId>,
    /// The contact it is about: the one it is on, or its conversation's.
    pub contact_id: Option<ContactId>,
    pub body: String,
    pub author: NoteAuthor,
    /// The teammates its text mentions.
    pub mentioned_user_ids: Vec<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn view(n: Stored, team: &[User]) -> Note {
    let name = match (n.author_user_id, n.author_api_key_id) {
        (Some(u), _) => team
            .iter()
            .find(|t| t.id == u)
            .map(user_name)
            .unwrap_or_else(|| "Former teammate".to_owned()),
        (None, Some(_)) => "API key".to_owned(),
        // Written by Switchboard itself (an automation).
        (None, None) => "Switchboard".to_owned(),
    };
    Note {
        id: n.id,
        conversation_id: n.conversation_id,
        contact_id: n.contact_id,
        body: n.body,
        author: NoteAuthor {
            user_id: n.author_user_id,
            api_key_id: n.author_api_key_id,
            name,
        },
        mentioned_user_ids: n.mentions,
        created_at: n.created_at,
        updated_at: n.updated_at,
    }
}

/// The text, trimmed, checked against 1 to [`MAX_BODY`] characters.
fn body(text: &str) -> AppResult<String> {
    if text.trim().is_empty() || text.chars().count() > MAX_BODY {
        return Err(AppError::validation(
            "body",
            format!("1 to {MAX_BODY} characters"),
        ));
    }
    Ok(text.trim().to_owned())
}

/// `NotFound` as a 422 on `field`: an id in a body that names nothing.
fn no_such(field: &'static str, what: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::validation(field, format!("no such {what}")),
        other => other.into(),
    }
}

/// Writes a note; each teammate it mentions (the author aside) is notified.
pub async fn create_note(
    state: &AppState,
    ctx: &TenantCtx,
    on: NoteOn,
    text: &str,
) -> AppResult<Note> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let note = create_note_in(&mut tx, ctx, on, text, now).await?;
    tx.commit().await?;
    Ok(note)
}

/// [`create_note`] in the caller's transaction (an automation's step).
pub async fn create_note_in(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    on: NoteOn,
    text: &str,
    now: Timestamp,
) -> AppResult<Note> {
    let text = body(text)?;
    let (conversation_id, contact) = match on {
        NoteOn::Conversation(id) => {
            let c = tx
                .find_conversation(id)
                .await
                .map_err(no_such("conversation_id", "conversation"))?;
            (Some(id), tx.find_contact(c.contact_id).await?)
        }
        NoteOn::Contact(id) => (
            None,
            tx.find_contact(id)
                .await
                .map_err(no_such("contact_id", "contact"))?,
        ),
    };
    let team = team(tx).await?;
    let (author_user_id, author_api_key_id) = author(ctx);
    let note = Stored {
        id: NoteId::new(),
        conversation_id,
        contact_id: Some(contact.id),
        mentions: mentions::mentioned(&text, &team),
        body: text,
        author_user_id,
        author_api_key_id,
        created_at: now,
        updated_at: now,
    };
    tx.insert_note(&note).await?;
    notify_mentioned(tx, ctx, &note, &[], &contact, &team, now).await?;
    changed(tx, ctx, &note, "create", now).await?;
    Ok(view(note, &team))
}

/// Notes, newest first: all of the tenant's, a conversation's, or a
/// contact's (those on it and on its conversations).
pub async fn list_notes(
    state: &AppState,
    ctx: &TenantCtx,
    filter: NoteFilter,
    page: PageRequest,
) -> AppResult<Page<Note>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_notes(filter, page).await?;
    let team = team(&mut tx).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(|n| view(n, &team)).collect(),
        next: found.next,
    })
}

/// Notes containing every word of `query` (as [`crate::inbox::search`]
/// matches messages), newest first.
pub async fn search_notes(
    state: &AppState,
    ctx: &TenantCtx,
    query: &str,
    page: PageRequest,
) -> AppResult<Page<Note>> {
    ctx.require(Permission::InboxRead)?;
    let words = crate::inbox::search::words_of(query)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.search_notes(&words, page).await?;
    let team = team(&mut tx).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(|n| view(n, &team)).collect(),
        next: found.next,
    })
}

pub async fn get_note(state: &AppState, ctx: &TenantCtx, id: NoteId) -> AppResult<Note> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let n = tx.find_note(id).await?;
    let team = team(&mut tx).await?;
    tx.commit().await?;
    Ok(view(n, &team))
}

/// Changes a note's text. Teammates it mentions now and did not before
/// are notified.
pub async fn update_note(
    state: &AppState,
    ctx: &TenantCtx,
    id: NoteId,
    text: &str,
) -> AppResult<Note> {
    ctx.require(Permission::InboxWrite)?;
    let text = body(text)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut note = tx.find_note(id).await?;
    may_change(ctx, &note)?;
    let team = team(&mut tx).await?;
    let before = std::mem::take(&mut note.mentions);
    note.mentions = mentions::mentioned(&text, &team);
    note.body = text;
    note.updated_at = now;
    tx.update_note(&note).await?;
    if let Some(contact) = note.contact_id {
        let contact = tx.find_contact(contact).await?;
        notify_mentioned(&mut tx, ctx, &note, &before, &contact, &team, now).await?;
    }
    changed(&mut tx, ctx, &note, "update", now).await?;
    tx.commit().await?;
    Ok(view(note, &team))
}

/// Removes a note, and the notifications about it; the note as it was.
pub async fn delete_note(state: &AppState, ctx: &TenantCtx, id: NoteId) -> AppResult<Note> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let note = tx.find_note(id).await?;
    may_change(ctx, &note)?;
    tx.delete_note(id).await?;
    changed(&mut tx, ctx, &note, "delete", now).await?;
    let team = team(&mut tx).await?;
    tx.commit().await?;
    Ok(view(note, &team))
}

fn allowed(ctx: &TenantCtx, user: Option<UserId>, key: Option<ApiKeyId>) -> bool {
    match &ctx.actor {
        Actor::User { user_id, role, .. } => {
            user == Some(*user_id) || matches!(role, Role::Owner | Role::Admin)
        }
        Actor::ApiKey { key_id, .. } => key == Some(*key_id),
        Actor::Operator { .. } | Actor::System { .. } => true,
    }
}

/// The caller as a note's author.
fn author(ctx: &TenantCtx) -> (Option<UserId>, Option<ApiKeyId>) {
    match &ctx.actor {
        Actor::User { user_id, .. } => (Some(*user_id), None),
        Actor::ApiKey { key_id, .. } => (None, Some(*key_id)),
        Actor::Operator { .. } | Actor::System { .. } => (None, None),
    }
}

/// `403 not_author` unless the caller wrote `note` or is an owner or admin.
fn may_change(ctx: &TenantCtx, note: &Stored) -> AppResult<()> {
    if allowed(ctx, note.author_user_id, note.author_api_key_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "not_author",
            "only the note's author, an owner or an admin may change or remove it".into(),
        ))
    }
}

/// Where a note is shown in the dashboard.
pub fn note_link(
    id: NoteId,
    conversation: Option<ConversationId>,
    contact: Option<ContactId>,
) -> String {
    match (conversation, contact) {
        (Some(c), _) => format!("/app/inbox/{c}#note-{id}"),
        (None, Some(c)) => format!("/app/contacts/{c}#note-{id}"),
        (None, None) => "/app/notifications".to_owned(),
    }
}

impl Note {
    /// Where it is shown in the dashboard.
    pub fn link(&self) -> String {
        note_link(self.id, self.conversation_id, self.contact_id)
    }
}

/// Whether the caller may change or remove `note` (its author, an owner
/// or an admin), for showing the buttons.
pub fn can_change(ctx: &TenantCtx, note: &Note) -> bool {
    allowed(ctx, note.author.user_id, note.author.api_key_id)
}

/// The contact's name for a notification's title.
fn contact_label(c: &Contact) -> String {
    c.profile_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| c.wa_id.as_ref().map(|w| format!("+{w}")))
        .or_else(|| c.phone.clone())
        .unwrap_or_else(|| "a contact".to_owned())
}

/// Notifies each teammate `note` mentions who is not its author and not
/// in `already` (mentioned before an edit).
async fn notify_mentioned(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    note: &Stored,
    already: &[UserId],
    contact: &Contact,
    team: &[User],
    now: Timestamp,
) -> AppResult<()> {
    let who = actor_name(ctx, team);
    let title = format!(
        "{who} mentioned you in a note on {}: “{}”",
        contact_label(contact),
        shorten(&note.body, 80)
    );
    for user in &note.mentions {
        if Some(*user) == note.author_user_id || already.contains(user) {
            continue;
        }
        let link = note_link(note.id, note.conversation_id, note.contact_id);
        let kind = NotificationKind::Mention;
        notify(
            tx,
            *user,
            kind,
            title.clone(),
            link,
            Subject::Note(note.id),
            now,
        )
        .await?;
    }
    Ok(())
}

/// The audit entry and event of a change (`create`, `update`, `delete`).
async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    note: &Stored,
    what: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = NoteRef {
        note_id: note.id,
        conversation_id: note.conversation_id,
        contact_id: note.contact_id,
        author_user_id: note.author_user_id,
        author_api_key_id: note.author_api_key_id,
        mentioned_user_ids: note.mentions.clone(),
    };
    let event = match what {
        "create" => Event::NoteCreated(r),
        "delete" => Event::NoteDeleted(r),
        _ => Event::NoteUpdated(r),
    };
    record(tx, event, now);
    // The text stays out of the audit log: it is the team's private note.
    let details = json!({
        "conversation_id": note.conversation_id,
        "contact_id": note.contact_id,
        "mentioned_user_ids": note.mentions,
    });
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("note.{what}"),
        ("note", note.id.to_string()),
        details,
    )
    .await
}
