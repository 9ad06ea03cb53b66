//! TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps) and recovery codes.

use crate::crypto::random_bytes;
use hmac::{KeyInit, Mac};

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, no padding.
fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buf >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buf << (5 - bits)) & 31) as usize]));
    }
    out
}

fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let v = BASE32.iter().position(|x| *x == c.to_ascii_uppercase())?;
        buf = (buf << 5) | u32::try_from(v).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buf >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The RFC 6238 code (HMAC-SHA1, 6 digits) for time step `counter`.
fn hotp(key: &[u8], counter: u64) -> Option<u32> {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).ok()?;
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes(digest[offset..offset + 4].try_into().ok()?) & 0x7fff_ffff;
    Some(bin % 10u32.pow(DIGITS))
}

/// A new random 160-bit seed, base32.
pub fn new_secret() -> String {
    base32_encode(&random_bytes::<20>())
}

/// The `otpauth://` URL authenticator apps read (usually from a QR code).
pub fn provisioning_url(secret_b32: &str, account: &str) -> Option<String> {
    let account: String = url::form_urlencoded::byte_serialize(account.as_bytes()).collect();
    Some(format!(
        "otpauth://totp/Switchboard:{account}?secret={secret_b32}&issuer=Switchboard&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
    ))
}

/// Whether `code` is valid at `unix_seconds` (one step of drift allowed
/// either way).
pub fn check(secret_b32: &str, code: &str, unix_seconds: i64) -> bool {
    matching_step(secret_b32, code, unix_seconds).is_some()
}

/// The time step whose code `code` is, if valid at `unix_seconds` (one
/// step of drift allowed either way). Callers keep the last step used so
/// a code works once.
pub fn matching_step(secret_b32: &str, code: &str, unix_seconds: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = base32_decode(secret_b32)?;
    let step = unix_seconds.div_euclid(STEP_SECONDS);
    (step - 1..=step + 1).find(|s| {
        u64::try_from(*s)
            .ok()
            .and_then(|c| hotp(&key, c))
            .is_some_and(|v| format!("{v:06}") == code)
    })
}

/// The code an authenticator shows at `unix_seconds` (for tests and the demo).
pub fn code_at(secret_b32: &str, unix_seconds: i64) -> Option<String> {
    let key = base32_decode(secret_b32)?;
    let counter = u64::try_from(unix_seconds.div_euclid(STEP_SECONDS)).ok()?;
    hotp(&key, counter).map(|v| format!("{v:06}"))
}

/// Ten single-use recovery codes such as `k3f9-2mqd-x8pa`.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| {
            let raw = random_bytes::<12>();
            let chars: String = raw
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect();
            format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
        })
        .collect()
}

/// Recovery codes are compared without dashes, spaces or case.
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_6238_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s,
        // SHA-1 → 94287082; six digits are the last six.
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(base32_decode(&secret).unwrap(), b"12345678901234567890");
    }

    #[test]
    fn a_code_is_valid_now_and_not_far_later() {
        let s = new_secret();
        let now = 1_750_000_000;
        let code = code_at(&s, now).unwrap();
        assert!(check(&s, &code, now));
        assert!(check(&s, &code, now + 30));
        assert!(!check(&s, &code, now + 300));
        assert!(
            provisioning_url(&s, "ana@example.com")
                .unwrap()
                .starts_with("otpauth://totp/")
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut sorted = codes.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 10);
        assert_eq!(normalise_recovery_code(" AbCd-efgh "), "abcdefgh");
    }
}
