//! Handing a conversation to Genesys and taking it back. While a
//! conversation is with Genesys its customer's messages go to the contact
//! centre, its agents' replies come back, and the booking bot stays quiet
//! in it; the inbox still shows everything and can take it back.

use super::push;
use crate::auth::TenantCtx;
use crate::channels::send::SentBy;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use domain::events::GenesysHandover;
use domain::{ChannelId, ConversationId, HandoverId, Permission, Timestamp};
use serde::Serialize;
use serde_json::json;
use store::TenantTx;
use store::genesys::handovers::{GenesysStats, Handover, NewHandover};
use store::genesys::outbox::{NewOutboxItem, OutboxKind};
use store::inbox::Message;
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// Why a conversation went to Genesys or came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The number sends every conversation to Genesys.
    Routing,
    /// The customer wrote one of the number's keywords.
    Keyword,
    /// An automation's `hand_to_genesys` step.
    Automation,
    /// Someone in the inbox.
    Agent,
    /// An API key.
    Api,
    /// A Genesys agent wrote to a customer first.
    Genesys,
    /// Genesys ended its conversation.
    Ended,
    /// Someone took it back (the inbox or the API).
    TakenBack,
    /// The number's link was removed.
    Unlinked,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Routing => "routing",
            Reason::Keyword => "keyword",
            Reason::Automation => "automation",
            Reason::Agent => "agent",
            Reason::Api => "api",
            Reason::Genesys => "genesys",
            Reason::Ended => "ended",
            Reason::TakenBack => "taken_back",
            Reason::Unlinked => "unlinked",
        }
    }

    /// What a person's hand-over or take-back is, by who they are.
    fn of(ctx: &TenantCtx) -> Reason {
        match SentBy::of(ctx) {
            SentBy::ApiKey(_) => Reason::Api,
            SentBy::Automation => Reason::Automation,
            _ => Reason::Agent,
        }
    }
}

/// A hand-over as shown (a conversation mapping).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandoverView {
    pub id: HandoverId,
    pub conversation_id: ConversationId,
    pub channel_id: ChannelId,
    /// The customer as Genesys knows them.
    pub wa_id: String,
    /// Genesys' conversation, once Genesys named one.
    pub genesys_conversation_id: Option<String>,
    /// `open` (with Genesys) or `ended`.
    pub state: String,
    /// `routing`, `keyword`, `automation`, `agent`, `api` or `genesys`.
    pub reason: String,
    pub handed_by: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// `ended`, `taken_back` or `unlinked`.
    pub end_reason: Option<String>,
    pub ended_by: Option<String>,
}

impl From<&Handover> for HandoverView {
    fn from(h: &Handover) -> Self {
        HandoverView {
            id: h.id,
            conversation_id: h.conversation_id,
            channel_id: h.channel_id,
            wa_id: h.wa_id.clone(),
            genesys_conversation_id: h.genesys_conversation_id.clone(),
            state: if h.is_open() { "open" } else { "ended" }.to_owned(),
            reason: h.reason.clone(),
            handed_by: h.handed_by.clone(),
            started_at: h.started_at.to_rfc3339_millis(),
            ended_at: h.ended_at.map(|t| t.to_rfc3339_millis()),
            end_reason: h.end_reason.clone(),
            ended_by: h.ended_by.clone(),
        }
    }
}

/// Hands `conversation` to Genesys through its number's link, in `tx`,
/// unless it is with Genesys already; the hand-over and whether this
/// opened it. Opened by someone (not by the customer's own message), the
/// customer's latest message goes to Genesys too, so the agent sees what
/// the conversation is about.
pub async fn hand_over_in(
    tx: &mut TenantTx,
    conversation: ConversationId,
    reason: Reason,
    by: &str,
    now: Timestamp,
) -> AppResult<(Handover, bool)> {
    crate::billing::features::require_in(tx, domain::Feature::Genesys).await?;
    let c = tx.find_conversation(conversation).await?;
    let link = tx
        .find_genesys_link_of(c.channel_id)
        .await?
        .ok_or_else(|| {
            AppError::Rule(
                "genesys_not_linked",
                "this conversation's number is not linked to Genesys".into(),
            )
        })?;
    let contact = tx.find_contact(c.contact_id).await?;
    let wa_id = contact.wa_id.clone().ok_or_else(|| {
        AppError::Rule(
            "genesys_no_wa_id",
            "this contact has no WhatsApp id to reach Genesys with".into(),
        )
    })?;
    let (handover, opened) = tx
        .open_genesys_handover(&NewHandover {
            conversation_id: c.id,
            channel_id: c.channel_id,
            link_id: link.id,
            wa_id: &wa_id,
            reason: reason.as_str(),
            handed_by: by,
            now,
        })
        .await?;
    if opened {
        record(
            tx,
            Event::ConversationHandedToGenesys(told(&handover, reason, by)),
            now,
        );
        if !matches!(reason, Reason::Routing | Reason::Keyword)
            && let Some(m) = tx.latest_inbound_message(c.id).await?
        {
            forward_in(tx, &handover, &m, now).await?;
        }
    }
    Ok((handover, opened))
}

/// Queues customer message `m` for Genesys in `handover`: once, and after
/// its media is stored when it has any.
pub async fn forward_in(
    tx: &mut TenantTx,
    handover: &Handover,
    m: &Message,
    now: Timestamp,
) -> AppResult<()> {
    let waiting = match tx.list_media_of_messages(&[m.id]).await?.first() {
        Some(media) => media.status == store::inbox::MediaStatus::Pending,
        None => false,
    };
    let dedupe = format!("message:{}", m.id);
    let queued = tx
        .queue_genesys_outbox(&NewOutboxItem {
            handover_id: handover.id,
            kind: OutboxKind::Message,
            dedupe: &dedupe,
            message_id: Some(m.id),
            body: None,
            waiting,
            now,
        })
        .await?;
    if queued {
        // Waiting for media too: the push lets it go if the media was
        // stored before this row was queued.
        push::enqueue(tx, handover.id, now).await?;
    }
    Ok(())
}

/// Ends `handover` in `tx` if it is open; whether it was.
pub async fn hand_back_in(
    tx: &mut TenantTx,
    handover: &Handover,
    reason: Reason,
    by: &str,
    now: Timestamp,
) -> AppResult<bool> {
    let ended = tx
        .end_genesys_handover(handover.id, reason.as_str(), by, now)
        .await?;
    if ended {
        record(
            tx,
            Event::ConversationReturnedFromGenesys(told(handover, reason, by)),
            now,
        );
    }
    Ok(ended)
}

fn told(h: &Handover, reason: Reason, by: &str) -> GenesysHandover {
    GenesysHandover {
        handover_id: h.id,
        conversation_id: h.conversation_id,
        channel_id: h.channel_id,
        reason: reason.as_str().to_owned(),
        by: by.to_owned(),
    }
}

/// Hands `conversation` to Genesys (`inbox:write`); audited as
/// `conversation.hand_to_genesys`. Already with Genesys: the open
/// hand-over, unchanged.
pub async fn hand_over(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
) -> AppResult<(HandoverView, bool)> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let by = SentBy::of(ctx).encode();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let (h, opened) = hand_over_in(&mut tx, conversation, Reason::of(ctx), &by, now).await?;
    if opened {
        let target = ("conversation", conversation.to_string());
        let details = json!({ "handover_id": h.id });
        crate::audit::tenant_change(
            &mut tx,
            ctx,
            now,
            "conversation.hand_to_genesys",
            target,
            details,
        )
        .await?;
    }
    tx.commit().await?;
    state.wake_workers();
    Ok((HandoverView::from(&h), opened))
}

/// Takes `conversation` back from Genesys (`inbox:write`); audited as
/// `conversation.take_from_genesys`.
pub async fn take_back(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
) -> AppResult<HandoverView> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let by = SentBy::of(ctx).encode();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.find_conversation(conversation).await?;
    let h = tx.find_open_handover(conversation).await?.ok_or_else(|| {
        AppError::Conflict(
            "not_with_genesys",
            "this conversation is not with Genesys".into(),
        )
    })?;
    hand_back_in(&mut tx, &h, Reason::TakenBack, &by, now).await?;
    let target = ("conversation", conversation.to_string());
    let details = json!({ "handover_id": h.id });
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "conversation.take_from_genesys",
        target,
        details,
    )
    .await?;
    let ended = tx.find_handover(h.id).await?;
    tx.commit().await?;
    Ok(HandoverView::from(&ended))
}

/// `conversation`'s open hand-over, if it is with Genesys (`inbox:read`).
pub async fn current(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
) -> AppResult<Option<HandoverView>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_conversation(conversation).await?;
    let h = tx.find_open_handover(conversation).await?;
    tx.commit().await?;
    Ok(h.as_ref().map(HandoverView::from))
}

/// Whether `conversation` can be handed to Genesys now (`inbox:read`):
/// its number is linked, its contact has a WhatsApp id, and it is not
/// with Genesys already.
pub async fn can_hand_over(
    state: &AppState,
    ctx: &TenantCtx,
    conversation: ConversationId,
) -> AppResult<bool> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let c = tx.find_conversation(conversation).await?;
    let can = tx.find_genesys_link_of(c.channel_id).await?.is_some()
        && tx.find_contact(c.contact_id).await?.wa_id.is_some()
        && tx.find_open_handover(conversation).await?.is_none();
    tx.commit().await?;
    Ok(can)
}

/// Hand-overs (conversation mappings), newest first (`inbox:read`).
/// Only open ones when `open_only`; only `conversation`'s when given.
pub async fn list(
    state: &AppState,
    ctx: &TenantCtx,
    open_only: bool,
    conversation: Option<ConversationId>,
    page: PageRequest,
) -> AppResult<Page<HandoverView>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_handovers(open_only, conversation, page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.iter().map(HandoverView::from).collect(),
        next: found.next,
    })
}

/// The bridge's statistics, as the source document shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BridgeStats {
    /// Conversations ever handed to Genesys.
    pub total_mappings: i64,
    /// Messages both ways: customers' to Genesys and agents' replies.
    pub total_messages: i64,
    /// Conversations with Genesys now.
    pub active_conversations: i64,
    /// Messages both ways since midnight (UTC).
    pub today_messages: i64,
}

impl From<GenesysStats> for BridgeStats {
    fn from(s: GenesysStats) -> Self {
        BridgeStats {
            total_mappings: s.total_mappings,
            total_messages: s.total_messages,
            active_conversations: s.active_conversations,
            today_messages: s.messages_since,
        }
    }
}

/// The bridge's statistics (`inbox:read`).
pub async fn stats(state: &AppState, ctx: &TenantCtx) -> AppResult<BridgeStats> {
    ctx.require(Permission::InboxRead)?;
    let now = state.now();
    let midnight = Timestamp::from_millis(now.as_millis() - now.as_millis().rem_euclid(86_400_000));
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let s = tx.genesys_stats(midnight).await?;
    tx.commit().await?;
    Ok(s.into())
}
