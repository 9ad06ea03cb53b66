//! The shared inbox: contacts, conversations, messages with their status
//! history, and the tenant's event log.

mod contacts;
mod conversations;
mod events;
mod media;
mod messages;

pub use contacts::Contact;
pub use conversations::{Conversation, ConversationFilter, ConversationStatus};
pub use events::Event;
pub use media::{Media, MediaStatus, StoredMedia};
pub use messages::{Direction, Message, NewInbound, NewOutbound, StatusUpdate};
