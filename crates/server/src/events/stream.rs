//! The live event stream (`GET /api/v1/events`, server-sent events) of
//! message and conversation events, read from the tenant's event log, so
//! it resumes exactly where a dropped connection left off (`Last-Event-ID`).
//!
//! An open stream asks again, every `stream_recheck_ms`, whether its
//! credential still holds (`auth::live::recheck`): it ends soon after a
//! logout, a revoked session or key, a disabled user or key creator, a role
//! that lost `inbox:read`, or a suspended tenant.

use super::Position;
use crate::auth::{Authorized, TenantCtx, perm};
use crate::error::AppResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use domain::EventId;
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::time::Instant;
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
    Ok(Sse::new(live_events(state, ctx.0, after))
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

/// Where an open stream stands.
struct Live {
    state: AppState,
    ctx: TenantCtx,
    closing: tokio::sync::watch::Receiver<bool>,
    after: Position,
    /// Events to send, newest first.
    pending: Vec<Event>,
    /// When the credential is next checked.
    recheck_at: Instant,
    /// Set once the credential failed: the stream ends after `pending`.
    ended: bool,
}

impl Live {
    /// Whether the caller may still read the stream; `false` queues a last
    /// comment saying why it ends.
    async fn still_allowed(&mut self) -> bool {
        let every = Duration::from_millis(self.state.config.stream_recheck_ms.unsigned_abs());
        self.recheck_at = Instant::now() + every;
        let refused = match crate::auth::live::recheck(&self.state, &self.ctx).await {
            Ok(ctx) if ctx.allows(domain::Permission::InboxRead) => {
                self.ctx = ctx;
                return true;
            }
            Ok(_) => "permission_denied".to_owned(),
            Err(e) if e.status().is_server_error() => {
                // The database hiccuped: keep streaming, ask again later.
                tracing::warn!(error = %e, "event stream: re-checking the credential");
                return true;
            }
            Err(e) => e.code().to_owned(),
        };
        self.pending = vec![Event::default().comment(format!("stream closed: {refused}"))];
        self.ended = true;
        false
    }
}

/// Polls the event log for the caller's tenant after `after`, yielding each
/// event once, oldest first, until the server begins to shut down or the
/// caller's credential no longer holds.
fn live_events(
    state: AppState,
    ctx: TenantCtx,
    after: Position,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let tenant = ctx.tenant_id;
    let closing = state.closing.subscribe();
    let every = Duration::from_millis(state.config.stream_recheck_ms.unsigned_abs());
    // A first comment goes out at once, so clients (and proxies) see the
    // stream open before the first event.
    let live = Live {
        state,
        ctx,
        closing,
        after,
        pending: vec![Event::default().comment("stream open")],
        recheck_at: Instant::now() + every,
        ended: false,
    };
    futures::stream::unfold(live, move |mut live| async move {
        loop {
            if let Some(e) = live.pending.pop() {
                return Some((Ok(e), live));
            }
            if live.ended || *live.closing.borrow() {
                return None;
            }
            if Instant::now() >= live.recheck_at && !live.still_allowed().await {
                continue;
            }
            let batch = super::read_after(&live.state, tenant, live.after, 100)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "event stream: reading events");
                    Vec::new()
                });
            if let Some(last) = batch.last() {
                live.after = last.seq;
            }
            // Reversed, so `pop` yields them oldest first.
            live.pending = batch
                .into_iter()
                .rev()
                .map(|e| {
                    Event::default()
                        .id(e.seq.to_string())
                        .event(e.name)
                        .data(e.payload.to_string())
                })
                .collect();
            if live.pending.is_empty() {
                let wake = live.recheck_at;
                tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    () = tokio::time::sleep_until(wake) => {}
                    _ = live.closing.changed() => {}
                }
            }
        }
    })
}
