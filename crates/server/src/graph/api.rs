//! The Cloud-API-compatible endpoint: an app written for Meta's Cloud API
//! works against Switchboard by changing its base URL to
//! `{public_url}/graph` and its token to a tenant API key.
//!
//! `POST /graph/{version}/{phone_number_id}/messages` takes Meta's exact
//! request bodies (sends and mark-as-read) and answers with Meta's response
//! and error shapes. Sends obey every rule of `POST /api/v1/messages` and
//! appear in the inbox. The `messages[0].id` returned is Switchboard's
//! message id (Meta's wamid is only known once the queued send goes out);
//! status webhooks are Switchboard's to give, through the inbox and events.

use super::MarkReadError;
use crate::auth::TenantCtx;
use crate::auth::principal::{client_ip, resolve_tenant};
use crate::channels::send::{Lane, Outgoing, send_message};
use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::Permission;
use domain::messaging::WaId;
use serde_json::{Value, json};
use store::channels::Channel;
use whatsapp::outgoing::MessagesRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/graph/{version}/{phone_number_id}", get(get_phone_number))
        .route(
            "/graph/{version}/{phone_number_id}/messages",
            post(post_messages),
        )
}

/// An error in Meta's envelope.
struct MetaError {
    status: StatusCode,
    code: i64,
    subcode: Option<i64>,
    kind: &'static str,
    message: String,
    details: Option<String>,
}

impl MetaError {
    fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        MetaError {
            status,
            code,
            subcode: None,
            kind: "OAuthException",
            message: message.into(),
            details: None,
        }
    }
    fn details(mut self, d: impl Into<String>) -> Self {
        self.details = Some(d.into());
        self
    }
    fn invalid(details: impl Into<String>) -> Self {
        MetaError::new(StatusCode::BAD_REQUEST, 100, "(#100) Invalid parameter").details(details)
    }
    fn unknown_object(id: &str) -> Self {
        let mut e = MetaError::new(
            StatusCode::BAD_REQUEST,
            100,
            format!(
                "Unsupported post request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
            ),
        );
        e.subcode = Some(33);
        e.kind = "GraphMethodException";
        e
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
            AppError::Unauthenticated | AppError::Unauthorized(..) => MetaError::new(
                StatusCode::UNAUTHORIZED,
                190,
                "Invalid OAuth access token - Cannot parse access token",
            ),
            AppError::Forbidden(..) => MetaError::new(StatusCode::FORBIDDEN, 10, "(#10) Application does not have permission for this action").details(text),
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

async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    method: &Method,
    ext: &axum::http::Extensions,
) -> Result<TenantCtx, MetaError> {
    let ctx = resolve_tenant(state, method, headers, client_ip(ext)).await?;
    Ok(ctx)
}

/// The channel `phone_number_id` names, if it is this tenant's.
async fn own_channel(state: &AppState, ctx: &TenantCtx, pnid: &str) -> Result<Channel, MetaError> {
    super::find_channel(state, ctx, pnid)
        .await?
        .ok_or_else(|| MetaError::unknown_object(pnid))
}

async fn get_phone_number(
    State(state): State<AppState>,
    Path((_version, pnid)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    ext: axum::http::Extensions,
) -> Result<axum::Json<Value>, MetaError> {
    let ctx = authenticate(&state, &headers, &method, &ext).await?;
    let c = own_channel(&state, &ctx, &pnid).await?;
    Ok(axum::Json(json!({
        "id": c.phone_number_id,
        "display_phone_number": c.display_phone_number,
        "verified_name": c.verified_name,
        "quality_rating": "GREEN",
        "code_verification_status": "VERIFIED",
        "platform_type": "CLOUD_API",
        "throughput": { "level": "STANDARD" },
    })))
}

async fn post_messages(
    State(state): State<AppState>,
    Path((_version, pnid)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    body: Bytes,
) -> Result<axum::Json<Value>, MetaError> {
    let ctx = authenticate(&state, &headers, &method, &ext).await?;
    if !ctx.allows(Permission::InboxWrite) {
        return Err(AppError::Forbidden("permission_denied", "needs inbox:write".into()).into());
    }
    let channel = own_channel(&state, &ctx, &pnid).await?;
    let request: MessagesRequest = serde_json::from_slice(&body)
        .map_err(|e| MetaError::invalid(format!("invalid request body: {e}")))?;
    match request {
        MessagesRequest::Send(m) => {
            if m.messaging_product != "whatsapp" {
                return Err(MetaError::invalid("messaging_product must be whatsapp"));
            }
            let Some(to) = m.to.clone() else {
                return Err(MetaError::invalid("the parameter `to` is required"));
            };
            let digits: String = to.chars().filter(char::is_ascii_digit).collect();
            let wa_id = WaId::parse(&digits).map_err(AppError::from)?;
            let message = send_message(
                &state,
                &ctx,
                Outgoing {
                    conversation_id: None,
                    channel_id: Some(channel.id),
                    to: Some(wa_id.clone()),
                    reply_to: m.context.map(|c| c.message_id),
                    content: m.content,
                    lane: Lane::Conversational,
                },
            )
            .await?;
            let mut sent = json!({ "id": message.id.to_string() });
            if message.kind == "template" {
                sent["message_status"] = json!("accepted");
            }
            Ok(axum::Json(json!({
                "messaging_product": "whatsapp",
                "contacts": [{ "input": to, "wa_id": wa_id.as_str() }],
                "messages": [sent],
            })))
        }
        MessagesRequest::MarkRead(r) => {
            let typing = r.typing_indicator.is_some();
            super::mark_read(&state, &ctx, &channel, &r.message_id, typing)
                .await
                .map_err(|e| match e {
                    MarkReadError::UnknownMessage => {
                        MetaError::invalid(format!("message {} not found", r.message_id))
                    }
                    MarkReadError::App(e) => e.into(),
                    MarkReadError::Graph(e) => MetaError::new(
                        StatusCode::BAD_GATEWAY,
                        e.code().unwrap_or(1),
                        e.to_string(),
                    ),
                })?;
            Ok(axum::Json(json!({ "success": true })))
        }
    }
}
