//! One attempt of one delivery: claim it, POST the stored body signed with
//! the endpoint's secret(s), record the attempt, and decide what comes
//! next: delivered, a retry (exponential back-off with jitter, or the
//! answer's `Retry-After`), or dead once the retry window has closed. An
//! endpoint that has failed every attempt for
//! `config.webhooks.disable_after_hours` is disabled.
//!
//! No transaction is open during the request: the claim commits first
//! (moving the delivery's next attempt out of reach of other jobs), the
//! outcome commits after.

use super::settings::open_headers;
use super::{cloud, signature, ssrf};
use crate::auth::{TenantCtx, Via};
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, WebhookEndpointDisabled};
use domain::{DeliveryId, TenantId, Timestamp};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER, USER_AGENT};
use serde_json::json;
use store::StoreError;
use store::hooks::attempts::HookAttempt;
use store::hooks::deliveries::{DeliverySettlement, DeliveryStatus};
use store::hooks::{HookEndpoint, HookFormat};

/// The first retry waits about this long; each next one twice as long.
pub const FIRST_RETRY_SECONDS: i64 = 60;
/// The longest wait between attempts (and the longest `Retry-After`
/// honoured).
pub const MAX_RETRY_SECONDS: i64 = 6 * 3600;
/// How much of an answer's body is kept.
pub const RESPONSE_KEEP_BYTES: usize = 4096;
/// How long a claimed delivery is out of reach of other jobs: longer than
/// an attempt can take.
const CLAIM_SECONDS: i64 = 60;

/// What the job does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Done,
    /// The endpoint has no free slot on this node now.
    Busy,
    RetryIn {
        ms: i64,
        error: String,
    },
}

/// The wait before retry number `attempts` (1: after the first failure):
/// 60 s doubling up to 6 h, jittered into its upper half (so the first
/// retry comes after 30 to 60 seconds, "about a minute").
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = u32::try_from((attempts - 1).clamp(0, 30)).unwrap_or(30);
    let base = (FIRST_RETRY_SECONDS * 1000)
        .saturating_mul(2i64.saturating_pow(exp))
        .min(MAX_RETRY_SECONDS * 1000);
    let jitter: f64 = rand::random();
    base / 2 + ((base / 2) as f64 * jitter) as i64
}

/// A `Retry-After` (seconds, or an HTTP date) as a wait from `now`, capped
/// at 6 hours.
pub fn retry_after_ms(value: &str, now: Timestamp) -> Option<i64> {
    let value = value.trim();
    let ms = if let Ok(secs) = value.parse::<i64>() {
        secs.saturating_mul(1000)
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        let at = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
        i64::try_from(at).ok()? - now.as_millis()
    };
    Some(ms.clamp(0, MAX_RETRY_SECONDS * 1000))
}

/// One attempt of delivery `id` in its series started at `series`.
pub async fn attempt(
    state: &AppState,
    tenant: TenantId,
    id: DeliveryId,
    series: Timestamp,
) -> anyhow::Result<Step> {
    let now = state.now();
    let mut tx = state.store.tenant_read(tenant).await?;
    let found = match tx.find_hook_delivery(id).await {
        Ok(d) => Some((tx.find_hook_endpoint(d.endpoint_id).await, d)),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    let Some((endpoint, delivery)) = found else {
        return Ok(Step::Done);
    };
    let endpoint = match endpoint {
        Ok(e) => e,
        Err(StoreError::NotFound) => return Ok(Step::Done),
        Err(e) => return Err(e.into()),
    };
    // Another series took over, it is settled, or its endpoint is disabled
    // (it waits; enabling the endpoint starts a new series).
    if delivery.status != DeliveryStatus::Pending
        || delivery.series_started_at != series
        || !endpoint.enabled
    {
        return Ok(Step::Done);
    }
    if let Some(next) = delivery.next_attempt_at.filter(|n| *n > now) {
        // Run again early (a lease ran out mid-attempt): wait for its turn.
        return Ok(Step::RetryIn {
            ms: next.as_millis() - now.as_millis(),
            error: "not due yet".into(),
        });
    }
    let Some(_permit) = state.hooks.permit(endpoint.id).await else {
        return Ok(Step::Busy);
    };
    let mut tx = state.store.tenant(tenant).await?;
    let claimed = tx
        .claim_hook_delivery(id, series, now, now.plus_seconds(CLAIM_SECONDS))
        .await?;
    tx.commit().await?;
    if !claimed {
        return Ok(Step::Done);
    }

    let started = std::time::Instant::now();
    let answer = send(
        state,
        &endpoint,
        &delivery.body,
        &delivery.event_name,
        id,
        now,
    )
    .await;
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let done_at = state.now();
    let number = delivery.attempts + 1;
    let (status_code, response_body, error, retry_after) = match answer {
        Ok(a) => {
            let error = (!(200..300).contains(&a.status)).then(|| format!("HTTP {}", a.status));
            (Some(a.status), Some(a.body), error, a.retry_after)
        }
        Err(e) => (None, None, Some(e), None),
    };
    let ok = error.is_none();
    let window_ends = series.plus_seconds(state.config.webhooks.retry_hours * 3600);
    let wait = retry_after
        .and_then(|v| retry_after_ms(&v, done_at))
        .unwrap_or_else(|| backoff_ms(number));
    let next = done_at.plus_millis(wait);
    let status = if ok {
        DeliveryStatus::Delivered
    } else if next >= window_ends {
        DeliveryStatus::Dead
    } else {
        DeliveryStatus::Pending
    };

    let mut tx = state.store.tenant(tenant).await?;
    tx.insert_hook_attempt(&HookAttempt {
        id: uuid::Uuid::now_v7(),
        delivery_id: id,
        endpoint_id: endpoint.id,
        attempt: number,
        started_at: now,
        status_code,
        latency_ms,
        response_body,
        error: error.clone(),
    })
    .await?;
    tx.settle_hook_delivery(
        id,
        &DeliverySettlement {
            status,
            next_attempt_at: (status == DeliveryStatus::Pending).then_some(next),
            last_status: status_code,
            last_error: error.as_deref(),
            now: done_at,
        },
    )
    .await?;
    // The endpoint as it is now (it may have changed during the request).
    let mut current = tx.find_hook_endpoint(endpoint.id).await?;
    let mut disabled = false;
    if ok {
        if current.failing_since.is_some() {
            current.failing_since = None;
            tx.update_hook_endpoint(&current).await?;
        }
    } else {
        let since = *current.failing_since.get_or_insert(now);
        let limit = state.config.webhooks.disable_after_hours;
        if current.enabled && done_at.as_millis() - since.as_millis() >= limit * 3_600_000 {
            let last = error.clone().unwrap_or_default();
            current.enabled = false;
            current.disabled_reason = Some(format!(
                "every attempt failed for {limit} hours (last: {last})"
            ));
            current.updated_at = done_at;
            disabled = true;
        }
        tx.update_hook_endpoint(&current).await?;
    }
    if disabled {
        // What is still pending and past its retry window would be sent by
        // the new series enabling the endpoint starts: it is dead now, as
        // its next attempt would have found it.
        let window = state.config.webhooks.retry_hours * 3600;
        tx.expire_hook_deliveries(endpoint.id, done_at.plus_seconds(-window), done_at)
            .await?;
        disable(&mut tx, &current, done_at).await?;
    }
    tx.commit().await?;
    metrics::counter!("switchboard_outbound_webhooks_total", "outcome" => status.as_str())
        .increment(1);
    Ok(match (status, disabled) {
        (DeliveryStatus::Pending, false) => Step::RetryIn {
            ms: wait,
            error: error.unwrap_or_default(),
        },
        _ => Step::Done,
    })
}

/// Records that Switchboard disabled `e` (its event and audit entry).
async fn disable(tx: &mut store::TenantTx, e: &HookEndpoint, now: Timestamp) -> anyhow::Result<()> {
    let reason = e.disabled_reason.clone().unwrap_or_default();
    record(
        tx,
        Event::WebhookEndpointDisabled(WebhookEndpointDisabled {
            endpoint_id: e.id,
            url: e.url.clone(),
            reason: reason.clone(),
        }),
        now,
    );
    let ctx = TenantCtx::system(e.tenant_id, Via::Worker);
    crate::audit::tenant_change(
        tx,
        &ctx,
        now,
        "webhook_endpoint.disable",
        ("webhook_endpoint", e.id.to_string()),
        json!({ "url": e.url, "reason": reason.clone() }),
    )
    .await?;
    let notice = crate::email::notices::Notice::WebhookDisabled {
        url: e.url.clone(),
        reason,
    };
    crate::email::notices::notify(tx, &notice, now).await?;
    tracing::warn!(tenant_id = %e.tenant_id, endpoint_id = %e.id, "webhook endpoint disabled");
    Ok(())
}

/// What an endpoint answered.
struct Answer {
    status: i64,
    body: String,
    retry_after: Option<String>,
}

/// POSTs `body` to `e`; an error when no answer came.
async fn send(
    state: &AppState,
    e: &HookEndpoint,
    body: &str,
    event_name: &str,
    id: DeliveryId,
    now: Timestamp,
) -> Result<Answer, String> {
    let url = url::Url::parse(&e.url).map_err(|err| format!("invalid URL: {err}"))?;
    if !state.config.webhooks.allow_private && ssrf::literal_is_forbidden(&url) {
        return Err("the URL names an address webhooks may not reach".into());
    }
    let current = state
        .secrets
        .open_str(&e.secret)
        .map_err(|_| "the signing secret cannot be opened".to_owned())?;
    let previous = e
        .previous_secret
        .as_deref()
        .filter(|_| e.previous_secret_until.is_some_and(|u| u > now))
        .and_then(|s| state.secrets.open_str(s).ok());
    let mut secrets = vec![current.as_str()];
    secrets.extend(previous.as_deref());
    let t = now.as_unix_seconds();
    let mut headers = HeaderMap::new();
    let extra = open_headers(state, e.headers.as_deref()).map_err(|err| err.to_string())?;
    for (k, v) in &extra {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.insert(k, v);
        }
    }
    // A Cloud-API endpoint is signed as Meta signs (one secret: Meta's
    // header has room for one signature).
    let signed = match e.format {
        HookFormat::Switchboard => (
            HeaderName::from_static("switchboard-signature"),
            signature::header(&secrets, t, body.as_bytes()),
        ),
        HookFormat::CloudApi => (
            HeaderName::from_static(cloud::SIGNATURE_HEADER),
            cloud::signature(&current, body.as_bytes()),
        ),
    };
    let own = [
        (CONTENT_TYPE, "application/json".to_owned()),
        (USER_AGENT, "Switchboard-Webhooks/1".to_owned()),
        (
            HeaderName::from_static("switchboard-event"),
            event_name.to_owned(),
        ),
        (
            HeaderName::from_static("switchboard-delivery"),
            id.to_string(),
        ),
        signed,
    ];
    for (k, v) in own {
        let v = HeaderValue::from_str(&v).map_err(|err| err.to_string())?;
        headers.insert(k, v);
    }
    let mut response = state
        .hooks
        .client
        .post(url)
        .headers(headers)
        .body(body.to_owned())
        .send()
        .await
        .map_err(describe)?;
    let status = i64::from(response.status().as_u16());
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut kept = Vec::new();
    while kept.len() < RESPONSE_KEEP_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            // The status is the answer; a body cut short does not change it.
            Ok(None) | Err(_) => break,
        }
    }
    kept.truncate(RESPONSE_KEEP_BYTES);
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(&kept).into_owned(),
        retry_after,
    })
}

/// Why no answer came, without the URL (which may carry a token).
pub(crate) fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_a_minute_up_to_six_hours() {
        for (attempts, base) in [(1, 60_000), (2, 120_000), (3, 240_000), (20, 21_600_000)] {
            for _ in 0..20 {
                let w = backoff_ms(attempts);
                assert!((base / 2..=base).contains(&w), "{attempts}: {w}");
            }
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_capped_at_six_hours() {
        let now = Timestamp::from_unix_seconds(1_765_000_000);
        assert_eq!(retry_after_ms("120", now), Some(120_000));
        assert_eq!(retry_after_ms("999999", now), Some(21_600_000));
        let at = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_765_000_300),
        );
        assert_eq!(retry_after_ms(&at, now), Some(300_000));
        assert_eq!(retry_after_ms("soon", now), None);
    }
}
