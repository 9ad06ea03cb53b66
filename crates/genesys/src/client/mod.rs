//! [`GenesysClient`]: the Genesys Cloud calls the bridge makes — OAuth client
//! credentials, Open Messaging integrations, inbound messages, receipts and
//! events, and conversation lookups. Stateless with respect to tenants: each
//! call takes a [`Session`] (region host and access token). Tokens, secrets
//! and bodies are never logged.

mod error;

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

pub use error::GenesysError;

use crate::wire::{
    Conversation, InboundEvent, InboundMessage, InboundMessageResponse, Integration,
    IntegrationRequest, Receipt, TokenResponse,
};

const INTEGRATIONS: &[&str] = &[
    "api",
    "v2",
    "conversations",
    "messaging",
    "integrations",
    "open",
];

/// Which tenant a call is for: its region host (`mypurecloud.ie`, see
/// [`crate::region::host_of`]) and a token from [`GenesysClient::token`].
#[derive(Clone, Copy, Debug)]
pub struct Session<'a> {
    pub host: &'a str,
    pub token: &'a str,
}

/// An OAuth access token and its lifetime as Genesys stated it.
#[derive(Clone, Debug)]
pub struct Token {
    pub access_token: String,
    pub expires_in_seconds: i64,
}

/// Client for the Genesys Cloud API. Cheap to clone.
#[derive(Clone, Debug)]
pub struct GenesysClient {
    http: reqwest::Client,
    base_override: Option<Url>,
}

impl GenesysClient {
    /// `base_override`: when Some (the sandbox), both the login and the API
    /// base are that URL (e.g. `http://127.0.0.1:4567`); else
    /// `https://login.{host}` and `https://api.{host}`. `timeout` bounds each
    /// call.
    pub fn new(base_override: Option<String>, timeout: Duration) -> Result<Self, GenesysError> {
        let base_override = match base_override {
            None => None,
            Some(base) => {
                let url = Url::parse(base.trim())
                    .map_err(|e| GenesysError::Config(format!("invalid Genesys base URL: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
                    return Err(GenesysError::Config(
                        "the Genesys base URL must be http(s)".to_owned(),
                    ));
                }
                Some(url)
            }
        };
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("switchboard-genesys/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GenesysError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base_override,
        })
    }

    /// POST {login}/oauth/token, Basic auth, form
    /// `grant_type=client_credentials`.
    pub async fn token(
        &self,
        host: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Token, GenesysError> {
        let url = self.url("login", host, &["oauth", "token"])?;
        let request = self
            .http
            .post(url)
            .basic_auth(client_id, Some(client_secret))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials");
        let answer: TokenResponse = self.execute(request, "oauth_token").await?;
        if answer.access_token.is_empty() {
            return Err(GenesysError::Decode(
                "the token answer has an empty access_token".to_owned(),
            ));
        }
        Ok(Token {
            access_token: answer.access_token,
            expires_in_seconds: answer.expires_in,
        })
    }

    /// Creates an Open Messaging integration.
    pub async fn create_integration(
        &self,
        s: &Session<'_>,
        req: &IntegrationRequest,
    ) -> Result<Integration, GenesysError> {
        let url = self.url("api", s.host, INTEGRATIONS)?;
        let request = self.request(Method::POST, url, s)?.json(req);
        self.execute(request, "create_integration").await
    }

    pub async fn get_integration(
        &self,
        s: &Session<'_>,
        id: &str,
    ) -> Result<Integration, GenesysError> {
        let url = self.url("api", s.host, &[INTEGRATIONS, &[id]].concat())?;
        let request = self.request(Method::GET, url, s)?;
        self.execute(request, "get_integration").await
    }

    /// PATCH: updates webhook URL and secret (and headers, when given) of an
    /// existing integration; its name is kept.
    pub async fn update_integration(
        &self,
        s: &Session<'_>,
        id: &str,
        req: &IntegrationRequest,
    ) -> Result<Integration, GenesysError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Patch<'r> {
            outbound_notification_webhook_url: &'r str,
            outbound_notification_webhook_signature_secret_token: &'r str,
            #[serde(skip_serializing_if = "Option::is_none")]
            webhook_headers: Option<&'r BTreeMap<String, String>>,
        }
        let patch = Patch {
            outbound_notification_webhook_url: &req.outbound_notification_webhook_url,
            outbound_notification_webhook_signature_secret_token: &req
                .outbound_notification_webhook_signature_secret_token,
            webhook_headers: req.webhook_headers.as_ref(),
        };
        let url = self.url("api", s.host, &[INTEGRATIONS, &[id]].concat())?;
        let request = self.request(Method::PATCH, url, s)?.json(&patch);
        self.execute(request, "update_integration").await
    }

    /// POST …/conversations/messages/{integration}/inbound/open/message?prefetchConversationId=true
    pub async fn send_message(
        &self,
        s: &Session<'_>,
        integration: &str,
        m: &InboundMessage,
    ) -> Result<InboundMessageResponse, GenesysError> {
        let mut url = self.inbound_url(s, integration, "message")?;
        url.query_pairs_mut()
            .append_pair("prefetchConversationId", "true");
        let request = self.request(Method::POST, url, s)?.json(m);
        self.execute(request, "send_message").await
    }

    /// POST …/conversations/messages/{integration}/inbound/open/receipt
    pub async fn send_receipt(
        &self,
        s: &Session<'_>,
        integration: &str,
        r: &Receipt,
    ) -> Result<(), GenesysError> {
        let url = self.inbound_url(s, integration, "receipt")?;
        let request = self.request(Method::POST, url, s)?.json(r);
        self.execute_ignoring_body(request, "send_receipt").await
    }

    /// POST …/conversations/messages/{integration}/inbound/open/event
    pub async fn send_event(
        &self,
        s: &Session<'_>,
        integration: &str,
        e: &InboundEvent,
    ) -> Result<(), GenesysError> {
        let url = self.inbound_url(s, integration, "event")?;
        let request = self.request(Method::POST, url, s)?.json(e);
        self.execute_ignoring_body(request, "send_event").await
    }

    /// GET /api/v2/conversations/messages/{conversationId}
    pub async fn get_conversation(
        &self,
        s: &Session<'_>,
        id: &str,
    ) -> Result<Conversation, GenesysError> {
        let url = self.url(
            "api",
            s.host,
            &["api", "v2", "conversations", "messages", id],
        )?;
        let request = self.request(Method::GET, url, s)?;
        self.execute(request, "get_conversation").await
    }

    fn inbound_url(
        &self,
        s: &Session<'_>,
        integration: &str,
        kind: &str,
    ) -> Result<Url, GenesysError> {
        self.url(
            "api",
            s.host,
            &[
                "api",
                "v2",
                "conversations",
                "messages",
                integration,
                "inbound",
                "open",
                kind,
            ],
        )
    }

    /// `{base}/{segments…}`, each segment percent-encoded; the base is the
    /// override or `https://{sub}.{host}`.
    fn url(&self, sub: &str, host: &str, segments: &[&str]) -> Result<Url, GenesysError> {
        let mut url = match &self.base_override {
            Some(base) => base.clone(),
            None => {
                let host = crate::region::host_of(host).map_err(GenesysError::Config)?;
                Url::parse(&format!("https://{sub}.{host}"))
                    .map_err(|e| GenesysError::Config(format!("invalid Genesys host: {e}")))?
            }
        };
        url.set_query(None);
        url.set_fragment(None);
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| GenesysError::Config("invalid Genesys base URL".to_owned()))?;
            path.pop_if_empty();
            for segment in segments {
                if segment.is_empty() || *segment == "." || *segment == ".." {
                    return Err(GenesysError::Config(format!("invalid id {segment:?}")));
                }
                path.push(segment);
            }
        }
        Ok(url)
    }

    /// A request with the Bearer token (checked, never echoed).
    fn request(
        &self,
        method: Method,
        url: Url,
        s: &Session<'_>,
    ) -> Result<RequestBuilder, GenesysError> {
        if s.token.is_empty() || !s.token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(GenesysError::Config(
                "the Genesys access token is empty or has invalid characters".to_owned(),
            ));
        }
        Ok(self.http.request(method, url).bearer_auth(s.token))
    }

    /// Sends and maps the answer: the raw body of a 2xx, or the error.
    async fn send(
        &self,
        request: RequestBuilder,
        endpoint: &'static str,
    ) -> Result<bytes::Bytes, GenesysError> {
        let response = request
            .send()
            .await
            .map_err(|e| GenesysError::transport(&e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|e| GenesysError::transport(&e))?;
        if (200..300).contains(&status) {
            tracing::debug!(endpoint, status, "genesys call succeeded");
            Ok(body)
        } else {
            let error = GenesysError::from_answer(status, retry_after.as_deref(), &body);
            tracing::warn!(endpoint, status, "genesys call failed");
            Err(error)
        }
    }

    async fn execute<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        endpoint: &'static str,
    ) -> Result<T, GenesysError> {
        let body = self.send(request, endpoint).await?;
        serde_json::from_slice(&body).map_err(|e| GenesysError::Decode(format!("{endpoint}: {e}")))
    }

    async fn execute_ignoring_body(
        &self,
        request: RequestBuilder,
        endpoint: &'static str,
    ) -> Result<(), GenesysError> {
        self.send(request, endpoint).await.map(drop)
    }
}
