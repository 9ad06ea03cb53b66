//! Contacts the team makes and erases. A contact made by hand is known by
//! its phone number (its WhatsApp id is the number's digits), like one made
//! by a customer's first message. Erasing takes everything of the
//! contact's with it: conversations, messages, statuses, media (rows and
//! files), tags, notes and tasks.

use super::fields;
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use crate::tenancy::limits::Limit;
use domain::events::ContactRef;
use domain::{ContactId, Permission};
use serde_json::{Map, Value, json};
use store::inbox::{Contact, NewContact};

/// A contact to create.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    /// E.164: `+` and 8 to 15 digits.
    pub phone: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    /// Values by attribute key, checked against the definitions.
    pub attributes: Map<String, Value>,
}

/// A phone number as the audit log keeps it: the first two and last two
/// digits, the rest masked (`+14•••••••23`).
pub fn masked_phone(phone: Option<&str>) -> String {
    let Some(digits) = phone.map(|p| p.trim_start_matches('+')) else {
        return String::new();
    };
    let n = digits.chars().count();
    if n <= 4 {
        return "+••••".to_owned();
    }
    let head: String = digits.chars().take(2).collect();
    let tail: String = digits.chars().skip(n - 2).collect();
    format!("+{head}{}{tail}", "•".repeat(n - 4))
}

fn exists(id: ContactId) -> AppError {
    AppError::Conflict(
        "contact_exists",
        format!("a contact with this number exists already: {id}"),
    )
}

/// Creates a contact. A number another contact has already is refused
/// with `409 contact_exists`, whose message names that contact's id; one
/// contact more than the plan allows with `429 quota_exceeded`.
pub async fn create_contact(
    state: &AppState,
    ctx: &TenantCtx,
    input: ContactInput,
) -> AppResult<Contact> {
    ctx.require(Permission::InboxWrite)?;
    let wa_id = fields::phone_wa_id(&input.phone)?;
    let name = fields::name(input.name.as_deref())?;
    let email = fields::email(input.email.as_deref())?;
    let language = fields::language(input.language.as_deref())?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let defs = tx.all_contact_attributes().await?;
    let attributes = fields::merge_attributes(&defs, &Map::new(), &input.attributes)?;
    let new = NewContact {
        wa_id: &wa_id,
        name: name.as_deref(),
        email: email.as_deref(),
        language: language.as_deref(),
        attributes: &attributes,
    };
    if let Some(existing) = tx.find_contact_by_wa_id(&wa_id).await? {
        return Err(exists(existing.id));
    }
    crate::tenancy::limits::take(&mut tx, Limit::Contacts, now).await?;
    let Some(contact) = tx.insert_manual_contact(&new, now).await? else {
        // Taken since the look-up (SQLite writers take turns, so only on
        // PostgreSQL).
        let existing = tx.find_contact_by_wa_id(&wa_id).await?;
        return Err(existing.map_or_else(
            || {
                AppError::Conflict(
                    "contact_exists",
                    "a contact with this number exists already".into(),
                )
            },
            |c| exists(c.id),
        ));
    };
    record(
        &mut tx,
        Event::ContactCreated(ContactRef {
            contact_id: contact.id,
        }),
        now,
    );
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "contact.create",
        ("contact", contact.id.to_string()),
        json!({ "phone": masked_phone(contact.phone.as_deref()) }),
    )
    .await?;
    tx.commit().await?;
    Ok(contact)
}

/// Erases a contact and everything of theirs (needs `settings:manage`).
/// Refused with `409 contact_busy` while a message to them is still queued
/// (waiting for or in its send) or media of theirs is still being
/// downloaded: erasing then could let the message reach them afterwards
/// or leave a file behind. The audit entry keeps the number masked.
pub async fn delete_contact(state: &AppState, ctx: &TenantCtx, id: ContactId) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let contact = tx.find_contact(id).await?;
    if tx.contact_is_busy(id).await? {
        return Err(AppError::Conflict(
            "contact_busy",
            "a message to this contact is still being sent, or their media is still being \
             downloaded; try again once it is sent or failed"
                .into(),
        ));
    }
    let erased = tx.delete_contact(id).await?;
    record(
        &mut tx,
        Event::ContactDeleted(ContactRef { contact_id: id }),
        now,
    );
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "contact.delete",
        ("contact", id.to_string()),
        json!({
            "phone": masked_phone(contact.phone.as_deref()),
            "conversations": erased.conversations,
            "messages": erased.messages,
            "media_files": erased.media_paths.len(),
        }),
    )
    .await?;
    tx.commit().await?;
    // The rows are gone; now the files. One that cannot be removed is
    // reported, not retried: nothing refers to it any more.
    for path in &erased.media_paths {
        if let Err(e) = state.media.remove(path).await {
            tracing::warn!(error = %format!("{e:#}"), "erasing a contact: removing a media file");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::masked_phone;

    #[test]
    fn phones_are_masked() {
        assert_eq!(masked_phone(Some("+14155550123")), "+14•••••••23");
        assert_eq!(masked_phone(None), "");
    }
}
