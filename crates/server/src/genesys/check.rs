//! Hand-back when Genesys ends its conversation. Open Messaging's webhook
//! says nothing when an agent disconnects (reference §4), so the bridge
//! asks: every `genesys_check_seconds` each open hand-over's Genesys
//! conversation is read, and one whose participants have all left comes
//! back to the inbox (and the bot). A check that fails is tried at the
//! next interval; the conversation stays with Genesys meanwhile.

use super::handover::{self, Reason};
use super::tokens::call;
use crate::state::AppState;
use domain::{HandoverId, TenantId, Timestamp};
use futures::future::BoxFuture;

/// Checks one round handles at most.
const PER_ROUND: i64 = 50;

/// One round: the hand-overs whose check is due; how many came back.
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(async move {
        let now = state.now();
        let due = {
            let mut sys = state.store.system_read().await?;
            let due = sys.handovers_to_check(now, PER_ROUND).await?;
            sys.commit().await?;
            due
        };
        let mut back = 0;
        for (tenant, id) in due {
            match check(state, tenant, id, now).await {
                Ok(true) => back += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(tenant_id = %tenant, error = %format!("{e:#}"),
                    "checking a Genesys conversation failed"),
            }
        }
        Ok(back)
    })
}

/// Checks hand-over `id`; whether it came back.
async fn check(
    state: &AppState,
    tenant: TenantId,
    id: HandoverId,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let next = Timestamp::from_millis(now.as_millis() + state.config.genesys_check_seconds * 1000);
    let handover = {
        let mut tx = state.store.tenant(tenant).await?;
        if !tx.claim_handover_check(id, now, next).await? {
            tx.commit().await?;
            return Ok(false);
        }
        let h = tx.find_handover(id).await?;
        tx.commit().await?;
        h
    };
    let Some(conversation) = handover.genesys_conversation_id.clone() else {
        return Ok(false);
    };
    let read = call!(state, tenant, |c, s| c.get_conversation(s, &conversation)).await;
    let ended = match read {
        Ok(c) => c.ended(),
        Err(e) => {
            tracing::info!(tenant_id = %tenant, error = %e, "Genesys could not say whether a conversation ended");
            false
        }
    };
    if !ended {
        return Ok(false);
    }
    let mut tx = state.store.tenant(tenant).await?;
    let back = handover::hand_back_in(&mut tx, &handover, Reason::Ended, "genesys", state.now())
        .await
        .map_err(|e| anyhow::anyhow!("{e:#}"))?;
    tx.commit().await?;
    Ok(back)
}
