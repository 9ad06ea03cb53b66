//! Group commit for incoming webhooks.
//!
//! Every webhook must be committed before Meta gets its 200, and a commit
//! costs far more than the insert it makes durable (a WAL flush on
//! PostgreSQL, the single write lock on SQLite). So one task commits for
//! everyone: the webhooks that arrive while a commit is in progress are
//! written together in the next one, and each request is answered only when
//! the transaction holding its row has committed. Under light load a batch
//! is one webhook and nothing waits; under a flood the batches grow
//! instead of the queue for the write lock. The intake also goes ahead of
//! every other writer (`Store::system_first`: first in line for SQLite's
//! writer, its own connections on PostgreSQL): the workers' writes can
//! wait, Meta's open requests should not.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use bytes::Bytes;
use domain::{TenantId, Timestamp, WebhookId};
use std::sync::Arc;
use store::webhooks::NewWebhook;
use store::{Store, StoreError};
use tokio::sync::{mpsc, oneshot};

/// The channel whose own-app webhook URL carries `token`.
pub async fn find_own_app_channel(
    state: &AppState,
    token: &str,
) -> AppResult<store::channels::Channel> {
    let mut sys = state.store.system_read().await?;
    let found = sys
        .find_channel_by_webhook_token(&crate::auth::tokens::hash_token(token))
        .await;
    sys.commit().await?;
    match found {
        Ok(c) => Ok(c),
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Commits the raw body and the job that will process it (by group commit,
/// see [`super::intake`]), then wakes the workers. Only after this returns
/// does Meta get its 200.
pub async fn store_webhook(
    state: &AppState,
    source: Option<TenantId>,
    body: Bytes,
) -> AppResult<WebhookId> {
    let id = WebhookId::new();
    state
        .intake
        .store(&state.store, id, source, body, state.now())
        .await?;
    metrics::counter!("switchboard_webhook_deliveries_total", "outcome" => "stored").increment(1);
    state.wake_workers();
    Ok(id)
}

/// A batch's outcome, shared by every request in it.
type Committed = Result<(), Arc<StoreError>>;

/// At most this many webhooks, or this many body bytes, share a commit.
const MAX_BATCH: usize = 256;
const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// One webhook waiting for its commit.
struct Pending {
    id: WebhookId,
    source: Option<TenantId>,
    body: Bytes,
    now: Timestamp,
    committed: oneshot::Sender<Committed>,
}

/// The handle requests use; the committing task ends when it is dropped.
/// The queue is unbounded on purpose: every entry is a request waiting for
/// its own answer, so it never holds more than the requests in flight.
#[derive(Debug, Default)]
pub struct Intake {
    queue: std::sync::OnceLock<mpsc::UnboundedSender<Pending>>,
}

impl Intake {
    /// Stores one webhook and its processing job; returns once they are
    /// committed, or 503 (Meta retries) if they could not be. Must be called
    /// inside the Tokio runtime (the first call starts the committing task).
    pub async fn store(
        &self,
        store: &Store,
        id: WebhookId,
        source: Option<TenantId>,
        body: Bytes,
        now: Timestamp,
    ) -> AppResult<()> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(commit_batches(store.clone(), rx));
            tx
        });
        let (committed, done) = oneshot::channel();
        let pending = Pending {
            id,
            source,
            body,
            now,
            committed,
        };
        let not_stored = || {
            AppError::Unavailable(
                "webhook_not_stored",
                "the webhook could not be stored; retry later".into(),
            )
        };
        queue.send(pending).map_err(|_| not_stored())?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "storing a webhook webhook failed");
                Err(not_stored())
            }
            Err(_) => Err(not_stored()),
        }
    }
}

/// The committing task: takes what is queued, writes it in one transaction,
/// answers every request in it, repeats.
async fn commit_batches(store: Store, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        let mut bytes = first.body.len();
        batch.push(first);
        while batch.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
            match rx.try_recv() {
                Ok(p) => {
                    bytes += p.body.len();
                    batch.push(p);
                }
                Err(_) => break,
            }
        }
        let result = write(&store, &batch).await;
        if result.is_ok() || batch.len() == 1 {
            for p in batch.drain(..) {
                let _ = p.committed.send(result.clone());
            }
            continue;
        }
        // One bad webhook must not fail the others: write them one by one.
        for p in batch.drain(..) {
            let one = write(&store, std::slice::from_ref(&p)).await;
            let _ = p.committed.send(one);
        }
    }
}

async fn write(store: &Store, batch: &[Pending]) -> Committed {
    let webhooks: Vec<_> = batch
        .iter()
        .map(|p| NewWebhook {
            id: p.id,
            source_tenant: p.source,
            body: &p.body,
            received_at: p.now,
        })
        .collect();
    let jobs: Vec<_> = batch
        .iter()
        .map(|p| {
            let job = super::jobs::WebhookRef { delivery_id: p.id };
            (
                None,
                crate::jobs::new_job::<super::jobs::ProcessWebhook>(&job, p.now),
            )
        })
        .collect();
    let mut sys = store.system_first().await?;
    sys.insert_webhooks(&webhooks).await?;
    sys.enqueue_jobs(&jobs).await?;
    sys.commit().await?;
    Ok(())
}
