//! Message rules that do not depend on IO: the status order and the
//! 24-hour customer-service window.

use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a message is in its life. Outbound messages move forward only:
/// `queued → sent → delivered → read`, with `failed` possible until read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Inbound: stored as received.
    Received,
    /// Outbound: accepted by us, waiting for its turn.
    Queued,
    Sent,
    Delivered,
    Read,
    /// A voice note was played (after `read`).
    Played,
    Failed,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Queued => "queued",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Played => "played",
            MessageStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "received" => MessageStatus::Received,
            "queued" => MessageStatus::Queued,
            "sent" => MessageStatus::Sent,
            "delivered" => MessageStatus::Delivered,
            "read" => MessageStatus::Read,
            "played" => MessageStatus::Played,
            "failed" => MessageStatus::Failed,
            _ => return None,
        })
    }

    /// Position in the forward-only order. A status update applies only if
    /// its rank is higher than the stored one and the stored one is not
    /// `failed` (which is final). `failed` ranks above `delivered` (Meta
    /// can fail a sent message) but below `read` (a read message did not
    /// fail). `played` (voice notes) comes after `read`.
    pub fn rank(self) -> i32 {
        match self {
            MessageStatus::Received | MessageStatus::Queued => 0,
            MessageStatus::Sent => 10,
            MessageStatus::Delivered => 20,
            MessageStatus::Failed => 25,
            MessageStatus::Read => 30,
            MessageStatus::Played => 40,
        }
    }

    /// Whether moving from `self` to `next` is forward.
    pub fn advances_to(self, next: MessageStatus) -> bool {
        self != MessageStatus::Failed && next.rank() > self.rank()
    }
}

/// How long after a customer's last message a business may send free-form
/// messages (outside it, only templates).
pub const SERVICE_WINDOW_SECONDS: i64 = 24 * 3600;

/// When the customer-service window opened by a message at `last_inbound`
/// closes.
pub fn window_closes_at(last_inbound: Timestamp) -> Timestamp {
    last_inbound.plus_seconds(SERVICE_WINDOW_SECONDS)
}

/// What a customer's text message says about their consent: `Some(true)`
/// for an opt-out keyword (STOP, UNSUBSCRIBE, …), `Some(false)` for an
/// opt-in keyword (START, SUBSCRIBE), `None` for anything else. Only a
/// message that is the keyword alone counts.
pub fn consent_keyword(text: &str) -> Option<bool> {
    const OUT: [&str; 5] = ["STOP", "UNSUBSCRIBE", "STOP ALL", "OPT OUT", "OPTOUT"];
    const IN: [&str; 3] = ["START", "SUBSCRIBE", "UNSTOP"];
    let word = text.trim().trim_end_matches(['.', '!']).to_uppercase();
    if OUT.contains(&word.as_str()) {
        Some(true)
    } else if IN.contains(&word.as_str()) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn consent_keywords_are_whole_messages_only() {
        use super::consent_keyword;
        assert_eq!(consent_keyword("STOP"), Some(true));
        assert_eq!(consent_keyword("  stop! "), Some(true));
        assert_eq!(consent_keyword("Unsubscribe"), Some(true));
        assert_eq!(consent_keyword("start"), Some(false));
        assert_eq!(consent_keyword("please don't stop"), None);
        assert_eq!(consent_keyword("stopwatch"), None);
        assert_eq!(consent_keyword(""), None);
    }

    use super::MessageStatus::*;
    use super::*;

    #[test]
    fn statuses_only_move_forward() {
        assert!(Sent.advances_to(Delivered));
        assert!(Delivered.advances_to(Read));
        assert!(Sent.advances_to(Read), "delivered can be skipped");
        assert!(
            !Read.advances_to(Delivered),
            "a late delivered never overwrites read"
        );
        assert!(!Delivered.advances_to(Sent));
        assert!(Delivered.advances_to(Failed));
        assert!(!Read.advances_to(Failed));
        assert!(!Failed.advances_to(Read), "failed is final");
        assert!(Queued.advances_to(Sent));
    }

    #[test]
    fn the_window_is_24_hours() {
        let t = Timestamp::from_millis(1_000);
        assert_eq!(window_closes_at(t).as_millis(), 1_000 + 86_400_000);
    }
}

/// A customer's WhatsApp id: the phone number's digits with country code,
/// as Meta uses it in `from`, `wa_id` and `to`. Parsed once, where it
/// enters, so what holds one never checks it again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WaId(String);

impl WaId {
    /// Digits only, 1 to 20 of them (E.164 allows 15; Meta's group and
    /// test ids run longer).
    pub fn parse(s: &str) -> Result<WaId, crate::InvalidValue> {
        let s = s.trim();
        if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(crate::InvalidValue::new(
                "to",
                "a WhatsApp id: digits only, with country code",
            ));
        }
        Ok(WaId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for WaId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod wa_id_tests {
    use super::WaId;

    #[test]
    fn wa_ids_are_digits_only() {
        assert_eq!(WaId::parse("15551234567").unwrap().as_str(), "15551234567");
        for bad in ["", "+1555", "1555 123", "123456789012345678901", "abc"] {
            assert!(WaId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
