//! The inbox's dashboard pages.

pub mod compose;
pub mod contacts;
pub mod list;
pub mod search;
pub mod thread;
