//! Errors in Meta's envelope (`{"error":{"message","type","code",
//! "fbtrace_id",…}}`), with Meta's HTTP statuses: a Cloud API client
//! decides what to do on `error.code`, so every answer under `/graph/`,
//! an unknown path or a wrong method included, is told in Meta's words.

use crate::error::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error in Meta's envelope.
#[derive(Debug)]
pub struct MetaError {
    pub status: StatusCode,
    pub code: i64,
    pub subcode: Option<i64>,
    pub kind: &'static str,
    pub message: String,
    pub details: Option<String>,
}

impl MetaError {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        MetaError {
            status,
            code,
            subcode: None,
            kind: "OAuthException",
            message: message.into(),
            details: None,
        }
    }

    pub fn details(mut self, d: impl Into<String>) -> Self {
        self.details = Some(d.into());
        self
    }

    /// Meta's 100 for a request it cannot take.
    pub fn invalid(details: impl Into<String>) -> Self {
        MetaError::new(StatusCode::BAD_REQUEST, 100, "(#100) Invalid parameter").details(details)
    }

    /// Meta's answer for an id that does not exist or is not the caller's
    /// (100, subcode 33): the same for both, so a key learns nothing of
    /// other tenants' objects. `method` is `get`, `post` or `delete`.
    pub fn unknown_object(id: &str, method: &str) -> Self {
        let mut e = MetaError::new(
            StatusCode::BAD_REQUEST,
            100,
            format!(
                "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation"
            ),
        );
        e.subcode = Some(33);
        e.kind = "GraphMethodException";
        e
    }

    /// Meta's answer for a path it has no route for (2500, HTTP 400).
    pub fn unknown_path(path: &str) -> Self {
        MetaError::new(
            StatusCode::BAD_REQUEST,
            2500,
            format!("Unknown path components: {path}"),
        )
    }

    /// Missing or wrong credentials (190, HTTP 401).
    pub fn invalid_token() -> Self {
        MetaError::new(
            StatusCode::UNAUTHORIZED,
            190,
            "Invalid OAuth access token - Cannot parse access token",
        )
    }

    /// Meta could not be reached (2, HTTP 503: a client retries).
    pub fn unavailable(details: impl Into<String>) -> Self {
        MetaError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            2,
            "Service temporarily unavailable",
        )
        .details(details)
    }

    /// Meta's error `code` with Meta's `message`, at the HTTP status Graph
    /// gives it (190: 401; 10 and 200–299: 403; 1, 2 and 131000: 500;
    /// else 400).
    pub fn from_code(code: i64, message: &str) -> Self {
        let status = match code {
            190 => StatusCode::UNAUTHORIZED,
            10 | 200..=299 => StatusCode::FORBIDDEN,
            1 | 2 | 131000 => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        MetaError::new(status, code, message)
    }

    fn missing_permission(text: String) -> Self {
        MetaError::new(
            StatusCode::FORBIDDEN,
            10,
            "(#10) Application does not have permission for this action",
        )
        .details(text)
    }
}

impl IntoResponse for MetaError {
    fn into_response(self) -> Response {
        let mut error = json!({
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "fbtrace_id": format!("Sb{}", uuid::Uuid::now_v7().simple()),
        });
        if let Some(s) = self.subcode {
            error["error_subcode"] = json!(s);
        }
        if let Some(d) = self.details {
            error["error_data"] = json!({ "messaging_product": "whatsapp", "details": d });
        }
        (self.status, axum::Json(json!({ "error": error }))).into_response()
    }
}

/// Our rule and auth errors, told in Meta's codes.
impl From<AppError> for MetaError {
    fn from(e: AppError) -> Self {
        let text = e.to_string();
        match e {
            AppError::Unauthenticated | AppError::Unauthorized(..) => MetaError::invalid_token(),
            AppError::Forbidden(..) => MetaError::missing_permission(text),
            AppError::TenantSuspended(reason) => MetaError::new(StatusCode::FORBIDDEN, 131031, "Business Account locked").details(reason),
            AppError::Rule("outside_customer_service_window", _) => MetaError::new(
                StatusCode::BAD_REQUEST,
                131047,
                "Re-engagement message",
            )
            .details("Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
            AppError::Rule("contact_opted_out", _) => MetaError::new(StatusCode::BAD_REQUEST, 131050, "User has stopped marketing messages").details(text),
            // Meta's own answers for a number it restricted, disabled or
            // offboarded (reference: error codes).
            AppError::Rule("channel_restricted", _) => MetaError::new(StatusCode::BAD_REQUEST, 368, "Temporarily blocked for policies violations").details(text),
            AppError::Rule("channel_disabled" | "channel_offboarded", _) => MetaError::new(StatusCode::BAD_REQUEST, 131031, "Business account locked").details(text),
            AppError::Rule("channel_needs_credentials", _) => MetaError::new(StatusCode::UNAUTHORIZED, 190, "Error validating access token").details(text),
            AppError::TooManyRequests(..) => MetaError::new(StatusCode::TOO_MANY_REQUESTS, 80007, "Rate limit issues").details(text),
            AppError::Validation(fields) => MetaError::invalid(
                fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "),
            ),
            AppError::NotFound => MetaError::invalid("object not found"),
            AppError::PayloadTooLarge(_) => MetaError::invalid("request body too large"),
            AppError::Unavailable(..) | AppError::Internal(_) => {
                if let AppError::Internal(err) = &e {
                    tracing::error!(error = ?err, "compat endpoint failed");
                }
                MetaError::new(StatusCode::INTERNAL_SERVER_ERROR, 1, "An unknown error occurred")
            }
            other => MetaError::invalid(other.to_string()),
        }
    }
}

impl From<store::StoreError> for MetaError {
    fn from(e: store::StoreError) -> Self {
        AppError::from(e).into()
    }
}

/// Whether `p` is the caller's: Meta's 10 (HTTP 403) if not.
pub fn require(ctx: &crate::auth::TenantCtx, p: domain::Permission) -> Result<(), MetaError> {
    if ctx.allows(p) {
        Ok(())
    } else {
        Err(MetaError::missing_permission(format!(
            "this API key needs {}",
            p.as_str()
        )))
    }
}
