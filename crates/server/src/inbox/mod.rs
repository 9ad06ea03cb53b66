//! The inbox: contacts, conversations, messages and consent. The rules are
//! in [`contacts`], [`conversations`] and [`messages`]; [`api`] and
//! [`pages`] are thin adapters over them.

pub mod api;
pub mod contacts;
pub mod conversations;
pub mod messages;
pub mod pages;
pub mod search;
