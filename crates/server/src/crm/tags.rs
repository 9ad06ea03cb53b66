//! Tags: a tenant's catalogue of labels with a colour, put on contacts and
//! conversations ([`carriers`]). Defining the catalogue needs
//! `settings:manage`, putting tags on and off `inbox:write`, reading
//! `inbox:read`. Every change is
//! audited and records a `tag.*`, `contact.(un)tagged` or
//! `conversation.(un)tagged` event; putting on a tag that is already there,
//! or taking off one that is not, changes nothing and records nothing.

mod carriers;

pub use carriers::{
    Carrier, contact_tags, conversation_tags, set_contact_tag, set_conversation_tag, set_tag_in,
};

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, TagRef};
use domain::{Permission, TagId, Timestamp};
use serde::Serialize;
use serde_json::json;
use store::TenantTx;
use store::crm::tags::Tag;
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// The most tags a tenant may define (every picker lists them all).
pub const MAX_TAGS: usize = 500;
/// The longest tag name, in characters.
pub const MAX_NAME: usize = 50;

/// A tag as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagView {
    pub id: TagId,
    pub name: String,
    /// `#rrggbb`.
    #[schema(pattern = "^#[0-9a-f]{6}$")]
    pub colour: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Tag> for TagView {
    fn from(t: Tag) -> Self {
        TagView {
            id: t.id,
            name: t.name,
            colour: t.colour,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A tag as contacts and conversations carry it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagSummary {
    pub id: TagId,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

impl From<Tag> for TagSummary {
    fn from(t: Tag) -> Self {
        TagSummary {
            id: t.id,
            name: t.name,
            colour: t.colour,
        }
    }
}

/// The summaries of `tags`, for a view.
pub fn summaries(tags: Vec<Tag>) -> Vec<TagSummary> {
    tags.into_iter().map(TagSummary::from).collect()
}

/// A change to a tag; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TagChange {
    pub name: Option<String>,
    pub colour: Option<String>,
}

/// Adds a tag to the catalogue. Its name is 1 to 50 characters, unique in
/// the tenant whatever the case (`409 tag_name_taken`); its colour `#rrggbb`.
pub async fn create_tag(
    state: &AppState,
    ctx: &TenantCtx,
    name: &str,
    colour: &str,
) -> AppResult<Tag> {
    ctx.require(Permission::SettingsManage)?;
    let name = valid_name(name)?;
    let colour = valid_colour(colour)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let all = tx.all_tags().await?;
    if all.len() >= MAX_TAGS {
        return Err(AppError::Rule(
            "tag_limit",
            format!("a workspace has at most {MAX_TAGS} tags; delete one first"),
        ));
    }
    unique_name(&all, &name, None)?;
    let tag = Tag {
        id: TagId::new(),
        name,
        colour,
        created_at: now,
        updated_at: now,
    };
    tx.insert_tag(&tag)
        .await
        .map_err(|e| NAMES.from_store(e, &tag.name))?;
    changed(&mut tx, ctx, &tag, "create", now).await?;
    tx.commit().await?;
    Ok(tag)
}

/// Tags, newest first.
pub async fn list_tags(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<Tag>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let tags = tx.list_tags(page).await?;
    tx.commit().await?;
    Ok(tags)
}

/// Every tag, by name: what the dashboard's pickers offer.
pub async fn all_tags(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<Tag>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let tags = tx.all_tags().await?;
    tx.commit().await?;
    Ok(tags)
}

/// A tag with how many contacts and conversations carry it.
#[derive(Debug, Clone)]
pub struct TagUsage {
    pub tag: Tag,
    pub contacts: i64,
    pub conversations: i64,
}

/// Every tag, by name, with how much it is used (Settings → Tags).
pub async fn tag_usage(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<TagUsage>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let tags = tx.all_tags().await?;
    let usage = tx.tag_usage().await?;
    tx.commit().await?;
    Ok(tags
        .into_iter()
        .map(|tag| {
            let (contacts, conversations) = usage.get(&tag.id).copied().unwrap_or_default();
            TagUsage {
                tag,
                contacts,
                conversations,
            }
        })
        .collect())
}

pub async fn get_tag(state: &AppState, ctx: &TenantCtx, id: TagId) -> AppResult<Tag> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let tag = tx.find_tag(id).await?;
    tx.commit().await?;
    Ok(tag)
}

/// Renames or recolours a tag (everything carrying it shows the change).
pub async fn update_tag(
    state: &AppState,
    ctx: &TenantCtx,
    id: TagId,
    change: TagChange,
) -> AppResult<Tag> {
    ctx.require(Permission::SettingsManage)?;
    let name = change.name.as_deref().map(valid_name).transpose()?;
    let colour = change.colour.as_deref().map(valid_colour).transpose()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut tag = tx.find_tag(id).await?;
    if let Some(name) = name {
        unique_name(&tx.all_tags().await?, &name, Some(id))?;
        tag.name = name;
    }
    if let Some(colour) = colour {
        tag.colour = colour;
    }
    tag.updated_at = now;
    tx.update_tag(&tag)
        .await
        .map_err(|e| NAMES.from_store(e, &tag.name))?;
    changed(&mut tx, ctx, &tag, "update", now).await?;
    tx.commit().await?;
    Ok(tag)
}

/// Deletes a tag and takes it off every contact and conversation.
pub async fn delete_tag(state: &AppState, ctx: &TenantCtx, id: TagId) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let tag = tx.find_tag(id).await?;
    tx.delete_tag(id).await?;
    changed(&mut tx, ctx, &tag, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

/// A tag name: see [`super::short_name`].
fn valid_name(raw: &str) -> AppResult<String> {
    super::short_name(raw, MAX_NAME)
}

/// `#rrggbb` (either case), kept in lower case.
pub fn valid_colour(c: &str) -> AppResult<String> {
    let ok = c.len() == 7 && c.starts_with('#') && c.bytes().skip(1).all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(AppError::validation(
            "colour",
            "a colour as #rrggbb (e.g. #2563eb)",
        ));
    }
    Ok(c.to_ascii_lowercase())
}

/// Tag names are unique whatever the case.
const NAMES: super::UniqueNames = super::UniqueNames {
    code: "tag_name_taken",
    what: "a tag",
};

/// Refuses `name` if another tag than `except` has it, whatever the case.
fn unique_name(all: &[Tag], name: &str, except: Option<TagId>) -> AppResult<()> {
    let others = all.iter().filter(|t| Some(t.id) != except);
    NAMES.check(others.map(|t| t.name.as_str()), name)
}

/// The audit entry and event of a catalogue change.
async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    t: &Tag,
    what: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = TagRef {
        tag_id: t.id,
        name: t.name.clone(),
        colour: t.colour.clone(),
    };
    let event = match what {
        "create" => Event::TagCreated(r),
        "delete" => Event::TagDeleted(r),
        _ => Event::TagUpdated(r),
    };
    record(tx, event, now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("tag.{what}"),
        ("tag", t.id.to_string()),
        json!({ "name": t.name, "colour": t.colour }),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_six_hex_digits_kept_in_lower_case() {
        assert_eq!(valid_colour("#2563EB").unwrap(), "#2563eb");
        assert_eq!(valid_colour("#00ff00").unwrap(), "#00ff00");
        for bad in [
            "2563eb", "#fff", "#2563eg", "#2563eb0", "", "red", " #00ff00",
        ] {
            assert!(valid_colour(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  VIP ").unwrap(), "VIP");
        assert!(valid_name("   ").is_err());
        assert!(valid_name(&"é".repeat(50)).is_ok());
        assert!(valid_name(&"é".repeat(51)).is_err());
        assert!(
            valid_name(&format!(" {}", "é".repeat(50))).is_err(),
            "counted as sent"
        );
        assert!(valid_name("a\nb").is_err());
    }

    #[test]
    fn names_clash_whatever_their_case() {
        let t = Tag {
            id: TagId::new(),
            name: "Équipe".into(),
            colour: "#000000".into(),
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        };
        let all = [t.clone()];
        assert!(unique_name(&all, "équipe", None).is_err());
        assert!(unique_name(&all, "ÉQUIPE", Some(t.id)).is_ok());
        assert!(unique_name(&all, "Team", None).is_ok());
    }
}
