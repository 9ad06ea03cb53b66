//! Full-text search over message bodies: SQLite's FTS5 table
//! `messages_fts`, PostgreSQL's GIN index on the same text
//! (migration 0017). Both engines see the same words — letters and digits,
//! lower-cased — and match each searched word as a prefix, so a search
//! finds the same messages on either.

use super::messages::Row;
use crate::db::{TenantTx, Tx};
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::ContactId;
use uuid::Uuid;

use super::Message;

/// The most words a search uses (the rest are ignored).
pub const MAX_WORDS: usize = 8;

/// The words of a search: runs of letters and digits, lower-cased, at most
/// [`MAX_WORDS`] of them, each at most 64 characters. Everything else
/// (punctuation, operators, quotes) separates words and is never passed to
/// the engine's query language.
pub fn search_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(64).collect::<String>().to_lowercase())
        .take(MAX_WORDS)
        .collect()
}

/// The FTS5 query for `words`: each quoted (so it is never query
/// syntax) and matched as a prefix, all required.
pub(crate) fn fts5_query(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
    quoted.join(" AND ")
}

/// The PostgreSQL `tsquery` for `words`: each a prefix, all required
/// (the words hold only letters and digits).
pub(crate) fn tsquery(words: &[String]) -> String {
    let prefixes: Vec<String> = words.iter().map(|w| format!("{w}:*")).collect();
    prefixes.join(" & ")
}

/// A message that matched, with the contact of its conversation.
#[derive(Debug, Clone)]
pub struct MessageHit {
    pub message: Message,
    pub contact_id: ContactId,
    /// How the contact is shown: their name, else their number.
    pub contact_label: String,
}

#[derive(sqlx::FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    message: Row,
    contact_id: Uuid,
    contact_label: Option<String>,
}

const COLUMNS: &str = "m.id, m.conversation_id, m.channel_id, m.direction, m.wamid, m.kind, \
     m.content, m.reply_to_wamid, m.status, m.error_code, m.error_title, m.error_detail, \
     m.provider_time, m.edited_at, m.deleted_at, m.waiting_reason, m.created_at, m.updated_at, \
     cv.contact_id, \
     COALESCE(NULLIF(ct.name, ''), NULLIF(ct.profile_name, ''), '+' || ct.wa_id, ct.phone) \
       AS contact_label";

impl TenantTx {
    /// Messages containing every word (each as a prefix: `oa` finds
    /// "oat"), newest first; deleted messages are never found.
    ///
    /// On SQLite the full-text index leads (`CROSS JOIN` fixes the join
    /// order) and is read backwards in its own row order, which is the
    /// order messages were stored in, so a word in every message costs no
    /// more than a rare one: the first page is found without sorting the
    /// matches. Letting the planner lead with `messages` instead runs the
    /// full-text query once per stored message. On PostgreSQL the words
    /// are a stored column (`search_words`, migration 0032), so a row the
    /// planner checks costs a lookup, not the message's JSON parsed again.
    pub async fn search_messages(
        &mut self,
        words: &[String],
        page: PageRequest,
    ) -> StoreResult<Page<MessageHit>> {
        if words.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let tenant = self.tenant.as_uuid();
        let rows = match &mut self.tx {
            Tx::Sqlite(t) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM messages_fts \
                     CROSS JOIN messages m ON m.rowid = messages_fts.rowid \
                     JOIN conversations cv ON cv.tenant_id = m.tenant_id \
                                          AND cv.id = m.conversation_id \
                     JOIN contacts ct ON ct.tenant_id = cv.tenant_id AND ct.id = cv.contact_id \
                     WHERE messages_fts MATCH $2 AND m.tenant_id = $1 \
                       AND m.deleted_at IS NULL \
                       AND ($3 IS NULL OR messages_fts.rowid < \
                            (SELECT rowid FROM messages WHERE tenant_id = $1 AND id = $3)) \
                     ORDER BY messages_fts.rowid DESC LIMIT $4"
                );
                sqlx::query_as::<_, HitRow>(sqlx::AssertSqlSafe(sql))
                    .bind(tenant)
                    .bind(fts5_query(words))
                    .bind(page.after)
                    .bind(page.fetch_limit())
                    .fetch_all(&mut **t)
                    .await
            }
            Tx::Postgres(t) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM messages m \
                     JOIN conversations cv ON cv.tenant_id = m.tenant_id \
                                          AND cv.id = m.conversation_id \
                     JOIN contacts ct ON ct.tenant_id = cv.tenant_id AND ct.id = cv.contact_id \
                     WHERE m.tenant_id = $1 \
                       AND m.search_words @@ to_tsquery('simple', $2) \
                       AND m.deleted_at IS NULL AND ($3::uuid IS NULL OR m.id < $3) \
                     ORDER BY m.id DESC LIMIT $4"
                );
                sqlx::query_as::<_, HitRow>(sqlx::AssertSqlSafe(sql))
                    .bind(tenant)
                    .bind(tsquery(words))
                    .bind(page.after)
                    .bind(page.fetch_limit())
                    .fetch_all(&mut **t)
                    .await
            }
        }
        .map_err(crate::error::classify)?;
        let hits = rows
            .into_iter()
            .map(|r| {
                Ok(MessageHit {
                    message: r.message.try_into()?,
                    contact_id: ContactId::from_uuid(r.contact_id),
                    contact_label: r.contact_label.unwrap_or_else(|| "Unknown contact".into()),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(page.finish(hits, |h| h.message.id.as_uuid()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_lower_cased() {
        assert_eq!(search_words("  Oat MILK? "), ["oat", "milk"]);
        assert_eq!(search_words("\"x\" OR y*:-(z)"), ["x", "or", "y", "z"]);
        assert_eq!(search_words("café 42"), ["café", "42"]);
        assert!(search_words(" -- ").is_empty());
        assert_eq!(search_words("a b c d e f g h i j").len(), MAX_WORDS);
    }
}
