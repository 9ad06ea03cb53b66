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
    /// A team id, or empty.
    #[serde(default)]
    pub team: String,
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
            ("team", &self.team),
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
    /// Who has it ("" if nobody).
    pub assignee: String,
    /// The team it is routed to ("" if none).
    pub team: String,
}

/// A choice of one of the list's filters (a number, a team).
#[derive(Debug, Clone)]
pub struct NumberOption {
    pub id: String,
    pub label: String,
}

/// The conversation list and its filters' choices.
#[derive(Debug, Clone)]
pub struct ConversationList {
    pub rows: Vec<ConversationRow>,
    pub numbers: Vec<NumberOption>,
    pub teams: Vec<NumberOption>,
}

/// The conversation list for `q`, as the API's list would give it.
pub async fn conversation_rows(
    state: &AppState,
    ctx: &TenantCtx,
    q: &ListQuery,
    active: Option<ConversationId>,
) -> AppResult<ConversationList> {
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
    let team = match q.team.as_str() {
        "" => None,
        t => Some(
            t.parse::<domain::TeamId>()
                .map_err(|_| AppError::validation("team", "unknown team"))?,
        ),
    };
    let now = state.now();
    let filter = ConversationFilter {
        status,
        channel,
        tag,
        team,
        assigned_to,
        unassigned_only,
        ..ConversationFilter::default()
    };
    let inbox =
        crate::inbox::conversations::list_inbox(state, ctx, filter, Some(q.q.trim())).await?;
    let mut rows = Vec::new();
    for InboxRow {
        conversation: c,
        contact,
        last,
        assignee,
        team,
    } in inbox.rows
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
            assignee: assignee.unwrap_or_default(),
            team: team.unwrap_or_default(),
        });
    }
    let teams = inbox
        .teams
        .into_iter()
        .map(|t| NumberOption {
            id: t.id.to_string(),
            label: t.name,
        })
        .collect();
    let numbers = inbox
        .channels
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
    Ok(ConversationList {
        rows,
        numbers,
        teams,
    })
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    shell: Shell,
    list: ListQuery,
    rows: Vec<ConversationRow>,
    numbers: Vec<NumberOption>,
    /// The team filter's choices.
    team_options: Vec<NumberOption>,
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
    let ConversationList {
        rows,
        numbers,
        teams,
    } = conversation_rows(&state, &ctx, &list, None).await?;
    let tag_options = crate::crm::tags::all_tags(&state, &ctx).await?;
    let saved = crate::crm::pages::saved_searches::bar(&state, &ctx, &list.qs()).await?;
    Ok(render(&InboxPage {
        saved,
        tag_options,
        shell: shell.with_tab("inbox"),
        has_numbers: !numbers.is_empty(),
        team_options: teams,
        list,
        rows,
        numbers,
    }))
}
