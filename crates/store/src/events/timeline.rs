//! A contact's timeline: the events whose payload names the contact or one
//! of their conversations, found through the `contact_id` and
//! `conversation_id` columns filled when each event is recorded.

use super::{Row, StoredEvent};
use crate::db::{TenantTx, run};
use crate::error::StoreResult;
use crate::page::{Page, PageRequest};
use domain::{ContactId, EventId};

impl TenantTx {
    /// `contact`'s events, newest first, leaving out those named in
    /// `skip`; the page's cursor is the id of the last event shown.
    pub async fn contact_timeline(
        &mut self,
        contact: ContactId,
        skip: &[&str],
        page: PageRequest,
    ) -> StoreResult<Page<StoredEvent>> {
        let before = match page.after {
            Some(id) => match self.find_event_seq(EventId::from_uuid(id)).await? {
                Some(seq) => Some(seq),
                // A cursor that names no event: nothing comes after it.
                None => {
                    return Ok(Page {
                        items: Vec::new(),
                        next: None,
                    });
                }
            },
            None => None,
        };
        let skipped: Vec<String> = (0..skip.len()).map(|i| format!("${}", i + 5)).collect();
        let not_skipped = if skipped.is_empty() {
            String::new()
        } else {
            format!("AND name NOT IN ({})", skipped.join(", "))
        };
        // Two index walks (by contact, by each conversation of theirs),
        // each cut at the page size, then merged: an event naming both
        // appears once.
        let sql = format!(
            "SELECT seq, id, name, version, subject_id, payload, created_at FROM ( \
               SELECT * FROM (SELECT seq, id, name, version, subject_id, payload, created_at \
                 FROM events WHERE tenant_id = $1 AND contact_id = $2 \
                   AND ($3 IS NULL OR seq < $3) {not_skipped} \
                 ORDER BY seq DESC LIMIT $4) AS by_contact \
               UNION \
               SELECT * FROM (SELECT e.seq, e.id, e.name, e.version, e.subject_id, e.payload, \
                                     e.created_at \
                 FROM events e JOIN conversations c \
                   ON c.tenant_id = e.tenant_id AND c.id = e.conversation_id \
                 WHERE e.tenant_id = $1 AND c.contact_id = $2 \
                   AND ($3 IS NULL OR e.seq < $3) {not_skipped} \
                 ORDER BY e.seq DESC LIMIT $4) AS by_conversation \
             ) AS t ORDER BY seq DESC LIMIT $4"
        );
        let rows = run!(&mut self.tx, |c| {
            let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(self.tenant.as_uuid())
                .bind(contact.as_uuid())
                .bind(before)
                .bind(page.fetch_limit());
            for name in skip {
                q = q.bind(*name);
            }
            q.fetch_all(c).await
        })?;
        let events = rows
            .into_iter()
            .map(StoredEvent::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(events, |e: &StoredEvent| e.id.as_uuid()))
    }
}
