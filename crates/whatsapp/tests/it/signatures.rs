//! `X-Hub-Signature-256` against the vectors in `fixtures/README.md`.

use whatsapp::{SignatureError, sign, verify_signature};

use crate::{fixture_bytes, fixtures_dir, meta_fixture_names};

const SECRET: &[u8] = b"test-app-secret";

/// `(file, header)` for every `meta <file> sha256=<hex>` line of the README.
fn readme_vectors() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(fixtures_dir().join("README.md")).unwrap();
    readme
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some("meta"), Some(file), Some(sig), None) => {
                    Some((file.to_owned(), sig.to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn every_fixture_matches_its_readme_signature() {
    let vectors = readme_vectors();
    let mut files: Vec<String> = vectors.iter().map(|(f, _)| f.clone()).collect();
    files.sort();
    assert_eq!(
        files,
        meta_fixture_names(),
        "README vectors and fixture files differ"
    );
    for (file, header) in &vectors {
        let body = fixture_bytes(file);
        assert_eq!(
            verify_signature(SECRET, &body, Some(header)),
            Ok(()),
            "{file}"
        );
        assert_eq!(&sign(SECRET, &body), header, "{file}");
    }
}

#[test]
fn literal_vectors() {
    let readme = std::fs::read_to_string(fixtures_dir().join("README.md")).unwrap();
    let cases: [(&[u8], &str); 2] = [
        (
            br#"{"object":"whatsapp_business_account","entry":[]}"#,
            "sha256=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc",
        ),
        (
            // The escaped form, exactly as Meta sends it.
            br#"{"text":{"body":"caf\u00e9"}}"#,
            "sha256=f6db9e7dfb83206dcac1b6966d517f41f1bb57f35cd7a4d62b84ee838293da60",
        ),
    ];
    for (body, header) in cases {
        assert!(readme.contains(header), "{header} not in README");
        assert_eq!(verify_signature(SECRET, body, Some(header)), Ok(()));
        assert_eq!(sign(SECRET, body), header);
    }
    // The unescaped UTF-8 form is different bytes and must not verify.
    let unescaped = "{\"text\":{\"body\":\"caf\u{e9}\"}}";
    assert_eq!(
        verify_signature(
            SECRET,
            unescaped.as_bytes(),
            Some("sha256=f6db9e7dfb83206dcac1b6966d517f41f1bb57f35cd7a4d62b84ee838293da60")
        ),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn tampered_and_malformed() {
    let (file, header) = readme_vectors().into_iter().next().unwrap();
    let mut body = fixture_bytes(&file);
    body[10] ^= 0x01;
    assert_eq!(
        verify_signature(SECRET, &body, Some(&header)),
        Err(SignatureError::Mismatch)
    );
    let body = fixture_bytes(&file);
    // Trailing newline is part of the signed bytes.
    assert_eq!(
        verify_signature(SECRET, &body[..body.len() - 1], Some(&header)),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(b"wrong-secret", &body, Some(&header)),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(SECRET, &body, None),
        Err(SignatureError::Missing)
    );
    let bare = header.trim_start_matches("sha256=");
    assert_eq!(
        verify_signature(SECRET, &body, Some(bare)),
        Err(SignatureError::BadPrefix)
    );
    let sha1 = format!("sha1={bare}");
    assert_eq!(
        verify_signature(SECRET, &body, Some(&sha1)),
        Err(SignatureError::BadPrefix)
    );
    let bad_hex = format!("sha256={}", "g".repeat(64));
    assert_eq!(
        verify_signature(SECRET, &body, Some(&bad_hex)),
        Err(SignatureError::BadHex)
    );
    let short = &header[..header.len() - 2];
    assert_eq!(
        verify_signature(SECRET, &body, Some(short)),
        Err(SignatureError::BadHex)
    );
    // Upper-case hex and surrounding whitespace are tolerated.
    let upper = format!(" sha256={} ", bare.to_uppercase());
    assert_eq!(verify_signature(SECRET, &body, Some(&upper)), Ok(()));
}
