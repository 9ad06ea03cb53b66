//! CRM: what a team works a customer with. Tags ([`tags`]), quick replies
//! ([`quick_replies`]), private notes and mentions ([`notes`],
//! [`notifications`]), tasks ([`tasks`]), deals in pipelines ([`deals`])
//! and custom contact attributes ([`attributes`]). Contacts themselves live
//! in [`crate::inbox::contacts`]. [`api`] and [`pages`] are thin adapters
//! over these rules.

pub mod api;
pub mod attributes;
pub mod deals;
pub mod export;
pub mod imports;
pub mod jobs;
pub mod notes;
pub mod notifications;
pub mod pages;
pub mod quick_replies;
pub mod saved_searches;
pub mod segments;
pub mod tags;
pub mod tasks;
