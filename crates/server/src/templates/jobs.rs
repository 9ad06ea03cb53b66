//! Background work of the area, registered with the job runtime: the
//! library's consumer of the event log ([`super::consumer`]), and the
//! sync of one account's library it queues ([`SyncTemplates`]).

use super::sync::sync_waba;
use crate::auth::{TenantCtx, Via};
use crate::error::AppError;
use crate::jobs::{JobKind, Outcome, Queue, Registry};
use crate::state::AppState;
use domain::TenantId;
use serde::{Deserialize, Serialize};

/// Registers the area's jobs and pollers.
pub fn register(registry: &mut Registry) {
    registry.poll("templates.library", super::consumer::poll);
    registry.register::<SyncTemplates>();
}

/// Which account's library to read again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncPayload {
    pub waba_id: String,
}

/// Reads one account's library back from Meta (on connect, or when Meta
/// names a template the library does not know).
pub struct SyncTemplates;

impl JobKind for SyncTemplates {
    const KIND: &'static str = "templates.sync";
    const QUEUE: Queue = Queue::Tenants;
    const MAX_ATTEMPTS: i64 = 10;
    type Payload = SyncPayload;

    /// The consumer queues each account once per batch of events.
    fn dedupe_key(_: &SyncPayload) -> Option<String> {
        None
    }

    /// Bulk work: conversational jobs of the queue go first.
    fn lane(_: &SyncPayload) -> i64 {
        10
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: SyncPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a template sync without a tenant".into(),
            };
        };
        let ctx = TenantCtx::system(tenant, Via::Worker);
        match sync_waba(state, &ctx, &p.waba_id).await {
            Ok(_) => Outcome::Done,
            // No number of that account any more: nothing to read.
            Err(AppError::NotFound) => Outcome::Done,
            Err(AppError::Unavailable(_, msg)) => Outcome::retry(msg),
            Err(e @ AppError::Internal(_)) => Outcome::retry(format!("{e:#}")),
            Err(e) => Outcome::Fail {
                error: e.to_string(),
            },
        }
    }
}
