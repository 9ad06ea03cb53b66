//! Bulk seeding of stored inbound messages for the API-reads scenario
//! (a million rows through the worker's code path one by one takes longer
//! than the benchmark itself).
//!
//! The first message of every conversation goes through the worker's own
//! `channels::apply::apply` (so contacts and conversations are exactly what it
//! creates). The rest are multi-row inserts of the very rows `apply` writes
//! for a new text message — the `messages` row and its `message.received`
//! event — followed by one update per conversation with the effect of that
//! many `note_inbound` calls (unread count, last message, window). On
//! PostgreSQL the inserts run inside the tenant's row-level security scope.

use crate::seed::{self, SeedTenant};
use anyhow::Context as _;
use domain::Timestamp;
use serde_json::json;
use server::AppState;
use sqlx::{PgPool, QueryBuilder, SqlitePool};
use std::str::FromStr as _;
use uuid::Uuid;

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` in a transaction of the tenant `$tenant`, on either engine.
macro_rules! in_tenant {
    ($pool:expr, $tenant:expr, |$tx:ident| $body:expr) => {
        match $pool {
            Pool::Sqlite(p) => {
                let mut $tx = p.begin_with("BEGIN IMMEDIATE").await?;
                $body;
                $tx.commit().await?;
            }
            Pool::Postgres(p) => {
                let mut $tx = p.begin().await?;
                sqlx::query(
                    "SELECT set_config('app.scope', 'tenant', true), \
                            set_config('app.tenant_id', $1, true)",
                )
                .bind($tenant.to_string())
                .execute(&mut *$tx)
                .await?;
                $body;
                $tx.commit().await?;
            }
        }
    };
}

struct Row {
    conversation: Uuid,
    channel: Uuid,
    wamid: String,
    content: String,
    provider_ms: i64,
}

/// Seeds `conversations × per_conversation` messages for every tenant.
pub async fn inbox(
    state: &AppState,
    database_url: &str,
    tenants: &[SeedTenant],
    conversations: usize,
    per_conversation: usize,
) -> anyhow::Result<()> {
    seed::inbox(state, tenants, conversations, 1).await?;
    if per_conversation < 2 {
        return Ok(());
    }
    let pool = if database_url.starts_with("postgres") {
        Pool::Postgres(PgPool::connect(database_url).await?)
    } else {
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(database_url)?
            .busy_timeout(std::time::Duration::from_secs(30));
        Pool::Sqlite(SqlitePool::connect_with(opts).await?)
    };
    let base_secs = state.now().as_unix_seconds() - 86_400;
    let now = state.now().as_millis();
    for (t, tenant) in tenants.iter().enumerate() {
        let tid = tenant.id.as_uuid();
        let channel = tenant
            .numbers
            .first()
            .context("no number")?
            .channel_id
            .as_uuid();
        let convs: Vec<(Uuid, String)> = match &pool {
            Pool::Sqlite(p) => sqlx::query_as(CONVS).bind(tid).fetch_all(p).await?,
            Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                sqlx::query("SELECT set_config('app.scope', 'tenant', true), set_config('app.tenant_id', $1, true)")
                    .bind(tid.to_string())
                    .execute(&mut *tx)
                    .await?;
                let rows = sqlx::query_as(CONVS).bind(tid).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows
            }
        };
        let mut rows = Vec::with_capacity(convs.len() * per_conversation);
        let mut last = Vec::with_capacity(convs.len());
        for (conv, wa_id) in &convs {
            let c: usize = wa_id.get(8..).and_then(|s| s.parse().ok()).unwrap_or(0);
            let mut sent = 0;
            for m in 1..per_conversation {
                let secs = base_secs + (m * conversations + c) as i64;
                sent = secs * 1000;
                let message = json!({
                    "from": wa_id,
                    "id": format!("wamid.seed.{t}.{c}.{m}"),
                    "timestamp": secs.to_string(),
                    "type": "text",
                    "text": { "body": body(c, m) }
                });
                rows.push(Row {
                    conversation: *conv,
                    channel,
                    wamid: format!("wamid.seed.{t}.{c}.{m}"),
                    content: message.to_string(),
                    provider_ms: sent,
                });
            }
            last.push((*conv, sent));
        }
        // Ids in creation order, like one-by-one inserts would get.
        let ids: Vec<(Uuid, Uuid)> = rows
            .iter()
            .map(|_| (Uuid::now_v7(), Uuid::now_v7()))
            .collect();
        let added = (per_conversation - 1) as i64;
        in_tenant!(&pool, tid, |tx| {
            for (chunk, ids) in rows.chunks(400).zip(ids.chunks(400)) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO messages (tenant_id, id, conversation_id, channel_id, direction, wamid, \
                     kind, content, reply_to_wamid, status, status_rank, provider_time, created_at, updated_at) ",
                );
                q.push_values(chunk.iter().zip(ids), |mut b, (r, (id, _))| {
                    b.push_bind(tid)
                        .push_bind(*id)
                        .push_bind(r.conversation)
                        .push_bind(r.channel)
                        .push_bind("in")
                        .push_bind(r.wamid.clone())
                        .push_bind("text")
                        .push_bind(r.content.clone())
                        .push_bind(None::<String>)
                        .push_bind("received")
                        .push_bind(0i64)
                        .push_bind(r.provider_ms)
                        .push_bind(now)
                        .push_bind(now);
                });
                q.build().execute(&mut *tx).await?;
                // The events' numbers, taken as the store does at commit.
                let n = chunk.len() as i64;
                let last: i64 = sqlx::query_scalar(
                    "INSERT INTO event_counters (tenant_id, last_seq) VALUES ($1, $2) \
                     ON CONFLICT (tenant_id) DO UPDATE \
                     SET last_seq = event_counters.last_seq + excluded.last_seq RETURNING last_seq",
                )
                .bind(tid)
                .bind(n)
                .fetch_one(&mut *tx)
                .await?;
                let mut e = QueryBuilder::new(
                    "INSERT INTO events (tenant_id, seq, id, name, version, subject_id, payload, created_at) ",
                );
                e.push_values(chunk.iter().zip(ids).zip(last - n + 1..), |mut b, ((r, (id, ev)), seq)| {
                    let payload = json!({ "conversation_id": r.conversation, "message_id": id, "kind": "text" });
                    b.push_bind(tid).push_bind(seq).push_bind(*ev).push_bind("message.received")
                        .push_bind(1i64).push_bind(Some(*id)).push_bind(payload.to_string()).push_bind(now);
                });
                e.build().execute(&mut *tx).await?;
            }
            for (conv, sent) in &last {
                let closes =
                    domain::messaging::window_closes_at(Timestamp::from_millis(*sent)).as_millis();
                sqlx::query(NOTE)
                    .bind(tid)
                    .bind(*conv)
                    .bind(*sent)
                    .bind(closes)
                    .bind(now)
                    .bind(added)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(NOTE_CONTACT)
                    .bind(tid)
                    .bind(*conv)
                    .bind(*sent)
                    .execute(&mut *tx)
                    .await?;
            }
        });
    }
    match pool {
        Pool::Sqlite(p) => p.close().await,
        Pool::Postgres(p) => {
            // The planner's statistics, as autovacuum gathers them soon
            // after a bulk load in a running deployment.
            sqlx::query("ANALYZE").execute(&p).await?;
            p.close().await;
        }
    }
    Ok(())
}

/// What customers write about, so searches have words of every
/// frequency: each topic is in 1/16 of the messages, each conversation
/// number in its own few.
pub const TOPICS: [&str; 16] = [
    "oat milk",
    "espresso",
    "croissant",
    "delivery",
    "refund",
    "invoice",
    "table for two",
    "gluten free",
    "birthday cake",
    "opening hours",
    "parking",
    "gift card",
    "allergy",
    "vegan",
    "takeaway",
    "booking",
];

/// The text of seeded message `m` of conversation `c`.
pub fn body(c: usize, m: usize) -> String {
    let topic = TOPICS[(c * 7 + m * 3) % TOPICS.len()];
    format!("Message {m} of conversation {c}: a question about {topic}")
}

const CONVS: &str = "SELECT c.id, k.wa_id FROM conversations c \
     JOIN contacts k ON k.tenant_id = c.tenant_id AND k.id = c.contact_id WHERE c.tenant_id = $1";

/// `note_inbound` applied `$6` times for messages up to `$3`.
const NOTE: &str = "UPDATE conversations SET unread_count = unread_count + $6, \
     last_message_at = CASE WHEN last_message_at > $3 THEN last_message_at ELSE $3 END, \
     last_inbound_at = CASE WHEN last_inbound_at > $3 THEN last_inbound_at ELSE $3 END, \
     window_closes_at = CASE WHEN window_closes_at > $4 THEN window_closes_at ELSE $4 END, \
     status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END, updated_at = $5 \
     WHERE tenant_id = $1 AND id = $2";

/// `note_inbound`'s update of the conversation's contact.
const NOTE_CONTACT: &str = "UPDATE contacts SET \
     last_inbound_at = CASE WHEN last_inbound_at > $3 THEN last_inbound_at ELSE $3 END \
     WHERE tenant_id = $1 AND id = (SELECT contact_id FROM conversations WHERE tenant_id = $1 AND id = $2)";
