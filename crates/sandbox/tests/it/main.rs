//! Integration tests: the sandbox driven over HTTP with plain reqwest and
//! Meta's JSON, webhooks received by a tiny axum server in the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bsuid;
mod client;
mod common;
mod control;
mod faults;
mod fidelity;
mod limits;
mod media;
mod pywa;
mod send;
mod shape;
mod templates;
mod validation;
