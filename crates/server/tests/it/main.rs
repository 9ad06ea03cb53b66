//! Server integration tests: a real server on port 0, a real database
//! (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api_keys;
mod auth;
mod binary;
mod channel_setup;
mod channels;
mod compat;
mod conventions;
mod crash;
mod dashboard;
mod events;
mod hostile;
mod isolation;
mod limits;
mod media;
mod openapi_walk;
mod processing;
mod roles;
mod secrets;
mod sending;
mod tenancy;
