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

/// The steps of SQLite's plan for `sql` (with `params` parameters) that
/// touch the `messages` table, on a freshly migrated database.
#[cfg(test)]
async fn plan_on_messages(sql: &str, params: usize) -> Vec<String> {
    use sqlx::Connection as _;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("plan.db").display());
    let store = crate::Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(explain));
    for _ in 0..params {
        q = q.bind(uuid::Uuid::now_v7());
    }
    let steps = q.fetch_all(&mut c).await.unwrap();
    steps
        .into_iter()
        .map(|s| s.3)
        .filter(|s| s.contains(" messages "))
        .collect()
}
