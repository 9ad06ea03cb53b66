//! First response and resolution times, per agent and per team, against
//! the workspace's targets, with the conversations that missed them.
//!
//! Measured on the conversations opened (or reopened) in the span: the
//! first response runs from the customer's first message to a person's
//! first answer (the bot, automations and campaigns do not answer), the
//! resolution from opening to resolving. A response is the responder's
//! (the assignee's when an API key or the app answered); a resolution is
//! the assignee's. Quantiles are nearest-rank.

use super::{Reading, Span, quantile};
use crate::analytics::rebuild::{DEFAULT_FIRST_RESPONSE_MINUTES, DEFAULT_RESOLUTION_MINUTES};
use crate::error::AppResult;
use domain::{TeamId, Timestamp, UserId};
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::Hash;
use store::analytics::{Episode, Named};
use utoipa::ToSchema;

/// Breaches listed at most.
pub const BREACHES_LISTED: usize = 100;

/// The workspace's service-level targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Targets {
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
}

/// Median and 90th percentile of a set of durations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Times {
    /// How many were measured.
    pub count: i64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// Response and resolution of a set of conversations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Performance {
    pub first_response: Times,
    pub resolution: Times,
    /// Targets missed (a conversation can miss both).
    pub breaches: i64,
}

/// One agent's (or, with no `user_id`, the unassigned conversations').
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgentPerformance {
    pub user_id: Option<String>,
    pub name: Option<String>,
    #[serde(flatten)]
    pub performance: Performance,
}

/// One team's (or, with no `team_id`, those of no team).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TeamPerformance {
    pub team_id: Option<String>,
    pub name: Option<String>,
    #[serde(flatten)]
    pub performance: Performance,
}

/// A conversation that missed a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Breach {
    pub conversation_id: String,
    pub opened_at: String,
    /// `first_response` or `resolution`.
    pub target: &'static str,
    /// How long it took, or has taken so far.
    pub minutes: i64,
    pub target_minutes: i64,
    /// Still waiting (not answered, or not resolved, yet).
    pub ongoing: bool,
    pub assigned_user_id: Option<String>,
}

/// The response-times report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResponseReport {
    pub span: Span,
    pub previous_span: Span,
    pub time_zone: String,
    pub targets: Targets,
    /// Conversations opened in the span.
    pub conversations: i64,
    pub overall: Performance,
    pub previous: Performance,
    pub agents: Vec<AgentPerformance>,
    pub teams: Vec<TeamPerformance>,
    /// The longest first, at most [`BREACHES_LISTED`].
    pub breaches: Vec<Breach>,
}

/// The workspace's targets (the defaults until it sets its own).
pub async fn targets(tx: &mut store::TenantTx) -> AppResult<Targets> {
    Ok(match tx.find_analytics_settings().await? {
        Some(s) => Targets {
            first_response_minutes: s.first_response_minutes,
            resolution_minutes: s.resolution_minutes,
        },
        None => Targets {
            first_response_minutes: DEFAULT_FIRST_RESPONSE_MINUTES,
            resolution_minutes: DEFAULT_RESOLUTION_MINUTES,
        },
    })
}

/// The response-times report of `r`'s span.
pub async fn response_times(r: &mut Reading) -> AppResult<ResponseReport> {
    let targets = targets(&mut r.tx).await?;
    let (from, to) = r.span.instants(&r.zone);
    let episodes = r.tx.episodes_opened_between(from, to).await?;
    let previous_span = r.span.previous();
    let (pfrom, pto) = previous_span.instants(&r.zone);
    let earlier = r.tx.episodes_opened_between(pfrom, pto).await?;
    let measured: Vec<Measured> = episodes
        .iter()
        .map(|e| Measured::of(e, targets, r.now))
        .collect();
    let earlier: Vec<Measured> = earlier
        .iter()
        .map(|e| Measured::of(e, targets, r.now))
        .collect();
    let users = r.tx.analytics_names(Named::Users).await?;
    let teams = r.tx.analytics_names(Named::Teams).await?;
    let agents = group(&measured, |m| (m.responder, m.assignee))
        .into_iter()
        .map(|(id, performance)| AgentPerformance {
            user_id: id.map(|u| u.to_string()),
            name: id.and_then(|u| users.get(&u.as_uuid()).cloned()),
            performance,
        })
        .collect();
    let teams = group(&measured, |m| (m.team, m.team))
        .into_iter()
        .map(|(id, performance)| TeamPerformance {
            team_id: id.map(|t| t.to_string()),
            name: id.and_then(|t| teams.get(&t.as_uuid()).cloned()),
            performance,
        })
        .collect();
    let mut breaches: Vec<Breach> = measured.iter().flat_map(|m| m.breaches.clone()).collect();
    breaches.sort_by_key(|b| std::cmp::Reverse(b.minutes));
    breaches.truncate(BREACHES_LISTED);
    Ok(ResponseReport {
        span: r.span,
        previous_span,
        time_zone: r.zone_name.clone(),
        targets,
        conversations: measured.len() as i64,
        overall: performance(
            measured
                .iter()
                .map(|m| (m.first_response, m.resolution, m.breaches.len())),
        ),
        previous: performance(
            earlier
                .iter()
                .map(|m| (m.first_response, m.resolution, m.breaches.len())),
        ),
        agents,
        teams,
        breaches,
    })
}

/// What one conversation measured.
struct Measured {
    first_response: Option<i64>,
    resolution: Option<i64>,
    /// Whose the response was, and whose the resolution.
    responder: Option<UserId>,
    assignee: Option<UserId>,
    team: Option<TeamId>,
    breaches: Vec<Breach>,
}

impl Measured {
    fn of(e: &Episode, t: Targets, now: Timestamp) -> Measured {
        let secs = |a: Timestamp, b: Timestamp| (b.as_millis() - a.as_millis()) / 1000;
        let first_response = e.customer_at.zip(e.responded_at).map(|(c, r)| secs(c, r));
        let resolution = e.resolved_at.map(|r| secs(e.opened_at, r));
        let mut breaches = Vec::new();
        let mut check = |target: &'static str,
                         taken: Option<i64>,
                         waiting_since: Option<Timestamp>,
                         limit: i64| {
            let (seconds, ongoing) = match (taken, waiting_since) {
                (Some(s), _) => (s, false),
                (None, Some(since)) if e.resolved_at.is_none() => (secs(since, now), true),
                _ => return,
            };
            if seconds > limit * 60 {
                breaches.push(Breach {
                    conversation_id: e.conversation_id.to_string(),
                    opened_at: e.opened_at.to_rfc3339(),
                    target,
                    minutes: seconds / 60,
                    target_minutes: limit,
                    ongoing,
                    assigned_user_id: e.assigned_user_id.map(|u| u.to_string()),
                });
            }
        };
        check(
            "first_response",
            first_response,
            e.customer_at,
            t.first_response_minutes,
        );
        check(
            "resolution",
            resolution,
            Some(e.opened_at),
            t.resolution_minutes,
        );
        Measured {
            first_response,
            resolution,
            responder: e.responder_user_id.or(e.assigned_user_id),
            assignee: e.assigned_user_id,
            team: e.team_id,
            breaches,
        }
    }
}

/// Performance per key: `keys` gives a conversation's key for its
/// response and for its resolution (and breaches of each).
fn group<K: Ord + Hash + Copy>(
    measured: &[Measured],
    keys: impl Fn(&Measured) -> (K, K),
) -> BTreeMap<K, Performance> {
    let mut firsts: BTreeMap<K, Vec<i64>> = BTreeMap::new();
    let mut resolutions: BTreeMap<K, Vec<i64>> = BTreeMap::new();
    let mut breaches: BTreeMap<K, i64> = BTreeMap::new();
    for m in measured {
        let (response_key, resolution_key) = keys(m);
        firsts
            .entry(response_key)
            .or_default()
            .extend(m.first_response);
        resolutions
            .entry(resolution_key)
            .or_default()
            .extend(m.resolution);
        for b in &m.breaches {
            let key = if b.target == "first_response" {
                response_key
            } else {
                resolution_key
            };
            *breaches.entry(key).or_default() += 1;
        }
    }
    let mut out: BTreeMap<K, Performance> = BTreeMap::new();
    for (k, mut v) in firsts {
        out.entry(k).or_default().first_response = times(&mut v);
    }
    for (k, mut v) in resolutions {
        out.entry(k).or_default().resolution = times(&mut v);
    }
    for (k, n) in breaches {
        out.entry(k).or_default().breaches = n;
    }
    out
}

fn performance(all: impl Iterator<Item = (Option<i64>, Option<i64>, usize)>) -> Performance {
    let (mut firsts, mut resolutions, mut breaches) = (Vec::new(), Vec::new(), 0);
    for (f, r, b) in all {
        firsts.extend(f);
        resolutions.extend(r);
        breaches += b as i64;
    }
    Performance {
        first_response: times(&mut firsts),
        resolution: times(&mut resolutions),
        breaches,
    }
}

fn times(v: &mut [i64]) -> Times {
    Times {
        count: v.len() as i64,
        median_seconds: quantile(v, 0.5),
        p90_seconds: quantile(v, 0.9),
    }
}
