//! From a stored job's kind to its handler.

use super::{JobKind, Outcome};
use crate::state::AppState;
use domain::TenantId;
use futures::future::BoxFuture;
use std::collections::HashMap;
use store::jobs::Job;

type Handler = for<'a> fn(&'a AppState, &'a Job) -> BoxFuture<'a, Outcome>;

/// Every job kind the workers can run. Built once by
/// [`crate::job_registry`] from each area's `jobs::register`.
#[derive(Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.handlers.keys().collect();
        kinds.sort();
        f.debug_struct("Registry").field("kinds", &kinds).finish()
    }
}

impl Registry {
    /// Adds kind `K`. Registering one kind twice is a programming error
    /// caught by the tests (the second replaces the first).
    pub fn register<K: JobKind>(&mut self) -> &mut Self {
        let previous = self.handlers.insert(K::KIND, dispatch::<K>);
        debug_assert!(previous.is_none(), "job kind {} registered twice", K::KIND);
        self
    }

    /// The kinds registered, for tests and diagnostics.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }

    /// Runs `job` with its kind's handler.
    pub async fn run(&self, state: &AppState, job: &Job) -> Outcome {
        match self.handlers.get(job.kind.as_str()) {
            Some(handler) => handler(state, job).await,
            None => Outcome::Fail {
                error: format!("unknown job kind `{}`", job.kind),
            },
        }
    }
}

/// Decodes `job`'s payload as `K`'s and runs `K`'s handler.
fn dispatch<'a, K: JobKind>(state: &'a AppState, job: &'a Job) -> BoxFuture<'a, Outcome> {
    Box::pin(async move {
        let payload = match serde_json::from_str::<K::Payload>(&job.payload) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::Fail {
                    error: format!("job payload does not fit `{}`: {e}", K::KIND),
                };
            }
        };
        K::run(state, job.tenant_id.map(TenantId::from_uuid), payload).await
    })
}
