//! [`GenesysError`]: what can go wrong calling Genesys, and whether it is
//! worth retrying. Built from the answer's status, `Retry-After` header and
//! error body (Genesys' `{"message","code"}` or OAuth's
//! `{"error","description"}`), never from our request.

use serde::Deserialize;

/// Longest `message` kept from an error body.
const MAX_MESSAGE_CHARS: usize = 300;

/// An error of a Genesys call.
#[derive(Debug, thiserror::Error)]
pub enum GenesysError {
    /// An answer other than 2xx: status, Genesys' `code` and `message` when
    /// the body had them, and `Retry-After` in seconds when present.
    #[error("Genesys answered {status}: {message}")]
    Status {
        status: u16,
        code: Option<String>,
        message: String,
        retry_after_seconds: Option<i64>,
    },
    /// Connection refused, DNS, TLS, timeout…
    #[error("Genesys could not be reached: {0}")]
    Transport(String),
    /// A 2xx answer whose body is not what the API documents.
    #[error("Genesys' answer could not be read: {0}")]
    Decode(String),
    /// Bad input on our side (base URL, host, token characters).
    #[error("{0}")]
    Config(String),
}

impl GenesysError {
    /// The answer was 401 (token expired or revoked, or bad client
    /// credentials).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Status { status: 401, .. })
    }

    /// 408, 429, 5xx, and Transport are worth retrying.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            Self::Transport(_) => true,
            Self::Decode(_) | Self::Config(_) => false,
        }
    }

    /// Seconds from the answer's `Retry-After` header, when present.
    pub fn retry_after_seconds(&self) -> Option<i64> {
        match self {
            Self::Status {
                retry_after_seconds,
                ..
            } => *retry_after_seconds,
            _ => None,
        }
    }

    /// A [`GenesysError::Status`] from a non-2xx answer.
    pub(crate) fn from_answer(status: u16, retry_after: Option<&str>, body: &[u8]) -> Self {
        let parsed: ErrorFields = serde_json::from_slice(body).unwrap_or_default();
        let code = parsed.code.or(parsed.error).filter(|c| !c.is_empty());
        let message = parsed
            .message
            .or(parsed.description)
            .or(parsed.error_description)
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| default_message(status));
        Self::Status {
            status,
            code,
            message: shorten(message.trim()),
            retry_after_seconds: retry_after.and_then(|v| v.trim().parse::<i64>().ok()),
        }
    }

    pub(crate) fn transport(e: &reqwest::Error) -> Self {
        Self::Transport(shorten(&e.to_string()))
    }
}

/// The fields of both error shapes Genesys answers with.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorFields {
    message: Option<String>,
    code: Option<String>,
    error: Option<String>,
    description: Option<String>,
    #[serde(rename = "error_description")]
    error_description: Option<String>,
}

fn default_message(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unexpected status")
        .to_owned()
}

/// At most [`MAX_MESSAGE_CHARS`] characters.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_error_shapes() {
        let e = GenesysError::from_answer(
            429,
            Some("7"),
            br#"{"message":"slow down","code":"too.many.requests","status":429}"#,
        );
        assert!(e.is_retryable());
        assert_eq!(e.retry_after_seconds(), Some(7));
        let e = GenesysError::from_answer(
            401,
            None,
            br#"{"error":"invalid_client","description":"bad"}"#,
        );
        assert!(e.is_unauthorized());
        assert!(matches!(e, GenesysError::Status { code: Some(c), .. } if c == "invalid_client"));
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(1000));
        let GenesysError::Status { message, .. } =
            GenesysError::from_answer(500, None, long.as_bytes())
        else {
            unreachable!()
        };
        assert!(message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        let e = GenesysError::from_answer(502, None, b"<html>");
        assert_eq!(e.to_string(), "Genesys answered 502: Bad Gateway");
    }
}
