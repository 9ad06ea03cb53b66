//! Opaque tokens (API keys, refresh and session tokens, invites) and JWT
//! access tokens.
//!
//! Opaque tokens are 256-bit random values; only their SHA-256 is stored, so
//! checking one costs a hash and an indexed lookup, never a password hash.

use crate::crypto::random_token;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

/// Prefix of every tenant API key, so leaked keys are easy to scan for.
pub const API_KEY_PREFIX: &str = "sbk_";

/// Hex SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh opaque token with a readable prefix (`sbr_`, `sbs_`, `sbi_`…).
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", random_token::<32>())
}

/// A new API key: the full secret (shown once) and its public prefix.
pub fn new_api_key() -> (String, String) {
    let key = new_token(API_KEY_PREFIX);
    let prefix = key.chars().take(API_KEY_PREFIX.len() + 8).collect();
    (key, prefix)
}

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user (or operator) id.
    pub sub: Uuid,
    /// The tenant; absent on operator tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tid: Option<Uuid>,
    /// The session the token belongs to; revoking it revokes the token.
    pub sid: Uuid,
    /// `access` for tenant users, `operator` for platform operators.
    pub kind: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and checks access tokens (HS256 with a key derived from the master key).
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn sign(&self, claims: &Claims) -> Option<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding).ok()
    }

    /// Checks the signature. Expiry is checked by the caller against the
    /// platform clock, so tests can move time.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.validate_exp = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
    }
}

/// Whether a bearer credential looks like a JWT rather than an opaque key.
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3 && !token.starts_with(API_KEY_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_are_unique_prefixed_and_hash_stably() {
        let (a, pa) = new_api_key();
        let (b, _) = new_api_key();
        assert_ne!(a, b);
        assert!(a.starts_with("sbk_") && a.starts_with(&pa) && pa.len() == 12);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn jwt_round_trips_and_rejects_other_keys() {
        let k = JwtKeys::new(b"one-key-of-32-bytes-long-enough!");
        let c = Claims {
            sub: Uuid::now_v7(),
            tid: Some(Uuid::now_v7()),
            sid: Uuid::now_v7(),
            kind: "access".into(),
            iat: 1,
            exp: 2,
        };
        let t = k.sign(&c).unwrap();
        assert_eq!(k.verify(&t), Some(c));
        assert!(
            JwtKeys::new(b"another-key-of-32-bytes-long-ok!")
                .verify(&t)
                .is_none()
        );
    }
}
