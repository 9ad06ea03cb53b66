//! Auto-assignment: a durable consumer of the event log (`crm.routing`)
//! that gives each conversation routed to a team to one of its available
//! members, by the team's rule ([`pick`]). It acts on a conversation that
//! starts (`conversation.opened`), comes back (`conversation.status_changed`
//! from `resolved` to `open`) or moves to a team
//! (`conversation.team_changed`), if it is then open and nobody has it.
//! A conversation that comes back to an agent who still has it stays
//! theirs.
//!
//! Reading the log rather than being called by the inbound path keeps the
//! webhook's transaction small and the areas apart; the consumer's cursor
//! makes each event count once, across crashes and nodes (a second node
//! waits on the cursor's row). Nothing triggers it: [`poll`], registered
//! as a poller of the job runtime, runs it for the tenants that have a team.

use crate::auth::{TenantCtx, Via};
use crate::events::{Consumer, poll_having, record};
use crate::state::AppState;
use domain::events::{ConversationAssigned, Event};
use domain::{ConversationId, Timestamp, UserId};
use futures::future::BoxFuture;
use serde_json::json;
use store::crm::teams::{Assignment, MemberLoad};
use store::events::{CursorStart, StoredEvent, Table};
use store::inbox::ConversationStatus;
use store::{StoreError, TenantTx};

/// The consumer's cursor name.
pub const CONSUMER: &str = "crm.routing";
/// Events per batch (one transaction).
const BATCH: i64 = 500;

/// The member of a team who gets its next conversation by `rule`, given
/// the members (in id order) and who got the last one; `None` if nobody
/// is available (the conversation waits in the team's queue) or the rule
/// is manual.
///
/// Round robin takes the first available member after the last one, in id
/// order, wrapping around. Least busy takes the available member with the
/// fewest open conversations, ties broken in round-robin order, so equally
/// busy agents take turns.
pub fn pick(rule: Assignment, members: &[MemberLoad], last: Option<UserId>) -> Option<UserId> {
    // Available members, starting after the last one given a conversation.
    let after = |m: &&MemberLoad| last.is_none_or(|l| m.user_id > l);
    let in_turn = members
        .iter()
        .filter(after)
        .chain(members.iter().filter(|m| !after(m)))
        .filter(|m| m.available());
    match rule {
        Assignment::Manual => None,
        Assignment::RoundRobin => in_turn.map(|m| m.user_id).next(),
        // `min_by_key` keeps the first of equals: the next in turn.
        Assignment::LeastBusy => in_turn
            .min_by_key(|m| m.open_conversations)
            .map(|m| m.user_id),
    }
}

/// Routing's consumer of the event log, as of `now`.
pub struct Routing {
    pub now: Timestamp,
}

impl Consumer for Routing {
    const NAME: &'static str = CONSUMER;
    const START: CursorStart = CursorStart::Latest;

    async fn handle(&self, tx: &mut TenantTx, events: &[StoredEvent]) -> anyhow::Result<()> {
        for event in events {
            if let Some(id) = conversation_to_route(event) {
                assign(tx, id, self.now).await?;
            }
        }
        Ok(())
    }
}

/// The conversation `event` may have left open and unassigned in a team.
fn conversation_to_route(event: &StoredEvent) -> Option<ConversationId> {
    let p = &event.payload;
    let relevant = match event.name.as_str() {
        "conversation.opened" | "conversation.team_changed" => true,
        "conversation.status_changed" => p["status"] == "open",
        _ => false,
    };
    relevant
        .then(|| p["conversation_id"].as_str()?.parse().ok())
        .flatten()
}

/// Gives conversation `id` to a member of its team by the team's rule, if
/// it is open, nobody has it, and someone is available.
pub(crate) async fn assign(
    tx: &mut TenantTx,
    id: ConversationId,
    now: Timestamp,
) -> anyhow::Result<()> {
    let c = match tx.find_conversation(id).await {
        Ok(c) => c,
        // Erased since.
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let Some(team_id) = c.team_id else {
        return Ok(());
    };
    if c.status != ConversationStatus::Open || c.assigned_user_id.is_some() {
        return Ok(());
    }
    let team = match tx.find_team(team_id).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let members = tx.team_load(team_id).await?;
    let Some(user) = pick(team.assignment, &members, team.last_assigned_user_id) else {
        return Ok(());
    };
    tx.update_conversation(id, c.status, Some(user), c.team_id, now)
        .await?;
    tx.set_round_robin_place(team_id, user).await?;
    let rule = team.assignment.as_str();
    let event = Event::ConversationAssigned(ConversationAssigned {
        conversation_id: id,
        assigned_user_id: Some(user),
        previous_user_id: None,
        rule: Some(rule.to_owned()),
    });
    record(tx, event, now);
    let ctx = TenantCtx::system(tx.tenant_id(), Via::Worker);
    let details =
        json!({ "assigned_user_id": user, "previous": null, "team_id": team_id, "rule": rule });
    crate::audit::tenant_change(
        tx,
        &ctx,
        now,
        "conversation.assign",
        ("conversation", id.to_string()),
        details,
    )
    .await?;
    Ok(())
}

/// One round of routing: every tenant with a team whose cursor is behind
/// gets one batch. Registered as a poller (`crate::crm::jobs`).
pub fn poll(state: &AppState) -> BoxFuture<'_, anyhow::Result<usize>> {
    Box::pin(poll_having(state, Table::Teams, BATCH, |now| Routing {
        now,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(n: u128, open: i64, available: bool) -> MemberLoad {
        MemberLoad {
            user_id: UserId::from_uuid(uuid::Uuid::from_u128(n)),
            name: format!("agent {n}"),
            away_since: (!available).then(|| Timestamp::from_millis(1)),
            disabled: false,
            open_conversations: open,
        }
    }

    fn id(n: u128) -> UserId {
        UserId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn round_robin_takes_the_next_available_member_and_wraps_around() {
        let team = [member(1, 0, true), member(2, 0, false), member(3, 0, true)];
        let rr = Assignment::RoundRobin;
        assert_eq!(pick(rr, &team, None), Some(id(1)));
        assert_eq!(pick(rr, &team, Some(id(1))), Some(id(3)), "2 is away");
        assert_eq!(pick(rr, &team, Some(id(3))), Some(id(1)), "wraps");
        // The last one left the team: the next after where they were.
        assert_eq!(pick(rr, &team, Some(id(2))), Some(id(3)));
    }

    #[test]
    fn least_busy_takes_the_fewest_open_and_breaks_ties_in_turn() {
        let team = [
            member(1, 4, true),
            member(2, 1, true),
            member(3, 1, true),
            member(4, 0, false),
        ];
        let lb = Assignment::LeastBusy;
        assert_eq!(pick(lb, &team, None), Some(id(2)), "4 is away");
        assert_eq!(
            pick(lb, &team, Some(id(2))),
            Some(id(3)),
            "a tie: the next in turn"
        );
        assert_eq!(pick(lb, &team, Some(id(3))), Some(id(2)));
    }

    #[test]
    fn nobody_gets_one_when_nobody_is_available_or_the_rule_is_manual() {
        let mut disabled = member(2, 0, true);
        disabled.disabled = true;
        let team = [member(1, 0, false), disabled];
        assert_eq!(pick(Assignment::RoundRobin, &team, None), None);
        assert_eq!(pick(Assignment::LeastBusy, &team, None), None);
        assert_eq!(pick(Assignment::RoundRobin, &[], None), None);
        let open = [member(1, 0, true)];
        assert_eq!(pick(Assignment::Manual, &open, None), None);
    }
}
