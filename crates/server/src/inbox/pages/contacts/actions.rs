//! The contact forms' POST handlers: each parses the form, calls one rule,
//! then redirects, or shows the refusal on the page it came from.

use super::{ContactPageQuery, ContactsQuery, contact_page, list_page};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::Shell;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::inbox::contacts::manage::ContactInput;
use crate::inbox::contacts::message::{ContactMessage, TemplateChoice};
use crate::inbox::contacts::{self, ContactChanges};
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ChannelId, ContactId};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

/// The "New contact" form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewContactForm {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub language: String,
}

/// The value of form field `k` (empty if absent).
fn get(fields: &[(String, String)], k: &str) -> String {
    fields
        .iter()
        .find(|(f, _)| f == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A form's text as an attribute value of type `kind`: empty removes the
/// value; a number or boolean that does not parse is passed on as text,
/// for the rule to refuse with the field named.
fn form_value(kind: &str, raw: &str) -> Value {
    let raw = raw.trim();
    if raw.is_empty() {
        return Value::Null;
    }
    match kind {
        "number" => raw
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                raw.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or_else(|| Value::String(raw.to_owned())),
        "boolean" => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::String(other.to_owned()),
        },
        _ => Value::String(raw.to_owned()),
    }
}

/// A refusal shown on the contact's page, or the error page.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: ContactId,
    q: ContactPageQuery,
    e: AppError,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = contact_page(state, shell, ctx, id, q, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

pub async fn create_contact(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    Form(form): Form<NewContactForm>,
) -> AppResult<Response> {
    let input = ContactInput {
        phone: form.phone.clone(),
        name: Some(form.name.clone()),
        email: Some(form.email.clone()),
        language: Some(form.language.clone()),
        attributes: Map::new(),
    };
    match contacts::manage::create_contact(&state, &ctx, input).await {
        Ok(c) => Ok(Redirect::to(&format!("/app/contacts/{}?done=created", c.id)).into_response()),
        Err(e) => {
            let Some(msg) = inline(&e) else {
                return Err(e);
            };
            let q = ContactsQuery::default();
            let mut res = list_page(&state, shell, &ctx, q, Some(form), Some(msg)).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

/// The edit form: name, email, language, messages (subscribed or opted
/// out) and `attr.<key>` for each custom attribute, with its type in
/// `type.<key>`.
pub async fn update_contact(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut attributes = Map::new();
    for (name, raw) in &fields {
        if let Some(key) = name.strip_prefix("attr.") {
            let kind = get(&fields, &format!("type.{key}"));
            attributes.insert(key.to_owned(), form_value(&kind, raw));
        }
    }
    let changes = ContactChanges {
        opted_out: match get(&fields, "opted_out").as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        name: Some(Some(get(&fields, "name"))),
        email: Some(Some(get(&fields, "email"))),
        language: Some(Some(get(&fields, "language"))),
        attributes: Some(attributes),
    };
    match contacts::update_contact(&state, &ctx, id, changes, "dashboard").await {
        Ok(_) => Ok(Redirect::to(&format!("/app/contacts/{id}?done=saved")).into_response()),
        Err(e) => refused(&state, shell, &ctx, id, ContactPageQuery::default(), e).await,
    }
}

pub async fn delete_contact(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<ContactId>,
) -> AppResult<Response> {
    match contacts::manage::delete_contact(&state, &ctx, id).await {
        Ok(()) => Ok(Redirect::to("/app/contacts").into_response()),
        Err(e) => refused(&state, shell, &ctx, id, ContactPageQuery::default(), e).await,
    }
}

/// The "Message" form: `channel_id`, and `text`, or a template (`name`,
/// `language`, `named`, `var_<variable>` values in order).
pub async fn message_contact(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let number = get(&fields, "channel_id");
    let channel = number.parse::<ChannelId>().ok();
    let name = get(&fields, "name");
    let vars: Vec<(String, String)> = fields
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("var_").map(|n| (n.to_owned(), v.clone())))
        .collect();
    let input = if name.is_empty() {
        ContactMessage {
            text: Some(get(&fields, "text")),
            template: None,
        }
    } else {
        let named = get(&fields, "named") == "1";
        ContactMessage {
            text: None,
            template: Some(TemplateChoice {
                name,
                language: get(&fields, "language"),
                parameters: if named {
                    Vec::new()
                } else {
                    vars.iter().map(|(_, v)| v.clone()).collect()
                },
                named_parameters: if named { vars } else { Vec::new() },
            }),
        }
    };
    match contacts::message::message_contact(&state, &ctx, id, channel, input).await {
        Ok(m) => {
            Ok(Redirect::to(&format!("/app/inbox/{}#composer", m.conversation_id)).into_response())
        }
        Err(e) => {
            let q = ContactPageQuery {
                number,
                ..ContactPageQuery::default()
            };
            refused(&state, shell, &ctx, id, q, e).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    other: String,
}

pub async fn merge_contact(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactId>,
    Form(form): Form<MergeForm>,
) -> AppResult<Response> {
    let Ok(other) = form.other.parse::<ContactId>() else {
        let e = AppError::validation("other", "choose a contact to merge");
        return refused(&state, shell, &ctx, id, ContactPageQuery::default(), e).await;
    };
    match contacts::merge::merge_contacts(&state, &ctx, id, other).await {
        Ok(_) => Ok(Redirect::to(&format!("/app/contacts/{id}?done=merged")).into_response()),
        Err(e) => refused(&state, shell, &ctx, id, ContactPageQuery::default(), e).await,
    }
}
