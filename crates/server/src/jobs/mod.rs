//! Background work: what each job kind does, and the workers that run
//! them.
//!
//! Queues: `webhooks` (process a stored delivery), `send` (hand a message
//! to Meta, paced per number), `tenants` (release a reactivated tenant's
//! held events), `media` (download inbound media from Meta). Every job is claimed under a lease; a handler that
//! panics is retried, never takes the worker down.

mod enqueue;
mod worker;

pub use enqueue::{delivery_job, enqueue_media_fetch, enqueue_release_held, enqueue_send};
pub use worker::{Outcome, Worker, drain};

/// The queues, in the order a drain visits them.
pub const QUEUES: [&str; 4] = ["webhooks", "send", "media", "tenants"];
