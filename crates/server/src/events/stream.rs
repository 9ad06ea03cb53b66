//! The live event stream (`GET /api/v1/events`, server-sent events) of
//! message and conversation events, read from the tenant's event log, so
//! it resumes exactly where a dropped connection left off (`Last-Event-ID`).

use super::Position;
use crate::auth::{Authorized, perm};
use crate::error::AppResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use domain::EventId;
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream_events))
}

const POLL: Duration = Duration::from_millis(250);

/// A stream of this tenant's events (`message.received`, `message.sent`,
/// `conversation.assigned`, …; docs/EVENTS.md lists them) as server-sent
/// events: `id` is the event's number in the tenant's log, `event` its
/// name, `data` its payload. Send the last `id` back as `Last-Event-ID` to
/// resume exactly there; without it the stream starts with new events only.
#[utoipa::path(get, path = "/api/v1/events", tag = "inbox",
    responses((status = 200, description = "text/event-stream of events", content_type = "text/event-stream")),
    security(("bearer" = []), ("api_key" = []), ("session_cookie" = [])))]
pub async fn stream_events(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let tenant = ctx.tenant_id;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let after = match resume {
        Some(id) => resume_after(&state, tenant, id).await?,
        // Start from now: after the newest existing event.
        None => None,
    };
    let after = match after {
        Some(p) => p,
        None => super::latest(&state, tenant).await?,
    };
    Ok(Sse::new(live_events(state, tenant, after))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The position a `Last-Event-ID` names: an event number, or (from
/// streams opened before events were numbered) an event id. `None` if it
/// names nothing of this tenant's: the stream then starts from now.
async fn resume_after(
    state: &AppState,
    tenant: domain::TenantId,
    last_event_id: &str,
) -> AppResult<Option<Position>> {
    if let Ok(seq) = last_event_id.parse::<Position>() {
        return Ok(Some(seq.max(0)));
    }
    let Ok(id) = last_event_id.parse::<EventId>() else {
        return Ok(None);
    };
    Ok(super::position_of(state, tenant, id).await?)
}

/// Polls the event log for `tenant` after `after`, yielding each event once,
/// oldest first, until the server begins to shut down.
fn live_events(
    state: AppState,
    tenant: domain::TenantId,
    after: Position,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let closing = state.closing.subscribe();
    // A first comment goes out at once, so clients (and proxies) see the
    // stream open before the first event.
    let hello = vec![Event::default().comment("stream open")];
    futures::stream::unfold(
        (state, closing, after, hello),
        move |(state, mut closing, mut after, mut pending)| async move {
            loop {
                if let Some(e) = pending.pop() {
                    return Some((Ok(e), (state, closing, after, pending)));
                }
                if *closing.borrow() {
                    return None;
                }
                let batch = super::read_after(&state, tenant, after, 100)
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "event stream: reading events");
                        Vec::new()
                    });
                if let Some(last) = batch.last() {
                    after = last.seq;
                }
                // Reversed, so `pop` yields them oldest first.
                pending = batch
                    .into_iter()
                    .rev()
                    .map(|e| {
                        Event::default()
                            .id(e.seq.to_string())
                            .event(e.name)
                            .data(e.payload.to_string())
                    })
                    .collect();
                if pending.is_empty() {
                    tokio::select! {
                        () = tokio::time::sleep(POLL) => {}
                        _ = closing.changed() => {}
                    }
                }
            }
        },
    )
}
