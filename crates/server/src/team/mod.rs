//! The team: users, roles, invitations, API keys, sessions and MFA.

pub mod api;
pub mod pages;
