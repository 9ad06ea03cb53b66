//! The WhatsApp channel: webhook ingress (store first, answer 200, process
//! later), routing every event to exactly one tenant, and applying it to
//! that tenant's inbox.

pub mod ingest;
pub mod intake;
pub mod media;
pub mod process;
pub mod send;
