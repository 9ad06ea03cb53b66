//! Media: `POST /{v}/{phone_number_id}/media` (multipart upload),
//! `GET /{v}/{media_id}` (URL + metadata), the download URL served by the
//! sandbox itself (Bearer required, 5-minute expiry), `DELETE /{v}/{media_id}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::errors::GraphError;
use super::{Params, auth_number, check_version, into_response, known_token};
use crate::app::App;
use crate::state::{Media, State as SbState};

/// Download URLs stay valid this long (Meta: 5 minutes).
const URL_TTL_SECS: i64 = 300;

/// Accepted MIME types and their size limits (bytes).
fn limit_for(mime: &str) -> Option<usize> {
    let base = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    const MB: usize = 1024 * 1024;
    match base.as_str() {
        "image/jpeg" | "image/png" => Some(5 * MB),
        "image/webp" => Some(500 * 1024),
        "video/mp4" | "video/3gpp" => Some(16 * MB),
        "audio/aac" | "audio/amr" | "audio/mpeg" | "audio/mp4" | "audio/ogg" => Some(16 * MB),
        "text/plain"
        | "application/pdf"
        | "application/msword"
        | "application/vnd.ms-excel"
        | "application/vnd.ms-powerpoint" => Some(100 * MB),
        b if b.starts_with("application/vnd.openxmlformats-officedocument.") => Some(100 * MB),
        _ => None,
    }
}

/// Stores media for a WABA and returns its id.
pub(crate) fn store(
    st: &mut SbState,
    waba_id: &str,
    bytes: Bytes,
    mime_type: &str,
) -> (String, [u8; 32]) {
    let id = st.new_object_id();
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    st.media.insert(
        id.clone(),
        Media {
            id: id.clone(),
            waba_id: waba_id.to_owned(),
            bytes,
            mime_type: mime_type.to_owned(),
            sha256,
            phone_number_id: None,
        },
    );
    (id, sha256)
}

pub(crate) async fn upload(
    State(app): State<Arc<App>>,
    Path((version, pnid)): Path<(String, String)>,
    Query(q): Query<Params>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let number = match check_version(&version)
        .and_then(|()| auth_number(&app, &headers, &q, &pnid, "post"))
    {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    let mut multipart = match Multipart::from_request(req, &()).await {
        Ok(m) => m,
        Err(e) => {
            return GraphError::invalid(format!("Expected multipart/form-data: {e}"))
                .into_response();
        }
    };
    let (mut product, mut declared, mut file) = (None, None, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let content_type = field.content_type().map(str::to_owned);
                let data = match field.bytes().await {
                    Ok(d) => d,
                    Err(e) => {
                        return GraphError::invalid(format!("Bad multipart body: {e}"))
                            .into_response();
                    }
                };
                match name.as_str() {
                    "messaging_product" => {
                        product = Some(String::from_utf8_lossy(&data).into_owned())
                    }
                    "type" => declared = Some(String::from_utf8_lossy(&data).into_owned()),
                    "file" => file = Some((data, content_type)),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => {
                return GraphError::invalid(format!("Bad multipart body: {e}")).into_response();
            }
        }
    }
    let r = (|| {
        match product.as_deref() {
            Some("whatsapp") => {}
            Some(p) => {
                return Err(GraphError::param(format!(
                    "Param messaging_product must be one of {{WHATSAPP}} - got {p:?}."
                )));
            }
            None => {
                return Err(GraphError::param(
                    "The parameter messaging_product is required.",
                ));
            }
        }
        let (data, part_type) =
            file.ok_or_else(|| GraphError::param("The parameter file is required."))?;
        let mime = declared
            .or(part_type)
            .ok_or_else(|| GraphError::param("The parameter type is required."))?;
        let limit = limit_for(&mime).ok_or_else(|| {
            GraphError::param(format!(
                "Param file must be a file with a supported media type - got {mime:?}."
            ))
        })?;
        if data.len() > limit {
            return Err(GraphError::code(
                131053,
                format!(
                    "File is too big: {} bytes, max {limit} for {mime}",
                    data.len()
                ),
            ));
        }
        let mut st = app.lock();
        let (id, _) = store(&mut st, &number.waba_id, data, &mime);
        if let Some(m) = st.media.get_mut(&id) {
            m.phone_number_id = Some(pnid.clone());
        }
        Ok(json!({ "id": id }))
    })();
    into_response(r)
}

fn url_hash(app: &App, mid: &str, ext: i64) -> String {
    match Hmac::<Sha256>::new_from_slice(&app.url_key) {
        Ok(mut mac) => {
            mac.update(format!("{mid}:{ext}").as_bytes());
            hex::encode(mac.finalize().into_bytes())
                .chars()
                .take(32)
                .collect()
        }
        Err(_) => String::new(),
    }
}

/// `?phone_number_id=` on retrieve/delete: Meta only processes the call when
/// it names the number the media was uploaded on.
pub(crate) fn check_number(
    app: &App,
    id: &str,
    q: &Params,
    method: &str,
) -> Result<(), GraphError> {
    let Some(wanted) = q.get("phone_number_id").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let st = app.lock();
    let owner = st.media.get(id).and_then(|m| m.phone_number_id.as_ref());
    match owner {
        Some(p) if p != wanted => Err(GraphError::no_object(id, method)),
        _ => Ok(()),
    }
}

/// `GET /{v}/{media_id}` (auth already checked).
pub(crate) fn info(app: &App, id: &str) -> Result<Value, GraphError> {
    let st = app.lock();
    let m = st
        .media
        .get(id)
        .ok_or_else(|| GraphError::no_object(id, "get"))?;
    let ext = st.now() + URL_TTL_SECS;
    let url = format!(
        "{}/whatsapp_business/attachments/?mid={}&ext={ext}&hash={}",
        app.base_url,
        m.id,
        url_hash(app, &m.id, ext)
    );
    Ok(json!({
        "messaging_product": "whatsapp",
        "url": url,
        "mime_type": m.mime_type,
        "sha256": hex::encode(m.sha256),
        "file_size": m.bytes.len(),
        "id": m.id,
    }))
}

/// The download URL: requires the Bearer token of the media's WABA.
pub(crate) async fn download(
    State(app): State<Arc<App>>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let tok = match known_token(&app, &headers, &Params::new()) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let mid = q.get("mid").cloned().unwrap_or_default();
    let ext = q
        .get("ext")
        .and_then(|e| e.parse::<i64>().ok())
        .unwrap_or(0);
    let hash = q.get("hash").cloned().unwrap_or_default();
    let st = app.lock();
    let Some(m) = st.media.get(&mid) else {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    };
    if !st.token_for_waba(&tok, &m.waba_id) {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    }
    if hash != url_hash(&app, &mid, ext) || ext < st.now() {
        return (StatusCode::FORBIDDEN, "URL signature expired").into_response();
    }
    let mut resp = m.bytes.clone().into_response();
    if let Ok(v) = HeaderValue::from_str(&m.mime_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_limits() {
        assert_eq!(limit_for("image/jpeg"), Some(5 * 1024 * 1024));
        assert_eq!(limit_for("audio/ogg; codecs=opus"), Some(16 * 1024 * 1024));
        assert!(
            limit_for("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
                .is_some()
        );
        assert_eq!(limit_for("image/gif"), None);
    }
}
