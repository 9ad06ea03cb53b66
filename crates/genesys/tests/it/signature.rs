//! `X-Hub-Signature-256` as Genesys computes it: `sha256=` + base64 of
//! HMAC-SHA256 over the raw body (checked against an independent HMAC).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use genesys::signature::{HEADER, sign, verify};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const BODY: &[u8] = br#"{"id":"f1c3b2e5a3d84c5d9b1f6f2a9d7c0e11","type":"Text","text":"Yes"}"#;

fn digest(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn signs_base64_of_hmac_sha256() {
    assert_eq!(HEADER, "x-hub-signature-256");
    let expected = format!("sha256={}", STANDARD.encode(digest("secret", BODY)));
    assert_eq!(sign("secret", BODY), expected);
}

#[test]
fn verifies_good_and_refuses_the_rest() {
    let header = sign("secret", BODY);
    assert!(verify("secret", BODY, Some(&header)));
    assert!(verify("secret", BODY, Some(&format!("  {header} "))));

    let mut tampered = BODY.to_vec();
    tampered[10] ^= 1;
    assert!(!verify("secret", &tampered, Some(&header)), "tampered body");
    assert!(!verify("other-secret", BODY, Some(&header)), "wrong secret");
    assert!(!verify("secret", BODY, None), "missing header");
    assert!(!verify("secret", BODY, Some("")), "empty header");
    assert!(
        !verify("secret", BODY, Some(header.trim_start_matches("sha256="))),
        "no prefix"
    );
    assert!(!verify("secret", BODY, Some("sha256=%%%")), "not base64");

    let hex: String = digest("secret", BODY)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        !verify("secret", BODY, Some(&format!("sha256={hex}"))),
        "hex digest (Meta's format) is refused"
    );
    let short = STANDARD.encode(&digest("secret", BODY)[..16]);
    assert!(!verify("secret", BODY, Some(&format!("sha256={short}"))));
}
