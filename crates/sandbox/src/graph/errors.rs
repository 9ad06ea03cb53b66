//! Meta's Graph error envelope (`{"error":{message,type,code,error_subcode?,
//! error_data?,is_transient,fbtrace_id}}`) and the webhook error object
//! (`{code,title,message,error_data:{details},href}`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::RngExt;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

/// Documentation link Meta puts into webhook error objects.
pub const ERROR_HREF: &str =
    "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/";

/// A Graph API error response.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    pub http: u16,
    pub code: i64,
    pub subcode: Option<i64>,
    pub kind: &'static str,
    pub message: String,
    pub details: Option<String>,
    /// Adds the `WWW-Authenticate: OAuth "Facebook Platform" ...` header.
    pub www_authenticate: bool,
}

impl GraphError {
    /// `(#code) <title>` with `error_data.details`, default HTTP status for the code.
    pub fn code(code: i64, details: impl Into<String>) -> Self {
        Self {
            http: default_http_status(code),
            code,
            subcode: None,
            kind: "OAuthException",
            message: format!("(#{code}) {}", title(code)),
            details: Some(details.into()),
            www_authenticate: code == 190,
        }
    }

    /// Error with the code's default details text.
    pub fn code_default(code: i64) -> Self {
        Self::code(code, default_details(code))
    }

    /// Code 100 "Invalid parameter" with details.
    pub fn invalid(details: impl Into<String>) -> Self {
        Self::code(100, details)
    }

    /// Code 100 with a custom message, e.g. `The parameter to is required.`
    pub fn param(message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::code(100, message.clone());
        e.message = format!("(#100) {message}");
        e
    }

    /// Code 190, HTTP 401: the token is missing, malformed or unknown.
    pub fn invalid_token(message: &str) -> Self {
        let mut e = Self::code(190, message);
        e.message = message.to_owned();
        e.details = None;
        e
    }

    /// Code 100 / subcode 33, `GraphMethodException`: the object does not exist
    /// or the token has no access to it.
    pub fn no_object(id: &str, method: &str) -> Self {
        Self {
            http: 400,
            code: 100,
            subcode: Some(33),
            kind: "GraphMethodException",
            message: format!(
                "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to \
                 missing permissions, or does not support this operation. Please read the Graph API \
                 documentation at https://developers.facebook.com/docs/graph-api"
            ),
            details: None,
            www_authenticate: true,
        }
    }

    /// Code 2500: the path does not name a Graph node/edge the sandbox knows.
    pub fn unknown_path(path: &str) -> Self {
        Self {
            http: 400,
            code: 2500,
            subcode: None,
            kind: "OAuthException",
            message: format!("Unknown path components: {path}"),
            details: None,
            www_authenticate: false,
        }
    }

    pub fn with_http(mut self, http: u16) -> Self {
        self.http = http;
        self
    }

    pub fn with_subcode(mut self, subcode: i64) -> Self {
        self.subcode = Some(subcode);
        self
    }

    /// The JSON envelope.
    pub fn body(&self) -> Value {
        let mut e = json!({
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "is_transient": is_transient(self.code),
            "fbtrace_id": fbtrace_id(),
        });
        if let Some(sub) = self.subcode {
            e["error_subcode"] = json!(sub);
        }
        if let Some(d) = &self.details {
            e["error_data"] = json!({"messaging_product": "whatsapp", "details": d});
        }
        json!({ "error": e })
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.http).unwrap_or(StatusCode::BAD_REQUEST);
        let mut resp = (status, axum::Json(self.body())).into_response();
        if self.www_authenticate {
            let reason = if self.code == 190 {
                "invalid_token"
            } else {
                "invalid_request"
            };
            let text: String = format!(
                "OAuth \"Facebook Platform\" \"{reason}\" \"{}\"",
                self.message
            )
            .chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .collect();
            if let Ok(v) = HeaderValue::from_str(&text) {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        resp
    }
}

/// HTTP status the sandbox uses for a code: 401 for 190, 403 for permission
/// codes, 400 otherwise (the reference's recommendation).
pub fn default_http_status(code: i64) -> u16 {
    match code {
        190 => 401,
        10 | 200..=299 => 403,
        _ => 400,
    }
}

/// Whether Meta marks the code as transient (worth retrying).
pub fn is_transient(code: i64) -> bool {
    matches!(
        code,
        1 | 2 | 4 | 80007 | 130429 | 131000 | 131016 | 131056 | 131057 | 133016
    )
}

/// Meta's title for an error code.
pub fn title(code: i64) -> &'static str {
    match code {
        0 => "AuthException",
        1 => "An unknown error occurred",
        2 => "Service temporarily unavailable",
        3 => "Capability or permissions issue",
        4 => "Application request limit reached",
        10 => "Permission denied",
        100 => "Invalid parameter",
        190 => "Invalid OAuth access token",
        368 => "Temporarily blocked for policies violations",
        80007 => "Rate limit issues",
        130429 => "Rate limit hit",
        130472 => "User's number is part of an experiment",
        130497 => "Business account is restricted from messaging users in this country",
        131000 => "Something went wrong",
        131005 => "Access denied",
        131008 => "Required parameter is missing",
        131009 => "Parameter value is not valid",
        131016 => "Service unavailable",
        131021 => "Recipient cannot be sender",
        131026 => "Message undeliverable",
        131030 => "Recipient phone number not in allowed list",
        131031 => "Business Account locked",
        131037 => "WhatsApp provided number needs display name approval before message can be sent",
        131042 => "Business eligibility payment issue",
        131045 => "Incorrect certificate",
        131047 => "Re-engagement message",
        131048 => "Spam rate limit hit",
        131049 => "This message was not delivered to maintain healthy ecosystem engagement",
        131050 => "User has stopped marketing messages",
        131051 => "Message type unknown",
        131052 => "Media download error",
        131053 => "Media upload error",
        131056 => "(Business Account, Consumer Account) pair rate limit hit",
        131057 => "Account in maintenance mode",
        132000 => "Number of parameters does not match the expected number of params",
        132001 => "Template name does not exist in the translation",
        132005 => "Translated text too long",
        132007 => "Template Format Character Policy Violated",
        132012 => "Parameter format does not match format in the created template",
        132015 => "Template is Paused",
        132016 => "Template is Disabled",
        133010 => "Phone number Not Registered",
        133016 => "Account register deregister rate limit exceeded",
        135000 => "Generic user error",
        _ => "Unknown error",
    }
}

/// Default `error_data.details` text for a code.
pub fn default_details(code: i64) -> &'static str {
    match code {
        130429 => "Cloud API message throughput has been reached.",
        131000 => "Internal error processing the request.",
        131026 => "Message Undeliverable.",
        131047 => {
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
        }
        131049 => {
            "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."
        }
        131050 => {
            "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business."
        }
        131051 => "Message type is currently not supported.",
        131053 => "Unable to upload the media used in the message.",
        131056 => {
            "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."
        }
        131016 => "A service is temporarily unavailable.",
        131057 => "Business account is in maintenance mode.",
        _ => title(code),
    }
}

/// The error object used inside webhooks: `{code,title,message,error_data}`
/// plus `href` (status errors carry it; message-level and value-level errors
/// in the reference fixtures do not).
pub fn webhook_error(code: i64, details: Option<&str>, with_href: bool) -> Value {
    let mut v = json!({
        "code": code,
        "title": title(code),
        "message": title(code),
        "error_data": { "details": details.unwrap_or(default_details(code)) },
    });
    if with_href {
        v["href"] = json!(ERROR_HREF);
    }
    v
}

/// A random 23-character trace id, like Meta's `fbtrace_id`.
pub fn fbtrace_id() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(23)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_shapes() {
        let b = GraphError::code(131009, "bad").body();
        assert_eq!(b["error"]["code"], 131009);
        assert_eq!(
            b["error"]["message"],
            "(#131009) Parameter value is not valid"
        );
        assert_eq!(b["error"]["type"], "OAuthException");
        assert_eq!(b["error"]["error_data"]["details"], "bad");
        assert_eq!(b["error"]["fbtrace_id"].as_str().map(str::len), Some(23));
        let n = GraphError::no_object("123", "get");
        assert_eq!(n.body()["error"]["error_subcode"], 33);
        assert_eq!(n.body()["error"]["type"], "GraphMethodException");
        assert_eq!(GraphError::invalid_token("x").http, 401);
    }
}
