//! Fair keys: the order jobs of one queue are claimed in, within a lane.
//!
//! A tenant's job gets the key `max(run_at, K + SPACING)`, where K is the
//! greatest key among that tenant's pending jobs of the same queue and lane
//! that are due by then; a batch continues from its own previous key. A
//! tenant with no backlog thus gets a key of about now, while a tenant that
//! enqueued 100,000 jobs at once has keys that run 100,000 × SPACING into
//! the future: the first tenant's job is claimed before the rest of that
//! backlog, and two tenants with backlogs take turns. Jobs without a tenant
//! (the webhook intake's) keep first come first served: key = run_at.

use super::NewJob;
use crate::db::{Tx, run};
use crate::error::StoreResult;
use domain::TenantId;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The distance in key space (milliseconds) between consecutive jobs of one
/// tenant's backlog. It only orders jobs, it never delays one: keys are not
/// run times, so a tenant alone still runs its jobs as fast as the workers
/// take them. What it sets is how far ahead of the clock a backlog reaches:
/// a newcomer (key ≈ now) goes before all of it as long as the queue works
/// through at least one job per SPACING of each tenant with a backlog.
pub const SPACING: i64 = 1000;

/// The fair key of each of `jobs`, in order.
pub(super) async fn fair_keys(
    tx: &mut Tx,
    jobs: &[(Uuid, Option<TenantId>, &NewJob)],
) -> StoreResult<Vec<i64>> {
    let mut keys: Vec<i64> = jobs.iter().map(|(_, _, j)| j.run_at.as_millis()).collect();
    // Each (tenant, queue, lane) of the batch, with its jobs in batch order.
    let mut groups: BTreeMap<(Uuid, &str, i64), Vec<usize>> = BTreeMap::new();
    for (i, (_, tenant, job)) in jobs.iter().enumerate() {
        if let Some(tenant) = tenant {
            groups
                .entry((tenant.as_uuid(), job.queue, job.lane))
                .or_default()
                .push(i);
        }
    }
    for ((tenant, queue, lane), members) in groups {
        let due_by = members.iter().map(|&i| keys[i]).max().unwrap_or(i64::MIN);
        // Only jobs due by then count: a job scheduled for tomorrow (or a
        // retry backing off) must not push today's work behind everyone.
        // The lane too is the tenant's own: a bulk backlog does not put its
        // conversational jobs at the back of their lane.
        let backlog: Option<i64> = run!(&mut *tx, |c| sqlx::query_scalar(
            "SELECT fair_key FROM jobs \
             WHERE queue = $1 AND tenant_id = $2 AND status = 'pending' AND lane = $3 \
               AND run_at <= $4 \
             ORDER BY fair_key DESC LIMIT 1"
        )
        .bind(queue)
        .bind(tenant)
        .bind(lane)
        .bind(due_by)
        .fetch_optional(c)
        .await)?;
        let mut previous = backlog;
        for i in members {
            let key = match previous {
                Some(p) => keys[i].max(p.saturating_add(SPACING)),
                None => keys[i],
            };
            keys[i] = key;
            previous = Some(key);
        }
    }
    Ok(keys)
}
