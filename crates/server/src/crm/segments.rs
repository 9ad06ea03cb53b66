//! Segments: saved rule-based filters of contacts (tags, attributes,
//! consent, last inbound or outbound message, deal stage, number, created
//! date; AND / OR groups), with a live count. Campaigns target them.
//!
//! The rule tree is read and compiled into one SQL query by the store
//! ([`store::crm::rules`]); [`check`] holds it against the tenant's tags,
//! stages, numbers and attribute definitions. Segments are the team's
//! working lists: creating, changing and deleting one needs `inbox:write`
//! (so does previewing an unsaved tree through the API), reading
//! `inbox:read`. Every change is audited and records a `segment.*` event.

pub mod check;
pub mod editor;
pub mod schema;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::SegmentRef;
use domain::{Permission, SegmentId, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};
use store::TenantTx;
use store::crm::rules::Group;
use store::crm::rules::sql::Selection;
use store::crm::segments::Segment as Stored;
use store::inbox::Contact;
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// The longest segment name, in characters.
pub const MAX_NAME: usize = 100;
/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 500;
/// How many contacts a preview shows.
pub const SAMPLE: u32 = 20;
/// The most segments a tenant may have (the list page counts them all).
pub const MAX_SEGMENTS: usize = 200;

/// A segment as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Segment {
    pub id: SegmentId,
    pub name: String,
    pub description: Option<String>,
    /// `true`: a contact is in the segment when any rule holds; `false`:
    /// when every rule holds.
    pub any: bool,
    /// The rules and groups (none: every contact).
    #[schema(value_type = Vec<schema::SegmentNode>)]
    pub rules: Vec<Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Stored> for Segment {
    fn from(s: Stored) -> Self {
        let json = s.rules.to_json();
        Segment {
            id: s.id,
            name: s.name,
            description: s.description,
            any: s.rules.any,
            rules: json["rules"].as_array().cloned().unwrap_or_default(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A segment to create. `rules` are its root group's (see
/// [`schema::SegmentRule`]).
#[derive(Debug, Clone, Default)]
pub struct NewSegment {
    pub name: String,
    pub description: Option<String>,
    pub any: bool,
    pub rules: Vec<Value>,
}

/// A change; `None` leaves a field as it is (an empty description clears
/// it).
#[derive(Debug, Clone, Default)]
pub struct SegmentChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub any: Option<bool>,
    pub rules: Option<Vec<Value>>,
}

/// How many contacts a rule tree selects now, and the newest of them.
#[derive(Debug, Clone)]
pub struct Preview {
    pub count: i64,
    pub sample: Vec<Contact>,
}

/// Reads a root group from its parts; errors name the path in the body
/// (`rules[2].rules[0].op`).
pub fn parse_rules(any: bool, rules: &[Value]) -> AppResult<Group> {
    Group::parse(&json!({ "any": any, "rules": rules })).map_err(check::rule_error)
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

fn description(raw: Option<&str>) -> AppResult<Option<String>> {
    if raw.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(AppError::validation(
            "description",
            format!("at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(raw
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned))
}

fn name_taken(e: store::StoreError) -> AppError {
    match e {
        store::StoreError::Conflict(_) => {
            AppError::Conflict("segment_name_taken", "another segment has this name".into())
        }
        other => other.into(),
    }
}

/// Creates a segment.
pub async fn create_segment(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewSegment,
) -> AppResult<Segment> {
    ctx.require(Permission::InboxWrite)?;
    let name = name(&input.name)?;
    let description = description(input.description.as_deref())?;
    let rules = parse_rules(input.any, &input.rules)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    check::references(&mut tx, &rules).await?;
    if tx.count_segments().await? >= MAX_SEGMENTS as i64 {
        return Err(AppError::Rule(
            "segment_limit",
            format!("a workspace has at most {MAX_SEGMENTS} segments"),
        ));
    }
    let s = Stored {
        id: SegmentId::new(),
        name,
        description,
        rules,
        created_at: now,
        updated_at: now,
    };
    tx.insert_segment(&s).await.map_err(name_taken)?;
    changed(&mut tx, ctx, &s, "create", now).await?;
    tx.commit().await?;
    Ok(s.into())
}

/// Changes a segment.
pub async fn update_segment(
    state: &AppState,
    ctx: &TenantCtx,
    id: SegmentId,
    change: SegmentChange,
) -> AppResult<Segment> {
    ctx.require(Permission::InboxWrite)?;
    let new_name = change.name.as_deref().map(name).transpose()?;
    let new_description = change
        .description
        .as_deref()
        .map(|d| description(Some(d)))
        .transpose()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut s = tx.find_segment(id).await?;
    let any = change.any.unwrap_or(s.rules.any);
    s.rules = match &change.rules {
        Some(rules) => parse_rules(any, rules)?,
        None => Group { any, ..s.rules },
    };
    check::references(&mut tx, &s.rules).await?;
    if let Some(n) = new_name {
        s.name = n;
    }
    if let Some(d) = new_description {
        s.description = d;
    }
    s.updated_at = now;
    tx.update_segment(&s).await.map_err(name_taken)?;
    changed(&mut tx, ctx, &s, "update", now).await?;
    tx.commit().await?;
    Ok(s.into())
}

/// Deletes a segment.
pub async fn delete_segment(state: &AppState, ctx: &TenantCtx, id: SegmentId) -> AppResult<()> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let s = tx.find_segment(id).await?;
    tx.delete_segment(id).await?;
    changed(&mut tx, ctx, &s, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get_segment(state: &AppState, ctx: &TenantCtx, id: SegmentId) -> AppResult<Segment> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let s = tx.find_segment(id).await?;
    tx.commit().await?;
    Ok(s.into())
}

/// Segments, newest first.
pub async fn list_segments(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<Segment>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_segments(page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(Segment::from).collect(),
        next: found.next,
    })
}

/// Every segment (newest first) with how many contacts it has now: the
/// dashboard's list.
pub async fn segments_with_counts(
    state: &AppState,
    ctx: &TenantCtx,
) -> AppResult<Vec<(Segment, i64)>> {
    ctx.require(Permission::InboxRead)?;
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = tx
            .list_segments(PageRequest::new(after, PageRequest::MAX_LIMIT))
            .await?;
        for s in page.items {
            let sel = Selection {
                rules: s.rules.clone(),
                search: None,
            };
            let n = tx.count_selected_contacts(&sel, now).await?;
            out.push((Segment::from(s), n));
        }
        match page.next {
            Some(next) if out.len() < MAX_SEGMENTS => after = Some(next),
            _ => break,
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// How many contacts are in the segment now.
pub async fn count_segment(state: &AppState, ctx: &TenantCtx, id: SegmentId) -> AppResult<i64> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let s = tx.find_segment(id).await?;
    let sel = Selection {
        rules: s.rules,
        search: None,
    };
    let n = tx.count_selected_contacts(&sel, state.now()).await?;
    tx.commit().await?;
    Ok(n)
}

/// The segment's contacts now, newest first, with their tags.
pub async fn segment_contacts(
    state: &AppState,
    ctx: &TenantCtx,
    id: SegmentId,
    page: PageRequest,
) -> AppResult<Page<Contact>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let s = tx.find_segment(id).await?;
    let sel = Selection {
        rules: s.rules,
        search: None,
    };
    let found = tx.page_selected_contacts(&sel, state.now(), page).await?;
    tx.commit().await?;
    Ok(found)
}

/// The count and the newest contacts of a rule tree that need not be
/// saved (the editor's live count). Errors name the path of a bad rule.
pub async fn preview_segment(
    state: &AppState,
    ctx: &TenantCtx,
    any: bool,
    rules: &[Value],
) -> AppResult<Preview> {
    ctx.require(Permission::InboxRead)?;
    let rules = parse_rules(any, rules)?;
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    check::references(&mut tx, &rules).await?;
    let sel = Selection {
        rules,
        search: None,
    };
    let count = tx.count_selected_contacts(&sel, now).await?;
    let mut sample = tx.select_contacts(&sel, now, None, SAMPLE).await?;
    tx.load_contact_tags(&mut sample).await?;
    tx.commit().await?;
    Ok(Preview { count, sample })
}

/// The audit entry and event of a change (`create`, `update`, `delete`).
async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    s: &Stored,
    what: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = SegmentRef {
        segment_id: s.id,
        name: s.name.clone(),
    };
    let event = match what {
        "create" => Event::SegmentCreated(r),
        "delete" => Event::SegmentDeleted(r),
        _ => Event::SegmentUpdated(r),
    };
    record(tx, event, now);
    let details = match what {
        "delete" => json!({ "name": s.name }),
        _ => json!({ "name": s.name, "rules": s.rules.to_json() }),
    };
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("segment.{what}"),
        ("segment", s.id.to_string()),
        details,
    )
    .await
}
