//! Message templates: the library of each WhatsApp Business Account, kept in step
//! with Meta (synced on connect, on demand and by template webhooks), authored,
//! validated, previewed and submitted here.
//!
//! The rules live here; [`api`] and [`pages`] are thin adapters over them,
//! [`jobs`] registers the background work.

pub mod api;
pub mod jobs;
pub mod pages;
