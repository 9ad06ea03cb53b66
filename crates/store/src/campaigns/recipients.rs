//! A campaign's recipients: taken from its audience once, when it starts
//! ([`TenantTx::add_campaign_recipients`]), then handed to the sending
//! queue a batch at a time by the dispatcher, each in the transaction that
//! queues its message ([`TenantTx::pending_recipients`],
//! [`TenantTx::settle_recipient`]).

use crate::Engine;
use crate::crm::rules::sql::{Arg, Selection, compile};
use crate::db::{TenantTx, Tx, exec, run};
use crate::error::StoreResult;
use crate::page::{Page, PageRequest};
use domain::{CampaignId, ChannelId, ContactId, MessageId, Timestamp};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Who a campaign goes to, as the store reads it.
#[derive(Debug, Clone)]
pub enum Audience<'a> {
    /// The contacts a rule tree selects (a segment, tags).
    Rules(&'a Selection),
    /// These contacts (hand-picked, or from an uploaded list).
    Contacts(&'a [ContactId]),
}

/// How a recipient ended up, with its message's status when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRow {
    pub contact_id: ContactId,
    pub contact_name: Option<String>,
    pub wa_id: Option<String>,
    /// `pending`, `queued`, `skipped`, `failed`, `cancelled`.
    pub status: String,
    pub reason: Option<String>,
    pub message_id: Option<MessageId>,
    /// The message's status (`queued`, `sent`, `delivered`, `read`, `failed`).
    pub message_status: Option<String>,
    pub error_code: Option<i64>,
    pub error_title: Option<String>,
    /// The customer wrote after the message.
    pub replied: bool,
    pub attempts: i64,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    contact_id: Uuid,
    contact_name: Option<String>,
    wa_id: Option<String>,
    status: String,
    reason: Option<String>,
    message_id: Option<Uuid>,
    message_status: Option<String>,
    error_code: Option<i64>,
    error_title: Option<String>,
    replied: i64,
    attempts: i64,
    updated_at: i64,
}

/// The recipient rows of a listing, with the message and the reply each.
const RECIPIENTS: &str = "SELECT r.contact_id, COALESCE(k.name, k.profile_name) AS contact_name, \
        k.wa_id, r.status, r.reason, r.message_id, m.status AS message_status, m.error_code, \
        m.error_title, \
        CAST(CASE WHEN m.id IS NOT NULL AND EXISTS (SELECT 1 FROM messages i \
            WHERE i.tenant_id = r.tenant_id AND i.conversation_id = m.conversation_id \
              AND i.direction = 'in' AND i.created_at > m.created_at) THEN 1 ELSE 0 END \
            AS BIGINT) AS replied, \
        r.attempts, r.updated_at \
     FROM campaign_recipients r \
     LEFT JOIN contacts k ON k.tenant_id = r.tenant_id AND k.id = r.contact_id \
     LEFT JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id";

impl TenantTx {
    /// Adds `audience` to campaign `id` as pending recipients (a contact
    /// already there stays as it is); returns how many it has now.
    pub async fn add_campaign_recipients(
        &mut self,
        id: CampaignId,
        audience: Audience<'_>,
        now: Timestamp,
    ) -> StoreResult<i64> {
        match audience {
            Audience::Rules(sel) => {
                let engine = match self.tx {
                    Tx::Sqlite(_) => Engine::Sqlite,
                    Tx::Postgres(_) => Engine::Postgres,
                };
                let f = compile(sel, engine, now, 4);
                let sql = format!(
                    "INSERT INTO campaign_recipients (tenant_id, campaign_id, contact_id, status, \
                         attempts, updated_at) \
                     SELECT $1, $2, contacts.id, 'pending', 0, $3 FROM contacts \
                     WHERE contacts.tenant_id = $1 AND {} \
                     ON CONFLICT DO NOTHING",
                    f.sql
                );
                exec!(&mut self.tx, |c| {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                        .bind(self.tenant.as_uuid())
                        .bind(id.as_uuid())
                        .bind(now.as_millis());
                    for a in &f.args {
                        q = match a {
                            Arg::Uuid(u) => q.bind(*u),
                            Arg::Text(t) => q.bind(t.clone()),
                            Arg::Real(r) => q.bind(*r),
                            Arg::Int(i) => q.bind(*i),
                        };
                    }
                    q.execute(c).await
                })?;
            }
            Audience::Contacts(ids) => {
                for contact in ids {
                    exec!(&mut self.tx, |c| sqlx::query(
                        "INSERT INTO campaign_recipients (tenant_id, campaign_id, contact_id, \
                             status, attempts, updated_at) \
                         SELECT $1, $2, id, 'pending', 0, $4 FROM contacts \
                         WHERE tenant_id = $1 AND id = $3 \
                         ON CONFLICT DO NOTHING"
                    )
                    .bind(self.tenant.as_uuid())
                    .bind(id.as_uuid())
                    .bind(contact.as_uuid())
                    .bind(now.as_millis())
                    .execute(c)
                    .await)?;
                }
            }
        }
        let n: i64 = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM campaign_recipients WHERE tenant_id = $1 AND campaign_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_one(c)
        .await)?;
        Ok(n)
    }

    /// Up to `limit` of campaign `id`'s pending recipients, in contact
    /// order (the order they are sent in).
    pub async fn pending_recipients(
        &mut self,
        id: CampaignId,
        limit: i64,
    ) -> StoreResult<Vec<ContactId>> {
        let ids: Vec<Uuid> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT contact_id FROM campaign_recipients \
             WHERE tenant_id = $1 AND campaign_id = $2 AND status = 'pending' \
             ORDER BY contact_id LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(ids.into_iter().map(ContactId::from_uuid).collect())
    }

    /// Moves a pending recipient to `status` (`queued` with its message,
    /// `skipped` or `failed` with a reason); `false` if it was not pending
    /// (someone else settled it: nothing changes).
    pub async fn settle_recipient(
        &mut self,
        id: CampaignId,
        contact: ContactId,
        status: &str,
        message: Option<MessageId>,
        reason: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "UPDATE campaign_recipients SET status = $4, message_id = COALESCE($5, message_id), \
                 reason = $6, attempts = attempts + $7, updated_at = $8 \
             WHERE tenant_id = $1 AND campaign_id = $2 AND contact_id = $3 AND status = 'pending'"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(contact.as_uuid())
        .bind(status)
        .bind(message.map(|m| m.as_uuid()))
        .bind(reason)
        .bind(i64::from(message.is_some()))
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        Ok(n > 0)
    }

    /// Puts back to pending the recipients whose message failed with one
    /// of `codes` (Meta's error codes worth another try) or who failed
    /// before a message with a reason starting with one of `reasons`;
    /// returns how many.
    pub async fn requeue_failed_recipients(
        &mut self,
        id: CampaignId,
        codes: &[i64],
        reasons: &[&str],
        now: Timestamp,
    ) -> StoreResult<u64> {
        let mut total = 0;
        for code in codes {
            total += exec!(&mut self.tx, |c| {
                sqlx::query(
                "UPDATE campaign_recipients SET status = 'pending', reason = NULL, updated_at = $4 \
                 WHERE tenant_id = $1 AND campaign_id = $2 AND status = 'queued' \
                   AND message_id IN (SELECT id FROM messages WHERE tenant_id = $1 \
                       AND status = 'failed' AND error_code = $3)"
            )
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(code)
            .bind(now.as_millis())
            .execute(c)
            .await
            })?;
        }
        for reason in reasons {
            total += exec!(&mut self.tx, |c| {
                sqlx::query(
                "UPDATE campaign_recipients SET status = 'pending', reason = NULL, updated_at = $4 \
                 WHERE tenant_id = $1 AND campaign_id = $2 AND status = 'failed' \
                   AND reason LIKE $3"
            )
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(format!("{reason}%"))
            .bind(now.as_millis())
            .execute(c)
            .await
            })?;
        }
        Ok(total)
    }

    /// Marks every pending recipient of campaign `id` cancelled.
    pub async fn cancel_pending_recipients(
        &mut self,
        id: CampaignId,
        now: Timestamp,
    ) -> StoreResult<u64> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE campaign_recipients SET status = 'cancelled', updated_at = $3 \
             WHERE tenant_id = $1 AND campaign_id = $2 AND status = 'pending'"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)
    }

    /// How many of campaign `id`'s recipients are in each state: the
    /// recipient's own (`pending`, `skipped`, `failed`, `cancelled`) or,
    /// once queued, its message's (`queued`, `sent`, `delivered`, `read`,
    /// `failed`, …) as `message:<status>`; and `replied`.
    pub async fn campaign_tally(&mut self, id: CampaignId) -> StoreResult<BTreeMap<String, i64>> {
        let rows: Vec<(String, Option<String>, i64)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT r.status, m.status, COUNT(*) FROM campaign_recipients r \
             LEFT JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id \
             WHERE r.tenant_id = $1 AND r.campaign_id = $2 GROUP BY r.status, m.status"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await)?;
        let mut tally = BTreeMap::new();
        for (status, message, n) in rows {
            let key = match (status.as_str(), message) {
                ("queued", Some(m)) => format!("message:{m}"),
                _ => status,
            };
            *tally.entry(key).or_insert(0) += n;
        }
        let replied: i64 = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM campaign_recipients r \
             JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id \
             WHERE r.tenant_id = $1 AND r.campaign_id = $2 AND EXISTS (SELECT 1 FROM messages i \
                 WHERE i.tenant_id = r.tenant_id AND i.conversation_id = m.conversation_id \
                   AND i.direction = 'in' AND i.created_at > m.created_at)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_one(c)
        .await)?;
        tally.insert("replied".to_owned(), replied);
        Ok(tally)
    }

    /// One page of campaign `id`'s recipients in contact order, optionally
    /// only those in `status` (a recipient status, or `message:<status>`).
    pub async fn list_campaign_recipients(
        &mut self,
        id: CampaignId,
        status: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<Page<RecipientRow>> {
        let (own, message) = match status {
            Some(s) => match s.strip_prefix("message:") {
                Some(m) => (Some("queued"), Some(m)),
                None => (Some(s), None),
            },
            None => (None, None),
        };
        let sql = format!(
            "{RECIPIENTS} WHERE r.tenant_id = $1 AND r.campaign_id = $2 \
               AND ($3 IS NULL OR r.status = $3) AND ($4 IS NULL OR m.status = $4) \
               AND ($5 IS NULL OR r.contact_id > $5) \
             ORDER BY r.contact_id LIMIT $6"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(own)
        .bind(message)
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let rows = rows
            .into_iter()
            .map(|r| RecipientRow {
                contact_id: ContactId::from_uuid(r.contact_id),
                contact_name: r.contact_name,
                wa_id: r.wa_id,
                status: r.status,
                reason: r.reason,
                message_id: r.message_id.map(MessageId::from_uuid),
                message_status: r.message_status,
                error_code: r.error_code,
                error_title: r.error_title,
                replied: r.replied != 0,
                attempts: r.attempts,
                updated_at: Timestamp::from_millis(r.updated_at),
            })
            .collect();
        Ok(page.finish(rows, |r| r.contact_id.as_uuid()))
    }

    /// The distinct Meta error codes of campaign `id`'s failed messages.
    pub async fn campaign_failure_codes(&mut self, id: CampaignId) -> StoreResult<Vec<i64>> {
        run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT DISTINCT m.error_code FROM campaign_recipients r \
             JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id \
             WHERE r.tenant_id = $1 AND r.campaign_id = $2 AND m.status = 'failed' \
               AND m.error_code IS NOT NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await)
    }

    /// How many different customers number `channel` sent a template to
    /// since `since`: what Meta's messaging limit counts (conservatively:
    /// every template, whether or not a window was open).
    pub async fn template_recipients_since(
        &mut self,
        channel: ChannelId,
        since: Timestamp,
    ) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT COUNT(DISTINCT conversation_id) FROM messages \
             WHERE tenant_id = $1 AND direction = 'out' AND created_at >= $3 \
               AND channel_id = $2 AND kind = 'template'"
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)
    }
}
