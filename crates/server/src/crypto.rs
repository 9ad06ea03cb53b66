//! Secrets at rest: AES-256-GCM under a master key.
//!
//! Each ciphertext records the id of the key that sealed it
//! (`v1.<key_id>.<base64 nonce‖ciphertext>`), so the master key can be rotated:
//! the new key seals, old keys still open, and `switchboard admin
//! rotate-master-key` re-seals every stored secret under the newest key.
//!
//! The key comes from `SWITCHBOARD_MASTER_KEY` (base64 of 32 bytes; several
//! keys may be given as `id:key,id:key`, newest first) or, for the embedded
//! default, from a key file created with mode 0600 in the data directory.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, array::Array};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::Rng as _;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("master key is not valid: {0}")]
    BadKey(String),
    #[error("ciphertext was sealed with unknown key `{0}`")]
    UnknownKey(String),
    #[error("ciphertext is malformed or was tampered with")]
    Malformed,
    #[error("key file: {0}")]
    Io(#[from] std::io::Error),
}

struct MasterKey {
    id: String,
    raw: [u8; 32],
    cipher: Aes256Gcm,
}

/// Seals and opens secrets. Cheap to clone; never prints its keys.
#[derive(Clone)]
pub struct SecretBox {
    /// Newest first: the first key seals, all keys open.
    keys: Arc<Vec<MasterKey>>,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("SecretBox").field("key_ids", &ids).finish()
    }
}

/// `n` random bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

/// A random token, URL-safe base64 of `N` bytes.
pub fn random_token<const N: usize>() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<N>())
}

impl SecretBox {
    /// Parses `id:base64key[,id:base64key…]` (newest first) or a bare
    /// `base64key` (id `k1`).
    pub fn from_spec(spec: &str) -> Result<Self, CryptoError> {
        let mut keys = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, b64) = part.split_once(':').unwrap_or(("k1", part));
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(CryptoError::BadKey(
                    "key id must be letters, digits or -".into(),
                ));
            }
            let raw = STANDARD
                .decode(b64)
                .map_err(|_| CryptoError::BadKey("key is not base64".into()))?;
            let raw: [u8; 32] = raw
                .try_into()
                .map_err(|_| CryptoError::BadKey("key must be 32 bytes".into()))?;
            let cipher = Aes256Gcm::new(&Array::from(raw));
            keys.push(MasterKey {
                id: id.to_owned(),
                raw,
                cipher,
            });
        }
        if keys.is_empty() {
            return Err(CryptoError::BadKey("no key given".into()));
        }
        Ok(Self {
            keys: Arc::new(keys),
        })
    }

    /// Reads the key file at `path`, creating it (mode 0600) with a fresh
    /// key when it does not exist.
    pub fn from_key_file(path: &Path) -> Result<Self, CryptoError> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let spec = Self::new_key_spec(&format!("k{}", time_id()));
            write_private(path, &spec)?;
        }
        let spec = std::fs::read_to_string(path)?;
        Self::from_spec(spec.trim())
    }

    /// A fresh `id:key` line.
    pub fn new_key_spec(id: &str) -> String {
        format!("{id}:{}", STANDARD.encode(random_bytes::<32>()))
    }

    /// The id of the key that seals new secrets.
    pub fn current_key_id(&self) -> &str {
        // `from_spec` guarantees at least one key.
        self.keys.first().map(|k| k.id.as_str()).unwrap_or_default()
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let Some(key) = self.keys.first() else {
            return String::new();
        };
        let nonce = random_bytes::<NONCE_LEN>();
        // AES-GCM encryption cannot fail for inputs under 64 GiB.
        let ct = key
            .cipher
            .encrypt(&Array::from(nonce), plaintext)
            .unwrap_or_default();
        let mut blob = Vec::with_capacity(NONCE_LEN + ct.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ct);
        format!("v1.{}.{}", key.id, URL_SAFE_NO_PAD.encode(blob))
    }

    pub fn seal_str(&self, plaintext: &str) -> String {
        self.seal(plaintext.as_bytes())
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some("v1"), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CryptoError::Malformed);
        };
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))?;
        let blob = URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| CryptoError::Malformed)?;
        if blob.len() < NONCE_LEN {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Malformed)?;
        key.cipher
            .decrypt(&Array::from(nonce), ct)
            .map_err(|_| CryptoError::Malformed)
    }

    pub fn open_str(&self, sealed: &str) -> Result<String, CryptoError> {
        String::from_utf8(self.open(sealed)?).map_err(|_| CryptoError::Malformed)
    }

    /// Whether `sealed` was sealed by an older key and should be re-sealed.
    pub fn needs_reseal(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.current_key_id())
    }

    /// A key derived for one purpose (such as signing JWTs) from the
    /// current master key, so the master key itself never serves two uses.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        use hmac::{KeyInit as _, Mac};
        let raw = self.keys.first().map(|k| k.raw).unwrap_or_default();
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&raw) else {
            return [0; 32];
        };
        mac.update(b"switchboard/");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

fn time_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Writes `contents` to a new file readable only by its owner.
pub fn write_private(path: &Path, contents: &str) -> Result<(), CryptoError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    Ok(())
}
