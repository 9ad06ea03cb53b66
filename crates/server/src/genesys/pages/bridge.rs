//! `/app/genesys`: the bridge's figures (conversations ever handed over,
//! messages both ways, conversations with Genesys now, today's messages)
//! and its conversations, newest first, open or all, 50 a page, each
//! linking to its thread in the inbox.

use super::reason_words;
use crate::auth::{Authorized, perm};
use crate::channels::setup;
use crate::dashboard::page::{Shell, render};
use crate::dashboard::paging::log_page;
use crate::dashboard::render::when;
use crate::error::{AppError, AppResult};
use crate::genesys::handover::{self, HandoverView};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::Timestamp;
use serde::Deserialize;

pub const PATH: &str = "/app/genesys";

/// The filter and page, as the URL carries them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MappingsQuery {
    /// `open` (with Genesys now) or `all` (the default).
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub cursor: String,
}

impl MappingsQuery {
    fn filters(&self) -> [(&'static str, &str); 1] {
        [("state", &self.state)]
    }

    pub fn open_only(&self) -> bool {
        self.state == "open"
    }

    fn filter(&self) -> AppResult<bool> {
        match self.state.trim() {
            "" | "all" => Ok(false),
            "open" => Ok(true),
            _ => Err(AppError::validation("state", "`open` or `all`")),
        }
    }
}

/// One of the figures at the top.
#[derive(Debug, Clone)]
pub struct Tile {
    pub id: &'static str,
    pub label: &'static str,
    pub value: i64,
}

/// One conversation mapping as the list shows it.
#[derive(Debug, Clone)]
pub struct MappingRow {
    pub id: String,
    pub conversation_id: String,
    pub customer: String,
    pub number: String,
    /// `open` or `ended`.
    pub state: String,
    pub reason: &'static str,
    pub started: String,
    pub ended: String,
    pub end_reason: &'static str,
    pub genesys_conversation_id: String,
}

impl MappingRow {
    fn new(h: HandoverView, numbers: &[(String, String)], now: Timestamp) -> Self {
        let time = |t: &str| {
            Timestamp::parse_rfc3339(t)
                .map(|t| when(t, now))
                .unwrap_or_default()
        };
        let channel = h.channel_id.to_string();
        MappingRow {
            id: h.id.to_string(),
            conversation_id: h.conversation_id.to_string(),
            customer: format!("+{}", h.wa_id),
            number: numbers
                .iter()
                .find(|(id, _)| *id == channel)
                .map(|(_, phone)| phone.clone())
                .unwrap_or_default(),
            reason: reason_words(&h.reason),
            started: time(&h.started_at),
            ended: h.ended_at.as_deref().map(time).unwrap_or_default(),
            end_reason: h.end_reason.as_deref().map_or("", reason_words),
            genesys_conversation_id: h.genesys_conversation_id.unwrap_or_default(),
            state: h.state,
        }
    }
}

#[derive(Template)]
#[template(path = "genesys.html")]
struct BridgePage {
    shell: Shell,
    tiles: Vec<Tile>,
    mappings: Vec<MappingRow>,
    q: MappingsQuery,
    /// The query string of the next page, if there is one.
    older: Option<String>,
    error: Option<String>,
}

pub async fn view_genesys(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(q): Query<MappingsQuery>,
) -> AppResult<Response> {
    let now = state.now();
    let stats = handover::stats(&state, &ctx).await?;
    let page = log_page(q.filter(), &q.cursor, &q.filters(), |open_only, page| {
        handover::list(&state, &ctx, open_only, None, page)
    })
    .await?;
    let numbers: Vec<(String, String)> = setup::list_channels(&state, &ctx)
        .await?
        .into_iter()
        .map(|d| (d.channel.id.to_string(), d.channel.display_phone_number))
        .collect();
    Ok(render(&BridgePage {
        shell: shell.with_tab("genesys"),
        tiles: vec![
            Tile {
                id: "total-mappings",
                label: "Conversations handed over",
                value: stats.total_mappings,
            },
            Tile {
                id: "active-conversations",
                label: "With Genesys now",
                value: stats.active_conversations,
            },
            Tile {
                id: "total-messages",
                label: "Messages both ways",
                value: stats.total_messages,
            },
            Tile {
                id: "today-messages",
                label: "Messages today (UTC)",
                value: stats.today_messages,
            },
        ],
        mappings: page
            .items
            .into_iter()
            .map(|h| MappingRow::new(h, &numbers, now))
            .collect(),
        q,
        older: page.older,
        error: page.error,
    }))
}
