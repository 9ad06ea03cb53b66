//! Argon2id password hashing, off the async runtime.

use crate::error::{AppError, AppResult};
use argon2::{Argon2, PasswordHasher, PasswordVerifier, password_hash::phc::PasswordHash};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

/// Checks a new password against the policy.
pub fn check_policy(password: &str) -> AppResult<()> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(AppError::validation(
            "password",
            format!("must be at least {MIN_LEN} characters"),
        ));
    }
    if n > MAX_LEN {
        return Err(AppError::validation(
            "password",
            format!("must be at most {MAX_LEN} characters"),
        ));
    }
    Ok(())
}

pub async fn hash(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("argon2: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Whether `password` matches `stored`. `None` for `stored` still spends the
/// same work, so a missing account cannot be told apart by timing.
pub async fn verify(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let target = stored.as_deref().unwrap_or(DUMMY_HASH);
        let Ok(parsed) = PasswordHash::new(target) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && stored.is_some()
    })
    .await
    .unwrap_or(false)
}

/// An Argon2id hash of a random string nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$Qn0ImvNqoJxzrC1GzFSKM4d1t2lqLhhUzEJmo1k3kGw";
