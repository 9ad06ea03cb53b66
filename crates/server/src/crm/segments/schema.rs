//! How the OpenAPI document describes a segment's rule tree. The server
//! reads the tree itself ([`store::crm::rules`], so a mistake is reported
//! with its path, `rules[2].op`); these types only describe it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A rule or a group of rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum SegmentNode {
    Rule(SegmentRule),
    Group(SegmentGroup),
}

/// Rules that must all hold (`any: false`, the default) or any of which
/// must hold (`any: true`). Groups nest at most 3 deep (counting the
/// segment itself); a segment has at most 50 rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentGroup {
    pub any: Option<bool>,
    #[schema(no_recursion, min_items = 1, max_items = 50)]
    pub rules: Vec<SegmentNode>,
}

/// One condition on a contact. `op` and `value` by `field`:
///
/// - `tag`: `has` / `has_not`; value a tag id.
/// - `attribute` (with `key`): `eq`, `ne` (not equal, or no value), `gt`,
///   `gte`, `lt`, `lte` (numbers and dates), `contains` (text, ASCII letters
///   in any case), `is_set`, `is_not_set` (no value); value of the
///   attribute's type (a date as `YYYY-MM-DD`; a choice one of its options).
/// - `opted_out`: `is`; value `true` or `false`.
/// - `last_inbound_at`, `last_outbound_at` (the latest message from or to
///   the contact): `within_days`, `not_within_days` (never included); value
///   1 to 3650; or `before`, `after` (at or after); value a date
///   (`2026-01-31`, from the start of that day, UTC) or an RFC 3339 time.
/// - `deal_stage`: `is` (has an open deal in the stage) / `is_not`; value a
///   stage id.
/// - `channel`: `is` (has a conversation on the number) / `is_not`; value a
///   number's id.
/// - `created_at`: `within_days`, `before`, `after`, values as above.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    pub field: RuleField,
    pub op: RuleOp,
    /// The attribute's key, for `attribute` rules only.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,39}$")]
    pub key: Option<String>,
    pub value: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleField {
    Tag,
    Attribute,
    OptedOut,
    LastInboundAt,
    LastOutboundAt,
    DealStage,
    Channel,
    CreatedAt,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleOp {
    Has,
    HasNot,
    Is,
    IsNot,
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
    IsSet,
    IsNotSet,
    WithinDays,
    NotWithinDays,
    Before,
    After,
}
