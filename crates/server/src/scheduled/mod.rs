//! Scheduled messages: a message or template to one contact at a chosen time,
//! sent by a job when it comes, under the rules in force then.
//!
//! The rules live here; [`api`] and [`pages`] are thin adapters over them,
//! [`jobs`] registers the background work.

pub mod api;
pub mod jobs;
pub mod pages;
