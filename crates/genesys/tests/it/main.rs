//! Integration tests: the client against the sandbox over real HTTP, the
//! sandbox's agent webhooks received by a tiny axum server in the test,
//! signatures, regions and the recorded wire fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod agent;
mod client;
mod common;
mod control;
mod conversations;
mod fixtures;
mod inbound;
mod region;
mod signature;
mod wire_rules;
