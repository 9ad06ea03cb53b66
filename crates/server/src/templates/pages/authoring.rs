//! Settings → Templates → New template: the authoring form, with the
//! bubble it will make beside it. Without JavaScript, "Preview" posts the
//! form and the page comes back with the bubble drawn and an example
//! field for each parameter of the body; with it, the bubble and the
//! example fields follow the typing (app.js, "Template authoring").
//! "Submit to Meta" calls [`crate::templates::create_template`]; Meta's
//! rules that the draft breaks are shown beside their fields.

use super::preview::Bubble;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::templates::draft::{ButtonDraft, HeaderDraft, TemplateDraft, numbered};
use crate::templates::layout::{Layout, Values, placeholders};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ChannelId;

/// Button rows the form offers at most (Meta's limit).
const MAX_ROWS: usize = crate::templates::validate::MAX_BUTTONS;

pub struct ChannelOption {
    pub id: String,
    pub label: String,
}

pub struct ButtonRow {
    pub index: usize,
    pub kind: String,
    pub text: String,
    pub url: String,
    pub phone: String,
    pub example: String,
}

#[derive(Template)]
#[template(path = "template_new.html")]
struct NewPage {
    shell: Shell,
    tab: &'static str,
    channels: Vec<ChannelOption>,
    channel: String,
    draft: TemplateDraft,
    header_format: String,
    header_text: String,
    header_example: String,
    footer: String,
    /// The body's parameters with their examples, in number order.
    examples: Vec<(String, String)>,
    buttons: Vec<ButtonRow>,
    bubble: Bubble,
    errors: Vec<FieldError>,
    error: Option<String>,
}

impl NewPage {
    /// What is wrong with `field`, if anything.
    fn err(&self, field: &str) -> Option<String> {
        let found: Vec<&str> = self
            .errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect();
        (!found.is_empty()).then(|| found.join("; "))
    }
}

/// The form as posted.
struct NewForm {
    channel: String,
    action: String,
    draft: TemplateDraft,
}

fn parse(body: &str) -> NewForm {
    let mut form = NewForm {
        channel: String::new(),
        action: String::new(),
        draft: TemplateDraft {
            parameter_format: "positional".into(),
            ..TemplateDraft::default()
        },
    };
    let mut header = HeaderDraft::default();
    let mut buttons: Vec<ButtonDraft> = vec![ButtonDraft::default(); MAX_ROWS];
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        let d = &mut form.draft;
        match &*k {
            "channel" => form.channel = v,
            "action" => form.action = v,
            "name" => d.name = v,
            "language" => d.language = v,
            "category" => d.category = v,
            "parameter_format" => d.parameter_format = v,
            "header_format" => header.format = v,
            "header_text" => header.text = Some(v),
            "header_example" => header.example = Some(v),
            "body" => d.body.text = v,
            "footer" => d.footer = Some(v),
            k => {
                if let Some(name) = k.strip_prefix("example_") {
                    d.body.examples.insert(name.to_owned(), v);
                    continue;
                }
                let Some((field, i)) = k.rsplit_once('_') else {
                    continue;
                };
                let Some(b) = i.parse::<usize>().ok().and_then(|i| buttons.get_mut(i)) else {
                    continue;
                };
                match field {
                    "button_type" => b.kind = v,
                    "button_text" => b.text = Some(v),
                    "button_url" => b.url = Some(v),
                    "button_phone" => b.phone_number = Some(v),
                    "button_example" => b.example = Some(v),
                    _ => {}
                }
            }
        }
    }
    if !header.format.trim().is_empty() {
        form.draft.header = Some(header);
    }
    form.draft.buttons = buttons
        .into_iter()
        .filter(|b| !b.kind.trim().is_empty())
        .collect();
    form
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    form: NewForm,
    errors: Vec<FieldError>,
    error: Option<String>,
) -> AppResult<Response> {
    let (_, channels) = crate::crm::teams::routing_choices(state, ctx).await?;
    let d = form.draft;
    let names = placeholders(&d.body.text);
    let names = if d.named() { names } else { numbered(&names) };
    let examples = names
        .into_iter()
        .map(|n| {
            let e = d.body.examples.get(&n).cloned().unwrap_or_default();
            (n, e)
        })
        .collect();
    let rows = (d.buttons.len() + 1).clamp(2, MAX_ROWS);
    let buttons = (0..rows)
        .map(|index| {
            let b = d.buttons.get(index).cloned().unwrap_or_default();
            ButtonRow {
                index,
                kind: b.kind,
                text: b.text.unwrap_or_default(),
                url: b.url.unwrap_or_default(),
                phone: b.phone_number.unwrap_or_default(),
                example: b.example.unwrap_or_default(),
            }
        })
        .collect();
    let h = d.header.clone().unwrap_or_default();
    Ok(render(&NewPage {
        shell: shell.with_tab("settings"),
        tab: "templates",
        channels: channels
            .into_iter()
            .map(|c| ChannelOption {
                id: c.id.to_string(),
                label: c
                    .verified_name
                    .map(|n| format!("{n} ({})", c.display_phone_number))
                    .unwrap_or(c.display_phone_number),
            })
            .collect(),
        channel: form.channel,
        bubble: Bubble::of(
            &Layout::from_components(&d.components()),
            &Values::default(),
        ),
        header_format: h.format.trim().to_lowercase(),
        header_text: h.text.unwrap_or_default(),
        header_example: h.example.unwrap_or_default(),
        footer: d.footer.clone().unwrap_or_default(),
        examples,
        buttons,
        draft: d,
        errors,
        error,
    }))
}

pub async fn view_new_template(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
) -> AppResult<Response> {
    let mut form = parse("");
    form.draft.language = "en_US".into();
    form.draft.category = "utility".into();
    page(&state, shell, &ctx, form, Vec::new(), None).await
}

/// `action=preview` draws the bubble; anything else submits to Meta.
pub async fn create_template(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    body: String,
) -> AppResult<Response> {
    let form = parse(&body);
    if form.action == "preview" {
        return page(&state, shell, &ctx, form, Vec::new(), None).await;
    }
    let result = match form.channel.parse::<ChannelId>() {
        Ok(channel) => crate::templates::create_template(&state, &ctx, channel, &form.draft).await,
        Err(_) => Err(AppError::validation("channel_id", "choose a number")),
    };
    let e = match result {
        Ok(t) => {
            return Ok(Redirect::to(&format!("/app/settings/templates/{}", t.id)).into_response());
        }
        Err(e) => e,
    };
    let status = e.status();
    let (errors, error) = match e {
        AppError::Validation(fields) => (
            fields,
            Some("Meta would refuse this template: see the fields marked below.".to_owned()),
        ),
        other => match inline(&other) {
            Some(msg) => (Vec::new(), Some(msg)),
            None => return Err(other),
        },
    };
    let mut res = page(&state, shell, &ctx, form, errors, error).await?;
    *res.status_mut() = status;
    Ok(res)
}
