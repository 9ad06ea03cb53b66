//! What the dashboard's segment editor shows: the segment (if saved), the
//! choices its rule rows offer (tags, stages, numbers, attributes), and the
//! live count and newest contacts of the tree being edited, or why that
//! tree is not valid yet; and saving what it sent.
//!
//! A form sends every value as text: an attribute rule's value is typed
//! here by its attribute's type ([`type_values`]) before the tree is read.

use super::{NewSegment, Preview, SAMPLE, Segment, SegmentChange, check, parse_rules};
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ChannelId, Permission, SegmentId, StageId, TagId};
use serde_json::Value;
use store::crm::attributes::{AttributeDef, AttributeKind};
use store::crm::rules::sql::Selection;
use store::page::PageRequest;

/// What a rule row can pick from.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub tags: Vec<(TagId, String)>,
    /// Each stage with its pipeline's name (`Sales › Proposal`).
    pub stages: Vec<(StageId, String)>,
    pub numbers: Vec<(ChannelId, String)>,
    pub attributes: Vec<AttributeDef>,
}

/// The editor's content.
#[derive(Debug)]
pub struct Editor {
    pub segment: Option<Segment>,
    pub choices: Choices,
    /// The count and sample of the tree edited, or why it is not valid.
    pub preview: Result<Preview, AppError>,
}

/// The tree being edited: a draft from the form, else the saved one.
#[derive(Debug, Clone)]
pub struct Draft {
    pub any: bool,
    pub rules: Vec<Value>,
}

/// Loads the editor for segment `id` (none: a new one) and previews
/// `draft`, or the saved segment's own tree.
pub async fn segment_editor(
    state: &AppState,
    ctx: &TenantCtx,
    id: Option<SegmentId>,
    draft: Option<Draft>,
) -> AppResult<Editor> {
    ctx.require(Permission::InboxRead)?;
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let segment = match id {
        Some(id) => Some(Segment::from(tx.find_segment(id).await?)),
        None => None,
    };
    let tags = tx
        .all_tags()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut stages = Vec::new();
    let pipelines = tx
        .list_pipelines(PageRequest::new(None, PageRequest::MAX_LIMIT))
        .await?;
    for p in pipelines.items {
        for s in p.stages {
            stages.push((s.id, format!("{} › {}", p.name, s.name)));
        }
    }
    let numbers = tx
        .list_channels()
        .await?
        .into_iter()
        .map(|c| {
            let label = match c.verified_name {
                Some(n) => format!("{n} ({})", c.display_phone_number),
                None => c.display_phone_number,
            };
            (c.id, label)
        })
        .collect();
    let attributes = tx.all_contact_attributes().await?;
    let (any, rules) = match (&draft, &segment) {
        (Some(d), _) => (d.any, type_values(d.rules.clone(), &attributes)),
        (None, Some(s)) => (s.any, s.rules.clone()),
        (None, None) => (false, Vec::new()),
    };
    let preview = match parse_rules(any, &rules) {
        Ok(group) => match check::references(&mut tx, &group).await {
            Ok(()) => {
                let sel = Selection {
                    rules: group,
                    search: None,
                };
                let count = tx.count_selected_contacts(&sel, now).await?;
                let mut sample = tx.select_contacts(&sel, now, None, SAMPLE).await?;
                tx.load_contact_tags(&mut sample).await?;
                Ok(Preview { count, sample })
            }
            Err(e @ AppError::Validation(_)) => Err(e),
            Err(e) => return Err(e),
        },
        Err(e) => Err(e),
    };
    tx.commit().await?;
    Ok(Editor {
        segment,
        choices: Choices {
            tags,
            stages,
            numbers,
            attributes,
        },
        preview,
    })
}

/// Saves what the editor sent: a new segment (`id` none) or a change to
/// one. Its attribute values are typed first.
pub async fn save_segment(
    state: &AppState,
    ctx: &TenantCtx,
    id: Option<SegmentId>,
    mut input: NewSegment,
) -> AppResult<Segment> {
    ctx.require(Permission::InboxWrite)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let attributes = tx.all_contact_attributes().await?;
    tx.commit().await?;
    input.rules = type_values(input.rules, &attributes);
    match id {
        None => super::create_segment(state, ctx, input).await,
        Some(id) => {
            let change = SegmentChange {
                name: Some(input.name),
                description: Some(input.description.unwrap_or_default()),
                any: Some(input.any),
                rules: Some(input.rules),
            };
            super::update_segment(state, ctx, id, change).await
        }
    }
}

/// Attribute rules' text values as their attribute's type: a number, or
/// `true` / `false` (text that does not read so is left for the check to
/// refuse).
pub fn type_values(rules: Vec<Value>, attributes: &[AttributeDef]) -> Vec<Value> {
    rules
        .into_iter()
        .map(|mut r| {
            if let Some(inner) = r.get_mut("rules").map(Value::take) {
                let items = inner.as_array().cloned().unwrap_or_default();
                r["rules"] = Value::Array(type_values(items, attributes));
                return r;
            }
            if r["field"] != "attribute" {
                return r;
            }
            let kind = attributes
                .iter()
                .find(|a| r["key"].as_str() == Some(a.key.as_str()))
                .map(|a| a.kind);
            let typed = match (kind, r["value"].as_str().map(str::trim)) {
                (Some(AttributeKind::Number), Some(t)) => t
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(Value::from),
                (Some(AttributeKind::Boolean), Some("true")) => Some(Value::Bool(true)),
                (Some(AttributeKind::Boolean), Some("false")) => Some(Value::Bool(false)),
                _ => None,
            };
            if let Some(v) = typed {
                r["value"] = v;
            }
            r
        })
        .collect()
}
