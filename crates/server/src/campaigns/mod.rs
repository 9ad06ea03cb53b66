//! Broadcasts: one template sent from one number to an audience (a segment,
//! tags, a CSV, a hand-picked list), each recipient at most once, at the
//! number's pace and within its messaging-limit tier; pause, resume, cancel,
//! retry, live stats.
//!
//! The rules live here; [`api`] and [`pages`] are thin adapters over them,
//! [`jobs`] registers the background work.

pub mod api;
pub mod jobs;
pub mod pages;
