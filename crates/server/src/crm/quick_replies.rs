//! Quick replies: a tenant's canned responses, each found by a shortcut
//! (what an agent types after `/` in the composer), with placeholders
//! filled for a conversation when inserted ([`placeholders`]). Managing
//! the catalogue needs `settings:manage` (audited, `quick_reply.*`
//! events); listing and rendering `inbox:read`.

pub mod placeholders;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, QuickReplyRef};
use domain::{ConversationId, Permission, QuickReplyId, Timestamp};
use placeholders::Values;
use serde::Serialize;
use serde_json::json;
use store::crm::quick_replies::QuickReply;
use store::page::{Page, PageRequest};
use store::{StoreError, TenantTx};
use utoipa::ToSchema;

/// The most quick replies a tenant may define (the composer carries them
/// all).
pub const MAX_QUICK_REPLIES: i64 = 200;
pub const MAX_SHORTCUT: usize = 32;
pub const MAX_TITLE: usize = 100;
pub const MAX_BODY: usize = 4096;

/// A quick reply as the API shows it (its body with placeholders).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuickReplyView {
    pub id: QuickReplyId,
    #[schema(pattern = "^[a-z0-9_-]{1,32}$")]
    pub shortcut: String,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<QuickReply> for QuickReplyView {
    fn from(q: QuickReply) -> Self {
        QuickReplyView {
            id: q.id,
            shortcut: q.shortcut,
            title: q.title,
            body: q.body,
            created_at: q.created_at,
            updated_at: q.updated_at,
        }
    }
}

/// A quick reply filled in for one conversation, ready for the composer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RenderedQuickReply {
    pub id: QuickReplyId,
    pub shortcut: String,
    pub title: String,
    /// The body with every placeholder filled (those without a value are
    /// left empty).
    pub text: String,
    /// Placeholders left empty, as written: unknown ones, and those without
    /// a value for this contact or agent (`agent.name` for an API key).
    pub unresolved: Vec<String>,
}

/// A quick reply to create, or every field of one to change (`None` leaves
/// a field as it is).
#[derive(Debug, Clone, Default)]
pub struct QuickReplyInput {
    pub shortcut: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
}

/// Adds a quick reply. Its shortcut is 1 to 32 lower-case letters, digits,
/// `-` or `_`, unique in the tenant (`409 quick_reply_shortcut_taken`);
/// its title 1 to 100 characters; its body 1 to 4,096.
pub async fn create_quick_reply(
    state: &AppState,
    ctx: &TenantCtx,
    input: QuickReplyInput,
) -> AppResult<QuickReply> {
    ctx.require(Permission::SettingsManage)?;
    let required = |f: &str, v: Option<String>| {
        v.ok_or_else(|| AppError::validation(f.to_owned(), "required"))
    };
    let shortcut = valid_shortcut(&required("shortcut", input.shortcut)?)?;
    let title = valid_text("title", &required("title", input.title)?, MAX_TITLE)?;
    let body = valid_body(&required("body", input.body)?)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    if tx.count_quick_replies().await? >= MAX_QUICK_REPLIES {
        return Err(AppError::Rule(
            "quick_reply_limit",
            format!("a workspace has at most {MAX_QUICK_REPLIES} quick replies; delete one first"),
        ));
    }
    let q = QuickReply {
        id: QuickReplyId::new(),
        shortcut,
        title,
        body,
        created_at: now,
        updated_at: now,
    };
    tx.insert_quick_reply(&q)
        .await
        .map_err(|e| shortcut_taken(e, &q.shortcut))?;
    changed(&mut tx, ctx, &q, "create", now).await?;
    tx.commit().await?;
    Ok(q)
}

/// Quick replies, newest first.
pub async fn list_quick_replies(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<QuickReply>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_quick_replies(page).await?;
    tx.commit().await?;
    Ok(found)
}

/// Every quick reply, by shortcut (for the settings page).
pub async fn all_quick_replies(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<QuickReply>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.all_quick_replies().await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn get_quick_reply(
    state: &AppState,
    ctx: &TenantCtx,
    id: QuickReplyId,
) -> AppResult<QuickReply> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let q = tx.find_quick_reply(id).await?;
    tx.commit().await?;
    Ok(q)
}

/// Changes a quick reply's shortcut, title or body.
pub async fn update_quick_reply(
    state: &AppState,
    ctx: &TenantCtx,
    id: QuickReplyId,
    change: QuickReplyInput,
) -> AppResult<QuickReply> {
    ctx.require(Permission::SettingsManage)?;
    let shortcut = change.shortcut.as_deref().map(valid_shortcut).transpose()?;
    let title = change
        .title
        .as_deref()
        .map(|t| valid_text("title", t, MAX_TITLE))
        .transpose()?;
    let body = change.body.as_deref().map(valid_body).transpose()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut q = tx.find_quick_reply(id).await?;
    q.shortcut = shortcut.unwrap_or(q.shortcut);
    q.title = title.unwrap_or(q.title);
    q.body = body.unwrap_or(q.body);
    q.updated_at = now;
    tx.update_quick_reply(&q)
        .await
        .map_err(|e| shortcut_taken(e, &q.shortcut))?;
    changed(&mut tx, ctx, &q, "update", now).await?;
    tx.commit().await?;
    Ok(q)
}

pub async fn delete_quick_reply(
    state: &AppState,
    ctx: &TenantCtx,
    id: QuickReplyId,
) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let q = tx.find_quick_reply(id).await?;
    tx.delete_quick_reply(id).await?;
    changed(&mut tx, ctx, &q, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Every quick reply (by shortcut), or only `only`, filled in for
/// `conversation`: its contact's name, phone, email and attributes, and
/// the calling agent's name.
pub async fn render_quick_replies(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
    only: Option<QuickReplyId>,
) -> AppResult<Vec<RenderedQuickReply>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let c = tx.find_conversation(conversation).await?;
    let contact = tx.find_contact(c.contact_id).await?;
    let agent = match ctx.user_id() {
        Some(id) => Some(tx.find_user(id).await?),
        None => None,
    };
    let replies = match only {
        Some(id) => vec![tx.find_quick_reply(id).await?],
        None => tx.all_quick_replies().await?,
    };
    tx.commit().await?;
    let agent_name = agent.as_ref().map(|u| {
        if u.name.trim().is_empty() {
            &u.email
        } else {
            &u.name
        }
    });
    let values = Values {
        contact_name: contact.display_name(),
        contact_phone: contact.phone.as_deref(),
        contact_email: contact.email.as_deref(),
        attributes: Some(&contact.attributes),
        agent_name: agent_name.map(String::as_str),
    };
    Ok(replies
        .into_iter()
        .map(|q| {
            let (text, unresolved) = placeholders::fill(&q.body, &values);
            RenderedQuickReply {
                id: q.id,
                shortcut: q.shortcut,
                title: q.title,
                text,
                unresolved,
            }
        })
        .collect())
}

/// One quick reply filled in for `conversation`.
pub async fn render_quick_reply(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
    id: QuickReplyId,
) -> AppResult<RenderedQuickReply> {
    render_quick_replies(state, ctx, conversation, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

pub fn valid_shortcut(s: &str) -> AppResult<String> {
    let ok = (1..=MAX_SHORTCUT).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        return Err(AppError::validation(
            "shortcut",
            format!("1 to {MAX_SHORTCUT} lower-case letters, digits, - or _ (e.g. hours)"),
        ));
    }
    Ok(s.to_owned())
}

/// Text of at most `max` characters as sent, not blank; kept trimmed.
fn valid_text(field: &str, raw: &str, max: usize) -> AppResult<String> {
    let t = raw.trim();
    if t.is_empty() || raw.chars().count() > max {
        return Err(AppError::validation(
            field.to_owned(),
            format!("1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

/// A body: at most 4,096 characters as sent, not blank; kept trimmed,
/// its line breaks kept (Windows line ends, as a textarea sends them, made
/// plain).
fn valid_body(raw: &str) -> AppResult<String> {
    valid_text("body", raw, MAX_BODY).map(|b| b.replace("\r\n", "\n"))
}

fn shortcut_taken(e: StoreError, shortcut: &str) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict(
            "quick_reply_shortcut_taken",
            format!("a quick reply with the shortcut /{shortcut} exists already"),
        ),
        other => other.into(),
    }
}

/// The audit entry and event of a catalogue change.
async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    q: &QuickReply,
    what: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = QuickReplyRef {
        quick_reply_id: q.id,
        shortcut: q.shortcut.clone(),
    };
    let event = match what {
        "create" => Event::QuickReplyCreated(r),
        "delete" => Event::QuickReplyDeleted(r),
        _ => Event::QuickReplyUpdated(r),
    };
    record(tx, event, now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("quick_reply.{what}"),
        ("quick_reply", q.id.to_string()),
        json!({ "shortcut": q.shortcut, "title": q.title }),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_short_lower_case_words() {
        assert_eq!(valid_shortcut("hours").unwrap(), "hours");
        for ok in ["a", "opening-hours_2", &"x".repeat(32)] {
            assert!(valid_shortcut(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Hours",
            " hours",
            "two words",
            "/hours",
            "é",
            &"x".repeat(33),
        ] {
            assert!(valid_shortcut(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bodies_are_bounded_and_keep_their_lines() {
        assert_eq!(valid_body(" a\r\nb ").unwrap(), "a\nb");
        assert!(valid_body(" \n ").is_err());
        assert!(valid_body(&"é".repeat(4096)).is_ok());
        assert!(valid_body(&"é".repeat(4097)).is_err());
    }
}
