//! Graph API errors: Meta's error envelope, the client's error type and the
//! retry classification.

mod classify;
pub mod codes;

use serde::{Deserialize, Serialize};

pub use classify::{
    CredentialIssue, ErrorClass, PermanentReason, RetryAdvice, RetryReason, classify,
    classify_status,
};

use crate::lenient;

/// `{"error": {...}}`, the body of every Graph error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub error: MetaError,
}

/// The `error` object of a Graph error response (reference §2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaError {
    /// Usually `"(#<code>) <title>"`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: String,
    /// `OAuthException` for almost everything, `GraphMethodException` for
    /// unknown object ids.
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: String,
    /// See [`codes`].
    pub code: i64,
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_subcode: Option<i64>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_user_title: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_user_msg: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_data: Option<MetaErrorData>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_transient: Option<bool>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub fbtrace_id: Option<String>,
}

/// `error.error_data`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaErrorData {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub messaging_product: Option<String>,
    /// The useful, human-readable explanation.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<String>,
}

impl MetaError {
    /// A Meta-shaped error: `type: OAuthException`, `message: "(#code) title"`
    /// (title from [`codes::title`] or `"Error"`). Builder methods add the rest.
    pub fn new(code: i64) -> Self {
        let title = codes::title(code).unwrap_or("Error");
        Self {
            message: format!("(#{code}) {title}"),
            kind: "OAuthException".to_owned(),
            code,
            error_subcode: None,
            error_user_title: None,
            error_user_msg: None,
            error_data: None,
            is_transient: None,
            fbtrace_id: None,
        }
    }

    /// Replaces `message`.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Replaces `type`.
    pub fn with_kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = kind.into();
        self
    }

    pub fn with_subcode(mut self, subcode: i64) -> Self {
        self.error_subcode = Some(subcode);
        self
    }

    /// Sets `error_data: {messaging_product: "whatsapp", details}`.
    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.error_data = Some(MetaErrorData {
            messaging_product: Some("whatsapp".to_owned()),
            details: Some(details.into()),
        });
        self
    }

    pub fn with_fbtrace_id(mut self, id: impl Into<String>) -> Self {
        self.fbtrace_id = Some(id.into());
        self
    }

    /// `error_data.details`.
    pub fn details(&self) -> Option<&str> {
        self.error_data.as_ref().and_then(|d| d.details.as_deref())
    }

    /// Code 100 / subcode 33: unknown object id or no access to it (e.g. a
    /// wrong phone_number_id in a credential check).
    pub fn is_unknown_object(&self) -> bool {
        self.code == codes::INVALID_PARAMETER
            && self.error_subcode == Some(codes::SUBCODE_OBJECT_NOT_FOUND)
    }

    /// Wraps the error in its `{"error": ...}` envelope.
    pub fn into_envelope(self) -> ErrorEnvelope {
        ErrorEnvelope { error: self }
    }
}

/// Error of a [`crate::GraphClient`] call.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Graph answered with a Meta error envelope.
    #[error("Graph API error (HTTP {status}, code {code}): {message}", code = error.code, message = error.message)]
    Api {
        status: u16,
        error: Box<MetaError>,
        class: ErrorClass,
    },
    /// A non-2xx answer without a Meta error envelope (proxy page, empty
    /// body, ...). `body` is a short prefix of the response.
    #[error("HTTP {status} without a Graph error body")]
    Http {
        status: u16,
        body: String,
        class: ErrorClass,
    },
    /// The request did not complete (timeout, connection failure, ...).
    /// Always retryable.
    #[error("transport error (timeout: {timeout}, connect: {connect}): {source}")]
    Transport {
        timeout: bool,
        connect: bool,
        #[source]
        source: reqwest::Error,
    },
    /// A 2xx answer whose body is not what the endpoint returns. The call
    /// may have taken effect.
    #[error("cannot decode Graph response (HTTP {status}): {message}")]
    Decode { status: u16, message: String },
    /// A media download exceeded the configured size limit.
    #[error("media larger than {limit} bytes")]
    MediaTooLarge { limit: u64 },
    /// The call was refused locally before sending (bad argument).
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// The client could not be built (bad base URL, TLS setup).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl GraphError {
    /// What to do about this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Api { class, .. } | Self::Http { class, .. } => *class,
            Self::Transport { .. } => ErrorClass::Retryable {
                advice: RetryAdvice::for_reason(RetryReason::Transport),
            },
            Self::Decode { .. } => ErrorClass::Permanent {
                reason: PermanentReason::UnexpectedResponse,
            },
            Self::MediaTooLarge { .. } => ErrorClass::Permanent {
                reason: PermanentReason::Media,
            },
            Self::InvalidInput(_) | Self::Config(_) => ErrorClass::Permanent {
                reason: PermanentReason::NotSent,
            },
        }
    }

    pub fn is_retryable(&self) -> bool {
        self.class().is_retryable()
    }

    /// The Meta error code, for [`GraphError::Api`].
    pub fn code(&self) -> Option<i64> {
        self.meta().map(|e| e.code)
    }

    /// The Meta error, for [`GraphError::Api`].
    pub fn meta(&self) -> Option<&MetaError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status, when a response was received.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Http { status, .. } | Self::Decode { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    pub(crate) fn transport(source: reqwest::Error) -> Self {
        Self::Transport {
            timeout: source.is_timeout(),
            connect: source.is_connect(),
            source,
        }
    }

    /// Builds the error for a non-2xx response body.
    pub(crate) fn from_response(status: u16, body: &[u8]) -> Self {
        match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(ErrorEnvelope { error }) => Self::Api {
                status,
                class: classify(error.code, status),
                error: Box::new(error),
            },
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let body: String = text.chars().take(256).collect();
                Self::Http {
                    status,
                    body,
                    class: classify_status(status),
                }
            }
        }
    }
}
