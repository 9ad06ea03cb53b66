//! What the campaign form chooses among: the tenant's numbers, the
//! approved templates of their accounts (with their parameters), the
//! segments and the tags.

use super::variables::template_parameters;
use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::{ChannelId, Permission, SegmentId, TagId, TemplateId};

/// A number to send from.
#[derive(Debug, Clone)]
pub struct NumberChoice {
    pub id: ChannelId,
    pub label: String,
    pub waba_id: String,
}

/// An approved template, with its body and its parameters.
#[derive(Debug, Clone)]
pub struct TemplateChoice {
    pub id: TemplateId,
    pub label: String,
    pub waba_id: String,
    pub body: String,
    pub parameters: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub numbers: Vec<NumberChoice>,
    pub templates: Vec<TemplateChoice>,
    pub segments: Vec<(SegmentId, String)>,
    pub tags: Vec<(TagId, String)>,
}

pub async fn choices(state: &AppState, ctx: &TenantCtx) -> AppResult<Choices> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let numbers: Vec<NumberChoice> = tx
        .list_channels()
        .await?
        .into_iter()
        .map(|c| NumberChoice {
            id: c.id,
            label: c
                .verified_name
                .map(|n| format!("{n} ({})", c.display_phone_number))
                .unwrap_or(c.display_phone_number),
            waba_id: c.waba_id,
        })
        .collect();
    let templates = tx
        .list_templates(None)
        .await?
        .into_iter()
        .filter(|t| t.is_approved() && numbers.iter().any(|n| n.waba_id == t.waba_id))
        .map(|t| {
            let body = t
                .components
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| {
                    c["type"]
                        .as_str()
                        .is_some_and(|k| k.eq_ignore_ascii_case("BODY"))
                })
                .and_then(|c| c["text"].as_str())
                .unwrap_or_default()
                .to_owned();
            TemplateChoice {
                id: t.id,
                label: format!("{} ({})", t.name, t.language),
                parameters: template_parameters(&t.components),
                waba_id: t.waba_id,
                body,
            }
        })
        .collect();
    let segments = tx
        .list_segments(store::page::PageRequest::new(None, 200))
        .await?
        .items
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let tags = tx
        .all_tags()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    tx.commit().await?;
    Ok(Choices {
        numbers,
        templates,
        segments,
        tags,
    })
}
