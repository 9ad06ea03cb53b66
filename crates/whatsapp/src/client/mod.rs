//! [`GraphClient`]: an HTTP client for the Graph API endpoints the platform
//! uses. Stateless with respect to tenants: every call takes the access token
//! (`&str`), which is only ever placed in the `Authorization` header (marked
//! sensitive) and never logged.

mod media;
mod phone;
mod send;
mod templates;

use std::time::Duration;

use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use url::Url;

pub use media::{DownloadedMedia, MediaInfo, MediaUploadResponse};
pub use phone::{PHONE_NUMBER_FIELDS, PhoneNumberInfo, Throughput};
pub use templates::{
    CreateTemplateResponse, Cursors, MAX_TEMPLATE_PAGES, Paging, QualityScore, TemplateButtonDef,
    TemplateComponentDef, TemplateDefinition, TemplateInfo, TemplatePage, TemplateQuery,
};

use crate::error::GraphError;

/// Production Graph API host.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// Graph API version used unless configured otherwise.
pub const DEFAULT_API_VERSION: &str = "v23.0";
/// Default limit for [`GraphClient::download_media`] (documents go up to
/// 100 MB).
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 110 * 1024 * 1024;
/// Host suffixes media download URLs may point at (besides the base URL's
/// own origin). The Bearer token is sent to that URL, so it is checked.
pub const DEFAULT_MEDIA_HOSTS: &[&str] =
    &["fbsbx.com", "facebook.com", "fbcdn.net", "whatsapp.net"];

/// Client for the WhatsApp Cloud API (Graph API). Cheap to clone.
#[derive(Debug, Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base_url: Url,
    version: String,
    media_timeout: Duration,
    max_download_bytes: u64,
    media_hosts: Vec<String>,
    any_media_host: bool,
}

/// Configuration for a [`GraphClient`].
#[derive(Debug, Clone)]
pub struct GraphClientBuilder {
    base_url: String,
    version: String,
    timeout: Duration,
    connect_timeout: Duration,
    media_timeout: Duration,
    max_download_bytes: u64,
    user_agent: String,
    media_hosts: Vec<String>,
    any_media_host: bool,
    http: Option<reqwest::Client>,
}

impl Default for GraphClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            version: DEFAULT_API_VERSION.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            media_timeout: Duration::from_secs(120),
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            user_agent: concat!("switchboard-whatsapp/", env!("CARGO_PKG_VERSION")).to_owned(),
            media_hosts: DEFAULT_MEDIA_HOSTS
                .iter()
                .map(|h| (*h).to_owned())
                .collect(),
            any_media_host: false,
            http: None,
        }
    }
}

impl GraphClientBuilder {
    /// Base URL without version, e.g. `https://graph.facebook.com` or the
    /// sandbox's `http://127.0.0.1:8081` (a path prefix is kept).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// API version path segment, e.g. `v23.0`.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Total timeout of API calls (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// TCP/TLS connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Total timeout of media uploads and downloads (default 120 s).
    pub fn media_timeout(mut self, timeout: Duration) -> Self {
        self.media_timeout = timeout;
        self
    }

    /// Largest media download accepted (default 110 MiB).
    pub fn max_download_bytes(mut self, limit: u64) -> Self {
        self.max_download_bytes = limit;
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Also allow media downloads from `host` and its subdomains (https).
    pub fn allow_media_host(mut self, host: impl Into<String>) -> Self {
        self.media_hosts.push(host.into());
        self
    }

    /// Send the token to any http(s) media URL the API returns (only for
    /// trusted test setups).
    pub fn allow_any_media_host(mut self, allow: bool) -> Self {
        self.any_media_host = allow;
        self
    }

    /// Use a preconfigured `reqwest::Client` (timeouts and user agent set
    /// here are then ignored, except the media timeout).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    pub fn build(self) -> Result<GraphClient, GraphError> {
        let base_url = Url::parse(&self.base_url)
            .map_err(|e| GraphError::Config(format!("invalid base URL: {e}")))?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(GraphError::Config("base URL must be http(s)".to_owned()));
        }
        if self.version.is_empty()
            || !self
                .version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            return Err(GraphError::Config(format!(
                "invalid API version {:?}",
                self.version
            )));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| GraphError::Config(format!("cannot build HTTP client: {e}")))?,
        };
        Ok(GraphClient {
            http,
            base_url,
            version: self.version,
            media_timeout: self.media_timeout,
            max_download_bytes: self.max_download_bytes,
            media_hosts: self.media_hosts,
            any_media_host: self.any_media_host,
        })
    }
}

impl GraphClient {
    /// A client for `https://graph.facebook.com` / [`DEFAULT_API_VERSION`].
    pub fn new() -> Result<Self, GraphError> {
        Self::builder().build()
    }

    pub fn builder() -> GraphClientBuilder {
        GraphClientBuilder::default()
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    pub fn api_version(&self) -> &str {
        &self.version
    }

    /// `{base}/{version}/{segments...}`, each segment percent-encoded.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url, GraphError> {
        let mut url = self.base_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| GraphError::Config("base URL cannot have a path".to_owned()))?;
            path.pop_if_empty().push(&self.version);
            for segment in segments {
                check_id(segment)?;
                path.push(segment);
            }
        }
        Ok(url)
    }

    /// A request with the Bearer token set.
    pub(crate) fn request(
        &self,
        method: Method,
        url: Url,
        token: &str,
    ) -> Result<RequestBuilder, GraphError> {
        check_token(token)?;
        Ok(self.http.request(method, url).bearer_auth(token))
    }

    /// Sends and decodes a JSON answer, mapping error responses.
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        endpoint: &'static str,
    ) -> Result<T, GraphError> {
        let response = request.send().await.map_err(GraphError::transport)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(GraphError::transport)?;
        if (200..300).contains(&status) {
            tracing::debug!(endpoint, status, "graph call succeeded");
            serde_json::from_slice(&body).map_err(|e| GraphError::Decode {
                status,
                message: e.to_string(),
            })
        } else {
            let error = GraphError::from_response(status, &body);
            tracing::warn!(endpoint, status, code = ?error.code(), class = ?error.class(), "graph call failed");
            Err(error)
        }
    }

    /// Whether the token may be sent to a media download URL.
    fn media_url_allowed(&self, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        if self.any_media_host || url.origin() == self.base_url.origin() {
            return true;
        }
        let Some(host) = url.host_str() else {
            return false;
        };
        url.scheme() == "https"
            && self.media_hosts.iter().any(|allowed| {
                host == allowed
                    || host
                        .strip_suffix(allowed.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            })
    }
}

/// Rejects ids that are empty or would change the path meaning.
fn check_id(id: &str) -> Result<(), GraphError> {
    if id.is_empty() || id == "." || id == ".." {
        return Err(GraphError::InvalidInput(format!("invalid id {id:?}")));
    }
    Ok(())
}

/// Rejects tokens that cannot be a header value (without echoing them).
fn check_token(token: &str) -> Result<(), GraphError> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(GraphError::InvalidInput(
            "access token is empty or contains invalid characters".to_owned(),
        ));
    }
    Ok(())
}
