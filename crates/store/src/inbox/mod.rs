//! The shared inbox: contacts, conversations, messages with their status
//! history.

mod contacts;
mod conversations;
mod media;
mod messages;
mod revisions;
mod statuses;
mod waiting;

/// The event log moved to [`crate::events`]; kept here for old imports.
pub use contacts::{Contact, ContactFacts};
pub use conversations::{Conversation, ConversationFilter, ConversationStatus};
pub use media::{Media, MediaStatus, StoredMedia};
pub use messages::{Direction, Message, NewInbound, NewOutbound};
pub use revisions::{NewEcho, NewRevision, Revision, RevisionKind};
pub use statuses::{StatusApplied, StatusEntry, StatusUpdate};
