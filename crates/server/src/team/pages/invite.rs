//! Accepting an invitation from its link: name and password, then on to
//! the sign-in form. The API's `accept-invite` handler does the work.

use crate::auth::tokens::hash_token;
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::render;
use crate::error::AppResult;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::team::api::AcceptInvite;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::StoreError;

#[derive(Template)]
#[template(path = "accept_invite.html")]
struct InvitePage {
    csrf: String,
    token: String,
    name: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn view_invite(CsrfToken(csrf): CsrfToken, Query(q): Query<TokenQuery>) -> Response {
    render(&InvitePage {
        csrf,
        token: q.token,
        name: String::new(),
        error: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    token: String,
    name: String,
    password: String,
}

/// Where the new member signs in: their workspace and email.
async fn sign_in_target(state: &AppState, token: &str) -> AppResult<Option<(String, String)>> {
    let mut sys = state.store.system_read().await?;
    let invite = match sys.find_invite_by_token_hash(&hash_token(token)).await {
        Ok(i) => i,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let tenant = sys.find_tenant(invite.tenant_id).await?;
    sys.commit().await?;
    Ok(Some((tenant.slug, invite.email)))
}

pub async fn accept_invite(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let target = sign_in_target(&state, &form.token).await?;
    let body = AcceptInvite {
        token: form.token.clone(),
        name: form.name.clone(),
        password: form.password,
    };
    match crate::team::api::accept_invite(State(state), ApiJson(body)).await {
        Ok(_) => {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            if let Some((tenant, email)) = target {
                q.append_pair("tenant", &tenant)
                    .append_pair("email", &email);
            }
            Ok(Redirect::to(&format!("/app/login?{}", q.finish())).into_response())
        }
        Err(e) => match crate::dashboard::settings::inline(&e) {
            Some(message) => {
                let mut res = render(&InvitePage {
                    csrf,
                    token: form.token,
                    name: form.name,
                    error: Some(message),
                });
                *res.status_mut() = e.status();
                Ok(res)
            }
            None => Err(e),
        },
    }
}
