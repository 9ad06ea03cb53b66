//! Server integration tests: a real server on port 0, a real database
//! (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod access_audit;
mod api_keys;
mod auth;
mod automations;
mod binary;
mod campaigns;
mod channel_setup;
mod channels;
mod compat;
mod conventions;
mod crash;
mod crash_automations;
mod crash_campaigns;
mod crm_contact_sends;
mod crm_contacts;
mod crm_deals;
mod crm_imports;
mod crm_merge;
mod crm_notes;
mod crm_quick_replies;
mod crm_segments;
mod crm_tags;
mod crm_tasks;
mod crm_teams;
mod dashboard;
mod events;
mod fidelity;
mod fidelity_statuses;
mod hostile;
mod housekeeping;
mod idempotent_requests;
mod isolation;
mod limits;
mod media;
mod message_lifecycle;
mod openapi_walk;
mod processing;
mod processing_batch;
mod roles;
mod scheduled;
mod search;
mod secrets;
mod sending;
mod sending_batch;
mod templates;
mod tenancy;
mod webhooks;
mod webhooks_core;
mod webhooks_crash;
mod webhooks_endpoints;
mod webhooks_replay;
mod webhooks_retries;
