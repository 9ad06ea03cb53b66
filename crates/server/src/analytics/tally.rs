//! What a batch of events (or a rebuild) adds to the counts: deltas summed
//! in memory by local day and hour, written once per key; and the rules
//! that turn a message's facts into counts, shared by the consumer and the
//! rebuild so both count alike.

use domain::Timestamp;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;
use store::analytics::{Count, MessageFacts, MessageMark};

/// Metric names (`analytics_counts.metric`).
pub mod metric {
    pub const MESSAGES_IN: &str = "messages.in";
    pub const MESSAGES_OUT: &str = "messages.out";
    pub const MESSAGES_FAILED: &str = "messages.failed";
    pub const OPENED: &str = "conversations.opened";
    pub const RESOLVED: &str = "conversations.resolved";
    /// `template.sent`, `template.delivered`, `template.read`, `template.failed`.
    pub const TEMPLATE: &str = "template.";
    /// As templates, plus `campaign.replied`.
    pub const CAMPAIGN: &str = "campaign.";
    /// `automation.completed`, `automation.failed`.
    pub const AUTOMATION: &str = "automation.";
    /// `booking.<status>`, counted on the booking's start.
    pub const BOOKING: &str = "booking.";
}

/// The progress levels a sent message is counted at, in order.
const LEVELS: [&str; 3] = ["sent", "delivered", "read"];

/// How long after a campaign message a customer's message counts as a
/// reply to it.
pub const REPLY_WINDOW_MS: i64 = 72 * 3_600_000;

type Key = (String, i64, String, String, String);

/// Deltas to the counts, by local day and hour in one zone.
pub struct Tally {
    zone: TimeZone,
    deltas: BTreeMap<Key, i64>,
}

impl Tally {
    pub fn new(zone: TimeZone) -> Self {
        Tally {
            zone,
            deltas: BTreeMap::new(),
        }
    }

    /// `at`'s local day (`YYYY-MM-DD`) and hour.
    pub fn local(&self, at: Timestamp) -> (String, i64) {
        local(&self.zone, at)
    }

    /// Adds `n` to `metric` for `subject` and `detail` in `at`'s local hour.
    pub fn add(&mut self, at: Timestamp, metric: &str, subject: &str, detail: &str, n: i64) {
        let (day, hour) = self.local(at);
        self.add_local(day, hour, metric, subject, detail, n);
    }

    /// Adds `n` to a count named by its local day and hour.
    pub fn add_local(
        &mut self,
        day: String,
        hour: i64,
        metric: &str,
        subject: &str,
        detail: &str,
        n: i64,
    ) {
        let key = (
            day,
            hour,
            metric.to_owned(),
            subject.to_owned(),
            detail.to_owned(),
        );
        *self.deltas.entry(key).or_default() += n;
    }

    /// The deltas to write (those that did not cancel out).
    pub fn counts(self) -> Vec<Count> {
        self.deltas
            .into_iter()
            .filter(|(_, v)| *v != 0)
            .map(|((day, hour, metric, subject, detail), value)| Count {
                day,
                hour,
                metric,
                subject,
                detail,
                value,
            })
            .collect()
    }

    /// A stored message: in or out, by number and kind.
    pub fn stored(&mut self, m: &MessageFacts) {
        let metric = if m.inbound {
            metric::MESSAGES_IN
        } else {
            metric::MESSAGES_OUT
        };
        self.add(m.created_at, metric, &m.channel_id.to_string(), &m.kind, 1);
    }

    /// An outbound message that failed.
    pub fn failed(&mut self, m: &MessageFacts) {
        let channel = m.channel_id.to_string();
        self.add(m.created_at, metric::MESSAGES_FAILED, &channel, &m.kind, 1);
    }

    /// A template's or a campaign's message as far as its status has got
    /// beyond `mark` (each level once, on the day it was queued); answers
    /// the new mark. A message that failed counts as failed only: the
    /// levels it was counted at before (Meta accepted it, then gave up) are
    /// taken back, so the consumer counts it as a rebuild does whenever the
    /// failure arrives. Other messages are not followed.
    pub fn progress(&mut self, m: &MessageFacts, mark: MessageMark) -> MessageMark {
        let campaign = m.sent_by.as_deref().and_then(campaign_of);
        if m.inbound || (m.template.is_none() && campaign.is_none()) {
            return mark;
        }
        let template = m.template.as_deref().unwrap_or_default();
        let failed = m.status == "failed";
        let level = if failed || mark.failed {
            0
        } else {
            level_of(&m.status).max(mark.level)
        };
        let mut counted = |name: &str, n: i64| {
            self.add(
                m.created_at,
                &format!("{}{name}", metric::TEMPLATE),
                template,
                "",
                n,
            );
            if let Some(c) = campaign {
                self.add(
                    m.created_at,
                    &format!("{}{name}", metric::CAMPAIGN),
                    c,
                    template,
                    n,
                );
            }
        };
        let (from, to) = (mark.level.max(0) as usize, level.max(0) as usize);
        for name in LEVELS.iter().take(to).skip(from) {
            counted(name, 1);
        }
        for name in LEVELS.iter().take(from).skip(to) {
            counted(name, -1);
        }
        if failed && !mark.failed {
            counted("failed", 1);
        }
        MessageMark {
            level,
            failed: mark.failed || failed,
            replied: mark.replied,
        }
    }

    /// A customer's reply to campaign message `m` (counted once, by the
    /// caller's mark).
    pub fn replied(&mut self, m: &MessageFacts) {
        if let Some(c) = m.sent_by.as_deref().and_then(campaign_of) {
            let template = m.template.as_deref().unwrap_or_default();
            let name = format!("{}replied", metric::CAMPAIGN);
            self.add(m.created_at, &name, c, template, 1);
        }
    }
}

/// `at`'s local day (`YYYY-MM-DD`) and hour in `zone`.
pub fn local(zone: &TimeZone, at: Timestamp) -> (String, i64) {
    let ts =
        jiff::Timestamp::from_millisecond(at.as_millis()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let wall = zone.to_datetime(ts);
    (wall.date().to_string(), i64::from(wall.hour()))
}

/// How far a status has got: 1 sent, 2 delivered, 3 read (a voice note
/// played was read); 0 queued or failed.
fn level_of(status: &str) -> i64 {
    match status {
        "sent" => 1,
        "delivered" => 2,
        "read" | "played" => 3,
        _ => 0,
    }
}

/// The campaign id in a `sent_by` of `campaign:<id>`.
pub fn campaign_of(sent_by: &str) -> Option<&str> {
    sent_by.strip_prefix("campaign:")
}

/// Whether a `sent_by` is a person answering (signed in, through an API
/// key, or from the WhatsApp Business app), not something automatic.
pub fn is_person(sent_by: &str) -> bool {
    sent_by == "app"
        || ["user:", "api_key:", "operator:"]
            .iter()
            .any(|p| sent_by.starts_with(p))
}

/// The signed-in person in a `sent_by` of `user:<id>`.
pub fn user_of(sent_by: &str) -> Option<domain::UserId> {
    sent_by.strip_prefix("user:").and_then(|s| s.parse().ok())
}

/// `at`'s local date in `zone`.
pub fn local_date(zone: &TimeZone, at: Timestamp) -> jiff::civil::Date {
    let ts =
        jiff::Timestamp::from_millisecond(at.as_millis()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    zone.to_datetime(ts).date()
}
