//! Identifier newtypes. Every id is a UUIDv7 (time-ordered, so new rows land
//! at the end of B-tree indexes and ids sort by creation time).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Uuid,
                    )))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    )*};
}

id_type!(
    /// A tenant: one business on the platform.
    TenantId,
    /// A user of one tenant (owner, admin, agent or viewer).
    UserId,
    /// A platform operator.
    OperatorId,
    /// A tenant API key.
    ApiKeyId,
    /// A login session (cookie session or refresh-token family).
    SessionId,
    /// A pending invitation to join a tenant.
    InviteId,
    /// An audit log entry.
    AuditId,
    /// A connected WhatsApp number.
    ChannelId,
    /// A customer of a tenant, known by their WhatsApp id.
    ContactId,
    /// The thread between one contact and one of the tenant's numbers.
    ConversationId,
    /// A message, inbound or outbound.
    MessageId,
    /// A raw webhook delivery as received.
    WebhookId,
    /// An entry in a tenant's event log.
    EventId,
    /// A media file of a message, in the media store.
    MediaId,
    /// An outbound webhook endpoint of a tenant.
    EndpointId,
    /// One event on its way to one outbound webhook endpoint.
    DeliveryId,
    /// A label (name and colour) put on contacts and conversations.
    TagId,
    /// A canned response agents insert from the composer.
    QuickReplyId,
    /// A private note on a conversation or a contact.
    NoteId,
    /// An in-app notification for one user (a mention, a task reminder).
    NotificationId,
    /// A to-do with a due date, linked to a contact, deal or conversation.
    TaskId,
    /// A sales pipeline: ordered stages deals move through.
    PipelineId,
    /// One stage of a pipeline.
    StageId,
    /// A sales opportunity with a contact.
    DealId,
    /// A custom contact attribute defined by a tenant.
    AttributeId,
    /// A saved rule-based filter of contacts (campaigns target them).
    SegmentId,
    /// A saved inbox filter, personal or shared with the team.
    SavedSearchId,
    /// A CSV file of contacts uploaded to be imported.
    ContactImportId,
    /// A team of agents that conversations are routed to.
    TeamId,
    /// A message template of a WhatsApp Business Account, as Switchboard
    /// keeps it (Meta's own id is a separate text field).
    TemplateId,
    /// A broadcast: one template sent to an audience from one number.
    CampaignId,
    /// A message or template to one contact at a chosen time.
    ScheduledMessageId,
    /// An automation: a trigger, conditions and steps (docs/DESIGN.md,
    /// "Automations: workflows and auto-tag rules").
    WorkflowId,
    /// One run of one version of a workflow.
    WorkflowRunId,
    /// A rule that tags contacts whose messages or fields match it.
    AutoTagRuleId,
    /// Business hours: the workspace's schedule or one number's own.
    BusinessHoursId,
    /// A drip sequence: messages sent to a contact one after another, at
    /// set delays, until the last is sent or an exit rule ends it.
    DripId,
    /// One contact's enrolment in a drip (a contact is enrolled again
    /// with a new one after the last ended).
    DripSubscriberId,
    /// Something a business can be booked for (a haircut, a consultation).
    ServiceId,
    /// Staff or a resource (a room, a chair) that gives services.
    ResourceId,
    /// An appointment: a service with a resource, at a time, for a contact.
    BookingId,
    /// A number's link to a Genesys Cloud Open Messaging integration.
    GenesysLinkId,
    /// A conversation's time with Genesys, from hand-over to hand-back.
    HandoverId,
    /// One run of a `switchboard serve` or `switchboard worker` process
    /// (a restart is a new node).
    NodeId,
    /// An outgoing email.
    EmailId,
    /// A request to set a new password, by email.
    PasswordResetId,
);
