//! Per-number pacing: each WhatsApp number sends at most its rate limit
//! (Meta's throughput cap), so our own pace never causes a 130429 — on one
//! node or many.
//!
//! Every send reserves the number's next slot in the database
//! (`channels.send_slot_us`, see `reserve_send_slot`): slots are spaced
//! `1 / rate` apart and handed out under the row's lock, so nodes sharing a
//! database share one pace. Slots are wall-clock time (nodes' clocks are
//! assumed NTP-synced); a slot reserved by a node that then dies is simply
//! skipped.

use domain::ChannelId;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use store::TenantTx;

/// Microseconds between two sends of a number allowed `per_second`.
pub fn interval_us(per_second: i64) -> i64 {
    1_000_000 / per_second.clamp(1, 1_000_000)
}

fn wall_clock_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Reserves `channel`'s next send slot at `per_second`, in the caller's
/// transaction (the slot is taken once it commits); returns it, to be
/// awaited with [`wait_for`] after the commit.
pub async fn reserve_slot(
    tx: &mut TenantTx,
    channel: ChannelId,
    per_second: i64,
) -> store::StoreResult<i64> {
    tx.reserve_send_slot(channel, wall_clock_us(), interval_us(per_second))
        .await
}

/// Reserves `n` consecutive send slots of `channel` at `per_second` in the
/// caller's transaction (one statement: the row moves on by `n` slots);
/// returns them in order, each to be awaited with [`wait_for`].
pub async fn reserve_slots(
    tx: &mut TenantTx,
    channel: ChannelId,
    per_second: i64,
    n: usize,
) -> store::StoreResult<Vec<i64>> {
    let interval = interval_us(per_second);
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    let first = tx
        .reserve_send_slot(channel, wall_clock_us(), interval.saturating_mul(count))
        .await?;
    Ok((0..count).map(|i| first + i * interval).collect())
}

/// Sleeps until `slot` (wall-clock microseconds) has come.
pub async fn wait_for(slot: i64) {
    let wait = slot.saturating_sub(wall_clock_us());
    if wait > 0 {
        tokio::time::sleep(Duration::from_micros(wait.unsigned_abs())).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_spaced_by_the_rate() {
        assert_eq!(interval_us(80), 12_500);
        assert_eq!(interval_us(1000), 1_000);
        assert_eq!(interval_us(0), 1_000_000, "a zero rate is treated as 1/s");
    }
}
