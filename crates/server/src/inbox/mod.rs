//! The inbox: contacts, conversations, messages and consent.

pub mod api;
pub mod pages;
