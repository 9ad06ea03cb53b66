//! Drip sequences: event payloads, beside the [`super::Event`] list that
//! names them.

use crate::ids::{ContactId, DripId, DripSubscriberId};
use serde::{Deserialize, Serialize};

/// A drip as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DripRef {
    pub drip_id: DripId,
    pub name: String,
    pub enabled: bool,
    /// How many steps it has.
    pub steps: i64,
}

/// A drip changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DripUpdated {
    #[serde(flatten)]
    pub drip: DripRef,
    /// What changed: `name`, `enabled`, `steps`, `exit`, `quiet_hours`.
    pub changed: Vec<String>,
}

/// One contact's enrolment in a drip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DripSubscriberRef {
    pub subscriber_id: DripSubscriberId,
    pub drip_id: DripId,
    pub contact_id: ContactId,
    /// How it was enrolled: `manual`, `api`, `segment`, `csv` or
    /// `workflow`.
    pub via: String,
}

/// A subscriber left a drip before its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DripSubscriberExited {
    #[serde(flatten)]
    pub subscriber: DripSubscriberRef,
    /// `replied`, `tagged`, `opted_out`, `goal`, `stopped` or `failed`.
    pub reason: String,
    /// For `failed`: the refusing rule's code and reason.
    pub detail: Option<String>,
}
