//! A campaign's figures, live: how many recipients are in each state
//! (waiting, queued, sent, delivered, read, replied, failed with the
//! reason, skipped), the funnel, the time left at the number's pace, and
//! the recipients one by one (a page, or all of them as CSV).

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::{CampaignId, Permission};
use serde::Serialize;
use std::collections::BTreeMap;
use store::TenantTx;
use store::campaigns::recipients::RecipientRow;
use store::campaigns::{Campaign, CampaignStatus};
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// Meta's per-customer marketing limit (131049): worth another try later.
const MARKETING_LIMIT: i64 = 131_049;

/// How a campaign's recipients stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CampaignStats {
    pub recipients: i64,
    /// Not sent to yet.
    pub pending: i64,
    /// In the sending queue (not yet accepted by Meta).
    pub queued: i64,
    /// Accepted by Meta (and not yet delivered).
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    /// Customers who wrote back after the message.
    pub replied: i64,
    /// Their message failed, or it could not be queued.
    pub failed: i64,
    /// Left out: opted out, no number, a parameter without a value.
    pub skipped: i64,
    /// Not sent to because the campaign was cancelled.
    pub cancelled: i64,
    /// Seconds until every pending recipient is queued at the number's
    /// pace (`null` when none is pending or the campaign is not running).
    pub eta_seconds: Option<i64>,
}

impl CampaignStats {
    fn from_tally(t: &BTreeMap<String, i64>) -> Self {
        let of = |k: &str| t.get(k).copied().unwrap_or(0);
        CampaignStats {
            recipients: t
                .iter()
                .filter(|(k, _)| *k != "replied")
                .map(|(_, n)| n)
                .sum(),
            pending: of("pending"),
            queued: of("message:queued"),
            sent: of("message:sent"),
            delivered: of("message:delivered"),
            read: of("message:read") + of("message:played"),
            replied: of("replied"),
            failed: of("failed") + of("message:failed"),
            skipped: of("skipped"),
            cancelled: of("cancelled"),
            eta_seconds: None,
        }
    }

    /// The funnel: reached at least each step (sent ⊇ delivered ⊇ read).
    pub fn funnel(&self) -> [(&'static str, i64); 4] {
        let read = self.read;
        let delivered = self.delivered + read;
        let sent = self.sent + delivered;
        [
            ("Sent", sent),
            ("Delivered", delivered),
            ("Read", read),
            ("Replied", self.replied),
        ]
    }
}

/// A campaign with its figures.
pub async fn campaign_stats(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
) -> AppResult<(Campaign, CampaignStats)> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let c = tx.find_campaign(id).await?;
    let mut stats = CampaignStats::from_tally(&tx.campaign_tally(id).await?);
    if c.status == CampaignStatus::Running && stats.pending > 0 {
        let rate = tx
            .find_channel(c.channel_id)
            .await
            .map(|ch| ch.rate_limit)
            .unwrap_or(1)
            .max(1);
        stats.eta_seconds = Some((stats.pending + rate - 1) / rate);
    }
    tx.commit().await?;
    Ok((c, stats))
}

/// One page of a campaign's recipients, optionally in one state (a
/// recipient's: `pending`, `queued`, `skipped`, `failed`, `cancelled`; or
/// a message's: `message:sent`, `message:delivered`…).
pub async fn campaign_recipients(
    state: &AppState,
    ctx: &TenantCtx,
    id: CampaignId,
    status: Option<&str>,
    page: PageRequest,
) -> AppResult<Page<RecipientRow>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_campaign(id).await?;
    let rows = tx.list_campaign_recipients(id, status, page).await?;
    tx.commit().await?;
    Ok(rows)
}

/// The error codes of campaign `id`'s failed messages worth another try:
/// what Meta calls transient or rate limits, and its per-customer
/// marketing limit.
pub async fn retryable_codes(tx: &mut TenantTx, id: CampaignId) -> store::StoreResult<Vec<i64>> {
    let codes = tx.campaign_failure_codes(id).await?;
    Ok(codes
        .into_iter()
        .filter(|c| *c == MARKETING_LIMIT || whatsapp::classify(*c, 0).is_retryable())
        .collect())
}

/// What a recipient's row says in one word: its own state until it has a
/// message, then the message's, or `replied`.
pub fn recipient_state(r: &RecipientRow) -> String {
    match (r.status.as_str(), r.message_status.as_deref()) {
        ("queued", _) if r.replied => "replied".to_owned(),
        ("queued", Some(m)) => m.to_owned(),
        (s, _) => s.to_owned(),
    }
}

/// A recipient's reason in words: the recipient's own, or Meta's error.
pub fn recipient_reason(r: &RecipientRow) -> String {
    match (&r.reason, r.error_code) {
        (Some(reason), _) => reason.clone(),
        (None, Some(code)) => format!(
            "{code}: {}",
            r.error_title.as_deref().unwrap_or("failed at Meta")
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tally_becomes_figures_and_a_funnel() {
        let tally: BTreeMap<String, i64> = [
            ("pending", 3),
            ("skipped", 2),
            ("failed", 1),
            ("message:queued", 4),
            ("message:sent", 5),
            ("message:delivered", 6),
            ("message:read", 7),
            ("message:failed", 1),
            ("replied", 2),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let s = CampaignStats::from_tally(&tally);
        assert_eq!(s.recipients, 29);
        assert_eq!((s.pending, s.queued, s.failed, s.skipped), (3, 4, 2, 2));
        assert_eq!(
            s.funnel(),
            [("Sent", 18), ("Delivered", 13), ("Read", 7), ("Replied", 2)]
        );
    }
}
