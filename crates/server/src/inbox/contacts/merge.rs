//! Duplicates and merging: contacts that may be the same person (the same
//! phone, email or name), and a merge that keeps one of two contacts with
//! everything of the other's.

use super::manage::masked_phone;
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::ContactMerged;
use domain::{ContactId, Permission};
use serde_json::json;
use store::StoreError;
use store::inbox::{Contact, DuplicateReason, MergedContacts};

/// A contact that may be the same person as another, and why.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub contact: Contact,
    /// `phone`, `email` and/or `name`.
    pub reasons: Vec<&'static str>,
}

/// Contacts that may be the same person as `id`: the same phone, the same
/// email or the same name (case-insensitive), newest first, at most 50.
pub async fn duplicates(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactId,
) -> AppResult<Vec<Duplicate>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let contact = tx.find_contact(id).await?;
    let found = tx.find_duplicate_contacts(&contact).await?;
    tx.commit().await?;
    Ok(found
        .into_iter()
        .map(|(contact, why)| Duplicate {
            contact,
            reasons: why
                .into_iter()
                .map(|r| match r {
                    DuplicateReason::Phone => "phone",
                    DuplicateReason::Email => "email",
                    DuplicateReason::Name => "name",
                })
                .collect(),
        })
        .collect())
}

/// The kept contact as it is after the merge: its own identity and values
/// first, the other's filling what it lacks. Consent errs on the safe
/// side: if either opted out, the merged contact has.
fn merged(kept: &Contact, other: &Contact) -> Contact {
    let mut m = kept.clone();
    let fill = |mine: &mut Option<String>, theirs: &Option<String>| {
        if mine.is_none() {
            mine.clone_from(theirs);
        }
    };
    fill(&mut m.wa_id, &other.wa_id);
    fill(&mut m.user_id, &other.user_id);
    fill(&mut m.username, &other.username);
    fill(&mut m.phone, &other.phone);
    fill(&mut m.profile_name, &other.profile_name);
    fill(&mut m.name, &other.name);
    fill(&mut m.email, &other.email);
    fill(&mut m.language, &other.language);
    m.opted_out_at = match (kept.opted_out_at, other.opted_out_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    m.identity_changed_at = kept.identity_changed_at.max(other.identity_changed_at);
    let mut attributes = other.attributes.clone();
    attributes.extend(kept.attributes.clone());
    m.attributes = attributes;
    m
}

/// Merges contact `other` into `kept`, in one transaction: `other`'s
/// conversations move to `kept` (two on the same number become one: the
/// messages move into `kept`'s and `other`'s is removed), with their
/// messages and media; so do tags, notes, tasks, deals and the timeline.
/// `kept`'s fields and attribute values win; `other`'s fill the gaps.
/// `other` is then deleted. Refused with `409 contact_busy` while a
/// message to `other` is still queued (it would go to `kept`'s number).
pub async fn merge_contacts(
    state: &AppState,
    ctx: &TenantCtx,
    kept: ContactId,
    other: ContactId,
) -> AppResult<(Contact, MergedContacts)> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let k = tx.find_contact(kept).await?;
    if other == kept {
        return Err(AppError::validation("other", "a different contact"));
    }
    let o = tx.find_contact(other).await.map_err(|e| match e {
        StoreError::NotFound => AppError::validation("other", "no such contact"),
        e => e.into(),
    })?;
    if tx.contact_is_busy(other).await? {
        return Err(AppError::Conflict(
            "contact_busy",
            "a message to the other contact is still being sent, or their media is still \
             being downloaded; try again once it is sent or failed"
                .into(),
        ));
    }
    let m = merged(&k, &o);
    let moved = tx.merge_contacts(other, &m, now).await?;
    let event = Event::ContactMerged(ContactMerged {
        contact_id: kept,
        merged_contact_id: other,
        conversations_moved: moved.conversations_moved,
        conversations_combined: moved.conversations_combined,
        messages_moved: moved.messages_moved,
    });
    record(&mut tx, event, now);
    // When both had a number, the other's is no longer anyone's.
    let dropped =
        (k.wa_id.is_some() && o.wa_id.is_some()).then(|| masked_phone(o.phone.as_deref()));
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "contact.merge",
        ("contact", kept.to_string()),
        json!({
            "merged_contact_id": other,
            "merged_phone": masked_phone(o.phone.as_deref()),
            "dropped_phone": dropped,
            "conversations_moved": moved.conversations_moved,
            "conversations_combined": moved.conversations_combined,
            "messages_moved": moved.messages_moved,
        }),
    )
    .await?;
    let mut contact = tx.find_contact(kept).await?;
    tx.load_contact_tags(std::slice::from_mut(&mut contact))
        .await?;
    tx.commit().await?;
    Ok((contact, moved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Timestamp;
    use serde_json::{Map, json};

    fn contact(wa: Option<&str>, name: Option<&str>, attrs: serde_json::Value) -> Contact {
        let attributes: Map<String, serde_json::Value> =
            serde_json::from_value(attrs).unwrap_or_default();
        Contact {
            id: ContactId::new(),
            wa_id: wa.map(str::to_owned),
            user_id: None,
            profile_name: None,
            username: None,
            phone: wa.map(|w| format!("+{w}")),
            opted_out_at: None,
            identity_changed_at: None,
            name: name.map(str::to_owned),
            email: None,
            language: None,
            attributes,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
            tags: Vec::new(),
        }
    }

    #[test]
    fn the_kept_contact_wins_and_the_other_fills_gaps() {
        let k = contact(None, Some("Ana"), json!({"plan": "pro"}));
        let mut o = contact(
            Some("14155550123"),
            Some("Ana B."),
            json!({"plan": "free", "city": "Porto"}),
        );
        o.opted_out_at = Some(Timestamp::from_millis(5));
        let m = merged(&k, &o);
        assert_eq!(m.id, k.id);
        assert_eq!(m.name.as_deref(), Some("Ana"));
        assert_eq!(m.wa_id.as_deref(), Some("14155550123"));
        assert_eq!(m.attributes["plan"], json!("pro"));
        assert_eq!(m.attributes["city"], json!("Porto"));
        assert!(m.opted_out_at.is_some());
    }
}
