//! An endpoint's free-form settings: its description and its extra
//! request headers (checked, then sealed as one JSON object).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use std::collections::BTreeMap;

/// At most this many extra headers per endpoint.
pub const MAX_HEADERS: usize = 10;
/// The longest description.
pub const MAX_DESCRIPTION: usize = 500;

pub(super) fn description(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(d) = raw.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    if d.chars().count() > MAX_DESCRIPTION || d.chars().any(char::is_control) {
        return Err(AppError::validation(
            "description",
            format!("at most {MAX_DESCRIPTION} characters, no control characters"),
        ));
    }
    Ok(Some(d.to_owned()))
}

/// Headers Switchboard sets itself (or that only the connection may set).
fn reserved(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "content-type"
            | "user-agent"
            | "host"
            | "content-length"
            | "transfer-encoding"
            | "connection"
    ) || n.starts_with("switchboard-")
}

/// Checks extra headers and seals them as one JSON object (`None`: none).
pub(super) fn seal_headers(
    state: &AppState,
    headers: Option<&BTreeMap<String, String>>,
) -> AppResult<Option<String>> {
    let Some(h) = headers.filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    if h.len() > MAX_HEADERS {
        return Err(AppError::validation(
            "headers",
            format!("at most {MAX_HEADERS} headers"),
        ));
    }
    for (name, value) in h {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
            || reqwest::header::HeaderValue::from_str(value).is_err()
            || value.len() > 4096
        {
            return Err(AppError::validation(
                "headers",
                format!("`{name}` is not a valid header name and value"),
            ));
        }
        if reserved(name) {
            return Err(AppError::validation(
                "headers",
                format!("`{name}` is set by Switchboard and cannot be overridden"),
            ));
        }
    }
    let json = serde_json::to_string(h).map_err(AppError::internal)?;
    Ok(Some(state.secrets.seal_str(&json)))
}

/// Opens an endpoint's sealed headers.
pub fn open_headers(state: &AppState, sealed: Option<&str>) -> AppResult<BTreeMap<String, String>> {
    let Some(sealed) = sealed else {
        return Ok(BTreeMap::new());
    };
    let json = state.secrets.open_str(sealed).map_err(AppError::internal)?;
    serde_json::from_str(&json).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_switchboard_sets_are_reserved() {
        for name in [
            "Content-Type",
            "user-agent",
            "Switchboard-Signature",
            "HOST",
            "Content-Length",
        ] {
            assert!(reserved(name), "{name}");
        }
        assert!(!reserved("Authorization"));
        assert!(!reserved("X-Api-Key"));
    }

    #[test]
    fn descriptions_are_trimmed_and_bounded() {
        assert_eq!(
            description(Some("  orders ")).unwrap().as_deref(),
            Some("orders")
        );
        assert_eq!(description(Some("  ")).unwrap(), None);
        assert!(description(Some("a\nb")).is_err());
        assert!(description(Some(&"x".repeat(MAX_DESCRIPTION + 1))).is_err());
    }
}
