//! Automations (docs/DESIGN.md, "Automations: workflows and auto-tag
//! rules"): workflows a
//! tenant builds from a trigger, conditions and steps, run durably on the
//! tenant's behalf.
//!
//! - [`definition`]: the JSON a workflow is, its checks, and its
//!   compilation into a program a run walks with a counter;
//! - [`conditions`]: what conditions are checked against, and the checks;
//! - [`trigger`]: the consumer of the event log that starts runs, with the
//!   loop and rate guards;
//! - [`run`]: a run's steps, one transaction each, through the rules
//!   people use (sending, tagging, assigning…);
//! - [`workflows`]: the rules (create, change, enable, duplicate, delete,
//!   runs, retry, cancel, dry run); [`api`] and [`pages`] are thin
//!   adapters over them, [`jobs`] registers the background work;
//! - [`auto_tags`]: rules that tag contacts whose messages or fields match,
//!   applied in the same pass as the workflows ([`api_auto_tags`]);
//! - [`drips`]: drip sequences, messages sent one after another at set
//!   delays until the last or an exit rule.

pub mod api;
pub mod api_auto_tags;
pub mod auto_tags;
pub mod conditions;
pub mod definition;
pub mod drips;
pub mod jobs;
pub mod pages;
pub mod run;
pub mod trigger;
pub mod workflows;
