//! The CRM's tables: tags, quick replies, notes and notifications, tasks,
//! pipelines and deals, custom attribute definitions. Every method is on
//! [`crate::TenantTx`], so every query is scoped to one tenant.

pub mod attributes;
pub mod deals;
pub mod imports;
pub mod notes;
pub mod notifications;
pub mod quick_replies;
pub mod rules;
pub mod saved_searches;
pub mod segments;
pub mod tags;
pub mod tasks;
pub mod teams;
