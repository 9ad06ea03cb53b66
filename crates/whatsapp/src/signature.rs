//! `X-Hub-Signature-256` verification: `sha256=<lowercase hex>` of
//! HMAC-SHA256 over the raw request body, keyed with the Meta app secret.
//!
//! Always verify over the exact bytes received, before parsing: re-serialising
//! the JSON changes escapes (`\u00e9`, `\/`) and breaks the signature.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Name of the header Meta signs webhook bodies with.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

const PREFIX: &str = "sha256=";

/// Why a webhook signature was rejected. Only report the variant in logs;
/// never echo the expected signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header.
    #[error("missing X-Hub-Signature-256 header")]
    Missing,
    /// The header does not start with `sha256=`.
    #[error("signature header does not start with `sha256=`")]
    BadPrefix,
    /// The part after `sha256=` is not 64 hex digits.
    #[error("signature is not a hex SHA-256 digest")]
    BadHex,
    /// Well-formed but does not match the body.
    #[error("signature does not match the body")]
    Mismatch,
}

fn mac(app_secret: &[u8]) -> Option<HmacSha256> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail here.
    HmacSha256::new_from_slice(app_secret).ok()
}

/// Verifies `header` (the value of `X-Hub-Signature-256`, if present) for
/// `body` with `app_secret`, in constant time.
///
/// Surrounding whitespace is ignored; the hex digest is accepted in either
/// case (Meta sends lowercase).
pub fn verify_signature(
    app_secret: &[u8],
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?.trim();
    let hex_digest = header
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::BadPrefix)?;
    let mut tag = [0u8; 32];
    hex::decode_to_slice(hex_digest, &mut tag).map_err(|_| SignatureError::BadHex)?;
    let mut mac = mac(app_secret).ok_or(SignatureError::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&tag).map_err(|_| SignatureError::Mismatch)
}

/// Computes the `X-Hub-Signature-256` header value (`sha256=<hex>`) for
/// `body`. For tests and for anything that has to emit Meta-style webhooks.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    let Some(mut mac) = mac(app_secret) else {
        // Unreachable (see `mac`); an empty digest never verifies.
        return PREFIX.to_owned();
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!("{PREFIX}{}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        let header = sign(b"k", b"body");
        assert!(header.starts_with("sha256="));
        assert_eq!(header.len(), 7 + 64);
        assert_eq!(verify_signature(b"k", b"body", Some(&header)), Ok(()));
        assert_eq!(
            verify_signature(b"k", b"body!", Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(b"other", b"body", Some(&header)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(
            verify_signature(b"k", b"b", None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(b"k", b"b", Some("sha1=00")),
            Err(SignatureError::BadPrefix)
        );
        assert_eq!(
            verify_signature(b"k", b"b", Some("sha256=zz")),
            Err(SignatureError::BadHex)
        );
        // Right alphabet, wrong length.
        assert_eq!(
            verify_signature(b"k", b"b", Some("sha256=abcd")),
            Err(SignatureError::BadHex)
        );
        assert_eq!(
            verify_signature(b"k", b"b", Some("")),
            Err(SignatureError::BadPrefix)
        );
    }
}
