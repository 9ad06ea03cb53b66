//! The fake Graph API: `/{version}/{id}[/{edge}]` routes, Bearer auth and
//! Meta's error envelopes.

pub mod errors;
mod fields;
mod interactive;
pub(crate) mod media;
mod messages;
mod phone;
mod profile;
mod template_body;
mod template_list;
mod templates;
pub(crate) mod validate;
mod waba;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::App;
use crate::config::NumberSpec;
use errors::GraphError;

pub(crate) type Params = HashMap<String, String>;

/// Largest accepted upload (documents: 100 MB) plus multipart overhead.
const MAX_UPLOAD: usize = 101 * 1024 * 1024;

pub(crate) fn router(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route(
            "/{version}/{id}",
            get(object_get).post(object_post).delete(object_delete),
        )
        .route("/{version}/{id}/messages", post(messages::send))
        .route(
            "/{version}/{id}/media",
            post(media::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/{version}/{id}/message_templates",
            get(template_list::list)
                .post(templates::create)
                .delete(templates::delete),
        )
        .route("/{version}/{id}/phone_numbers", get(phone::list_numbers))
        .route("/{version}/{id}/register", post(phone::register))
        .route(
            "/{version}/{id}/whatsapp_business_profile",
            get(profile::get).post(profile::update),
        )
        .route(
            "/{version}/{id}/subscribed_apps",
            get(waba::subscribed_apps).post(waba::subscribe),
        )
        .route("/whatsapp_business/attachments/", get(media::download))
        .route("/whatsapp_business/attachments", get(media::download))
        .layer(middleware::from_fn_with_state(app, latency))
}

/// Unknown paths answer like Graph does.
pub(crate) async fn fallback(req: Request) -> Response {
    GraphError::unknown_path(req.uri().path()).into_response()
}

/// Fault injection: added latency on every Graph request.
async fn latency(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let delay = {
        let mut st = app.lock();
        let faults = st.faults.clone();
        faults.latency(&mut st.rng)
    };
    if !delay.is_zero() && !app.sleep(delay).await {
        return GraphError::code_default(2).with_http(503).into_response();
    }
    next.run(req).await
}

/// Accepts `v<major>.<minor>` (e.g. `v23.0`).
pub(crate) fn check_version(v: &str) -> Result<(), GraphError> {
    let ok = v
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(GraphError::unknown_path(&format!("/{v}")))
    }
}

/// Bearer token from the `Authorization` header or `access_token` query.
pub(crate) fn token(headers: &HeaderMap, query: &Params) -> Option<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_owned())
        });
    from_header
        .or_else(|| query.get("access_token").cloned())
        .filter(|t| !t.is_empty())
}

/// Checks the token is one the sandbox knows (190 otherwise).
pub(crate) fn known_token(
    app: &App,
    headers: &HeaderMap,
    query: &Params,
) -> Result<String, GraphError> {
    let Some(tok) = token(headers, query) else {
        return Err(GraphError::invalid_token(
            "An active access token must be used to query information about the current user.",
        ));
    };
    if app.lock().token_known(&tok) {
        Ok(tok)
    } else {
        Err(GraphError::invalid_token(
            "Invalid OAuth access token - Cannot parse access token",
        ))
    }
}

/// Authorises a call on a business number: 190 for a bad token, 100/33 for
/// an unknown number or a token of another number.
pub(crate) fn auth_number(
    app: &App,
    headers: &HeaderMap,
    query: &Params,
    phone_number_id: &str,
    method: &str,
) -> Result<NumberSpec, GraphError> {
    let tok = known_token(app, headers, query)?;
    let st = app.lock();
    match st.numbers.get(phone_number_id) {
        Some(n) if n.spec.access_token == tok => Ok(n.spec.clone()),
        _ => Err(GraphError::no_object(phone_number_id, method)),
    }
}

/// Authorises a call on a WABA (the token must belong to one of its numbers).
pub(crate) fn auth_waba(
    app: &App,
    headers: &HeaderMap,
    query: &Params,
    waba_id: &str,
    method: &str,
) -> Result<(), GraphError> {
    let tok = known_token(app, headers, query)?;
    if app.lock().token_for_waba(&tok, waba_id) {
        Ok(())
    } else {
        Err(GraphError::no_object(waba_id, method))
    }
}

/// What an id names.
enum Node {
    Number,
    Media(String),
    Template(String),
    Waba,
    Unknown,
}

fn node(app: &App, id: &str) -> Node {
    let st = app.lock();
    if st.numbers.contains_key(id) {
        Node::Number
    } else if let Some(m) = st.media.get(id) {
        Node::Media(m.waba_id.clone())
    } else if let Some(t) = st.templates.get(id) {
        Node::Template(t.waba_id.clone())
    } else if st.waba_exists(id) {
        Node::Waba
    } else {
        Node::Unknown
    }
}

async fn object_get(
    State(app): State<Arc<App>>,
    Path((version, id)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        known_token(&app, &headers, &q)?;
        match node(&app, &id) {
            Node::Number => phone::info(&app, &headers, &q, &id),
            Node::Media(waba) => {
                auth_waba(&app, &headers, &q, &waba, "get")
                    .map_err(|_| GraphError::no_object(&id, "get"))?;
                media::check_number(&app, &id, &q, "get")?;
                media::info(&app, &id)
            }
            Node::Template(waba) => {
                auth_waba(&app, &headers, &q, &waba, "get")
                    .map_err(|_| GraphError::no_object(&id, "get"))?;
                templates::get_one(&app, &id, &q)
            }
            Node::Waba => {
                auth_waba(&app, &headers, &q, &id, "get")?;
                waba::info(&id, &q)
            }
            Node::Unknown => Err(GraphError::no_object(&id, "get")),
        }
    })();
    into_response(r)
}

async fn object_post(
    State(app): State<Arc<App>>,
    Path((version, id)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        known_token(&app, &headers, &q)?;
        match node(&app, &id) {
            Node::Template(waba) => {
                auth_waba(&app, &headers, &q, &waba, "post")
                    .map_err(|_| GraphError::no_object(&id, "post"))?;
                templates::edit(&app, &id, &body)
            }
            _ => Err(GraphError::no_object(&id, "post")),
        }
    })();
    into_response(r)
}

async fn object_delete(
    State(app): State<Arc<App>>,
    Path((version, id)): Path<(String, String)>,
    Query(q): Query<Params>,
    headers: HeaderMap,
) -> Response {
    let r = (|| {
        check_version(&version)?;
        known_token(&app, &headers, &q)?;
        match node(&app, &id) {
            Node::Media(waba) => {
                auth_waba(&app, &headers, &q, &waba, "delete")
                    .map_err(|_| GraphError::no_object(&id, "delete"))?;
                media::check_number(&app, &id, &q, "delete")?;
                app.lock().media.remove(&id);
                Ok(serde_json::json!({ "success": true }))
            }
            _ => Err(GraphError::no_object(&id, "delete")),
        }
    })();
    into_response(r)
}

pub(crate) fn into_response(r: Result<serde_json::Value, GraphError>) -> Response {
    match r {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(check_version("v23.0").is_ok());
        assert!(check_version("v17.0").is_ok());
        assert!(check_version("v30.1").is_ok());
        assert!(check_version("23.0").is_err());
        assert!(check_version("v23").is_err());
        assert!(check_version("vx.0").is_err());
    }

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(token(&h, &Params::new()).as_deref(), Some("abc"));
        let mut q = Params::new();
        q.insert("access_token".into(), "q".into());
        assert_eq!(token(&HeaderMap::new(), &q).as_deref(), Some("q"));
        assert_eq!(token(&HeaderMap::new(), &Params::new()), None);
    }
}
