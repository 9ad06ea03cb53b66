//! Metered usage: what is counted per tenant per billing period, how a
//! period is found, and when a tenant is told it is near its limit.

use crate::Timestamp;
use std::fmt;

/// What WhatsApp charges an outbound message as (Meta's pricing
/// categories). A free-form message inside the customer service window is
/// `Service`; a template is its template's category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageCategory {
    Marketing,
    Utility,
    Authentication,
    Service,
}

impl MessageCategory {
    pub const ALL: [MessageCategory; 4] = [
        MessageCategory::Marketing,
        MessageCategory::Utility,
        MessageCategory::Authentication,
        MessageCategory::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageCategory::Marketing => "marketing",
            MessageCategory::Utility => "utility",
            MessageCategory::Authentication => "authentication",
            MessageCategory::Service => "service",
        }
    }

    /// A template's category as Meta writes it (`MARKETING`, …). A category
    /// we do not know is counted as marketing, Meta's dearest.
    pub fn of_template(category: Option<&str>) -> MessageCategory {
        match category.map(str::to_ascii_uppercase).as_deref() {
            Some("UTILITY") => MessageCategory::Utility,
            Some("AUTHENTICATION") => MessageCategory::Authentication,
            _ => MessageCategory::Marketing,
        }
    }
}

/// A usage counter's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Messages queued to customers, by category.
    MessagesOut(MessageCategory),
    /// Messages queued to customers, all categories (the one counted
    /// against `messages_per_month`).
    MessagesOutTotal,
    /// Messages received from customers.
    MessagesIn,
    /// Requests to the API with an API key.
    ApiCalls,
}

impl Metric {
    /// Every metric, in the order they are shown.
    pub const ALL: [Metric; 7] = [
        Metric::MessagesOutTotal,
        Metric::MessagesOut(MessageCategory::Marketing),
        Metric::MessagesOut(MessageCategory::Utility),
        Metric::MessagesOut(MessageCategory::Authentication),
        Metric::MessagesOut(MessageCategory::Service),
        Metric::MessagesIn,
        Metric::ApiCalls,
    ];

    /// The stored name (`messages_out.marketing`, `messages_in`, `api_calls`).
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::MessagesOut(MessageCategory::Marketing) => "messages_out.marketing",
            Metric::MessagesOut(MessageCategory::Utility) => "messages_out.utility",
            Metric::MessagesOut(MessageCategory::Authentication) => "messages_out.authentication",
            Metric::MessagesOut(MessageCategory::Service) => "messages_out.service",
            Metric::MessagesOutTotal => "messages_out",
            Metric::MessagesIn => "messages_in",
            Metric::ApiCalls => "api_calls",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The billing period containing `now`: its first instant. Periods are
/// calendar months in UTC.
pub fn period_start(now: Timestamp) -> Timestamp {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(now.as_unix_seconds()) else {
        return now;
    };
    let start = t
        .replace_day(1)
        .map(|d| d.replace_time(time::Time::MIDNIGHT))
        .unwrap_or(t);
    Timestamp::from_unix_seconds(start.unix_timestamp())
}

/// The first instant of the period after the one starting at `start`.
pub fn next_period_start(start: Timestamp) -> Timestamp {
    // 32 days on from the first of a month is always in the next month.
    period_start(start.plus_seconds(32 * 86_400))
}

/// How close usage is to a limit, for the warnings at 80 % and 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UsageLevel {
    Normal,
    /// At 80 % or more.
    Near,
    /// At 100 % or more.
    Reached,
}

impl UsageLevel {
    pub fn of(used: i64, limit: Option<i64>) -> UsageLevel {
        match limit {
            Some(l) if used >= l => UsageLevel::Reached,
            // used / l >= 0.8, in integers.
            Some(l) if used.saturating_mul(5) >= l.saturating_mul(4) => UsageLevel::Near,
            _ => UsageLevel::Normal,
        }
    }

    /// The level a counter crossed into when it went from `before` to
    /// `after`, if it crossed one.
    pub fn crossed(before: i64, after: i64, limit: Option<i64>) -> Option<UsageLevel> {
        let (from, to) = (Self::of(before, limit), Self::of(after, limit));
        (to > from).then_some(to)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UsageLevel::Normal => "normal",
            UsageLevel::Near => "near",
            UsageLevel::Reached => "reached",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> Timestamp {
        Timestamp::parse_rfc3339(rfc3339).unwrap()
    }

    #[test]
    fn periods_are_calendar_months_in_utc() {
        assert_eq!(
            period_start(at("2026-12-07T20:45:00Z")),
            at("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            next_period_start(at("2026-12-01T00:00:00Z")),
            at("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            next_period_start(at("2027-01-01T00:00:00Z")),
            at("2027-02-01T00:00:00Z")
        );
    }

    #[test]
    fn levels_cross_at_eighty_and_a_hundred_percent() {
        assert_eq!(UsageLevel::of(79, Some(100)), UsageLevel::Normal);
        assert_eq!(UsageLevel::of(80, Some(100)), UsageLevel::Near);
        assert_eq!(UsageLevel::of(100, Some(100)), UsageLevel::Reached);
        assert_eq!(UsageLevel::of(1_000_000, None), UsageLevel::Normal);
        assert_eq!(
            UsageLevel::crossed(79, 80, Some(100)),
            Some(UsageLevel::Near)
        );
        assert_eq!(UsageLevel::crossed(80, 81, Some(100)), None);
        assert_eq!(
            UsageLevel::crossed(99, 100, Some(100)),
            Some(UsageLevel::Reached)
        );
        assert_eq!(
            UsageLevel::crossed(70, 100, Some(100)),
            Some(UsageLevel::Reached)
        );
    }

    #[test]
    fn metrics_round_trip_and_unknown_categories_count_as_marketing() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
        assert_eq!(Metric::parse("nope"), None);
        assert_eq!(
            MessageCategory::of_template(Some("UTILITY")),
            MessageCategory::Utility
        );
        assert_eq!(
            MessageCategory::of_template(Some("authentication")),
            MessageCategory::Authentication
        );
        assert_eq!(
            MessageCategory::of_template(None),
            MessageCategory::Marketing
        );
    }
}
