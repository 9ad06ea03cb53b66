//! CSRF tokens. Signed-in pages use a per-session token: an HMAC of the
//! session cookie under a key derived from the master key, so it needs no
//! storage and dies with the session. The login forms, before any session
//! exists, use a double-submit cookie (`sb_csrf`, random, SameSite=Strict).

use crate::state::AppState;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The hidden form field every dashboard form carries.
pub const FIELD: &str = "csrf";
/// The pre-session double-submit cookie.
pub const LOGIN_COOKIE: &str = "sb_csrf";

/// The token for forms of the session whose cookie value is `session`.
pub fn session_token(state: &AppState, purpose: &str, session: &str) -> String {
    let key = state.secrets.derive_key("dashboard-csrf");
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        // An HMAC accepts keys of any length; unreachable in practice.
        return String::new();
    };
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(session.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two tokens in constant time; an empty token never matches.
pub fn matches(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// The CSRF token a page renders into its forms (inserted by the guards).
#[derive(Debug, Clone, Default)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CsrfToken {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .unwrap_or_default())
    }
}
