//! Secrets at rest: nothing sensitive is stored in plaintext, and the
//! master key rotates.

use serde_json::json;
use server::crypto::SecretBox;
use testkit::{Auth, Engine, TestApp};

pub(crate) fn database_bytes(app: &TestApp) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["test.db", "test.db-wal", "test.db-shm"] {
        if let Ok(b) = std::fs::read(app.dir.join(name)) {
            all.extend(b);
        }
    }
    assert!(all.len() > 4096, "found the database file");
    all
}

pub(crate) fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_database_file_holds_no_plaintext_secret() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("secrets-at-rest").await;
    let r = app
        .post(
            "/api/v1/me/mfa/totp",
            Auth::Bearer(&t.owner.token),
            json!({}),
        )
        .await;
    let totp_secret = r.body["secret"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/invites",
            Auth::Bearer(&t.owner.token),
            json!({ "email": "i@secrets.example.com", "role": "agent" }),
        )
        .await;
    let invite = r.body["token"].as_str().unwrap().to_owned();
    let bytes = database_bytes(&app);
    assert!(
        contains(&bytes, &t.owner.email),
        "sanity: the scan sees plain data"
    );
    for (what, secret) in [
        ("owner password", t.owner.password.as_str()),
        ("operator password", app.operator_password.as_str()),
        ("API key", t.api_key.as_str()),
        ("refresh token", t.owner.refresh_token.as_str()),
        ("TOTP seed", totp_secret.as_str()),
        ("invite token", invite.as_str()),
    ] {
        assert!(!contains(&bytes, secret), "{what} is stored in plaintext");
    }
    app.stop().await;
}

#[tokio::test]
async fn rotating_the_master_key_reseals_every_secret() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("secrets-rotate").await;
    let (seed, _) = crate::access::enrol_totp(&app, &t.owner.token).await;

    let old = app.state.config.master_key.clone().unwrap();
    let mut config = app.state.config.clone();
    let new_spec = format!("{},{}", SecretBox::new_key_spec("test2"), old.expose());
    config.master_key = Some(server::config::Secret::new(new_spec.clone()));
    server::admin::rotate_master_key(config).await.unwrap();

    let mut sys = app.state.store.system().await.unwrap();
    let sealed = sys.list_sealed_values().await.unwrap();
    // The TOTP seed, and the owner's invitation email (it carries a link).
    assert_eq!(sealed.len(), 2, "{sealed:?}");
    let new_box = SecretBox::from_spec(&new_spec).unwrap();
    let old_only = SecretBox::from_spec(old.expose()).unwrap();
    for v in &sealed {
        assert!(v.sealed.starts_with("v1.test2."), "{}", v.sealed);
        assert!(
            old_only.open(&v.sealed).is_err(),
            "the old key alone no longer opens it"
        );
    }
    let opened = |column: &str| {
        let v = sealed.iter().find(|v| v.column == column).unwrap();
        new_box.open_str(&v.sealed).unwrap()
    };
    assert_eq!(opened("totp_secret"), seed);
    assert!(opened("body").contains("/app/accept-invite?token=sbi_"));
    app.stop().await;
}

#[test]
fn sealed_values_name_their_key_and_detect_tampering() {
    let b = SecretBox::from_spec(&SecretBox::new_key_spec("k1")).unwrap();
    let sealed = b.seal_str("EAAG-meta-token");
    assert!(sealed.starts_with("v1.k1.") && !sealed.contains("EAAG"));
    assert_ne!(
        sealed,
        b.seal_str("EAAG-meta-token"),
        "fresh nonce every time"
    );
    assert_eq!(b.open_str(&sealed).unwrap(), "EAAG-meta-token");
    let mut tampered = sealed.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert!(b.open(&tampered).is_err());
    assert!(
        SecretBox::from_spec("k1:c2hvcnQ=").is_err(),
        "short keys are refused"
    );
    assert!(!format!("{b:?}").contains(&sealed[6..]));
}

#[test]
fn the_key_file_is_created_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("master.key");
    let a = SecretBox::from_key_file(&path).unwrap();
    let b = SecretBox::from_key_file(&path).unwrap();
    assert_eq!(
        b.open_str(&a.seal_str("x")).unwrap(),
        "x",
        "the same key is read back"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
