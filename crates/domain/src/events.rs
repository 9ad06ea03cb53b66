//! Domain events: everything that happens in a tenant that someone could
//! want to react to, with a stable dotted name and a versioned JSON payload.
//!
//! Each event is recorded by the server in the transaction that makes the
//! change (`crate::events::record` in the server), read back in commit order
//! by consumers (the live stream, outbound webhooks, automations, …), and
//! documented with an example in docs/EVENTS.md (a test checks that every
//! name below is there and that its example parses as this type).
//!
//! A payload's fields only ever grow; a change that would break a consumer
//! (a renamed or removed field, a new meaning) raises the event's version.

use crate::ids::{ChannelId, ContactId, ConversationId, MessageId, UserId};
use crate::messaging::MessageStatus;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod automations;
mod billing;
mod booking;
mod campaigns;
mod channels;
mod crm;
mod drips;
mod genesys;
mod scheduled;
mod templates;
pub use automations::*;
pub use billing::*;
pub use booking::*;
pub use campaigns::*;
pub use channels::*;
pub use crm::*;
pub use drips::*;
pub use genesys::*;
pub use scheduled::*;
pub use templates::*;

/// Declares [`Event`] with, for each variant, its payload type, its stable
/// name and its payload version, so the list of names ([`Event::NAMES`])
/// can never miss a variant.
macro_rules! events {
    ($( $(#[$doc:meta])* $variant:ident($payload:ty) = $name:literal, v $version:literal; )*) => {
        /// One domain event. See the module documentation.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Event {
            $( $(#[$doc])* $variant($payload), )*
        }

        impl Event {
            /// Every event name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// The stable dotted name (`message.received`).
            pub fn name(&self) -> &'static str {
                match self { $( Event::$variant(_) => $name, )* }
            }

            /// The version of this event's payload shape.
            pub fn version(&self) -> i64 {
                match self { $( Event::$variant(_) => $version, )* }
            }

            /// The payload as JSON.
            pub fn payload(&self) -> Value {
                let encoded = match self { $( Event::$variant(p) => serde_json::to_value(p), )* };
                // Payloads are plain structs of ids, strings and numbers:
                // encoding them cannot fail.
                encoded.unwrap_or(Value::Null)
            }

            /// Reads an event back from its name and payload.
            pub fn from_parts(name: &str, payload: Value) -> Result<Event, EventParseError> {
                match name {
                    $( $name => serde_json::from_value(payload)
                        .map(Event::$variant)
                        .map_err(|e| EventParseError::Payload(name.to_owned(), e.to_string())), )*
                    other => Err(EventParseError::UnknownName(other.to_owned())),
                }
            }
        }
    };
}

events! {
    /// A customer's message was stored (every message of a batch, once).
    MessageReceived(MessageRef) = "message.received", v 1;
    /// A message passed the sending rules and waits for its turn.
    MessageQueued(MessageRef) = "message.queued", v 1;
    /// Meta accepted the message (or reported it sent).
    MessageSent(MessageRef) = "message.sent", v 1;
    /// The message reached the customer's phone.
    MessageDelivered(MessageRef) = "message.delivered", v 1;
    /// The customer read the message.
    MessageRead(MessageRef) = "message.read", v 1;
    /// The customer played the voice note.
    MessagePlayed(MessageRef) = "message.played", v 1;
    /// Meta reported a status the message is already past (a `delivered`
    /// after `read`, anything after `failed`): kept in its history, the
    /// message's status unchanged.
    MessageStatusOutOfOrder(MessageStatusOutOfOrder) = "message.status_out_of_order", v 1;
    /// The customer edited their message: it has new content; the earlier
    /// content is kept in its history.
    MessageEdited(MessageRef) = "message.edited", v 1;
    /// The customer deleted their message: its content is no longer shown.
    MessageDeleted(MessageRef) = "message.deleted", v 1;
    /// The business sent a message from the WhatsApp Business app
    /// (coexistence); it is in the conversation as sent.
    MessageEchoed(MessageRef) = "message.echoed", v 1;
    /// The message will not be delivered; `error` says why.
    MessageFailed(MessageFailed) = "message.failed", v 1;
    /// A conversation started (the first message between a customer and a
    /// number, either way).
    ConversationOpened(ConversationRef) = "conversation.opened", v 1;
    /// A conversation's assignee changed.
    ConversationAssigned(ConversationAssigned) = "conversation.assigned", v 1;
    /// A conversation moved between open, pending and resolved.
    ConversationStatusChanged(ConversationStatusChanged) = "conversation.status_changed", v 1;
    /// Someone read a conversation: its unread count is zero.
    ConversationRead(ConversationRead) = "conversation.read", v 1;
    /// A contact appeared (a customer wrote, or we wrote to a new number).
    ContactCreated(ContactRef) = "contact.created", v 1;
    /// A contact's details changed; `changed` names the fields.
    ContactUpdated(ContactUpdated) = "contact.updated", v 1;
    /// The contact asked not to be messaged.
    ContactOptedOut(ConsentChanged) = "contact.opted_out", v 1;
    /// The contact agreed to be messaged again.
    ContactOptedIn(ConsentChanged) = "contact.opted_in", v 1;
    /// A WhatsApp number was connected.
    ChannelConnected(ChannelRef) = "channel.connected", v 1;
    /// A number's status changed (for example it needs new credentials).
    ChannelStatusChanged(ChannelStatusChanged) = "channel.status_changed", v 1;
    /// A number was disconnected.
    ChannelRemoved(ChannelRef) = "channel.removed", v 1;
    /// An inbound message's media was fetched into the media store.
    MediaStored(MediaRef) = "media.stored", v 1;
    /// An inbound message's media could not be fetched.
    MediaFailed(MediaFailed) = "media.failed", v 1;
    /// Meta reported a change to the WhatsApp Business Account or the
    /// number (quality, name, limits, review, ban…).
    WhatsAppAccountUpdated(WhatsAppUpdate) = "whatsapp.account_updated", v 1;
    /// Meta reported a change to a message template (status, quality,
    /// category).
    WhatsAppTemplateUpdated(WhatsAppUpdate) = "whatsapp.template_updated", v 1;
    /// Meta sent something we stored but did not apply (a status for a
    /// message we do not know, an unknown status or field, a message
    /// without a sender, an error about the number). `reason` says which.
    WhatsAppUnhandled(WhatsAppUnhandled) = "whatsapp.unhandled", v 1;
    /// Usage reached 80 % or 100 % of a plan limit this billing period.
    UsageThresholdReached(UsageThresholdReached) = "usage.threshold_reached", v 1;
    /// An outbound webhook endpoint was created.
    WebhookEndpointCreated(WebhookEndpointRef) = "webhook_endpoint.created", v 1;
    /// An outbound webhook endpoint's settings changed (its URL, events,
    /// headers, description, enabled state or secret).
    WebhookEndpointUpdated(WebhookEndpointRef) = "webhook_endpoint.updated", v 1;
    /// An outbound webhook endpoint was removed with its delivery log.
    WebhookEndpointDeleted(WebhookEndpointRef) = "webhook_endpoint.deleted", v 1;
    /// Switchboard disabled an endpoint that failed every attempt for too
    /// long; `reason` says why.
    WebhookEndpointDisabled(WebhookEndpointDisabled) = "webhook_endpoint.disabled", v 1;
    // CRM: tags and quick replies.
    /// A tag was added to the tenant's catalogue.
    TagCreated(TagRef) = "tag.created", v 1;
    /// A tag was renamed or recoloured.
    TagUpdated(TagRef) = "tag.updated", v 1;
    /// A tag was deleted, and taken off every contact and conversation.
    TagDeleted(TagRef) = "tag.deleted", v 1;
    /// A tag was put on a contact.
    ContactTagged(ContactTagged) = "contact.tagged", v 1;
    /// A tag was taken off a contact.
    ContactUntagged(ContactTagged) = "contact.untagged", v 1;
    /// A tag was put on a conversation.
    ConversationTagged(ConversationTagged) = "conversation.tagged", v 1;
    /// A tag was taken off a conversation.
    ConversationUntagged(ConversationTagged) = "conversation.untagged", v 1;
    /// A quick reply was added to the tenant's catalogue.
    QuickReplyCreated(QuickReplyRef) = "quick_reply.created", v 1;
    /// A quick reply's shortcut, title or body changed.
    QuickReplyUpdated(QuickReplyRef) = "quick_reply.updated", v 1;
    /// A quick reply was deleted.
    QuickReplyDeleted(QuickReplyRef) = "quick_reply.deleted", v 1;
    // CRM: notes, notifications and tasks.
    /// A private note was written on a conversation or a contact (never
    /// sent to the customer); `mentioned_user_ids` were notified.
    NoteCreated(NoteRef) = "note.created", v 1;
    /// A note's text changed; users newly mentioned were notified.
    NoteUpdated(NoteRef) = "note.updated", v 1;
    /// A note was removed.
    NoteDeleted(NoteRef) = "note.deleted", v 1;
    /// A task was created.
    TaskCreated(TaskRef) = "task.created", v 1;
    /// A task's title, description, due time, assignee, link or status
    /// changed (reopening included); `changed` names the fields.
    TaskUpdated(TaskUpdated) = "task.updated", v 1;
    /// A task was marked done.
    TaskCompleted(TaskRef) = "task.completed", v 1;
    /// A task was removed.
    TaskDeleted(TaskRef) = "task.deleted", v 1;
    /// An open task reached its due time (once per due time); its assignee
    /// was notified.
    TaskDue(TaskRef) = "task.due", v 1;
    // CRM: pipelines and deals.
    /// A deal pipeline was created with its stages.
    PipelineCreated(PipelineRef) = "pipeline.created", v 1;
    /// A pipeline was renamed, or its stages were added, renamed, reordered
    /// or removed.
    PipelineUpdated(PipelineRef) = "pipeline.updated", v 1;
    /// A pipeline (which had no deals) was deleted with its stages.
    PipelineDeleted(PipelineRef) = "pipeline.deleted", v 1;
    /// A deal was created (open, in its first stage).
    DealCreated(DealRef) = "deal.created", v 1;
    /// A deal's title, value, currency, owner, contact or expected close
    /// date changed; `changed` names the fields.
    DealUpdated(DealUpdated) = "deal.updated", v 1;
    /// A deal moved to another stage (`stage_id` is the new one).
    DealStageChanged(DealStageChanged) = "deal.stage_changed", v 1;
    /// A deal was marked won.
    DealWon(DealRef) = "deal.won", v 1;
    /// A deal was marked lost; `reason` says why.
    DealLost(DealLost) = "deal.lost", v 1;
    /// A won or lost deal was opened again.
    DealReopened(DealRef) = "deal.reopened", v 1;
    /// A deal was deleted with its stage history.
    DealDeleted(DealRef) = "deal.deleted", v 1;
    // CRM: contacts and attributes.
    /// The team erased a contact with their conversations, messages and
    /// media.
    ContactDeleted(ContactRef) = "contact.deleted", v 1;
    /// Two contacts were merged: `contact_id` was kept and has the other's
    /// conversations, messages, attributes, tags, notes, tasks and deals;
    /// `merged_contact_id` no longer exists.
    ContactMerged(ContactMerged) = "contact.merged", v 1;
    /// A custom contact attribute was defined.
    ContactAttributeCreated(ContactAttributeRef) = "contact_attribute.created", v 1;
    /// A custom attribute's label or choices changed.
    ContactAttributeUpdated(ContactAttributeRef) = "contact_attribute.updated", v 1;
    /// A custom attribute was removed, with its value on every contact.
    ContactAttributeDeleted(ContactAttributeRef) = "contact_attribute.deleted", v 1;
    // CRM: segments and saved searches.
    /// A segment (a saved rule-based filter of contacts) was created.
    SegmentCreated(SegmentRef) = "segment.created", v 1;
    /// A segment's name, description or rules changed.
    SegmentUpdated(SegmentRef) = "segment.updated", v 1;
    /// A segment was deleted.
    SegmentDeleted(SegmentRef) = "segment.deleted", v 1;
    // CRM: contact imports.
    /// A CSV import of contacts began (its rows are processed in the
    /// background).
    ContactImportStarted(ContactImportStarted) = "contact_import.started", v 1;
    /// A CSV import ended: every row processed (`finished`), given up
    /// (`failed`) or stopped by the team (`cancelled`), with its counts.
    ContactImportFinished(ContactImportFinished) = "contact_import.finished", v 1;
    // CRM: teams and auto-assignment.
    /// A team of agents was created.
    TeamCreated(TeamRef) = "team.created", v 1;
    /// A team's name, assignment or members changed.
    TeamUpdated(TeamRef) = "team.updated", v 1;
    /// A team was deleted; its numbers and conversations go to no team.
    TeamDeleted(TeamRef) = "team.deleted", v 1;
    /// A number's new conversations now go to another team (or to none).
    ChannelTeamChanged(ChannelTeamChanged) = "channel.team_changed", v 1;
    /// A conversation was routed to another team (or to none).
    ConversationTeamChanged(ConversationTeamChanged) = "conversation.team_changed", v 1;
    /// An agent said they are away (they get no new conversations), or back.
    AgentAvailabilityChanged(AgentAvailabilityChanged) = "agent.availability_changed", v 1;
    // Templates.
    /// A template authored here was submitted to Meta for review (its
    /// `status` is what Meta answered, usually `pending`).
    TemplateSubmitted(TemplateRef) = "template.submitted", v 1;
    /// A template's review status changed: approved, rejected (with the
    /// reason), paused, disabled…
    TemplateStatusChanged(TemplateStatusChanged) = "template.status_changed", v 1;
    /// Meta changed a template's category or its quality rating.
    TemplateUpdated(TemplateUpdated) = "template.updated", v 1;
    /// A template was deleted (at Meta, then from the library).
    TemplateDeleted(TemplateRef) = "template.deleted", v 1;
    /// An account's template library was read again from Meta.
    TemplateLibrarySynced(TemplateLibrarySynced) = "template_library.synced", v 1;
    // Campaigns.
    /// A campaign (a broadcast of one template to an audience) was created.
    CampaignCreated(CampaignRef) = "campaign.created", v 1;
    /// A campaign's name, template, variables, audience, number or start changed.
    CampaignUpdated(CampaignRef) = "campaign.updated", v 1;
    /// A campaign will start by itself at its start time.
    CampaignScheduled(CampaignRef) = "campaign.scheduled", v 1;
    /// A campaign began sending to its recipients.
    CampaignStarted(CampaignStarted) = "campaign.started", v 1;
    /// A campaign stopped sending until resumed: by a person, or by a limit (`reason`).
    CampaignPaused(CampaignRef) = "campaign.paused", v 1;
    /// A paused campaign sends again.
    CampaignResumed(CampaignRef) = "campaign.resumed", v 1;
    /// A campaign was stopped for good.
    CampaignCancelled(CampaignRef) = "campaign.cancelled", v 1;
    /// Every recipient of a campaign was handed over, skipped or failed.
    CampaignFinished(CampaignFinished) = "campaign.finished", v 1;
    /// A campaign was deleted.
    CampaignDeleted(CampaignRef) = "campaign.deleted", v 1;
    // Scheduled messages.
    /// A message or template to one contact was scheduled for a time.
    ScheduledMessageCreated(ScheduledMessageRef) = "scheduled_message.created", v 1;
    /// A scheduled message's time, content or number changed before it
    /// was sent.
    ScheduledMessageUpdated(ScheduledMessageUpdated) = "scheduled_message.updated", v 1;
    /// A scheduled message was cancelled before its time.
    ScheduledMessageCancelled(ScheduledMessageRef) = "scheduled_message.cancelled", v 1;
    /// A scheduled message's time came and its message was queued (in the
    /// same transaction as the message's `message.queued`).
    ScheduledMessageSent(ScheduledMessageSent) = "scheduled_message.sent", v 1;
    /// A scheduled message's time came and it could not go: `code` and
    /// `reason` say why (opted out, window closed, quota, number…).
    ScheduledMessageFailed(ScheduledMessageFailed) = "scheduled_message.failed", v 1;
    // Automations.
    /// A workflow was created (enabled or not).
    WorkflowCreated(WorkflowRef) = "workflow.created", v 1;
    /// A workflow was renamed, given a new definition (a new version),
    /// enabled or disabled.
    WorkflowUpdated(WorkflowUpdated) = "workflow.updated", v 1;
    /// A workflow was deleted; its runs under way were cancelled.
    WorkflowDeleted(WorkflowRef) = "workflow.deleted", v 1;
    /// A run of a workflow did every step it came to.
    WorkflowRunCompleted(WorkflowRunRef) = "workflow_run.completed", v 1;
    /// A run of a workflow stopped at a step that could not be done.
    WorkflowRunFailed(WorkflowRunFailed) = "workflow_run.failed", v 1;
    /// A workflow's schedule came round (its trigger starts a run).
    WorkflowScheduleFired(WorkflowScheduleFired) = "workflow.schedule_fired", v 1;
    /// A POST reached a workflow's inbound URL (its trigger starts a run).
    WorkflowInboundReceived(WorkflowInboundReceived) = "workflow.inbound_received", v 1;
    /// An auto-tag rule was created.
    AutoTagRuleCreated(AutoTagRuleRef) = "auto_tag_rule.created", v 1;
    /// An auto-tag rule changed (what it matches, its tag, order, or
    /// enabled).
    AutoTagRuleUpdated(AutoTagRuleRef) = "auto_tag_rule.updated", v 1;
    /// An auto-tag rule was deleted.
    AutoTagRuleDeleted(AutoTagRuleRef) = "auto_tag_rule.deleted", v 1;
    /// The workspace's business hours, or a number's own, were set
    /// (created or replaced).
    BusinessHoursUpdated(BusinessHoursRef) = "business_hours.updated", v 1;
    /// A number's own business hours were deleted (the workspace's apply
    /// to it again).
    BusinessHoursDeleted(BusinessHoursRef) = "business_hours.deleted", v 1;
    /// A drip sequence was created (enabled or not).
    DripCreated(DripRef) = "drip.created", v 1;
    /// A drip was renamed, given new steps, exits or quiet hours, enabled
    /// or disabled.
    DripUpdated(DripUpdated) = "drip.updated", v 1;
    /// A drip was deleted, with its subscribers.
    DripDeleted(DripRef) = "drip.deleted", v 1;
    /// A contact was enrolled in a drip.
    DripSubscriberEnrolled(DripSubscriberRef) = "drip.subscriber.enrolled", v 1;
    /// A drip's subscriber came past its last step.
    DripSubscriberCompleted(DripSubscriberRef) = "drip.subscriber.completed", v 1;
    /// A drip's subscriber left it before its end: `reason` says why.
    DripSubscriberExited(DripSubscriberExited) = "drip.subscriber.exited", v 1;
    // The booking bot.
    /// The booking settings (the bot's numbers, hours, window, replies…)
    /// were set.
    BookingSettingsUpdated(BookingSettingsUpdated) = "booking_settings.updated", v 1;
    /// A service was added to the booking catalogue.
    BookingServiceCreated(BookingServiceRef) = "booking_service.created", v 1;
    /// A service's name, price, duration, category or state changed.
    BookingServiceUpdated(BookingServiceRef) = "booking_service.updated", v 1;
    /// A service (without bookings) was deleted.
    BookingServiceDeleted(BookingServiceRef) = "booking_service.deleted", v 1;
    /// Staff or a resource was added.
    BookingResourceCreated(BookingResourceRef) = "booking_resource.created", v 1;
    /// Staff or a resource changed (name, capacity, services, state).
    BookingResourceUpdated(BookingResourceRef) = "booking_resource.updated", v 1;
    /// Staff or a resource (without bookings) was deleted.
    BookingResourceDeleted(BookingResourceRef) = "booking_resource.deleted", v 1;
    /// A booking was made (by the bot, the team or the API).
    BookingCreated(BookingRef) = "booking.created", v 1;
    /// A booking moved to another time or resource.
    BookingRescheduled(BookingRescheduled) = "booking.rescheduled", v 1;
    /// A booking was cancelled (by the customer or the team).
    BookingCancelled(BookingRef) = "booking.cancelled", v 1;
    /// A booking was confirmed, completed or marked a no-show.
    BookingStatusChanged(BookingStatusChanged) = "booking.status_changed", v 1;
    /// The bot handed a conversation to the team: it stays quiet there
    /// until the conversation is resolved.
    BookingHandedOff(BookingHandedOff) = "booking.handed_off", v 1;
    // Analytics.
    /// The workspace's service-level targets were set.
    AnalyticsSettingsUpdated(AnalyticsSettingsUpdated) = "analytics_settings.updated", v 1;
    // The Genesys Cloud bridge.
    /// The workspace's Genesys Cloud credentials were set (and a token
    /// obtained with them).
    GenesysAccountUpdated(GenesysAccountUpdated) = "genesys_account.updated", v 1;
    /// A number was linked to a Genesys Open Messaging integration, or its
    /// link changed.
    GenesysLinkUpdated(GenesysLinkRef) = "genesys_link.updated", v 1;
    /// A number's link to Genesys was removed.
    GenesysLinkRemoved(GenesysLinkRef) = "genesys_link.removed", v 1;
    /// A conversation was handed to Genesys: the customer's messages go to
    /// the contact centre and its agents' replies come back.
    ConversationHandedToGenesys(GenesysHandover) = "conversation.handed_to_genesys", v 1;
    /// A conversation came back from Genesys to the inbox (and the bot).
    ConversationReturnedFromGenesys(GenesysHandover) = "conversation.returned_from_genesys", v 1;
    /// A Genesys agent's reply could not be sent on WhatsApp; Genesys was
    /// told with a failed receipt.
    GenesysReplyRefused(GenesysReplyRefused) = "genesys.reply_refused", v 1;
}

/// Why an event could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventParseError {
    #[error("unknown event `{0}`")]
    UnknownName(String),
    #[error("event `{0}`: {1}")]
    Payload(String, String),
}

/// A message, by its ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRef {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub channel_id: ChannelId,
    /// Meta's message type: `text`, `image`, `template`, …
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageFailed {
    #[serde(flatten)]
    pub message: MessageRef,
    pub error: MessageError,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageStatusOutOfOrder {
    #[serde(flatten)]
    pub message: MessageRef,
    /// The status Meta reported late.
    pub status: MessageStatus,
    /// The message's status, unchanged.
    pub current_status: MessageStatus,
}

/// Why a message failed: Meta's error code when Meta gave one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageError {
    pub code: Option<i64>,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRef {
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub channel_id: ChannelId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationAssigned {
    pub conversation_id: ConversationId,
    /// `null`: unassigned.
    pub assigned_user_id: Option<UserId>,
    pub previous_user_id: Option<UserId>,
    /// The team rule that chose the assignee (`round_robin` or
    /// `least_busy`); `null` when a person or an API key did.
    #[serde(default)]
    pub rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationStatusChanged {
    pub conversation_id: ConversationId,
    /// `open`, `pending` or `resolved`.
    pub status: String,
    pub previous_status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRead {
    pub conversation_id: ConversationId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactRef {
    pub contact_id: ContactId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactUpdated {
    pub contact_id: ContactId,
    /// The fields that changed (`profile_name`, `wa_id`, …).
    pub changed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentChanged {
    pub contact_id: ContactId,
    /// How: `keyword` (the customer wrote STOP or START), `api`,
    /// `dashboard`.
    pub via: String,
}

#[cfg(test)]
mod tests;
