//! The team: users, roles, invitations, API keys, sessions and MFA.
//!
//! The rules live in the topic modules (`users`, `invites`, `keys`,
//! `sessions`, `mfa`); `api` and `pages` are adapters over them.

pub mod api;
pub mod invites;
pub mod keys;
pub mod mfa;
pub mod pages;
pub mod sessions;
pub mod users;
