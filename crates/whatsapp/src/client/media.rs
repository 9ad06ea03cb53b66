//! Media endpoints (reference §4): upload, retrieve URL, download, delete.

use bytes::{Bytes, BytesMut};
use reqwest::multipart::{Form, Part};
use reqwest::{Body, Method, header};
use serde::{Deserialize, Serialize};
use url::Url;

use super::GraphClient;
use super::send::require_success;
use crate::error::GraphError;
use crate::lenient;
use crate::outgoing::SuccessResponse;

/// `POST /{phone_number_id}/media` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaUploadResponse {
    /// Media id, valid ~30 days; use in [`crate::outgoing::MediaBody::id`].
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
}

/// `GET /{media_id}` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaInfo {
    #[serde(default, deserialize_with = "lenient::string")]
    pub messaging_product: String,
    /// Download URL, valid 5 minutes, needs the Bearer token.
    #[serde(deserialize_with = "lenient::string")]
    pub url: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub mime_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sha256: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub file_size: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
}

/// Downloaded media bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedMedia {
    pub data: Bytes,
    /// The response's `Content-Type`.
    pub content_type: Option<String>,
}

impl GraphClient {
    /// Uploads media for later sends (multipart: `messaging_product`,
    /// `type`, `file`).
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        token: &str,
        data: Bytes,
        mime_type: &str,
        filename: &str,
    ) -> Result<MediaUploadResponse, GraphError> {
        let url = self.url(&[phone_number_id, "media"])?;
        let length = u64::try_from(data.len()).unwrap_or(u64::MAX);
        let file = Part::stream_with_length(Body::from(data), length)
            .file_name(filename.to_owned())
            .mime_str(mime_type)
            .map_err(|_| GraphError::InvalidInput(format!("invalid MIME type {mime_type:?}")))?;
        let form = Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_owned())
            .part("file", file);
        let request = self
            .request(Method::POST, url, token)?
            .timeout(self.media_timeout)
            .multipart(form);
        self.execute(request, "media.upload").await
    }

    /// Retrieves the (5-minute) download URL and metadata of a media id.
    pub async fn media_info(
        &self,
        token: &str,
        media_id: &str,
        phone_number_id: Option<&str>,
    ) -> Result<MediaInfo, GraphError> {
        let mut url = self.url(&[media_id])?;
        if let Some(id) = phone_number_id {
            url.query_pairs_mut().append_pair("phone_number_id", id);
        }
        let request = self.request(Method::GET, url, token)?;
        self.execute(request, "media.info").await
    }

    /// Downloads media from a URL returned by [`Self::media_info`], sending
    /// the Bearer token. The URL must be on an allowed host (see
    /// [`super::GraphClientBuilder::allow_media_host`]).
    pub async fn download_media(
        &self,
        token: &str,
        url: &str,
    ) -> Result<DownloadedMedia, GraphError> {
        let url = Url::parse(url)
            .map_err(|_| GraphError::InvalidInput("media URL is not a valid URL".into()))?;
        if !self.media_url_allowed(&url) {
            return Err(GraphError::InvalidInput(format!(
                "media URL host {:?} is not allowed",
                url.host_str().unwrap_or_default()
            )));
        }
        let request = self
            .request(Method::GET, url, token)?
            .timeout(self.media_timeout);
        let mut response = request.send().await.map_err(GraphError::transport)?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let body = response.bytes().await.map_err(GraphError::transport)?;
            return Err(GraphError::from_response(status, &body));
        }
        let limit = self.max_download_bytes;
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(GraphError::MediaTooLarge { limit });
        }
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut data = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(GraphError::transport)? {
            let total = u64::try_from(data.len() + chunk.len()).unwrap_or(u64::MAX);
            if total > limit {
                return Err(GraphError::MediaTooLarge { limit });
            }
            data.extend_from_slice(&chunk);
        }
        tracing::debug!(status, bytes = data.len(), "media downloaded");
        Ok(DownloadedMedia {
            data: data.freeze(),
            content_type,
        })
    }

    /// [`Self::media_info`] then [`Self::download_media`].
    pub async fn fetch_media(
        &self,
        token: &str,
        media_id: &str,
        phone_number_id: Option<&str>,
    ) -> Result<(MediaInfo, DownloadedMedia), GraphError> {
        let info = self.media_info(token, media_id, phone_number_id).await?;
        let media = self.download_media(token, &info.url).await?;
        Ok((info, media))
    }

    /// Deletes uploaded media.
    pub async fn delete_media(
        &self,
        token: &str,
        media_id: &str,
        phone_number_id: Option<&str>,
    ) -> Result<(), GraphError> {
        let mut url = self.url(&[media_id])?;
        if let Some(id) = phone_number_id {
            url.query_pairs_mut().append_pair("phone_number_id", id);
        }
        let request = self.request(Method::DELETE, url, token)?;
        let response: SuccessResponse = self.execute(request, "media.delete").await?;
        require_success(response)
    }
}
