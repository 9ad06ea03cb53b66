//! The job that sends one email.

use super::SendError;
use crate::jobs::{JobKind, Outcome, Queue, Registry};
use crate::state::AppState;
use domain::{EmailId, TenantId};
use serde::{Deserialize, Serialize};

pub fn register(registry: &mut Registry) {
    registry.register::<SendEmail>();
    super::notices::register(registry);
}

/// Sends email `email_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailJob {
    pub email_id: EmailId,
}

/// Tries, then tries again with growing waits (a minute, doubling, at most
/// an hour) while the server says "later"; a refusal fails it at once.
pub struct SendEmail;

impl JobKind for SendEmail {
    const KIND: &'static str = "email.send";
    const QUEUE: Queue = Queue::Tenants;
    const MAX_ATTEMPTS: i64 = 12;
    type Payload = EmailJob;

    fn dedupe_key(p: &EmailJob) -> Option<String> {
        Some(p.email_id.to_string())
    }

    async fn run(state: &AppState, _tenant: Option<TenantId>, p: EmailJob) -> Outcome {
        match send(state, p.email_id).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Retry {
                error: format!("{e:#}"),
                after_ms: None,
            },
        }
    }
}

async fn send(state: &AppState, id: EmailId) -> anyhow::Result<Outcome> {
    let mut sys = state.store.system_read().await?;
    let email = sys.find_email(id).await?;
    sys.commit().await?;
    if email.status != "queued" {
        return Ok(Outcome::Done);
    }
    let body = state.secrets.open_str(&email.body)?;
    let result = state
        .mailer
        .send(&email.to_address, &email.subject, &body)
        .await;
    let now = state.now();
    let last_try = email.attempts + 1 >= SendEmail::MAX_ATTEMPTS;
    let (recorded, outcome) = match &result {
        Ok(()) => (Ok(()), Outcome::Done),
        Err(SendError::Transient(e)) if !last_try => (
            Err(("queued", e.as_str())),
            Outcome::Retry {
                error: e.clone(),
                after_ms: Some(backoff_ms(email.attempts)),
            },
        ),
        Err(SendError::Transient(e) | SendError::Permanent(e)) => (
            Err(("failed", e.as_str())),
            Outcome::Fail { error: e.clone() },
        ),
    };
    let mut sys = state.store.system().await?;
    sys.record_email_attempt(id, recorded, now).await?;
    sys.commit().await?;
    if let Err(e) = &result {
        tracing::warn!(email_id = %id, kind = %email.kind, error = %e, "an email did not go");
    }
    Ok(outcome)
}

/// A minute after the first try, doubling, at most an hour.
fn backoff_ms(attempts: i64) -> i64 {
    (60_000_i64 << attempts.clamp(0, 6)).min(3_600_000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn waits_double_from_a_minute_to_an_hour() {
        let waits: Vec<i64> = (0..8).map(super::backoff_ms).collect();
        assert_eq!(
            waits,
            [
                60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000
            ]
        );
    }
}
