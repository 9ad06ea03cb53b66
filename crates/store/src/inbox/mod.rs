//! The shared inbox: contacts, conversations, messages with their status
//! history.

mod contacts;
mod conversations;
mod media;
mod messages;
mod revisions;
mod search;
mod sending;
mod statuses;
mod waiting;

pub use contacts::{
    AttributeCondition, AttributeFilter, Comparison, Contact, ContactFacts, ContactFields,
    ContactFilter, DuplicateReason, ErasedContact, MergedContacts, NewContact,
};
/// The event log moved to [`crate::events`]; kept here for old imports.
pub(crate) use contacts::{COLUMNS as CONTACT_COLUMNS, ContactRow};
pub use conversations::{Conversation, ConversationFilter, ConversationStatus};
pub use media::{Media, MediaStatus, StoredMedia};
pub use messages::{Direction, Message, NewInbound, NewOutbound};
pub use revisions::{NewEcho, NewRevision, Revision, RevisionKind};
pub use search::{MAX_WORDS, MessageHit, search_words};
pub(crate) use search::{fts5_query, tsquery};
pub use sending::ToSend;
pub use statuses::{StatusApplied, StatusEntry, StatusOutcome, StatusUpdate};
