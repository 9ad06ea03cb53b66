//! The team's dashboard pages: sign-in, invitations, and the team, API key
//! and security settings.

pub mod invite;
pub mod keys;
pub mod login;
pub mod security;
pub mod team;
