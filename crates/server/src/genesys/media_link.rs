//! Signed, expiring links to our media store, through which Genesys
//! fetches a customer's attachment (Meta's own media URLs need our token
//! and last five minutes). A link names the workspace and the media, and
//! carries its expiry and an HMAC over both, keyed with a key derived
//! from the master key: nothing else opens it, and it opens nothing else.

use crate::state::AppState;
use domain::{MediaId, TenantId, Timestamp};
use subtle::ConstantTimeEq;

/// How long a link works: Genesys fetches an attachment when it gets the
/// message, and keeps its own copy.
pub const LIFETIME_MS: i64 = 3_600_000;

fn key(state: &AppState) -> String {
    hex::encode(state.secrets.derive_key("genesys-media-links"))
}

fn signature(state: &AppState, tenant: TenantId, media: MediaId, expires: i64) -> String {
    crate::hooks::signature::sign(&key(state), expires, format!("{tenant}/{media}").as_bytes())
}

/// The link to `tenant`'s media `media`, working until `now` + [`LIFETIME_MS`].
pub fn url(state: &AppState, tenant: TenantId, media: MediaId, now: Timestamp) -> String {
    let expires = (now.as_millis() + LIFETIME_MS) / 1000;
    let sig = signature(state, tenant, media, expires);
    format!(
        "{}/genesys/media/{tenant}/{media}?expires={expires}&sig={sig}",
        state.config.public_url
    )
}

/// Whether a link's `expires` (unix seconds) and `sig` open `media` at `now`.
pub fn opens(
    state: &AppState,
    tenant: TenantId,
    media: MediaId,
    expires: i64,
    sig: &str,
    now: Timestamp,
) -> bool {
    if expires.saturating_mul(1000) < now.as_millis() {
        return false;
    }
    let expected = signature(state, tenant, media, expires);
    expected.as_bytes().ct_eq(sig.as_bytes()).into()
}
