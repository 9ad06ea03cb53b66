//! The inbox: the conversation list with its filters. The thread beside it
//! is in `thread.rs`.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::{contact_name, message_body, when};
use crate::error::{AppError, AppResult};
use crate::inbox::conversations::InboxRow;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::{ChannelId, ConversationId, UserId};
use serde::Deserialize;
use store::inbox::{ConversationFilter, ConversationStatus};

/// The list's filters, kept in the URL so every view can be linked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// `open` (default), `pending`, `resolved` or `all`.
    #[serde(default)]
    pub status: String,
    /// `me`, `none` or empty.
    #[serde(default)]
    pub assigned: String,
    /// A channel id, or empty.
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub q: String,
    /// A tag id, or empty.
    #[serde(default)]
    pub tag: String,
    /// A quick reply to put in the reply box (the thread's "Insert"
    /// without JavaScript); not kept on links.
    #[serde(default)]
    pub qr: String,
}

impl ListQuery {
    pub fn status_or_default(&self) -> &str {
        if self.status.is_empty() {
            "open"
        } else {
            &self.status
        }
    }

    pub fn is_status(&self, s: &str) -> bool {
        self.status_or_default() == s
    }

    /// The query string that keeps these filters on a link.
    pub fn qs(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("status", self.status_or_default());
        for (k, v) in [
            ("assigned", &self.assigned),
            ("number", &self.number),
            ("q", &self.q),
            ("tag", &self.tag),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

#[derive(Debug, Clone)]
pub struct ConversationRow {
    pub id: String,
    pub name: String,
    pub snippet: String,
    pub status: &'static str,
    pub unread: i64,
    pub time: String,
    pub active: bool,
    pub tags: Vec<store::crm::tags::Tag>,
}

#[derive(Debug, Clone)]
pub struct NumberOption {
    pub id: String,
    pub label: String,
}

/// The conversation list for `q`, as the API's list would give it.
pub async fn conversation_rows(
    state: &AppState,
    ctx: &TenantCtx,
    q: &ListQuery,
    active: Option<ConversationId>,
) -> AppResult<(Vec<ConversationRow>, Vec<NumberOption>)> {
    let status = match q.status_or_default() {
        "all" => None,
        s => Some(
            ConversationStatus::parse(s)
                .ok_or_else(|| AppError::validation("status", "open, pending, resolved or all"))?,
        ),
    };
    let (assigned_to, unassigned_only): (Option<UserId>, bool) = match q.assigned.as_str() {
        "me" => (ctx.user_id(), false),
        "none" => (None, true),
        _ => (None, false),
    };
    let channel = match q.number.as_str() {
        "" => None,
        n => Some(
            n.parse::<ChannelId>()
                .map_err(|_| AppError::validation("number", "unknown number"))?,
        ),
    };
    let tag = match q.tag.as_str() {
        "" => None,
        t => Some(
            t.parse::<domain::TagId>()
                .map_err(|_| AppError::validation("tag", "unknown tag"))?,
        ),
    };
    let now = state.now();
    let filter = ConversationFilter {
        status,
        channel,
        tag,
        assigned_to,
        unassigned_only,
        ..ConversationFilter::default()
    };
    let (found, channels) =
        crate::inbox::conversations::list_inbox(state, ctx, filter, Some(q.q.trim())).await?;
    let mut rows = Vec::new();
    for InboxRow {
        conversation: c,
        contact,
        last,
    } in found
    {
        let snippet = last
            .as_ref()
            .map(|m| {
                let (label, text) = message_body(m);
                let t = if text.is_empty() {
                    label.unwrap_or_default()
                } else {
                    text
                };
                let arrow = if m.direction.as_str() == "out" {
                    "You: "
                } else {
                    ""
                };
                format!("{arrow}{}", t.chars().take(60).collect::<String>())
            })
            .unwrap_or_default();
        rows.push(ConversationRow {
            id: c.id.to_string(),
            name: contact_name(&contact),
            snippet,
            status: c.status.as_str(),
            unread: c.unread_count,
            time: when(c.last_message_at, now),
            active: Some(c.id) == active,
            tags: c.tags,
        });
    }
    let numbers = channels
        .into_iter()
        .map(|c| NumberOption {
            id: c.id.to_string(),
            label: c
                .verified_name
                .clone()
                .map(|n| format!("{n} ({})", c.display_phone_number))
                .unwrap_or(c.display_phone_number),
        })
        .collect();
    Ok((rows, numbers))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    shell: Shell,
    list: ListQuery,
    rows: Vec<ConversationRow>,
    numbers: Vec<NumberOption>,
    has_numbers: bool,
    /// The tag filter's choices.
    tag_options: Vec<store::crm::tags::Tag>,
    /// Saved searches above the list.
    saved: crate::crm::pages::saved_searches::SavedSearchBar,
}

pub async fn view_inbox(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(list): Query<ListQuery>,
) -> AppResult<Response> {
    let (rows, numbers) = conversation_rows(&state, &ctx, &list, None).await?;
    let tag_options = crate::crm::tags::all_tags(&state, &ctx).await?;
    let saved = crate::crm::pages::saved_searches::bar(&state, &ctx, &list.qs()).await?;
    Ok(render(&InboxPage {
        saved,
        tag_options,
        shell: shell.with_tab("inbox"),
        has_numbers: !numbers.is_empty(),
        list,
        rows,
        numbers,
    }))
}
