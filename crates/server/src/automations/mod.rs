//! Automations (docs/DESIGN.md, "Automations: workflows and auto-tag
//! rules"): workflows a
//! tenant builds from a trigger, conditions and steps, run durably on the
//! tenant's behalf.
//!
//! - [`definition`]: the JSON a workflow is, its checks, and its
//!   compilation into a program a run walks with a counter;
//! - [`conditions`]: what conditions are checked against, and the checks;
//! - [`trigger`]: the consumer of the event log that starts runs, and
//!   `start`: a run's start, with the loop and rate guards and its first
//!   steps in the same transaction;
//! - [`run`]: a run's steps, one transaction each, through the rules
//!   people use (sending, tagging, assigning…);
//! - [`workflows`]: the rules (create, change, enable, duplicate, delete);
//!   [`runs`] (list, read, retry, cancel) and [`dry_run`]; [`api`],
//!   [`api_runs`] and [`pages`] are thin adapters over them, [`jobs`]
//!   registers the background work;
//! - [`schedule`], [`inbound`]: schedule triggers (a job per fire) and
//!   inbound URLs with the workflow's secrets ([`api_inbound`]); [`cron`]
//!   reads wall-clock times in the tenant's zone; [`versions`] keeps the
//!   workflows' versions read and compiled; [`call`] makes the
//!   `call_http` step's request;
//! - [`auto_tags`]: rules that tag contacts whose messages or fields match,
//!   applied in the same pass as the workflows ([`api_auto_tags`]);
//! - [`hours`]: business hours, the workspace's and numbers' own, with
//!   the welcome and away messages and [`hours::is_open_in`] for
//!   conditions ([`api_hours`]).
//! - [`drips`]: drip sequences, messages sent one after another at set
//!   delays until the last or an exit rule.

mod act;
pub mod api;
pub mod api_auto_tags;
pub mod api_hours;
pub mod api_inbound;
pub mod api_runs;
pub mod auto_tags;
pub mod call;
pub mod conditions;
pub mod cron;
pub mod definition;
pub mod drips;
pub mod dry_run;
pub mod hours;
pub mod inbound;
pub mod jobs;
pub mod pages;
pub mod run;
pub mod runs;
pub mod schedule;
pub mod start;
pub mod trigger;
pub mod versions;
pub mod workflows;
