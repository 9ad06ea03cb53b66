//! Accepting an invitation from its link: name and password, then on to
//! the sign-in form. [`crate::team::invites::accept_invite`] does the work.

use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::render;
use crate::error::AppResult;
use crate::state::AppState;
use crate::team::invites::{self, Acceptance};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

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

pub async fn accept_invite(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let input = Acceptance {
        token: form.token.clone(),
        name: form.name.clone(),
        password: form.password,
    };
    match invites::accept_invite(&state, input).await {
        Ok(accepted) => {
            // On to the sign-in form, with their workspace and email filled in.
            let q = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("tenant", &accepted.tenant_slug)
                .append_pair("email", &accepted.user.email)
                .finish();
            Ok(Redirect::to(&format!("/app/login?{q}")).into_response())
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
