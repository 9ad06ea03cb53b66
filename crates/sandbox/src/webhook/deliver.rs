//! The webhook deliverer: takes events off the queue, applies the webhook
//! faults (gathering, reordering, batching, duplicates), signs and POSTs the
//! bodies, and retries non-200 answers with exponential backoff.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use rand::RngExt;
use rand::seq::SliceRandom;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

use super::{Event, build_body, sign, to_meta_bytes};
use crate::app::App;
use crate::state::WebhookRecord;

/// Upper bound of events gathered into one delivery window.
const MAX_GATHER: usize = 10_000;

/// Runs until shutdown or until the event queue closes. At most
/// `webhook_concurrency` bodies are on their way at once (each body's first
/// attempt, and its duplicate); with 1, in the queue's order.
pub(crate) async fn run(app: Arc<App>, mut rx: mpsc::UnboundedReceiver<Event>) {
    let mut shutdown = app.shutdown.clone();
    let on_the_way = Arc::new(Semaphore::new(app.config.webhook_concurrency.max(1)));
    loop {
        let first = tokio::select! {
            ev = rx.recv() => match ev { Some(e) => e, None => return },
            _ = shutdown.changed() => return,
        };
        let mut paused = app.paused.subscribe();
        tokio::select! {
            r = paused.wait_for(|p| !*p) => if r.is_err() { return },
            _ = shutdown.changed() => return,
        }
        let faults = app.lock().faults.webhook.clone();
        let mut events = vec![first];
        if faults.gathers() {
            if faults.batch_window_ms > 0 {
                let deadline = Instant::now() + Duration::from_millis(faults.batch_window_ms);
                while events.len() < MAX_GATHER {
                    match tokio::time::timeout_at(deadline, rx.recv()).await {
                        Ok(Some(e)) => events.push(e),
                        Ok(None) | Err(_) => break,
                    }
                }
            }
            while events.len() < MAX_GATHER {
                match rx.try_recv() {
                    Ok(e) => events.push(e),
                    Err(_) => break,
                }
            }
        }
        if faults.reorder {
            let mut st = app.lock();
            events.shuffle(&mut st.webhook_rng);
        }
        for group in events.chunks(faults.batch_max.max(1)) {
            let bytes = to_meta_bytes(&build_body(group));
            let duplicate = {
                let mut st = app.lock();
                st.counters.webhooks.bodies += 1;
                faults.duplicate_rate > 0.0
                    && st.webhook_rng.random_bool(faults.duplicate_rate.min(1.0))
            };
            let Ok(permit) = Arc::clone(&on_the_way).acquire_owned().await else {
                return;
            };
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                deliver(&app, bytes.clone()).await;
                if duplicate {
                    app.lock().counters.webhooks.duplicates += 1;
                    deliver(&app, bytes).await;
                }
                drop(permit);
            });
        }
    }
}

/// Signs and POSTs one body; the first attempt is made inline (keeping the
/// queue order), retries run in the background like Meta's.
async fn deliver(app: &Arc<App>, bytes: Vec<u8>) {
    let (url, signature, seq) = {
        let mut st = app.lock();
        let seq = st.next_seq();
        let signature = sign(&st.app_secret, &bytes);
        st.push_webhook_record(WebhookRecord {
            seq,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            signature: signature.clone(),
            attempts: 0,
            delivered: false,
            last_status: None,
        });
        (st.webhook_url.clone(), signature, seq)
    };
    let Some(url) = url else {
        app.lock().counters.webhooks.dropped += 1;
        return;
    };
    if attempt(app, &url, &signature, &bytes, seq).await {
        return;
    }
    let max_attempts = app.config.webhook_max_attempts.max(1);
    if max_attempts <= 1 {
        app.lock().counters.webhooks.dropped += 1;
        return;
    }
    let app = Arc::clone(app);
    tokio::spawn(async move {
        let mut backoff = app.config.webhook_retry_backoff;
        for _ in 1..max_attempts {
            if !app.sleep(backoff).await {
                return;
            }
            if attempt(&app, &url, &signature, &bytes, seq).await {
                return;
            }
            backoff = backoff.saturating_mul(2);
        }
        app.lock().counters.webhooks.dropped += 1;
    });
}

/// One POST; `true` when the receiver answered 200.
async fn attempt(app: &App, url: &str, signature: &str, bytes: &[u8], seq: u64) -> bool {
    let result = app
        .http
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "facebookexternalua")
        .header("X-Hub-Signature-256", signature)
        .timeout(app.config.webhook_timeout)
        .body(bytes.to_vec())
        .send()
        .await;
    let status = match result {
        Ok(resp) => Some(resp.status().as_u16()),
        Err(e) => {
            tracing::debug!(error = %e, "sandbox webhook delivery failed");
            None
        }
    };
    let ok = status == Some(200);
    let mut st = app.lock();
    st.counters.webhooks.attempts += 1;
    if ok {
        st.counters.webhooks.delivered += 1;
    } else {
        st.counters.webhooks.failed_attempts += 1;
    }
    if let Some(rec) = st.webhook_record_mut(seq) {
        rec.attempts += 1;
        rec.last_status = status;
        rec.delivered |= ok;
    }
    ok
}
