//! The WhatsApp channel: numbers and their credentials, webhook ingress
//! (store first, answer 200, process later), routing every event to exactly
//! one tenant and applying it to that tenant's inbox, the sending rules,
//! pacing per number, and delivery to Meta.

pub mod account;
pub mod api;
pub mod apply;
pub mod deliver;
mod echoes;
pub mod ingest;
pub mod intake;
pub mod jobs;
pub mod media;
pub mod media_store;
pub mod pacing;
pub mod pages;
pub mod process;
mod revisions;
pub mod send;
mod send_batch;
mod senders;
pub mod setup;
mod statuses;
