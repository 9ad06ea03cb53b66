//! Switchboard's server: the REST API, the operator API, and the
//! `switchboard` command line. `main.rs` only parses arguments and
//! dispatches here, so tests drive the same code.
#![forbid(unsafe_code)]

pub mod admin;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod automations;
pub mod billing;
pub mod booking;
pub mod campaigns;
pub mod channels;
pub mod cli;
pub mod config;
pub mod crm;
pub mod crypto;
pub mod dashboard;
pub mod demo;
pub mod email;
pub mod error;
pub mod events;
pub mod genesys;
pub mod graph;
pub mod hooks;
pub mod housekeeping;
pub mod http;
pub mod inbox;
pub mod jobs;
pub mod operator;
pub mod scheduled;
pub mod server;
pub mod state;
pub mod team;
pub mod telemetry;
pub mod templates;
pub mod tenancy;

pub use config::Config;

/// Every job kind the workers run, from each area's `jobs::register`.
pub fn job_registry() -> jobs::Registry {
    let mut registry = jobs::Registry::default();
    channels::jobs::register(&mut registry);
    housekeeping::jobs::register(&mut registry);
    hooks::jobs::register(&mut registry);
    email::jobs::register(&mut registry);
    crm::jobs::register(&mut registry);
    templates::jobs::register(&mut registry);
    campaigns::jobs::register(&mut registry);
    scheduled::jobs::register(&mut registry);
    automations::jobs::register(&mut registry);
    automations::drips::jobs::register(&mut registry);
    booking::jobs::register(&mut registry);
    analytics::jobs::register(&mut registry);
    genesys::jobs::register(&mut registry);
    registry
}
pub use http::app;
pub use server::{RunningServer, build_state, start};
pub use state::AppState;
