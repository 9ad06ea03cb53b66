//! One conversation: its messages with status ticks, the reply box (which
//! knows the 24-hour window), and assign / resolve / reopen. Every change
//! calls the same inbox and channel rules as the API.

use super::compose::{TemplateChoice, approved_templates, template_content};
use super::list::{ConversationList, ConversationRow, ListQuery, NumberOption, conversation_rows};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::channels::send::{Lane, Outgoing, send_message};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::{MediaView, MessageRow, contact_name, message_rows, when};
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::inbox;
use crate::inbox::conversations::{ConversationChanges, Thread};
use crate::state::AppState;
use crate::templates::pages::preview::values_from_form;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ConversationId, TeamId, UserId};
use serde::Deserialize;
use store::inbox::ConversationStatus;
use whatsapp::outgoing::{OutgoingContent, TextBody};

#[derive(Debug, Clone)]
pub struct Teammate {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    shell: Shell,
    list: ListQuery,
    rows: Vec<ConversationRow>,
    numbers: Vec<NumberOption>,
    /// The teams: the list's filter, and where this conversation can go.
    team_options: Vec<NumberOption>,
    /// The id of the team it is routed to ("" if none).
    conv_team: String,
    has_numbers: bool,
    id: String,
    name: String,
    phone: String,
    contact_id: String,
    status: &'static str,
    assigned: String,
    assigned_to_me: bool,
    opted_out: bool,
    window_open: bool,
    window_text: String,
    /// Where the customer is with the booking bot, in words.
    bot: Option<String>,
    /// Whether it is with Genesys, or can be handed over.
    genesys: crate::genesys::pages::ThreadGenesys,
    messages: Vec<MessageRow>,
    team: Vec<Teammate>,
    templates: Vec<TemplateChoice>,
    templates_error: Option<String>,
    flash: Option<String>,
    /// Private notes, placed among the messages.
    notes: crate::crm::pages::notes::ThreadNotes,
    /// The conversation's tags, and the catalogue (to add one, and for
    /// the list's filter).
    conv_tags: Vec<store::crm::tags::Tag>,
    tag_options: Vec<store::crm::tags::Tag>,
    /// The reply box's quick replies, filled in for this conversation.
    composer: crate::crm::pages::quick_replies::Composer,
    /// Saved searches above the list.
    saved: crate::crm::pages::saved_searches::SavedSearchBar,
}

pub async fn view_thread(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    write: Result<Authorized<perm::InboxWrite>, AppError>,
    ApiPath(id): ApiPath<ConversationId>,
    Query(list): Query<ListQuery>,
) -> AppResult<Response> {
    let conversation = inbox::conversations::get_conversation(&state, &ctx, id).await?;
    if write.is_ok() && conversation.unread_count > 0 {
        inbox::conversations::mark_read(&state, &ctx, id).await?;
    }
    thread_page(&state, shell, &ctx, id, list, None).await
}

async fn thread_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: ConversationId,
    list: ListQuery,
    flash: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let Thread {
        conversation,
        contact,
        channel,
        messages,
        media,
        team,
    } = inbox::conversations::get_thread(state, ctx, id).await?;
    let media: Vec<MediaView> = media
        .iter()
        .map(|m| {
            let view = crate::inbox::api::media::MediaView::from(m);
            MediaView {
                message_id: m.message_id,
                url: view.url,
                mime_type: view.mime_type,
                status: view.status,
            }
        })
        .collect();
    let team: Vec<Teammate> = team
        .into_iter()
        .map(|u| Teammate {
            id: u.id.to_string(),
            name: if u.name.is_empty() { u.email } else { u.name },
        })
        .collect();
    let window_open = conversation.window_open(now);
    let window_text = match (window_open, conversation.window_closes_at) {
        (true, Some(t)) => format!("Replies are open until {}.", when(t, now)),
        (false, Some(_)) => "The 24-hour window is closed: the customer has not written in the \
            last 24 hours, so only an approved template can be sent."
            .to_owned(),
        (false, None) | (true, None) => "The customer has not written yet, so only an approved \
            template can start this conversation."
            .to_owned(),
    };
    let (templates, templates_error) = match (&channel, window_open || !shell.can_write) {
        (Some(ch), false) => match approved_templates(state, ctx, ch).await {
            Ok(t) => (t, None),
            Err(e) => (Vec::new(), Some(e)),
        },
        (None, false) => (Vec::new(), Some("this number was disconnected".to_owned())),
        (_, true) => (Vec::new(), None),
    };
    let assigned = conversation
        .assigned_user_id
        .and_then(|u| team.iter().find(|t| t.id == u.to_string()))
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let ConversationList {
        rows,
        numbers,
        teams,
    } = conversation_rows(state, ctx, &list, Some(id)).await?;
    let notes = crate::crm::pages::notes::thread_notes(state, ctx, id, &messages).await?;
    // Template messages show the text the customer received.
    let waba = channel.as_ref().map(|c| c.waba_id.as_str());
    let mut rendered =
        crate::templates::sent::rendered_messages(state, ctx, waba, &messages).await?;
    let tag_options = crate::crm::tags::all_tags(state, ctx).await?;
    let writable = window_open && shell.can_write && contact.opted_out_at.is_none();
    let composer =
        crate::crm::pages::quick_replies::composer(state, ctx, id, &list.qr, writable).await?;
    let saved = crate::crm::pages::saved_searches::bar(state, ctx, &list.qs()).await?;
    Ok(render(&ThreadPage {
        saved,
        shell: shell.with_tab("inbox"),
        has_numbers: !numbers.is_empty(),
        team_options: teams,
        conv_team: conversation
            .team_id
            .map(|t| t.to_string())
            .unwrap_or_default(),
        list,
        rows,
        numbers,
        id: id.to_string(),
        name: contact_name(&contact),
        phone: contact
            .wa_id
            .clone()
            .map(|w| format!("+{w}"))
            .unwrap_or_default(),
        contact_id: contact.id.to_string(),
        status: conversation.status.as_str(),
        assigned,
        assigned_to_me: conversation.assigned_user_id.is_some()
            && conversation.assigned_user_id == ctx.user_id(),
        opted_out: contact.opted_out_at.is_some(),
        window_open,
        window_text,
        bot: crate::booking::bot::session_of(state, ctx, id)
            .await?
            .map(|s| s.summary()),
        genesys: crate::genesys::pages::thread_genesys(state, ctx, id).await?,
        messages: message_rows(messages, &media, now)
            .into_iter()
            .map(|mut row| {
                row.template = row.id.parse().ok().and_then(|m| rendered.remove(&m));
                row
            })
            .collect(),
        team,
        templates,
        templates_error,
        flash,
        notes,
        conv_tags: conversation.tags.clone(),
        tag_options,
        composer,
    }))
}

/// A refusal the agent should read beside the reply box, not on an error page.
fn shown_inline(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Rule(..) | AppError::Validation(_) | AppError::TooManyRequests(..)
    )
}

fn inline_message(e: &AppError) -> String {
    match e {
        AppError::Validation(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

async fn send(
    state: &AppState,
    shell: Shell,
    ctx: TenantCtx,
    w: Authorized<perm::InboxWrite>,
    id: ConversationId,
    reply_to: Option<String>,
    content: OutgoingContent,
) -> AppResult<Response> {
    let out = Outgoing {
        conversation_id: Some(id),
        to: None,
        channel_id: None,
        reply_to: reply_to.filter(|r| !r.is_empty()),
        lane: Lane::Conversational,
        content,
    };
    match send_message(state, &w, out).await {
        Ok(_) => Ok(Redirect::to(&format!("/app/inbox/{id}#composer")).into_response()),
        Err(e) if shown_inline(&e) => {
            let status = e.status();
            let mut res = thread_page(
                state,
                shell,
                &ctx,
                id,
                ListQuery::default(),
                Some(inline_message(&e)),
            )
            .await?;
            *res.status_mut() = status;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    text: String,
    #[serde(default)]
    reply_to: Option<String>,
}

pub async fn create_reply(
    State(state): State<AppState>,
    shell: Shell,
    ctx: TenantCtx,
    w: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
    Form(form): Form<ReplyForm>,
) -> AppResult<Response> {
    let content = OutgoingContent::Text {
        text: TextBody {
            preview_url: false,
            body: form.text.trim().to_owned(),
        },
    };
    send(&state, shell, ctx, w, id, form.reply_to, content).await
}

pub async fn create_template_reply(
    State(state): State<AppState>,
    shell: Shell,
    ctx: TenantCtx,
    w: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // The picker posts the library's template id with its values
    // (`hdr_`, `var_`, `btn_`); a bare name and language still work.
    let template = match get("template_id").parse() {
        Ok(template_id) => {
            let t = crate::templates::get_template(&state, &ctx, template_id).await?;
            crate::templates::send::send_content(&t, &values_from_form(&fields))
        }
        Err(_) => {
            let (name, language) = (get("name"), get("language"));
            if name.is_empty() || language.is_empty() {
                return Err(AppError::validation("template", "choose a template"));
            }
            Ok(template_content(
                &name,
                &language,
                get("named") == "1",
                &fields,
            ))
        }
    };
    let template = match template {
        Ok(t) => t,
        Err(e) if shown_inline(&e) => {
            let status = e.status();
            let flash = Some(inline_message(&e));
            let mut res = thread_page(&state, shell, &ctx, id, ListQuery::default(), flash).await?;
            *res.status_mut() = status;
            return Ok(res);
        }
        Err(e) => return Err(e),
    };
    send(
        &state,
        shell,
        ctx,
        w,
        id,
        None,
        OutgoingContent::Template { template },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct UpdateForm {
    action: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    team: String,
}

pub async fn update_conversation(
    State(state): State<AppState>,
    w: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
    Form(form): Form<UpdateForm>,
) -> AppResult<Response> {
    let me = w.user_id();
    let mut changes = ConversationChanges::default();
    match form.action.as_str() {
        "resolve" => changes.status = Some(ConversationStatus::Resolved),
        "reopen" => changes.status = Some(ConversationStatus::Open),
        "pending" => changes.status = Some(ConversationStatus::Pending),
        "assign_me" => changes.assigned_user_id = Some(me),
        "unassign" => changes.assigned_user_id = Some(None),
        "assign" => {
            let user = form
                .user
                .parse::<UserId>()
                .map_err(|_| AppError::validation("user", "choose a teammate"))?;
            changes.assigned_user_id = Some(Some(user));
        }
        "route" => {
            let team = match form.team.as_str() {
                "" => None,
                t => Some(
                    t.parse::<TeamId>()
                        .map_err(|_| AppError::validation("team", "choose a team"))?,
                ),
            };
            changes.team_id = Some(team);
        }
        _ => return Err(AppError::validation("action", "unknown action")),
    }
    inbox::conversations::update_conversation(&state, &w, id, changes).await?;
    Ok(Redirect::to(&format!("/app/inbox/{id}")).into_response())
}
