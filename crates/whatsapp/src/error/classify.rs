//! What to do about an error: retry (and how), give up, or fix credentials.
//! Decided on Meta's `error.code` (reference §2.4), never on the HTTP status,
//! which only matters when the code is unknown.

use std::time::Duration;

use super::codes::*;

/// How to handle a failed Graph call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Try again later following `advice`.
    Retryable { advice: RetryAdvice },
    /// Retrying the same request will not help; surface it to the
    /// conversation.
    Permanent { reason: PermanentReason },
    /// The tenant's token is invalid or lacks permissions: stop sending for
    /// that tenant until the credentials are fixed.
    Credentials { issue: CredentialIssue },
}

impl ErrorClass {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable { .. })
    }

    pub fn retry_advice(&self) -> Option<RetryAdvice> {
        match self {
            Self::Retryable { advice } => Some(*advice),
            _ => None,
        }
    }
}

/// Why a retryable error happened (selects the back-off profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryReason {
    /// 1, 2, 131016: "retry with backoff".
    Transient,
    /// 131000: "retry a few times".
    Generic,
    /// 4: app-level Graph rate limit, "retry after backoff (minutes)".
    AppRateLimit,
    /// 80007: WABA/app rate limit, "back off (minutes to 1 h)".
    BusinessRateLimit,
    /// 130429: per-number throughput, "sub-second to seconds; pace sends".
    Throughput,
    /// 131056: pair rate limit, "~1 msg per 6 s per pair".
    PairRateLimit,
    /// 131057: maintenance mode, "retry later".
    Maintenance,
    /// 133016: registration rate limit, "back off".
    RegistrationRateLimit,
    /// Unknown code with HTTP 5xx.
    ServerError,
    /// Unknown code with HTTP 429.
    HttpRateLimited,
    /// Timeout or connection failure.
    Transport,
}

/// Back-off profile: exponential from `initial_delay`, capped at
/// `max_delay`, for at most `max_attempts` retries. Add jitter (see
/// [`RetryAdvice::jittered_delay`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAdvice {
    pub reason: RetryReason,
    pub initial_delay: Duration,
    pub max_delay: Duration,
    pub max_attempts: u32,
}

const fn advice(
    reason: RetryReason,
    initial_ms: u64,
    max_secs: u64,
    max_attempts: u32,
) -> RetryAdvice {
    RetryAdvice {
        reason,
        initial_delay: Duration::from_millis(initial_ms),
        max_delay: Duration::from_secs(max_secs),
        max_attempts,
    }
}

impl RetryAdvice {
    /// The profile for a retry reason.
    pub const fn for_reason(reason: RetryReason) -> Self {
        match reason {
            RetryReason::Transient => advice(reason, 1_000, 60, 5),
            RetryReason::Generic => advice(reason, 1_000, 30, 3),
            RetryReason::AppRateLimit => advice(reason, 60_000, 15 * 60, 5),
            RetryReason::BusinessRateLimit => advice(reason, 60_000, 60 * 60, 5),
            RetryReason::Throughput => advice(reason, 500, 8, 8),
            RetryReason::PairRateLimit => advice(reason, 6_000, 60, 5),
            RetryReason::Maintenance => advice(reason, 60_000, 30 * 60, 5),
            RetryReason::RegistrationRateLimit => advice(reason, 60_000, 60 * 60, 5),
            RetryReason::ServerError => advice(reason, 1_000, 60, 5),
            RetryReason::HttpRateLimited => advice(reason, 5_000, 5 * 60, 5),
            RetryReason::Transport => advice(reason, 1_000, 60, 5),
        }
    }

    /// Delay before retry number `attempt` (0 = first retry), without jitter:
    /// `initial_delay * 2^attempt`, capped at `max_delay`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.initial_delay
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// [`delay`](Self::delay) with "equal jitter": half fixed, half scaled
    /// by `jitter` (a random number in `0.0..=1.0`, clamped).
    pub fn jittered_delay(&self, attempt: u32, jitter: f64) -> Duration {
        let full = self.delay(attempt);
        let half = full / 2;
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        half + half.mul_f64(jitter)
    }

    /// Whether retry number `attempt` (0-based) is still within budget.
    pub fn allows(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }
}

/// Why retrying will not help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermanentReason {
    /// Malformed request or unknown object: 100, 131008, 131009, 131021, 135000.
    InvalidRequest,
    /// 131047: outside the 24 h customer service window; send an approved
    /// template instead.
    OutsideServiceWindow,
    /// 131026: message undeliverable (not a WhatsApp user, blocked, ...).
    Undeliverable,
    /// 131030: recipient not in the test allow-list.
    RecipientNotAllowed,
    /// 132000-132016: template missing, paused, disabled or parameters wrong.
    Template,
    /// 132068 / 132069: flow blocked or throttled.
    Flow,
    /// 131048: spam rate limit (quality); back off, no blind retry.
    SpamRateLimit,
    /// 131049: marketing per-user cap; do not retry for at least 24 h.
    MarketingLimit,
    /// 131050: the user stopped marketing messages.
    MarketingOptOut,
    /// 130472: the user's number is in a marketing experiment.
    Experiment,
    /// 368, 131031, 130497: account blocked, locked or country-restricted.
    AccountRestricted,
    /// 131037, 131042, 131045, 133010: account/number setup (display name,
    /// payment, certificate, registration).
    AccountSetup,
    /// 131052, 131053: media could not be fetched or uploaded; fix media.
    Media,
    /// 131051: unsupported message type.
    UnsupportedMessage,
    /// A code outside the reference table (with a non-5xx/429 status).
    Unknown,
    /// The response could not be understood (outcome of the call unknown).
    UnexpectedResponse,
    /// The request was not sent: invalid input or client configuration.
    NotSent,
}

/// What is wrong with the credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialIssue {
    /// 0, 190: token invalid or expired; re-authorise the tenant.
    InvalidToken,
    /// 3, 10, 200-299, 131005: token lacks a permission/capability.
    MissingPermission,
}

/// Classifies a Graph error by Meta `code`; `http_status` is only consulted
/// when the code is not in the reference table: 5xx and 429 are retryable,
/// 401 is an invalid token, 403 a missing permission, anything else
/// permanent.
pub fn classify(code: i64, http_status: u16) -> ErrorClass {
    use ErrorClass::{Credentials, Permanent};
    let retry = |reason| ErrorClass::Retryable {
        advice: RetryAdvice::for_reason(reason),
    };
    let permanent = |reason| Permanent { reason };
    match code {
        API_UNKNOWN | API_SERVICE | SERVICE_UNAVAILABLE => retry(RetryReason::Transient),
        GENERIC => retry(RetryReason::Generic),
        API_TOO_MANY_CALLS => retry(RetryReason::AppRateLimit),
        BUSINESS_RATE_LIMIT => retry(RetryReason::BusinessRateLimit),
        THROUGHPUT => retry(RetryReason::Throughput),
        PAIR_RATE_LIMIT => retry(RetryReason::PairRateLimit),
        MAINTENANCE_MODE => retry(RetryReason::Maintenance),
        REGISTRATION_RATE_LIMIT => retry(RetryReason::RegistrationRateLimit),

        AUTH_EXCEPTION | ACCESS_TOKEN_INVALID => Credentials {
            issue: CredentialIssue::InvalidToken,
        },
        API_METHOD
        | PERMISSION_DENIED
        | API_PERMISSION_FIRST..=API_PERMISSION_LAST
        | ACCESS_DENIED => Credentials {
            issue: CredentialIssue::MissingPermission,
        },

        INVALID_PARAMETER | PARAMETER_MISSING | PARAMETER_INVALID | RECIPIENT_IS_SENDER
        | GENERIC_USER_ERROR => permanent(PermanentReason::InvalidRequest),
        REENGAGEMENT => permanent(PermanentReason::OutsideServiceWindow),
        UNDELIVERABLE => permanent(PermanentReason::Undeliverable),
        RECIPIENT_NOT_ALLOWED => permanent(PermanentReason::RecipientNotAllowed),
        FLOW_BLOCKED | FLOW_THROTTLED => permanent(PermanentReason::Flow),
        TEMPLATE_PARAM_COUNT..=132_999 => permanent(PermanentReason::Template),
        SPAM_RATE_LIMIT => permanent(PermanentReason::SpamRateLimit),
        ECOSYSTEM_ENGAGEMENT => permanent(PermanentReason::MarketingLimit),
        MARKETING_OPT_OUT => permanent(PermanentReason::MarketingOptOut),
        EXPERIMENT => permanent(PermanentReason::Experiment),
        POLICY_BLOCKED | ACCOUNT_LOCKED | COUNTRY_RESTRICTED => {
            permanent(PermanentReason::AccountRestricted)
        }
        DISPLAY_NAME_NOT_APPROVED | PAYMENT_ISSUE | CERTIFICATE | NUMBER_NOT_REGISTERED => {
            permanent(PermanentReason::AccountSetup)
        }
        MEDIA_DOWNLOAD | MEDIA_UPLOAD => permanent(PermanentReason::Media),
        UNSUPPORTED_MESSAGE_TYPE => permanent(PermanentReason::UnsupportedMessage),
        _ => classify_status(http_status),
    }
}

/// Classification from the HTTP status alone (no Meta error code known,
/// e.g. a proxy's HTML error page).
pub fn classify_status(http_status: u16) -> ErrorClass {
    let retry = |reason| ErrorClass::Retryable {
        advice: RetryAdvice::for_reason(reason),
    };
    match http_status {
        500..=599 => retry(RetryReason::ServerError),
        429 => retry(RetryReason::HttpRateLimited),
        401 => ErrorClass::Credentials {
            issue: CredentialIssue::InvalidToken,
        },
        403 => ErrorClass::Credentials {
            issue: CredentialIssue::MissingPermission,
        },
        _ => ErrorClass::Permanent {
            reason: PermanentReason::Unknown,
        },
    }
}
