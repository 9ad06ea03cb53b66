//! `classify()` for every code of the reference table (§2.4).

use std::time::Duration;

use whatsapp::codes;
use whatsapp::error::{CredentialIssue, PermanentReason, RetryReason, classify_status};
use whatsapp::{ErrorClass, RetryAdvice, classify};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Retry(RetryReason),
    Perm(PermanentReason),
    Cred(CredentialIssue),
}

fn check(code: i64, expect: Expect) {
    for status in [400, 401, 403, 429, 500, 503] {
        let class = classify(code, status);
        let got = match class {
            ErrorClass::Retryable { advice } => Expect::Retry(advice.reason),
            ErrorClass::Permanent { reason } => Expect::Perm(reason),
            ErrorClass::Credentials { issue } => Expect::Cred(issue),
        };
        assert_eq!(got, expect, "code {code}, HTTP {status}");
    }
}

#[test]
fn every_reference_code() {
    use CredentialIssue::*;
    use Expect::*;
    use PermanentReason as P;
    use RetryReason as R;
    let table: &[(i64, Expect)] = &[
        (0, Cred(InvalidToken)),
        (1, Retry(R::Transient)),
        (2, Retry(R::Transient)),
        (3, Cred(MissingPermission)),
        (4, Retry(R::AppRateLimit)),
        (10, Cred(MissingPermission)),
        (100, Perm(P::InvalidRequest)),
        (190, Cred(InvalidToken)),
        (200, Cred(MissingPermission)),
        (250, Cred(MissingPermission)),
        (299, Cred(MissingPermission)),
        (368, Perm(P::AccountRestricted)),
        (80007, Retry(R::BusinessRateLimit)),
        (130429, Retry(R::Throughput)),
        (130472, Perm(P::Experiment)),
        (130497, Perm(P::AccountRestricted)),
        (131000, Retry(R::Generic)),
        (131005, Cred(MissingPermission)),
        (131008, Perm(P::InvalidRequest)),
        (131009, Perm(P::InvalidRequest)),
        (131016, Retry(R::Transient)),
        (131021, Perm(P::InvalidRequest)),
        (131026, Perm(P::Undeliverable)),
        (131030, Perm(P::RecipientNotAllowed)),
        (131031, Perm(P::AccountRestricted)),
        (131037, Perm(P::AccountSetup)),
        (131042, Perm(P::AccountSetup)),
        (131045, Perm(P::AccountSetup)),
        (131047, Perm(P::OutsideServiceWindow)),
        (131048, Perm(P::SpamRateLimit)),
        (131049, Perm(P::MarketingLimit)),
        (131050, Perm(P::MarketingOptOut)),
        (131051, Perm(P::UnsupportedMessage)),
        (131052, Perm(P::Media)),
        (131053, Perm(P::Media)),
        (131056, Retry(R::PairRateLimit)),
        (131057, Retry(R::Maintenance)),
        (132000, Perm(P::Template)),
        (132001, Perm(P::Template)),
        (132005, Perm(P::Template)),
        (132007, Perm(P::Template)),
        (132012, Perm(P::Template)),
        (132015, Perm(P::Template)),
        (132016, Perm(P::Template)),
        (132068, Perm(P::Flow)),
        (132069, Perm(P::Flow)),
        (133010, Perm(P::AccountSetup)),
        (133016, Retry(R::RegistrationRateLimit)),
        (135000, Perm(P::InvalidRequest)),
    ];
    for (code, expect) in table {
        check(*code, *expect);
    }
    // The table covers every named code.
    for code in codes::ALL {
        assert!(
            table.iter().any(|(c, _)| c == code),
            "code {code} not checked"
        );
        assert!(codes::title(*code).is_some(), "code {code} has no title");
    }
}

#[test]
fn retryable_set_is_exactly_the_reference_set() {
    let reference = [
        1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133016,
    ];
    let mut set = codes::RETRYABLE.to_vec();
    set.sort();
    assert_eq!(set, reference);
    for code in codes::ALL {
        assert_eq!(
            classify(*code, 400).is_retryable(),
            reference.contains(code),
            "code {code}"
        );
    }
}

#[test]
fn unknown_codes_fall_back_to_http_status() {
    assert!(matches!(
        classify(999_999, 500),
        ErrorClass::Retryable { advice } if advice.reason == RetryReason::ServerError
    ));
    assert!(classify(999_999, 503).is_retryable());
    assert!(classify(999_999, 429).is_retryable());
    assert_eq!(
        classify(999_999, 400),
        ErrorClass::Permanent {
            reason: PermanentReason::Unknown
        }
    );
    assert_eq!(
        classify(999_999, 401),
        ErrorClass::Credentials {
            issue: CredentialIssue::InvalidToken
        }
    );
    assert_eq!(classify_status(502), classify(-1, 502));
    // A known code wins over the status.
    assert!(!classify(codes::REENGAGEMENT, 500).is_retryable());
    assert!(classify(codes::THROUGHPUT, 400).is_retryable());
}

#[test]
fn retry_advice_follows_the_reference() {
    let advice = |code| classify(code, 400).retry_advice().unwrap();
    // Throughput: sub-second to seconds.
    let t = advice(codes::THROUGHPUT);
    assert!(t.initial_delay < Duration::from_secs(1));
    assert!(t.max_delay <= Duration::from_secs(10));
    // Pair rate: ~1 message per 6 s per pair.
    assert_eq!(
        advice(codes::PAIR_RATE_LIMIT).initial_delay,
        Duration::from_secs(6)
    );
    // App rate limit: minutes.
    assert!(advice(codes::API_TOO_MANY_CALLS).initial_delay >= Duration::from_secs(60));
    // WABA rate limit: minutes to 1 h.
    let b = advice(codes::BUSINESS_RATE_LIMIT);
    assert!(b.initial_delay >= Duration::from_secs(60));
    assert_eq!(b.max_delay, Duration::from_secs(3600));
    // Generic: a few times.
    assert!(advice(codes::GENERIC).max_attempts <= 3);

    let a = RetryAdvice::for_reason(RetryReason::Transient);
    assert_eq!(a.delay(0), Duration::from_secs(1));
    assert_eq!(a.delay(1), Duration::from_secs(2));
    assert_eq!(a.delay(3), Duration::from_secs(8));
    assert_eq!(a.delay(20), a.max_delay);
    assert_eq!(a.delay(u32::MAX), a.max_delay);
    assert_eq!(a.jittered_delay(1, 0.0), Duration::from_secs(1));
    assert_eq!(a.jittered_delay(1, 1.0), Duration::from_secs(2));
    assert_eq!(a.jittered_delay(1, f64::NAN), Duration::from_secs(1));
    assert!(a.allows(0) && !a.allows(a.max_attempts));
}
