//! Analytics a business reads every morning: messages, conversations and
//! response times against the workspace's targets, campaigns, templates,
//! automations and bookings, over any span of days in the workspace's time
//! zone; and the operator's view across workspaces.
//!
//! - [`consumer`] rolls the event log up into counts by local day and hour
//!   (`analytics_counts`) and follows each conversation from opening to
//!   resolution (`analytics_conversations`), so no page scans messages.
//! - [`rebuild`] recounts from stored history (first use, a new time zone,
//!   `switchboard analytics rebuild`).
//! - [`reports`] reads them into what pages, the API and CSV show.
//! - [`charts`] draws them as SVG on the server; [`pages`] shows them in
//!   the dashboard.

pub mod api;
pub mod charts;
pub mod consumer;
pub mod csv;
pub mod jobs;
pub mod operator;
pub mod operator_api;
pub mod operator_pages;
pub mod pages;
pub mod rebuild;
pub mod reports;
pub mod settings;
pub mod tally;
