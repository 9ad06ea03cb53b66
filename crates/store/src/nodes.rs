//! The deployment's nodes (migration 0039): each `switchboard serve` and
//! `switchboard worker` process keeps a row up to date while it runs and
//! removes it when it stops. What counts as live, and how often a node
//! reports, is the server's (`operator::nodes`). Nodes not seen for long go
//! with the housekeeping sweep ([`crate::housekeeping::Sweepable::Nodes`]).

use crate::db::{SystemTx, exec, run};
use crate::error::{StoreError, StoreResult};
use domain::{NodeId, NodeKind, Timestamp};

/// One node as it reported itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: NodeId,
    pub kind: NodeKind,
    /// Whether it runs background jobs.
    pub runs_jobs: bool,
    pub hostname: String,
    /// The binary's version.
    pub version: String,
    /// `local`, or `s3:<bucket>` (never credentials).
    pub media_store: String,
    pub started_at: Timestamp,
    pub last_seen_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct NodeRow {
    id: String,
    kind: String,
    runs_jobs: i64,
    hostname: String,
    version: String,
    media_store: String,
    started_at: i64,
    last_seen_at: i64,
}

impl TryFrom<NodeRow> for Node {
    type Error = StoreError;
    fn try_from(r: NodeRow) -> StoreResult<Node> {
        Ok(Node {
            id: r
                .id
                .parse()
                .map_err(|e| StoreError::corrupt(format!("node id `{}`: {e}", r.id)))?,
            kind: r.kind.parse().map_err(StoreError::corrupt)?,
            runs_jobs: r.runs_jobs != 0,
            hostname: r.hostname,
            version: r.version,
            media_store: r.media_store,
            started_at: Timestamp::from_millis(r.started_at),
            last_seen_at: Timestamp::from_millis(r.last_seen_at),
        })
    }
}

impl SystemTx {
    /// Records that `node` was seen at `node.last_seen_at`: its row is
    /// added when missing (the first report, or after housekeeping
    /// removed it), otherwise only its `last_seen_at` moves.
    pub async fn upsert_node(&mut self, node: &Node) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO nodes (id, kind, runs_jobs, hostname, version, media_store, \
                                started_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET last_seen_at = $8"
        )
        .bind(node.id.to_string())
        .bind(node.kind.as_str())
        .bind(i64::from(node.runs_jobs))
        .bind(&node.hostname)
        .bind(&node.version)
        .bind(&node.media_store)
        .bind(node.started_at.as_millis())
        .bind(node.last_seen_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Removes a node that stops; returns whether it had a row.
    pub async fn delete_node(&mut self, id: NodeId) -> StoreResult<bool> {
        let removed = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM nodes WHERE id = $1"
        )
        .bind(id.to_string())
        .execute(c)
        .await)?;
        Ok(removed > 0)
    }

    /// The nodes seen at or after `since`, by kind, then oldest start first.
    pub async fn list_nodes_seen_since(&mut self, since: Timestamp) -> StoreResult<Vec<Node>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, NodeRow>(
            "SELECT id, kind, runs_jobs, hostname, version, media_store, started_at, \
                    last_seen_at \
             FROM nodes WHERE last_seen_at >= $1 ORDER BY kind, started_at, id"
        )
        .bind(since.as_millis())
        .fetch_all(c)
        .await)?;
        rows.into_iter().map(Node::try_from).collect()
    }
}
