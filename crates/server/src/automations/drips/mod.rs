//! Drip sequences (docs/DESIGN.md, "Drip sequences"): messages sent to a
//! contact one after another at set delays, until the last is sent or an
//! exit rule ends the enrolment.
//!
//! - [`definition`]: what a drip is (steps, exit rules, quiet hours), its
//!   checks, and when a step falls due;
//! - [`rules`]: create, change, enable, delete, read; [`enrol`]: enrol and
//!   stop contacts one by one ([`enroll_in`], [`stop_in`], which workflow
//!   steps call too), by list, segment (in batches, as a job) or CSV;
//! - [`step`]: a due step, sent through the rules every sender obeys, in
//!   the transaction that moves the subscriber past it;
//! - [`exits`]: the consumer of the event log that ends enrolments on a
//!   reply, a tag, the goal or an opt-out;
//! - [`api`] and [`pages`] are thin adapters; [`jobs`] registers the
//!   background work.

pub mod api;
pub mod api_subscribers;
pub mod definition;
pub mod enrol;
pub mod enrol_csv;
pub mod exits;
pub mod jobs;
pub mod pages;
pub mod pages_drip;
pub mod rules;
pub mod step;

pub use enrol::{enroll_in, stop_in};
