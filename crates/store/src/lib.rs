//! Switchboard's storage: one [`Store`] over SQLite (the embedded default) or
//! PostgreSQL (production), chosen from the database URL.
//!
//! Every query is written once, in the SQL both engines share, and pasted
//! into both arms of the engine match by the [`run!`] macro, so each arm is
//! type-checked against its own driver.
//!
//! Access is always through a scoped transaction:
//! - [`TenantTx`] ([`Store::tenant`]) carries one tenant id; every method on it
//!   filters by that tenant, and on PostgreSQL the transaction also sets
//!   `app.tenant_id`, so row-level security enforces the same rule again.
//! - [`SystemTx`] ([`Store::system`]) is for work that spans tenants: the
//!   operator, and lookups that discover the tenant (an API key, an invite).
#![forbid(unsafe_code)]

mod db;
mod durability;
mod error;
mod gate;
mod placeholders;

pub mod analytics;
pub mod audit;
pub mod auth;
pub mod auto_tags;
pub mod booking;
pub mod business_hours;
pub mod campaigns;
pub mod channels;
pub mod crm;
pub mod drips;
pub mod emails;
pub mod events;
pub mod genesys;
pub mod graph;
pub mod hooks;
pub mod housekeeping;
pub mod idempotency;
pub mod inbox;
pub mod jobs;
pub mod nodes;
pub mod page;
pub mod scheduled;
pub mod secrets;
pub mod templates;
pub mod tenancy;
pub mod usage;
pub mod webhooks;
pub mod workflows;

pub use db::{Engine, Savepoint, Store, SystemTx, TenantTx};
pub use error::{StoreError, StoreResult};
pub use page::Page;
