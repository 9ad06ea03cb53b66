//! The API's per-tenant rate limit and API call metering.
//!
//! Every request made with an API key passes [`admit_api_call`] before its
//! handler: the plan must include the API, the tenant's limit
//! (`api_requests_per_minute`, `domain::rate`) must admit the request, and
//! the call is counted. All three happen in one short transaction on the
//! tenant's row of `api_rate_limits`, so every node of a deployment shares
//! one limit exactly: the check-and-take is a single conditional upsert,
//! which the database serialises per tenant. Requests signed in to the
//! dashboard are not limited (people do not click that fast, and the
//! dashboard's own requests should never be refused for an integration's
//! sake).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use domain::rate::{RateDecision, RatePolicy};
use domain::usage::{Metric, period_start};
use domain::{Feature, TenantId};

/// What the rate limit said to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The plan has no API limit.
    Unlimited,
    Admitted(RateDecision),
    /// Over the limit: answer 429 with these figures.
    Refused(RateDecision),
}

/// Checks and takes one API call of `tenant` (see the module docs). Only
/// a refused call is not counted.
pub async fn admit_api_call(state: &AppState, tenant: TenantId) -> AppResult<Admission> {
    let now = state.now();
    let micros = now.as_millis().saturating_mul(1_000);
    let mut tx = state.store.tenant(tenant).await?;
    let plan = tx.find_plan().await?;
    super::features::require(&plan, Feature::Api)?;
    let admission = match RatePolicy::for_plan(plan.limits.api_requests_per_minute) {
        None => Admission::Unlimited,
        Some(policy) => {
            match tx
                .take_rate_slot(micros, policy.interval(), policy.tolerance())
                .await?
            {
                Some(next) => Admission::Admitted(policy.admitted(next, micros)),
                None => {
                    let tat = tx.rate_slot().await?.unwrap_or(micros);
                    tx.commit().await?;
                    return Ok(Admission::Refused(policy.refused(tat, micros)));
                }
            }
        }
    };
    tx.add_usage(period_start(now), Metric::ApiCalls.as_str(), 1)
        .await?;
    tx.commit().await?;
    Ok(admission)
}

impl Admission {
    /// The figures to send back, if the plan has a limit.
    pub fn decision(&self) -> Option<&RateDecision> {
        match self {
            Admission::Unlimited => None,
            Admission::Admitted(d) | Admission::Refused(d) => Some(d),
        }
    }

    /// The 429 for a refused call.
    pub fn refusal(&self) -> Option<AppError> {
        let Admission::Refused(d) = self else {
            return None;
        };
        let wait = d.retry_after_seconds.unwrap_or(1);
        Some(AppError::TooManyRequests(
            "rate_limited",
            format!(
                "this tenant's plan allows {} API requests a minute; try again in {wait} s",
                d.limit
            ),
            u64::try_from(wait).unwrap_or(1),
        ))
    }
}

/// Adds `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
/// (the IETF draft's fields: requests a minute, requests left now,
/// seconds until the allowance is whole again).
pub fn add_headers(headers: &mut HeaderMap, d: &RateDecision) {
    for (name, value) in [
        ("ratelimit-limit", d.limit),
        ("ratelimit-remaining", d.remaining),
        ("ratelimit-reset", d.reset_seconds),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}
