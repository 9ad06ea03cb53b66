use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{ChannelId, ContactId, ConversationId, TeamId, Timestamp, UserId};
use uuid::Uuid;

/// Where a conversation stands in the team's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationStatus {
    Open,
    Pending,
    Resolved,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::Pending => "pending",
            ConversationStatus::Resolved => "resolved",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(ConversationStatus::Open),
            "pending" => Some(ConversationStatus::Pending),
            "resolved" => Some(ConversationStatus::Resolved),
            _ => None,
        }
    }
}

/// The thread between one contact and one of the tenant's numbers.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: ConversationId,
    pub contact_id: ContactId,
    pub channel_id: ChannelId,
    pub status: ConversationStatus,
    pub unread_count: i64,
    pub assigned_user_id: Option<UserId>,
    /// The team it is routed to (from its number's, when it started).
    pub team_id: Option<TeamId>,
    pub last_message_at: Timestamp,
    pub last_inbound_at: Option<Timestamp>,
    /// When free-form replies stop being allowed (24 h after the customer's
    /// last message); `None` if the customer never wrote.
    pub window_closes_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Its tags, by name: empty until loaded with
    /// [`TenantTx::load_conversation_tags`] (the rules that show
    /// conversations do).
    pub tags: Vec<crate::crm::tags::Tag>,
}

impl Conversation {
    pub fn window_open(&self, now: Timestamp) -> bool {
        self.window_closes_at.is_some_and(|c| now < c)
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    contact_id: Uuid,
    channel_id: Uuid,
    status: String,
    unread_count: i64,
    assigned_user_id: Option<Uuid>,
    team_id: Option<Uuid>,
    last_message_at: i64,
    last_inbound_at: Option<i64>,
    window_closes_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Conversation {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(Conversation {
            id: ConversationId::from_uuid(r.id),
            contact_id: ContactId::from_uuid(r.contact_id),
            channel_id: ChannelId::from_uuid(r.channel_id),
            status: ConversationStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("conversation status {}", r.status)))?,
            unread_count: r.unread_count,
            assigned_user_id: r.assigned_user_id.map(UserId::from_uuid),
            team_id: r.team_id.map(TeamId::from_uuid),
            last_message_at: Timestamp::from_millis(r.last_message_at),
            last_inbound_at: r.last_inbound_at.map(Timestamp::from_millis),
            window_closes_at: r.window_closes_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            tags: Vec::new(),
        })
    }
}

/// Filters for the inbox list. `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    pub status: Option<ConversationStatus>,
    pub channel: Option<ChannelId>,
    pub unread_only: bool,
    pub assigned_to: Option<UserId>,
    pub unassigned_only: bool,
    /// Matches the contact's name, WhatsApp id or phone (case-insensitive).
    pub search: Option<String>,
    /// Only conversations carrying this tag.
    pub tag: Option<domain::TagId>,
    /// Only conversations routed to this team.
    pub team: Option<TeamId>,
    /// Keyset cursor: conversations strictly older than this
    /// `(last_message_at, id)`.
    pub before: Option<(Timestamp, ConversationId)>,
    pub limit: i64,
}

impl TenantTx {
    /// Finds or starts the conversation between a contact and a number;
    /// `true` with it if it was started.
    pub async fn upsert_conversation(
        &mut self,
        contact: ContactId,
        channel: ChannelId,
        now: Timestamp,
    ) -> StoreResult<(Conversation, bool)> {
        let new_id = ConversationId::new();
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, Row>(
            "INSERT INTO conversations (tenant_id, id, contact_id, channel_id, status, team_id, \
                                        unread_count, last_message_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'open', \
                     (SELECT team_id FROM channels WHERE tenant_id = $1 AND id = $4), \
                     0, $5, $5, $5) \
             ON CONFLICT (tenant_id, contact_id, channel_id) DO UPDATE SET updated_at = excluded.updated_at \
             RETURNING id, contact_id, channel_id, status, unread_count, assigned_user_id, team_id, \
                       last_message_at, last_inbound_at, window_closes_at, created_at, updated_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(new_id.as_uuid())
        .bind(contact.as_uuid())
        .bind(channel.as_uuid())
        .bind(now.as_millis())
        .fetch_one(c)
        .await
        })?;
        let conversation: Conversation = row.try_into()?;
        let created = conversation.id == new_id;
        Ok((conversation, created))
    }

    pub async fn find_conversation(&mut self, id: ConversationId) -> StoreResult<Conversation> {
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, Row>(
            "SELECT id, contact_id, channel_id, status, unread_count, assigned_user_id, team_id, \
                    last_message_at, last_inbound_at, window_closes_at, created_at, updated_at \
             FROM conversations WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await
        })?;
        row.or_not_found()?.try_into()
    }

    /// The inbox: most recent activity first.
    pub async fn list_conversations(
        &mut self,
        f: &ConversationFilter,
    ) -> StoreResult<Vec<Conversation>> {
        let (before_ts, before_id) = match f.before {
            Some((t, id)) => (Some(t.as_millis()), Some(id.as_uuid())),
            None => (None, None),
        };
        let pattern = f
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(crate::page::contains_pattern);
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, Row>(
            "SELECT id, contact_id, channel_id, status, unread_count, assigned_user_id, team_id, \
                    last_message_at, last_inbound_at, window_closes_at, created_at, updated_at \
             FROM conversations WHERE tenant_id = $1 \
               AND ($2 IS NULL OR status = $2) \
               AND ($3 IS NULL OR channel_id = $3) \
               AND ($4 = 0 OR unread_count > 0) \
               AND ($5 IS NULL OR assigned_user_id = $5) \
               AND ($6 = 0 OR assigned_user_id IS NULL) \
               AND ($7 IS NULL OR last_message_at < $7 OR (last_message_at = $7 AND id < $8)) \
               AND ($10 IS NULL OR contact_id IN ( \
                    SELECT id FROM contacts WHERE tenant_id = $1 \
                      AND (LOWER(COALESCE(profile_name, '')) LIKE $10 ESCAPE '\\' \
                           OR COALESCE(wa_id, '') LIKE $10 ESCAPE '\\' \
                           OR COALESCE(phone, '') LIKE $10 ESCAPE '\\'))) \
               AND ($11 IS NULL OR id IN (SELECT conversation_id FROM conversation_tags \
                    WHERE tenant_id = $1 AND tag_id = $11)) \
               AND ($12 IS NULL OR team_id = $12) \
             ORDER BY last_message_at DESC, id DESC LIMIT $9"
        )
        .bind(self.tenant.as_uuid())
        .bind(f.status.map(ConversationStatus::as_str))
        .bind(f.channel.map(|c| c.as_uuid()))
        .bind(i32::from(f.unread_only))
        .bind(f.assigned_to.map(|u| u.as_uuid()))
        .bind(i32::from(f.unassigned_only))
        .bind(before_ts)
        .bind(before_id)
        .bind(f.limit)
        .bind(pattern.as_deref())
        .bind(f.tag.map(|t| t.as_uuid()))
        .bind(f.team.map(|t| t.as_uuid()))
        .fetch_all(c)
        .await
        })?;
        rows.into_iter().map(Conversation::try_from).collect()
    }

    /// Conversations of one contact (for the contact page).
    pub async fn list_contact_conversations(
        &mut self,
        contact: ContactId,
    ) -> StoreResult<Vec<Conversation>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, Row>(
            "SELECT id, contact_id, channel_id, status, unread_count, assigned_user_id, team_id, \
                    last_message_at, last_inbound_at, window_closes_at, created_at, updated_at \
             FROM conversations WHERE tenant_id = $1 AND contact_id = $2 \
             ORDER BY last_message_at DESC"
        )
        .bind(self.tenant.as_uuid())
        .bind(contact.as_uuid())
        .fetch_all(c)
        .await
        })?;
        rows.into_iter().map(Conversation::try_from).collect()
    }

    /// Records an inbound message's effect: one more unread, the window
    /// reopened from the customer's message time (never moved backwards by
    /// a late, reordered delivery), and a resolved thread reopened.
    pub async fn note_inbound(
        &mut self,
        id: ConversationId,
        sent_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()> {
        let closes = domain::messaging::window_closes_at(sent_at);
        exec!(&mut self.tx, |c| {
            sqlx::query(
            "UPDATE conversations SET unread_count = unread_count + 1, \
                 last_message_at = CASE WHEN last_message_at > $3 THEN last_message_at ELSE $3 END, \
                 last_inbound_at = CASE WHEN last_inbound_at > $3 THEN last_inbound_at ELSE $3 END, \
                 window_closes_at = CASE WHEN window_closes_at > $4 THEN window_closes_at ELSE $4 END, \
                 status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END, \
                 updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(sent_at.as_millis())
        .bind(closes.as_millis())
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contacts SET \
                 last_inbound_at = CASE WHEN last_inbound_at > $3 THEN last_inbound_at ELSE $3 END \
             WHERE tenant_id = $1 AND id = \
                 (SELECT contact_id FROM conversations WHERE tenant_id = $1 AND id = $2)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(sent_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Keeps the contact of `conversation` up to date with an outbound
    /// message stored at `at` (segments' "last outbound message").
    pub(crate) async fn note_contact_outbound(
        &mut self,
        conversation: ConversationId,
        at: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contacts SET \
                 last_outbound_at = CASE WHEN last_outbound_at > $3 THEN last_outbound_at ELSE $3 END \
             WHERE tenant_id = $1 AND id = \
                 (SELECT contact_id FROM conversations WHERE tenant_id = $1 AND id = $2)"
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .bind(at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Recomputes when `contact` last wrote and was written to, from their
    /// conversations and messages (after a merge moved some to them).
    pub(crate) async fn refresh_contact_activity(&mut self, contact: ContactId) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contacts SET \
                 last_inbound_at = (SELECT MAX(cv.last_inbound_at) FROM conversations cv \
                     WHERE cv.tenant_id = $1 AND cv.contact_id = $2), \
                 last_outbound_at = (SELECT MAX(m.created_at) FROM messages m \
                     JOIN conversations cv ON cv.tenant_id = m.tenant_id AND cv.id = m.conversation_id \
                     WHERE m.tenant_id = $1 AND cv.contact_id = $2 AND m.direction = 'out') \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(contact.as_uuid())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Records an outbound message: the thread moves to the top.
    pub async fn note_outbound(&mut self, id: ConversationId, now: Timestamp) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE conversations SET last_message_at = $3, updated_at = $3 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    pub async fn mark_conversation_read(
        &mut self,
        id: ConversationId,
        now: Timestamp,
    ) -> StoreResult<Conversation> {
        exec!(&mut self.tx, |c| {
            sqlx::query(
            "UPDATE conversations SET unread_count = 0, updated_at = $3 WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        self.find_conversation(id).await
    }

    pub async fn update_conversation(
        &mut self,
        id: ConversationId,
        status: ConversationStatus,
        assigned: Option<UserId>,
        team: Option<TeamId>,
        now: Timestamp,
    ) -> StoreResult<Conversation> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE conversations SET status = $3, assigned_user_id = $4, team_id = $5, \
                                      updated_at = $6 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(status.as_str())
        .bind(assigned.map(|u| u.as_uuid()))
        .bind(team.map(|t| t.as_uuid()))
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        self.find_conversation(id).await
    }
}
