//! Sending: the rules every sender obeys (agent, API key, and later
//! automations, campaigns, the bot and the Genesys bridge), checked before
//! anything is queued, and the queueing itself: message row, event and
//! send job in one transaction. [`super::deliver`] hands it to Meta.

use super::apply::{conversation_opened, message_ref};
use super::jobs::SendMessage;
use crate::auth::{Actor, TenantCtx, Via};
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use crate::tenancy::limits::Limit;
use domain::events::ContactRef;
use domain::messaging::WaId;
use domain::usage::MessageCategory;
use domain::{
    ApiKeyId, CampaignId, ChannelId, ConversationId, MessageId, OperatorId, Timestamp, UserId,
};
use serde::{Deserialize, Serialize};
use store::channels::{Channel, ChannelStatus};
use store::inbox::{Contact, Conversation, Message, NewOutbound};
use store::{StoreError, TenantTx};
use whatsapp::outgoing::OutgoingContent;

/// Which lane a message waits in: replies go before bulk sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    #[default]
    Conversational,
    Bulk,
}

impl Lane {
    pub fn priority(self) -> i64 {
        match self {
            Lane::Conversational => 0,
            Lane::Bulk => 10,
        }
    }
}

/// Where and what to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub conversation_id: Option<ConversationId>,
    pub channel_id: Option<ChannelId>,
    /// The customer, when no conversation is named.
    pub to: Option<WaId>,
    pub reply_to: Option<String>,
    pub content: OutgoingContent,
    pub lane: Lane,
}

/// Who queued a message, kept with it (`messages.sent_by`) so that
/// analytics can tell a person's answer from an automatic one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentBy {
    User(UserId),
    ApiKey(ApiKeyId),
    Operator(OperatorId),
    Campaign(CampaignId),
    Bot,
    Automation,
    Drip,
    BusinessHours,
    Scheduled,
    /// A Genesys Cloud agent, through the bridge.
    Genesys,
    /// Switchboard itself for another reason (the command line, a job).
    System,
}

impl SentBy {
    /// Whoever `ctx` is.
    pub fn of(ctx: &TenantCtx) -> Self {
        match &ctx.actor {
            Actor::User { user_id, .. } => SentBy::User(*user_id),
            Actor::ApiKey { key_id, .. } => SentBy::ApiKey(*key_id),
            Actor::Operator { operator_id } => SentBy::Operator(*operator_id),
            Actor::System { via: Via::Bot } => SentBy::Bot,
            Actor::System { via: Via::Genesys } => SentBy::Genesys,
            Actor::System {
                via: Via::Automation,
            } => SentBy::Automation,
            Actor::System { .. } => SentBy::System,
        }
    }

    /// As stored: `user:<id>`, `api_key:<id>`, `operator:<id>`,
    /// `campaign:<id>`, `bot`, `automation`, `drip`, `business_hours`,
    /// `scheduled`, `genesys`, `system` (and `app` for echoes of the WhatsApp
    /// Business app, which the store writes itself).
    pub fn encode(self) -> String {
        match self {
            SentBy::User(id) => format!("user:{id}"),
            SentBy::ApiKey(id) => format!("api_key:{id}"),
            SentBy::Operator(id) => format!("operator:{id}"),
            SentBy::Campaign(id) => format!("campaign:{id}"),
            SentBy::Bot => "bot".into(),
            SentBy::Automation => "automation".into(),
            SentBy::Drip => "drip".into(),
            SentBy::BusinessHours => "business_hours".into(),
            SentBy::Scheduled => "scheduled".into(),
            SentBy::Genesys => "genesys".into(),
            SentBy::System => "system".into(),
        }
    }
}

/// Checks the rules and queues the message. Returns it as stored.
pub async fn send_message(state: &AppState, ctx: &TenantCtx, out: Outgoing) -> AppResult<Message> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let message = queue_message(&mut tx, SentBy::of(ctx), out, now).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(message)
}

/// Checks the rules and queues the message in `tx`: message row, event
/// and send job, written when the caller commits (and then wakes the
/// workers). For senders that record something of their own with the
/// message — a campaign's recipient, a scheduled message — so that both
/// happen or neither, and a crash never queues one twice.
pub async fn queue_message(
    tx: &mut TenantTx,
    by: SentBy,
    out: Outgoing,
    now: Timestamp,
) -> AppResult<Message> {
    queue(tx, by, out, now, Quota::Take).await
}

/// [`queue_message`] in a savepoint of `tx`: `Ok(Ok(message))` when
/// queued, `Ok(Err((code, why)))` when a rule of sending refused it (and
/// nothing of it stays), an error otherwise. For senders that answer a
/// refusal themselves (the bot, the Genesys bridge).
pub async fn queue_or_refusal(
    tx: &mut TenantTx,
    by: SentBy,
    out: Outgoing,
    now: Timestamp,
) -> AppResult<Result<Message, (String, String)>> {
    let point = tx.savepoint().await?;
    match queue_message(tx, by, out, now).await {
        Ok(m) => {
            tx.keep(point).await?;
            Ok(Ok(m))
        }
        Err(e) => match e.refusal() {
            Some(refused) => {
                tx.undo(point).await?;
                Ok(Err(refused))
            }
            None => Err(e),
        },
    }
}

/// Whether [`queue`] takes the message's unit of the monthly quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quota {
    Take,
    Prepaid,
}

async fn queue(
    tx: &mut TenantTx,
    by: SentBy,
    out: Outgoing,
    now: Timestamp,
    quota: Quota,
) -> AppResult<Message> {
    let conversation = find_or_start_conversation(tx, &out, now).await?;
    let channel = tx
        .find_channel(conversation.channel_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::Rule(
                "channel_removed",
                "this conversation's number was disconnected".into(),
            ),
            other => other.into(),
        })?;
    let contact = tx.find_contact(conversation.contact_id).await?;
    let to = Recipient {
        channel: &channel,
        contact: &contact,
        conversation: &conversation,
        by,
    };
    queue_to(
        tx,
        to,
        out.content,
        out.reply_to.as_deref(),
        out.lane,
        now,
        quota,
    )
    .await
}

/// [`queue_message`] for a sender that took the month's quota for a whole
/// batch beforehand (`tenancy::limits::take_many`, in the same transaction)
/// and holds the number and the contact already: a campaign's round counts
/// the quota once and reads its recipients in one statement. The
/// conversation between them is found or started; the same rules apply.
pub async fn queue_prepaid_to(
    tx: &mut TenantTx,
    channel: &Channel,
    contact: &Contact,
    by: SentBy,
    content: OutgoingContent,
    lane: Lane,
    now: Timestamp,
) -> AppResult<Message> {
    let (conversation, opened) = tx.upsert_conversation(contact.id, channel.id, now).await?;
    if opened {
        record(tx, conversation_opened(&conversation), now);
    }
    let to = Recipient {
        channel,
        contact,
        conversation: &conversation,
        by,
    };
    queue_to(tx, to, content, None, lane, now, Quota::Prepaid).await
}

/// Who a message goes to, as read in the sender's transaction, and who
/// sends it.
#[derive(Clone, Copy)]
struct Recipient<'a> {
    channel: &'a Channel,
    contact: &'a Contact,
    conversation: &'a Conversation,
    by: SentBy,
}

/// The rules every send obeys, then the message row, its event and its
/// send job.
async fn queue_to(
    tx: &mut TenantTx,
    to: Recipient<'_>,
    content: OutgoingContent,
    reply_to: Option<&str>,
    lane: Lane,
    now: Timestamp,
    quota: Quota,
) -> AppResult<Message> {
    refuse_unless_active(to.channel)?;
    if to.contact.opted_out_at.is_some() {
        return Err(AppError::Rule(
            "contact_opted_out",
            "this contact opted out of messages".into(),
        ));
    }
    let is_template = matches!(content, OutgoingContent::Template { .. });
    if !is_template && !to.conversation.window_open(now) {
        return Err(AppError::Rule(
            "outside_customer_service_window",
            "the customer has not written in the last 24 hours: only templates may be sent".into(),
        ));
    }
    if quota == Quota::Take {
        crate::tenancy::limits::take(tx, Limit::MessagesThisMonth, now).await?;
    }
    let encoded = serde_json::to_value(&content).map_err(AppError::internal)?;
    let id = MessageId::new();
    let message = tx
        .insert_outbound_message(NewOutbound {
            id,
            conversation: to.conversation.id,
            channel: to.channel.id,
            kind: content.kind(),
            content: &encoded,
            reply_to_wamid: reply_to,
            sent_by: &to.by.encode(),
            now,
        })
        .await?;
    tx.note_outbound(to.conversation.id, now).await?;
    let category = usage_category(tx, to.channel, &content).await?;
    crate::billing::usage::count_outbound(tx, category, now).await?;
    record(tx, Event::MessageQueued(message_ref(&message)), now);
    let job = super::jobs::Send {
        message_id: id,
        lane,
    };
    crate::jobs::enqueue::<SendMessage>(tx, &job, now).await?;
    Ok(message)
}

/// What Meta charges `content` as: a template's category, or service for
/// anything else (which only goes inside the customer service window).
async fn usage_category(
    tx: &mut TenantTx,
    channel: &Channel,
    content: &OutgoingContent,
) -> AppResult<MessageCategory> {
    let OutgoingContent::Template { template } = content else {
        return Ok(MessageCategory::Service);
    };
    let category = tx
        .template_category(&channel.waba_id, &template.name, &template.language.code)
        .await?;
    Ok(MessageCategory::of_template(category.as_deref()))
}

/// Refuses a send from a number that cannot send, with a stable code
/// naming why and Meta's reason where Meta gave one.
fn refuse_unless_active(channel: &Channel) -> AppResult<()> {
    let reason = channel.status_reason.as_deref();
    let (code, what) = match channel.status {
        ChannelStatus::Active => return Ok(()),
        ChannelStatus::NeedsCredentials => {
            return Err(AppError::Rule(
                "channel_needs_credentials",
                "Meta rejected this number's access token; update its credentials first".into(),
            ));
        }
        ChannelStatus::Restricted => ("channel_restricted", "Meta restricted this number"),
        ChannelStatus::Disabled => ("channel_disabled", "Meta disabled this number's account"),
        ChannelStatus::Offboarded => (
            "channel_offboarded",
            "this number is no longer connected to the platform",
        ),
    };
    let detail = match reason {
        Some(r) => format!("{what}: {r}"),
        None => what.to_owned(),
    };
    Err(AppError::Rule(code, detail))
}

/// The conversation `out` goes to: the one it names, or the one between
/// its customer and its number (started if new).
async fn find_or_start_conversation(
    tx: &mut TenantTx,
    out: &Outgoing,
    now: Timestamp,
) -> AppResult<Conversation> {
    let to = match (out.conversation_id, &out.to) {
        (Some(id), _) => {
            return tx.find_conversation(id).await.map_err(|e| match e {
                StoreError::NotFound => {
                    AppError::validation("conversation_id", "no such conversation")
                }
                other => other.into(),
            });
        }
        (None, Some(to)) => to,
        (None, None) => {
            return Err(AppError::validation("to", "give `to` or `conversation_id`"));
        }
    };
    let channel = sending_channel(tx, out.channel_id).await?;
    let (contact, created) = tx.upsert_contact(to.as_str(), None, None, now).await?;
    if created {
        let event = Event::ContactCreated(ContactRef {
            contact_id: contact.id,
        });
        record(tx, event, now);
    }
    let (conversation, opened) = tx.upsert_conversation(contact.id, channel.id, now).await?;
    if opened {
        record(tx, conversation_opened(&conversation), now);
    }
    Ok(conversation)
}

/// The number to send from: the one named, or the tenant's only one.
async fn sending_channel(tx: &mut TenantTx, named: Option<ChannelId>) -> AppResult<Channel> {
    if let Some(id) = named {
        return tx.find_channel(id).await.map_err(|e| match e {
            StoreError::NotFound => AppError::validation("channel_id", "no such channel"),
            other => other.into(),
        });
    }
    let mut all = tx.list_channels().await?;
    if all.len() != 1 {
        return Err(AppError::validation(
            "channel_id",
            "name the number to send from (this tenant has several, or none)",
        ));
    }
    Ok(all.remove(0))
}
