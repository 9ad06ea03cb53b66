//! Message templates: event payloads, beside the [`super::Event`] list that names
//! them.

use crate::ids::{ChannelId, TemplateId};
use serde::{Deserialize, Serialize};

/// A template of an account's library, as events carry it. Enumerations
/// are lower case (`approved`, `utility`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateRef {
    pub template_id: TemplateId,
    /// The WhatsApp Business Account it belongs to.
    pub waba_id: String,
    /// Meta's id of the template; `null` until Meta has it.
    pub meta_id: Option<String>,
    pub name: String,
    /// e.g. `en_US`.
    pub language: String,
    /// `marketing`, `utility` or `authentication`.
    pub category: String,
    /// `pending`, `approved`, `rejected`, `paused`, `disabled`, …
    pub status: String,
}

/// A template's review status moved (Meta's webhook, or a sync found it
/// changed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateStatusChanged {
    #[serde(flatten)]
    pub template: TemplateRef,
    pub previous_status: String,
    /// Why, when Meta said (a rejection's reason: `INVALID_FORMAT`, …).
    pub reason: Option<String>,
}

/// A template's category or quality rating changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateUpdated {
    #[serde(flatten)]
    pub template: TemplateRef,
    /// `green`, `yellow`, `red` or `unknown`; `null` if Meta gave none.
    pub quality: Option<String>,
    /// The fields that changed (`category`, `quality`).
    pub changed: Vec<String>,
}

/// An account's library was brought in step with Meta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateLibrarySynced {
    pub waba_id: String,
    /// The number whose credentials read it.
    pub channel_id: ChannelId,
    /// Templates Meta has that the library did not.
    pub added: u32,
    /// Templates whose status, category, quality or content changed.
    pub updated: u32,
    /// Templates the library had that Meta no longer has.
    pub removed: u32,
    /// Templates in the library now.
    pub total: u32,
}
