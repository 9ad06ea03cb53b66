//! Rebuilding a workspace's counts from stored history: its messages,
//! conversations, automation runs and bookings. The consumer does it the
//! first time it meets a workspace and whenever the workspace's time zone
//! changed (counts are kept by local day and hour); `switchboard analytics
//! rebuild` does it on demand. The conversations response times are
//! measured on are history themselves and stay as they are, brought up to
//! date with the events the consumer had not read yet.

use super::consumer::{CONSUMER, apply_booking, count};
use super::tally::{REPLY_WINDOW_MS, Tally, campaign_of, metric};
use crate::state::AppState;
use domain::{ConversationId, MessageId, TenantId, Timestamp};
use jiff::tz::TimeZone;
use std::collections::HashMap;
use store::TenantTx;
use store::analytics::{AnalyticsSettings, BookingMark, MessageFacts, MessageMark};

/// Service-level targets a workspace starts with, in minutes.
pub const DEFAULT_FIRST_RESPONSE_MINUTES: i64 = 60;
pub const DEFAULT_RESOLUTION_MINUTES: i64 = 24 * 60;

/// Messages read per statement.
const PAGE: i64 = 1_000;

/// The zone the workspace's counts are in, if they are in its own zone;
/// `None` when they need a rebuild.
pub async fn zone_if_current(tx: &mut TenantTx) -> anyhow::Result<Option<TimeZone>> {
    let zone = tx.find_time_zone().await?;
    match tx.find_analytics_settings().await? {
        Some(s) if s.zone == zone => Ok(Some(TimeZone::get(&zone)?)),
        _ => Ok(None),
    }
}

/// Rebuilds `tenant`'s counts in a transaction of its own.
pub async fn rebuild_tenant(state: &AppState, tenant: TenantId) -> anyhow::Result<()> {
    let mut tx = state.store.tenant(tenant).await?;
    rebuild(&mut tx, state.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Counts everything the workspace has stored, in its time zone, and moves
/// the consumer's cursor past every event committed so far (their effects
/// are what was read).
pub async fn rebuild(tx: &mut TenantTx, now: Timestamp) -> anyhow::Result<()> {
    let last = tx.lock_event_log().await?;
    follow(tx, last).await?;
    let zone_name = tx.find_time_zone().await?;
    let mut tally = Tally::new(TimeZone::get(&zone_name)?);
    tx.clear_analytics_counts().await?;
    let marks = messages(tx, &mut tally).await?;
    for (id, mark) in marks {
        tx.upsert_message_mark(id, mark).await?;
    }
    let all = tx
        .episodes_opened_between(
            Timestamp::from_millis(i64::MIN),
            Timestamp::from_millis(i64::MAX),
        )
        .await?;
    for ep in all {
        let channel = ep.channel_id.to_string();
        tally.add(ep.opened_at, metric::OPENED, &channel, "", 1);
        if let Some(at) = ep.resolved_at {
            tally.add(at, metric::RESOLVED, &channel, "", 1);
        }
    }
    for run in tx.analytics_finished_runs().await? {
        let name = format!("{}{}", metric::AUTOMATION, run.status);
        tally.add(run.finished_at, &name, &run.workflow_id.to_string(), "", 1);
    }
    for b in tx.analytics_bookings().await? {
        let (day, hour) = tally.local(b.starts_at);
        let mark = BookingMark {
            service_id: b.service_id,
            day,
            hour,
            status: b.status,
        };
        apply_booking(&mut tally, None, &mark);
        tx.upsert_booking_mark(b.id, &mark).await?;
    }
    tx.add_analytics_counts(&tally.counts()).await?;
    let settings = tx.find_analytics_settings().await?;
    let settings = AnalyticsSettings {
        first_response_minutes: settings
            .as_ref()
            .map_or(DEFAULT_FIRST_RESPONSE_MINUTES, |s| s.first_response_minutes),
        resolution_minutes: settings
            .as_ref()
            .map_or(DEFAULT_RESOLUTION_MINUTES, |s| s.resolution_minutes),
        zone: zone_name,
        updated_at: now,
    };
    tx.upsert_analytics_settings(&settings).await?;
    tx.lock_cursor(CONSUMER, store::events::CursorStart::Latest)
        .await?;
    tx.advance_cursor(CONSUMER, last, now).await?;
    Ok(())
}

/// Follows the conversations (and marks) through the events up to `last`
/// the consumer has not read, as it would have: the rebuild moves its
/// cursor past them, and the conversations are not rebuilt. What they add
/// to the counts is left out: the recount reads it from the tables.
async fn follow(tx: &mut TenantTx, last: i64) -> anyhow::Result<()> {
    let mut at = tx
        .lock_cursor(CONSUMER, store::events::CursorStart::Latest)
        .await?;
    let mut left_out = Tally::new(TimeZone::UTC);
    while at < last {
        let events = tx.events_after(at, PAGE).await?;
        let Some(end) = events.last().map(|e| e.seq) else {
            break;
        };
        for e in events.iter().filter(|e| e.seq <= last) {
            count(tx, &mut left_out, e).await?;
        }
        at = end;
    }
    Ok(())
}

/// Every stored message, in the order it was stored: in and out, failures,
/// templates' and campaigns' progress, and replies to campaigns (a
/// customer's message within the reply window of the conversation's latest
/// campaign message). Answers the marks to keep.
async fn messages(
    tx: &mut TenantTx,
    tally: &mut Tally,
) -> anyhow::Result<HashMap<MessageId, MessageMark>> {
    let mut marks: HashMap<MessageId, MessageMark> = HashMap::new();
    let mut last_campaign: HashMap<ConversationId, MessageFacts> = HashMap::new();
    let mut after = None;
    loop {
        let page = tx.analytics_messages_after(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for m in page {
            tally.stored(&m);
            if m.inbound {
                let Some(c) = last_campaign.get(&m.conversation_id) else {
                    continue;
                };
                let mark = marks.entry(c.id).or_default();
                if !mark.replied
                    && m.created_at.as_millis() - c.created_at.as_millis() <= REPLY_WINDOW_MS
                {
                    tally.replied(c);
                    mark.replied = true;
                }
                continue;
            }
            if m.status == "failed" {
                tally.failed(&m);
            }
            let mark = tally.progress(&m, MessageMark::default());
            if mark != MessageMark::default() {
                marks.insert(m.id, mark);
            }
            if m.sent_by.as_deref().and_then(campaign_of).is_some() {
                last_campaign.insert(m.conversation_id, m);
            }
        }
    }
    Ok(marks)
}
