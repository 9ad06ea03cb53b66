//! The outbound webhook signature: `X-Hub-Signature-256: sha256=<base64>`
//! where the digest is HMAC-SHA256 over the raw request body, keyed with the
//! integration's `outboundNotificationWebhookSignatureSecretToken`.
//!
//! Unlike Meta's header of the same name, the digest is **base64**, not hex.
//! Verify over the exact bytes received, before parsing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Name of the header Genesys signs outbound webhook bodies with (HTTP
/// header names are case-insensitive).
pub const HEADER: &str = "x-hub-signature-256";

const PREFIX: &str = "sha256=";

fn digest(secret: &str, body: &[u8]) -> Option<[u8; 32]> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(body);
    Some(mac.finalize().into_bytes().into())
}

/// The header value for `body`: `sha256=<base64 HMAC-SHA256(secret, body)>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    match digest(secret, body) {
        Some(d) => format!("{PREFIX}{}", STANDARD.encode(d)),
        // Unreachable (see `digest`); a bare prefix never verifies.
        None => PREFIX.to_owned(),
    }
}

/// Whether `header` (the received `X-Hub-Signature-256`, if any) is the
/// signature of `body` under `secret`. Compared in constant time; `false` when
/// the header is missing, lacks the `sha256=` prefix, or is not the base64 of
/// a 32-byte digest (a hex digest is refused).
pub fn verify(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(encoded) = header.and_then(|h| h.trim().strip_prefix(PREFIX)) else {
        return false;
    };
    let Ok(received) = STANDARD.decode(encoded) else {
        return false;
    };
    let Some(expected) = digest(secret, body) else {
        return false;
    };
    received.len() == expected.len() && bool::from(received.as_slice().ct_eq(&expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let h = sign("s", b"{}");
        assert!(h.starts_with("sha256="));
        assert_eq!(h.len(), 7 + 44);
        assert!(verify("s", b"{}", Some(&h)));
        assert!(!verify("s", b"{ }", Some(&h)));
        assert!(!verify("s", b"{}", Some("sha256=")));
    }
}
