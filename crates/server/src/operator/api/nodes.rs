use crate::auth::OperatorCtx;
use crate::error::AppResult;
use crate::operator::nodes::{self, NodeStatus};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{NodeId, NodeKind, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeView {
    /// Made when the process started: a restart is a new node.
    pub id: NodeId,
    /// `serve` or `worker`.
    pub kind: NodeKind,
    /// Whether it runs background jobs (`false` for `serve` started HTTP
    /// only).
    pub runs_jobs: bool,
    pub hostname: String,
    /// The `switchboard` binary's version.
    pub version: String,
    /// `local`, or `s3:<bucket>` (with `/<prefix>` when one is set).
    pub media_store: String,
    pub started_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// It reported within the last 30 seconds (running nodes report every
    /// 10).
    pub live: bool,
}

impl From<NodeStatus> for NodeView {
    fn from(s: NodeStatus) -> Self {
        let n = s.node;
        NodeView {
            id: n.id,
            kind: n.kind,
            runs_jobs: n.runs_jobs,
            hostname: n.hostname,
            version: n.version,
            media_store: n.media_store,
            started_at: n.started_at,
            last_seen_at: n.last_seen_at,
            live: s.live,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeList {
    /// By kind (`serve` first), then oldest start first.
    pub items: Vec<NodeView>,
}

/// The deployment's nodes seen within the last hour.
///
/// Every `switchboard serve` and `switchboard worker` process reports when
/// it starts and every 10 seconds after, and removes itself when it stops;
/// one killed outright stays listed, not live, until an hour has passed.
#[utoipa::path(get, path = "/api/v1/operator/nodes", tag = "operator",
    responses((status = 200, body = NodeList)), security(("bearer" = [])))]
pub async fn list_nodes(
    State(state): State<AppState>,
    ctx: OperatorCtx,
) -> AppResult<Json<NodeList>> {
    let items = nodes::list_nodes(&state, &ctx).await?;
    Ok(Json(NodeList {
        items: items.into_iter().map(NodeView::from).collect(),
    }))
}
