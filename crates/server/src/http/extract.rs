//! Extractors that answer in the platform's error shape instead of axum's
//! plain-text rejections.

use crate::error::{AppError, AppResult};
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use domain::Timestamp;
use serde::de::DeserializeOwned;

/// `Json<T>` with our errors: 400 for malformed JSON, 415 for a missing
/// content type (reported as 400 `unsupported_media_type`), 413 when too
/// large, 422 naming the field for JSON of the wrong shape. Every request
/// body of the API is a JSON object, as the document says: an array is
/// refused too (serde would otherwise read `[…]` as a struct's fields in
/// order).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !json_content_type(req.headers()) {
            return Err(AppError::BadRequest(
                "unsupported_media_type",
                "send the body as Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge(0)
            } else {
                AppError::BadRequest("unreadable_body", e.body_text())
            }
        })?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(AppError::validation("body", "must be a JSON object"));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                // serde_path_to_error style text: "path: message".
                let text = e.body_text();
                let detail = text
                    .split_once(": ")
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or(text);
                let (field, message) = match detail.split_once(": ") {
                    Some((f, m)) if !f.contains(' ') => (f.to_owned(), m.to_owned()),
                    _ => ("body".to_owned(), detail),
                };
                Err(AppError::validation(field, message))
            }
            Err(JsonRejection::JsonSyntaxError(_)) => Err(AppError::BadRequest(
                "malformed_json",
                "the body is not valid JSON".into(),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest(
                "unsupported_media_type",
                "send the body as Content-Type: application/json".into(),
            )),
            Err(JsonRejection::BytesRejection(e)) => {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Err(AppError::PayloadTooLarge(0))
                } else {
                    Err(AppError::BadRequest("unreadable_body", e.body_text()))
                }
            }
            Err(other) => Err(AppError::BadRequest("invalid_body", other.body_text())),
        }
    }
}

/// `application/json` or `application/<something>+json`, as axum's `Json`.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let subtype = subtype.to_ascii_lowercase();
    kind.eq_ignore_ascii_case("application") && (subtype == "json" || subtype.ends_with("+json"))
}

/// `Path<T>`: an id that does not parse is simply not found.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(AppError::NotFound),
            Err(e) => Err(AppError::internal(anyhow::anyhow!("path: {e}"))),
        }
    }
}

/// `Query<T>` answering 422 with the parameter at fault.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| AppError::validation("query", e.body_text()))
    }
}

/// For `#[serde(default, deserialize_with = "nullable")]` on an
/// `Option<Option<T>>` field of a change: `Some(None)` for an explicit
/// `null` (clear it), `None` when the field is absent (leave it).
pub fn nullable<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// An RFC 3339 time from a query parameter or body field.
pub fn time(field: &str, raw: Option<&str>) -> AppResult<Option<Timestamp>> {
    raw.filter(|s| !s.is_empty())
        .map(|s| {
            Timestamp::parse_rfc3339(s).ok_or_else(|| {
                AppError::validation(field, "an RFC 3339 time (2026-01-31T12:00:00Z)")
            })
        })
        .transpose()
}
