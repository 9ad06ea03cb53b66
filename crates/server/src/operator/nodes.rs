//! The deployment's nodes as the operator sees them. Every `switchboard
//! serve` and `switchboard worker` process reports itself (kind, whether
//! it runs background jobs, host, version, media store) when it starts and
//! every [`HEARTBEAT_EVERY`] after, and removes its row when it stops.
//! A node killed outright stops reporting: it shows as not live once
//! [`LIVE_WITHIN_SECONDS`] pass, drops off the list after
//! [`LISTED_WITHIN_SECONDS`], and the housekeeping sweep removes its row
//! after [`FORGOTTEN_AFTER_SECONDS`]. `switchboard demo`, `admin` and the
//! tests' in-process servers do not report.

use crate::auth::OperatorCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::{NodeId, NodeKind, Timestamp};
use std::time::Duration;
use store::StoreResult;
use store::nodes::Node;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// How often a running node reports.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);

/// A node is live when it reported within this many seconds (three
/// heartbeats).
pub const LIVE_WITHIN_SECONDS: i64 = 30;

/// The operator's list shows the nodes seen within this many seconds.
pub const LISTED_WITHIN_SECONDS: i64 = 3600;

/// Housekeeping removes the nodes not seen for this many seconds.
pub const FORGOTTEN_AFTER_SECONDS: i64 = 86_400;

/// A node as the operator's list shows it.
#[derive(Debug, Clone)]
pub struct NodeStatus {
    pub node: Node,
    /// Reported within [`LIVE_WITHIN_SECONDS`].
    pub live: bool,
    /// Whole seconds since its last report.
    pub silent_seconds: i64,
}

impl NodeStatus {
    fn at(node: Node, now: Timestamp) -> Self {
        // A node whose clock runs ahead of this one's is not silent.
        let silent_ms = (now.as_millis() - node.last_seen_at.as_millis()).max(0);
        NodeStatus {
            live: silent_ms <= LIVE_WITHIN_SECONDS * 1000,
            silent_seconds: silent_ms / 1000,
            node,
        }
    }
}

/// The nodes seen within the last hour, by kind, then oldest start first.
pub async fn list_nodes(state: &AppState, _ctx: &OperatorCtx) -> AppResult<Vec<NodeStatus>> {
    let now = state.now();
    let mut sys = state.store.system_read().await?;
    let nodes = sys
        .list_nodes_seen_since(now.plus_seconds(-LISTED_WITHIN_SECONDS))
        .await?;
    sys.commit().await?;
    Ok(nodes
        .into_iter()
        .map(|node| NodeStatus::at(node, now))
        .collect())
}

/// This process as it reports itself: a new node, started now.
pub fn this_node(state: &AppState, kind: NodeKind, runs_jobs: bool) -> Node {
    let now = state.now();
    Node {
        id: NodeId::new(),
        kind,
        runs_jobs,
        hostname: hostname(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        media_store: state.config.media_store.describe(),
        started_at: now,
        last_seen_at: now,
    }
}

/// Records that `node` runs, as of now (its first report adds its row).
pub async fn report(state: &AppState, node: &mut Node) -> StoreResult<()> {
    node.last_seen_at = state.now();
    let mut sys = state.store.system().await?;
    sys.upsert_node(node).await?;
    sys.commit().await
}

/// Removes a node that stops.
pub async fn leave(state: &AppState, id: NodeId) -> StoreResult<()> {
    let mut sys = state.store.system().await?;
    sys.delete_node(id).await?;
    sys.commit().await
}

/// Reports this process as a node of `kind` at once and every
/// [`HEARTBEAT_EVERY`] after, until `shutdown` turns `true` (or its
/// sender goes); then removes its row. A failed report or removal is
/// logged and never stops the node.
pub fn spawn_heartbeat(
    state: AppState,
    kind: NodeKind,
    runs_jobs: bool,
    shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let mut node = this_node(&state, kind, runs_jobs);
    let mut beats = Beats::new(HEARTBEAT_EVERY, shutdown);
    tokio::spawn(async move {
        tracing::info!(node = %node.id, kind = kind.as_str(), runs_jobs, "reporting this node");
        while beats.next().await {
            if let Err(e) = report(&state, &mut node).await {
                tracing::warn!(error = %e, node = %node.id, "could not report this node; trying again");
            }
        }
        if let Err(e) = leave(&state, node.id).await {
            tracing::warn!(
                error = %e, node = %node.id,
                "could not remove this node's row: it shows as not live until housekeeping removes it"
            );
        }
    })
}

/// When a heartbeat is due: at once, then every period, until the
/// shutdown signal. A beat that overruns delays the next rather than
/// bunching them.
struct Beats {
    ticks: tokio::time::Interval,
    shutdown: watch::Receiver<bool>,
}

impl Beats {
    fn new(every: Duration, shutdown: watch::Receiver<bool>) -> Self {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Beats { ticks, shutdown }
    }

    /// Waits for the next beat: `true` when it is due, `false` once
    /// `shutdown` is `true` or its sender is gone.
    async fn next(&mut self) -> bool {
        tokio::select! {
            biased;
            _ = self.shutdown.wait_for(|stop| *stop) => false,
            _ = self.ticks.tick() => true,
        }
    }
}

/// The machine's name: the kernel's (Linux), else `/etc/hostname`, else
/// `$HOSTNAME`, else `unknown`.
fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .into_iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .chain(std::env::var("HOSTNAME").ok())
        .filter_map(|name| name.lines().next().map(|l| l.trim().to_owned()))
        .find(|name| !name.is_empty())
        .map(|name| name.chars().take(255).collect())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn beats_at_once_then_every_period_until_stopped() {
        let (stop, stopped) = watch::channel(false);
        let (beats, mut beaten) = tokio::sync::mpsc::unbounded_channel();
        let start = Instant::now();
        let mut due = Beats::new(HEARTBEAT_EVERY, stopped);
        let task = tokio::spawn(async move {
            while due.next().await {
                let _ = beats.send(Instant::now());
            }
        });
        for n in 0..4 {
            let at = beaten.recv().await.unwrap();
            assert_eq!(at - start, HEARTBEAT_EVERY * n, "beat {n}");
        }
        stop.send_replace(true);
        task.await.unwrap();
        assert_eq!(beaten.recv().await, None, "no beat after the stop");
    }

    #[test]
    fn live_means_seen_within_thirty_seconds() {
        let now = Timestamp::from_millis(1_000_000_000);
        let node = |seen: Timestamp| Node {
            id: NodeId::new(),
            kind: NodeKind::Serve,
            runs_jobs: true,
            hostname: "h".into(),
            version: "v".into(),
            media_store: "local".into(),
            started_at: seen,
            last_seen_at: seen,
        };
        let status = |seen| {
            let s = NodeStatus::at(node(seen), now);
            (s.live, s.silent_seconds)
        };
        assert_eq!(status(now), (true, 0));
        assert_eq!(status(now.plus_seconds(-30)), (true, 30));
        assert_eq!(status(now.plus_millis(-30_001)), (false, 30));
        assert_eq!(status(now.plus_seconds(-60)), (false, 60));
        assert_eq!(status(now.plus_seconds(5)), (true, 0), "a clock ahead");
        assert!(!hostname().is_empty());
    }
}
