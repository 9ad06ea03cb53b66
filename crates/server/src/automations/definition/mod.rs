//! A workflow's definition, the JSON the builder and integrators write:
//! a trigger, conditions that must all hold for a run to start, and steps
//! (branches nest steps). [`check`] says what is wrong with one, by path;
//! [`compile`] flattens the steps into a [`Program`] a run walks with a
//! program counter, so a run's place is one number and survives restarts.

mod check;
mod names;
mod program;

pub(crate) use check::{Errors, check_conditions, check_pattern, check_short, into_result};
pub use check::{check, pattern};
pub(crate) use names::condition_names;
pub use names::{Names, names};
pub use program::{Op, Program, compile};

use domain::{ChannelId, DripId, StageId, TagId, TeamId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Steps in a definition, counting those inside branches, at most.
pub const MAX_STEPS: usize = 100;
/// Branches nest at most this deep; condition groups too.
pub const MAX_DEPTH: usize = 5;
/// Keywords of a trigger, at most.
pub const MAX_KEYWORDS: usize = 20;
/// Characters in a keyword, a pattern or a compared text, at most.
pub const MAX_SHORT_TEXT: usize = 200;
/// Characters in a message or a note, at most (Meta's limit for a text).
pub const MAX_TEXT: usize = 4096;
/// The longest wait: 90 days.
pub const MAX_WAIT_SECONDS: i64 = 90 * 24 * 3600;
/// Characters in a `call_http` URL, at most.
pub const MAX_URL: usize = 2048;
/// Attributes a `call_http` step saves, at most.
pub const MAX_SAVED: usize = 20;

/// A workflow's trigger, conditions and steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub trigger: Trigger,
    /// All of them must hold, when the triggering event is read, for a run
    /// to start. Empty: every trigger starts one.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// What a run does, in order.
    #[schema(no_recursion)]
    pub steps: Vec<Step>,
}

/// What starts a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// A customer's message. With `keywords`, only a message that is one
    /// of them or holds one as a whole word (any case); with `pattern`, a
    /// message a regular expression finds something in (any case); with
    /// `first_in_conversation`, only the first message of a conversation.
    MessageReceived {
        #[serde(default)]
        keywords: Vec<String>,
        #[serde(default)]
        pattern: Option<String>,
        #[serde(default)]
        first_in_conversation: bool,
    },
    /// A conversation started (either side wrote first).
    ConversationOpened,
    /// A conversation was resolved.
    ConversationResolved,
    /// A conversation was given to someone (by a person, a rule or a run).
    ConversationAssigned,
    /// A contact appeared.
    ContactCreated,
    /// A tag was put on a contact.
    TagAdded { tag_id: TagId },
    /// A tag was taken off a contact.
    TagRemoved { tag_id: TagId },
    /// A deal of the contact moved, to `stage_id` if given.
    DealStageChanged {
        #[serde(default)]
        stage_id: Option<StageId>,
    },
    /// A booking of the contact was made (by the booking bot, the team
    /// or the API).
    BookingMade,
    /// A booking of the contact was cancelled.
    BookingCancelled,
    /// On a schedule: a cron expression (`minute hour day-of-month month
    /// day-of-week`, such as `0 9 * * mon-fri`) read in the tenant's time
    /// zone. A run it starts is about no contact.
    Schedule { cron: String },
    /// A POST with a JSON object to the workflow's own URL (its
    /// `inbound_url`). An object naming a contact (`contact_id`, or a
    /// `phone` in E.164) starts a run for that contact.
    Inbound,
}

impl Trigger {
    /// The trigger's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::MessageReceived { .. } => "message_received",
            Trigger::ConversationOpened => "conversation_opened",
            Trigger::ConversationResolved => "conversation_resolved",
            Trigger::ConversationAssigned => "conversation_assigned",
            Trigger::ContactCreated => "contact_created",
            Trigger::TagAdded { .. } => "tag_added",
            Trigger::TagRemoved { .. } => "tag_removed",
            Trigger::DealStageChanged { .. } => "deal_stage_changed",
            Trigger::BookingMade => "booking_made",
            Trigger::BookingCancelled => "booking_cancelled",
            Trigger::Schedule { .. } => "schedule",
            Trigger::Inbound => "inbound",
        }
    }
}

/// Something true or false about the run's contact, conversation or
/// message, read when it is checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Every one of them holds.
    All {
        #[schema(no_recursion)]
        conditions: Vec<Condition>,
    },
    /// At least one of them holds.
    Any {
        #[schema(no_recursion)]
        conditions: Vec<Condition>,
    },
    HasTag {
        tag_id: TagId,
    },
    LacksTag {
        tag_id: TagId,
    },
    /// A custom attribute of the contact compared with `value`.
    Attribute {
        key: String,
        op: AttributeOp,
        #[serde(default)]
        value: Option<Value>,
    },
    /// The triggering message holds `text` (any case).
    MessageContains {
        text: String,
    },
    /// A regular expression finds something in the triggering message
    /// (any case).
    MessageMatches {
        pattern: String,
    },
    /// The conversation is on this number.
    Channel {
        channel_id: ChannelId,
    },
    /// The conversation is `open`, `pending` or `resolved`.
    ConversationStatus {
        status: String,
    },
    /// Within (`open: true`) or outside (`open: false`) business hours:
    /// the conversation's number's, else the workspace's, when checked.
    BusinessHours {
        open: bool,
    },
}

impl Condition {
    /// Whether any of `conditions` asks about business hours (they are
    /// read only then).
    pub fn any_about_hours(conditions: &[Condition]) -> bool {
        conditions.iter().any(|c| match c {
            Condition::BusinessHours { .. } => true,
            Condition::All { conditions } | Condition::Any { conditions } => {
                Condition::any_about_hours(conditions)
            }
            _ => false,
        })
    }
}

/// How an attribute is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeOp {
    Equals,
    NotEquals,
    /// Holds `value`, as text, in any case.
    Contains,
    IsSet,
    IsNotSet,
}

/// One step of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// A text in the run's conversation (or the contact's latest), under
    /// every rule of sending: only while the 24-hour window is open.
    SendText {
        text: String,
    },
    /// An approved template, with the values of its body's `{{1}}`, `{{2}}`…
    SendTemplate {
        name: String,
        language: String,
        #[serde(default)]
        parameters: Vec<String>,
    },
    AddTag {
        tag_id: TagId,
    },
    RemoveTag {
        tag_id: TagId,
    },
    /// Sets a custom attribute of the contact (`null` clears it).
    SetAttribute {
        key: String,
        value: Value,
    },
    /// Gives the conversation to a user, or to a team (whose rule then
    /// picks a member).
    Assign {
        #[serde(default)]
        user_id: Option<UserId>,
        #[serde(default)]
        team_id: Option<TeamId>,
    },
    /// Moves the conversation to `open`, `pending` or `resolved`.
    SetStatus {
        status: String,
    },
    /// A private note on the conversation (or the contact).
    AddNote {
        text: String,
    },
    /// Goes on after this many seconds.
    Wait {
        seconds: i64,
    },
    /// Goes on at the next `time` (`HH:MM` in the tenant's time zone), on
    /// one of `days` (`mon`…`sun`) when some are given.
    WaitUntil {
        time: String,
        #[serde(default)]
        days: Vec<String>,
    },
    /// Waits for the contact's next message, at most `seconds`: then the
    /// `replied` steps if it came (conditions after it read the reply),
    /// the `timeout` steps if it did not.
    WaitForReply {
        seconds: i64,
        #[serde(default)]
        #[schema(no_recursion)]
        replied: Vec<Step>,
        #[serde(default)]
        #[schema(no_recursion)]
        timeout: Vec<Step>,
    },
    /// Calls an external HTTP endpoint, signed like outbound webhooks (the
    /// workflow's signing secret), under the same address rules. `body`
    /// is sent as JSON (by default, what the run is about); `save` maps
    /// contact attribute keys to JSON pointers (`/order/status`) into the
    /// answer. A status other than 2xx fails the step.
    CallHttp {
        url: String,
        #[serde(default)]
        method: HttpMethod,
        #[serde(default)]
        body: Option<Value>,
        #[serde(default)]
        save: std::collections::BTreeMap<String, String>,
    },
    /// `then` if every condition of `if` holds, else `else`.
    Branch {
        #[serde(rename = "if")]
        conditions: Vec<Condition>,
        #[serde(default)]
        #[schema(no_recursion)]
        then: Vec<Step>,
        #[serde(default, rename = "else")]
        #[schema(no_recursion)]
        otherwise: Vec<Step>,
    },
    /// Enrols the contact in a drip sequence (nothing if they are in it
    /// already or opted out).
    StartDrip {
        drip_id: DripId,
    },
    /// Ends the contact's enrolment in a drip, if they have one under way.
    StopDrip {
        drip_id: DripId,
    },
    /// Hands the conversation to Genesys Cloud agents (its number must be
    /// linked to Genesys; nothing if it is with Genesys already).
    HandToGenesys,
    /// Ends the run here.
    Stop,
}

impl Step {
    /// The step's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::SendText { .. } => "send_text",
            Step::SendTemplate { .. } => "send_template",
            Step::AddTag { .. } => "add_tag",
            Step::RemoveTag { .. } => "remove_tag",
            Step::SetAttribute { .. } => "set_attribute",
            Step::Assign { .. } => "assign",
            Step::SetStatus { .. } => "set_status",
            Step::AddNote { .. } => "add_note",
            Step::Wait { .. } => "wait",
            Step::WaitUntil { .. } => "wait_until",
            Step::WaitForReply { .. } => "wait_for_reply",
            Step::CallHttp { .. } => "call_http",
            Step::StartDrip { .. } => "start_drip",
            Step::StopDrip { .. } => "stop_drip",
            Step::HandToGenesys => "hand_to_genesys",
            Step::Branch { .. } => "branch",
            Step::Stop => "stop",
        }
    }
}

/// How a `call_http` step calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    #[default]
    Post,
    Put,
    Get,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Get => "GET",
        }
    }
}

/// The statuses a conversation can be moved to.
pub const STATUSES: [&str; 3] = ["open", "pending", "resolved"];
