//! The bot itself: a durable consumer of each tenant's event log
//! (`booking.bot`) that answers every customer message on the numbers the
//! booking settings name, in the transaction that moves its cursor: the
//! customer's place ([`flow::State`], in `booking_sessions`), any booking
//! made, moved or cancelled, and the bot's replies (queued under the rules
//! of sending) commit together or not at all, so a crash never answers a
//! message twice or loses one.
//!
//! - A customer silent for the settings' idle time in the middle of
//!   booking starts over.
//! - Handed to the team ("talk to a person", or three answers not
//!   understood), the bot stays quiet in that conversation until it is
//!   resolved (`conversation.status_changed` to `resolved`); the
//!   conversation is assigned by its team's rule when it has one.
//! - A customer who writes on a number the bot does not answer on is left
//!   to the team; one whose conversation is with Genesys' agents (or goes
//!   to them) is left to Genesys.
//!
//! [`poll`] runs it for the tenants that have booking settings.

pub mod flow;
pub mod prompts;

use super::settings::{self, Settings};
use crate::auth::{TenantCtx, Via};
use crate::channels::send::{Lane, Outgoing};
use crate::events::{Consumer, poll_having, record};
use crate::state::AppState;
use domain::events::{BookingHandedOff, Event, MessageRef};
use domain::{ConversationId, Feature, Timestamp};
use flow::{Input, Outcome, State, Step, Turn};
use futures::future::BoxFuture;
use store::booking::BotSession;
use store::events::{CursorStart, StoredEvent, Table};
use store::{StoreError, TenantTx};
use whatsapp::outgoing::OutgoingContent;

/// The consumer's cursor name.
pub const CONSUMER: &str = "booking.bot";
/// Events per batch (one transaction).
const BATCH: i64 = 100;

/// The bot's consumer of the event log, as of `now`.
pub struct Bot {
    pub now: Timestamp,
}

impl Consumer for Bot {
    const NAME: &'static str = CONSUMER;
    const START: CursorStart = CursorStart::Latest;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        let mut settings: Option<Settings> = None;
        let mut catalogue = None;
        for event in events {
            match event.name.as_str() {
                "message.received" => {
                    let Ok(m) = serde_json::from_value::<MessageRef>(event.payload.clone()) else {
                        continue;
                    };
                    if settings.is_none() {
                        // A plan without the bot: it stays quiet.
                        let in_plan = crate::billing::features::has(tx, Feature::Bot)
                            .await
                            .map_err(|e| anyhow::anyhow!("{e:#}"))?;
                        if !in_plan {
                            return Ok(());
                        }
                        settings = Some(
                            settings::current(tx)
                                .await
                                .map_err(|e| anyhow::anyhow!("{e:#}"))?,
                        );
                    }
                    let Some(s) = settings.as_ref() else { continue };
                    if s.answers_on(m.channel_id) {
                        answer(tx, s, &mut catalogue, &m, self.now).await?;
                    }
                }
                "conversation.status_changed" if event.payload["status"] == "resolved" => {
                    if let Some(id) = event.payload["conversation_id"]
                        .as_str()
                        .and_then(|s| s.parse().ok())
                    {
                        release(tx, id, self.now).await?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// A resolved conversation: the bot answers there again, from the start.
async fn release(tx: &mut TenantTx, id: ConversationId, now: Timestamp) -> anyhow::Result<()> {
    if let Some(mut s) = tx.find_bot_session_of(id).await? {
        s.handed_off = false;
        s.state = serde_json::to_value(State::default())?;
        s.updated_at = now;
        tx.upsert_bot_session(&s).await?;
    }
    Ok(())
}

fn gone<T>(r: Result<T, StoreError>) -> anyhow::Result<Option<T>> {
    crate::automations::conditions::gone_is_none(r).map_err(Into::into)
}

/// Answers message `m` of a customer.
/// Whether `c` is with Genesys' agents, or goes to them (its number
/// sends every conversation there): the bot stays quiet in it.
async fn with_genesys(tx: &mut TenantTx, c: &store::inbox::Conversation) -> anyhow::Result<bool> {
    if tx.find_open_handover(c.id).await?.is_some() {
        return Ok(true);
    }
    let link = tx.find_genesys_link_of(c.channel_id).await?;
    Ok(link.is_some_and(|l| l.routing == "all"))
}

async fn answer(
    tx: &mut TenantTx,
    settings: &Settings,
    catalogue: &mut Option<(Vec<store::booking::Service>, Vec<store::booking::Resource>)>,
    m: &MessageRef,
    now: Timestamp,
) -> anyhow::Result<()> {
    let Some(message) = gone(tx.find_message(m.message_id).await)? else {
        return Ok(());
    };
    let Some(conversation) = gone(tx.find_conversation(m.conversation_id).await)? else {
        return Ok(());
    };
    let Some(contact) = gone(tx.find_contact(conversation.contact_id).await)? else {
        return Ok(());
    };
    let Some(input) = Input::of(&message.content) else {
        return Ok(());
    };
    if with_genesys(tx, &conversation).await? {
        return Ok(());
    }
    let session = tx
        .find_bot_session(conversation.channel_id, contact.id)
        .await?;
    if session.as_ref().is_some_and(|s| s.handed_off) {
        return Ok(());
    }
    let mut state: State = session
        .as_ref()
        .and_then(|s| serde_json::from_value(s.state.clone()).ok())
        .unwrap_or_default();
    let ctx = TenantCtx::system(tx.tenant_id(), Via::Bot);
    let mut out = Vec::new();
    let idle_since = session.as_ref().map(|s| s.updated_at);
    if state.step != Step::Idle
        && idle_since
            .is_some_and(|t| now.as_millis() - t.as_millis() > settings.idle_minutes * 60_000)
    {
        out.push(prompts::text(settings.language.words().started_over));
        state = State::default();
    }
    let mut turn = Turn {
        tx: &mut *tx,
        ctx: &ctx,
        settings,
        conversation: &conversation,
        contact: &contact,
        now,
        catalogue,
        out,
    };
    let outcome = turn.answer(&mut state, input).await?;
    let mut out = std::mem::take(&mut turn.out);
    let handed_off = match outcome {
        Outcome::Continue => false,
        Outcome::HandOff(reason) => {
            out.push(prompts::text(settings.language.words().handed_off));
            state = State::default();
            crate::crm::teams::routing::assign(tx, conversation.id, now).await?;
            record(
                tx,
                Event::BookingHandedOff(BookingHandedOff {
                    conversation_id: conversation.id,
                    contact_id: contact.id,
                    channel_id: conversation.channel_id,
                    reason: reason.to_owned(),
                }),
                now,
            );
            true
        }
    };
    for content in out {
        send(tx, conversation.id, content, now).await?;
    }
    tx.upsert_bot_session(&BotSession {
        channel_id: conversation.channel_id,
        contact_id: contact.id,
        conversation_id: conversation.id,
        state: serde_json::to_value(&state)?,
        handed_off,
        updated_at: now,
    })
    .await?;
    Ok(())
}

/// Queues `content` in `conversation` under the rules of sending; a
/// refusal is logged (and undone), anything else fails the batch.
async fn send(
    tx: &mut TenantTx,
    conversation: ConversationId,
    content: OutgoingContent,
    now: Timestamp,
) -> anyhow::Result<()> {
    let out = Outgoing {
        conversation_id: Some(conversation),
        channel_id: None,
        to: None,
        reply_to: None,
        content,
        lane: Lane::Conversational,
    };
    match super::bookings::queue_or_refusal(tx, out, now).await {
        Ok(None) => Ok(()),
        Ok(Some(code)) => {
            tracing::info!(tenant_id = %tx.tenant_id(), conversation_id = %conversation,
                %code, "a booking bot reply was refused");
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!("{e:#}")),
    }
}

/// One round of the bot: every tenant with booking settings whose cursor
/// is behind gets one batch. Registered as a poller ([`super::jobs`]).
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(poll_having(state, Table::Booking, BATCH, |now| Bot { now }))
}

/// A customer's session with the bot, as the inbox shows it to agents.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub conversation_id: ConversationId,
    /// `idle`, `menu`, `category`, `service`, `day`, `time`, `name`,
    /// `confirm`, `bookings` or `manage`.
    pub step: String,
    /// The step in words (`choosing a time`).
    pub step_label: String,
    /// Handed to the team: the bot is quiet until the conversation is
    /// resolved.
    pub handed_off: bool,
    /// The service chosen so far.
    pub service_id: Option<domain::ServiceId>,
    /// The time chosen so far.
    pub starts_at: Option<Timestamp>,
    /// The customer's last message the bot answered.
    pub updated_at: Timestamp,
}

impl SessionView {
    /// One line for the inbox.
    pub fn summary(&self) -> String {
        if self.handed_off {
            "Booking bot: handed to the team; it stays quiet here until the conversation is \
             resolved."
                .to_owned()
        } else {
            format!("Booking bot: the customer is {}.", self.step_label)
        }
    }
}

/// The bot's session in conversation `id`, if it has one.
pub async fn session_of(
    state: &AppState,
    ctx: &TenantCtx,
    id: ConversationId,
) -> crate::error::AppResult<Option<SessionView>> {
    ctx.require(domain::Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_conversation(id).await?;
    let found = tx.find_bot_session_of(id).await?;
    tx.commit().await?;
    Ok(found.map(|s| {
        let st: State = serde_json::from_value(s.state).unwrap_or_default();
        let step = serde_json::to_value(st.step)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        SessionView {
            conversation_id: s.conversation_id,
            step,
            step_label: st.step.label().to_owned(),
            handed_off: s.handed_off,
            service_id: st.service,
            starts_at: st.starts_at,
            updated_at: s.updated_at,
        }
    }))
}
