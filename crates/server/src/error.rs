//! One error type for the HTTP layer, with one JSON shape:
//! `{"error": {"code": "...", "message": "...", "fields": [...]}}`.
//! `code` is stable; clients branch on it, never on `message`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use store::StoreError;
use utoipa::ToSchema;

/// A field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `not_found`, `validation_failed`, …
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("{1}")]
    Unauthorized(&'static str, String),
    #[error("{1}")]
    Forbidden(&'static str, String),
    #[error("not found")]
    NotFound,
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error("the request is invalid")]
    Validation(Vec<FieldError>),
    /// A platform rule refused the request (422), e.g. the last owner.
    #[error("{1}")]
    Rule(&'static str, String),
    #[error("{1}")]
    BadRequest(&'static str, String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("tenant is suspended: {0}")]
    TenantSuspended(String),
    #[error("{1}")]
    TooManyRequests(&'static str, String, u64),
    /// Something outside us (Meta) could not be reached; try again.
    #[error("{1}")]
    Unavailable(&'static str, String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }

    /// A rule's refusal as a stable code and a reason, for work that runs
    /// on nobody's request and records why it could not go (a scheduled
    /// message, an automation's step); `None` for an error that is no
    /// refusal (internal, Meta unreachable): try again.
    pub fn refusal(&self) -> Option<(String, String)> {
        match self {
            AppError::Rule(code, msg)
            | AppError::Conflict(code, msg)
            | AppError::Forbidden(code, msg)
            | AppError::BadRequest(code, msg)
            | AppError::TooManyRequests(code, msg, _) => Some(((*code).to_owned(), msg.clone())),
            AppError::Validation(fields) => Some((
                "invalid".to_owned(),
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            AppError::NotFound => Some((
                "not_found".to_owned(),
                "what it was about is gone".to_owned(),
            )),
            _ => None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::Unauthorized(..) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(..) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(..) => StatusCode::CONFLICT,
            AppError::Validation(_) | AppError::Rule(..) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(..) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TenantSuspended(_) => StatusCode::LOCKED,
            AppError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(..) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::NotFound => "not_found",
            AppError::Validation(_) => "validation_failed",
            AppError::TenantSuspended(_) => "tenant_suspended",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Internal(_) => "internal_error",
            AppError::Unauthorized(code, _)
            | AppError::Forbidden(code, _)
            | AppError::Conflict(code, _)
            | AppError::Rule(code, _)
            | AppError::BadRequest(code, _)
            | AppError::Unavailable(code, _)
            | AppError::TooManyRequests(code, _, _) => code,
        }
    }
}

/// Marks a 500 so the logging middleware can report its cause once.
#[derive(Clone)]
pub struct InternalErrorReport(pub std::sync::Arc<anyhow::Error>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code().to_owned();
        let (message, fields) = match &self {
            AppError::Internal(_) => ("something went wrong on our side".to_owned(), vec![]),
            AppError::Validation(f) => (self.to_string(), f.clone()),
            AppError::TenantSuspended(reason) => {
                (format!("this tenant is suspended: {reason}"), vec![])
            }
            _ => (self.to_string(), vec![]),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                fields,
            },
        };
        let mut res = (status, axum::Json(body)).into_response();
        if let AppError::TooManyRequests(_, _, secs) = &self
            && *secs > 0
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if let AppError::Internal(e) = self {
            res.extensions_mut()
                .insert(InternalErrorReport(std::sync::Arc::new(e)));
        }
        res
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(what) => {
                AppError::Conflict("conflict", format!("already exists ({what})"))
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<domain::InvalidValue> for AppError {
    fn from(e: domain::InvalidValue) -> Self {
        AppError::validation(e.field, e.message)
    }
}

pub type AppResult<T> = Result<T, AppError>;
