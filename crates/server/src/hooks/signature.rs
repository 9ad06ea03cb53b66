//! Signing secrets and the `Switchboard-Signature` header
//! (docs/WEBHOOKS.md, "Verifying the signature"): `t=<unix seconds>` and
//! one `v1=<hex HMAC-SHA256>` per signing secret, keyed with the whole
//! secret string, over `"{t}."` followed by the raw body.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// What every secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes, base64url.
pub fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", crate::crypto::random_token::<32>())
}

/// The lower-case hex HMAC-SHA256 of `"{t}." + body` keyed with `secret`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The header value: `t=<t>,v1=<sig>` for each of `secrets`, in order.
pub fn header(secrets: &[&str], t: i64, body: &[u8]) -> String {
    let mut out = format!("t={t}");
    for s in secrets {
        out.push_str(",v1=");
        out.push_str(&sign(s, t, body));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed independently:
    /// `python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_test", b"1765000000.{\"id\":1}", hashlib.sha256).hexdigest())'`
    const KNOWN: &str = "57a5eb5b38595b982fef4252f1aa12833a1e7761675229ac2aaad5d311695ce2";

    #[test]
    fn matches_an_independent_implementation() {
        assert_eq!(sign("whsec_test", 1_765_000_000, br#"{"id":1}"#), KNOWN);
        assert_eq!(
            header(&["whsec_test", "whsec_test"], 1_765_000_000, br#"{"id":1}"#),
            format!("t=1765000000,v1={KNOWN},v1={KNOWN}")
        );
    }

    #[test]
    fn secrets_are_prefixed_random_and_long() {
        let a = new_secret();
        assert!(a.starts_with(SECRET_PREFIX));
        assert_eq!(a.len(), SECRET_PREFIX.len() + 43);
        assert_ne!(a, new_secret());
    }
}
