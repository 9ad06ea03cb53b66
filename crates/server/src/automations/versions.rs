//! Workflow versions, read and compiled once per process. A version never
//! changes once written (an edit writes the next one), so an entry kept
//! here never goes stale. The trigger consumer checks every enabled
//! workflow of a tenant against each batch of events, and a run's job
//! walks its version's program: both take them from here rather than
//! read and parse the definitions again each time.

use super::definition::{Definition, Program, compile};
use domain::{TenantId, WorkflowId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use store::TenantTx;

/// One version of a workflow: its definition and the program runs walk.
#[derive(Debug)]
pub struct Version {
    pub definition: Definition,
    pub program: Program,
}

/// Versions kept past this many are dropped, all at once (they are read
/// again as they are needed).
const MAX_KEPT: usize = 10_000;

type Key = (TenantId, WorkflowId, i64);

/// The versions this process has read. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct Versions(Arc<Mutex<HashMap<Key, Arc<Version>>>>);

impl Versions {
    fn kept(&self) -> MutexGuard<'_, HashMap<Key, Arc<Version>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Version `version` of `tx`'s tenant's workflow `id`, read in `tx`
    /// unless it is kept already.
    pub async fn get(
        &self,
        tx: &mut TenantTx,
        id: WorkflowId,
        version: i64,
    ) -> anyhow::Result<Arc<Version>> {
        let key = (tx.tenant_id(), id, version);
        if let Some(kept) = self.kept().get(&key) {
            return Ok(kept.clone());
        }
        let stored = tx.workflow_definition(id, version).await?;
        let definition: Definition = serde_json::from_value(stored)?;
        let read = Arc::new(Version {
            program: compile(&definition.steps),
            definition,
        });
        let mut kept = self.kept();
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(key, read.clone());
        Ok(read)
    }
}
