//! `/app/bookings/{id}`: a booking's facts and history, the form to move
//! it to another day and time (in the settings' zone; another resource
//! giving its service optionally), and one button per status it may take
//! (`bookings::may_move`). Moving and cancelling tell the customer on
//! WhatsApp when the box is ticked (it is by default); the note shown
//! after says whether they were told, and why not.

use super::{Opt, Problems, form_id, phone, refusal, status_label, text, told_message, told_query};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::booking::bookings::{self as rules, BookingDetail, Via, may_move};
use crate::booking::catalogue;
use crate::booking::local_time::{self, wall};
use crate::booking::settings::Settings;
use crate::dashboard::page::{Shell, render};
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{BookingId, Timestamp, UserId};
use serde::Deserialize;
use std::collections::HashMap;
use store::booking::BookingStatus;

/// A booking as its page shows it.
#[derive(Debug, Clone)]
pub struct Facts {
    pub id: String,
    pub reference: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub service: String,
    pub resource: String,
    pub customer: String,
    pub contact_id: String,
    pub phone: String,
    /// `Monday 3 March 2025, 09:00–09:30`.
    pub when: String,
    pub price: String,
    pub payment: &'static str,
    pub notes: String,
    pub source: String,
    pub reminder: String,
    pub created: String,
    /// Still holds its time: it may be moved.
    pub holds_time: bool,
}

/// A row of the history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub action: String,
    pub status: &'static str,
    pub starts: String,
    pub who: String,
    pub note: String,
    pub at: String,
}

/// A status the booking may take, as a button.
#[derive(Debug, Clone)]
pub struct Move {
    pub status: &'static str,
    pub label: &'static str,
    /// Cancelling: it asks first, and may tell the customer.
    pub cancel: bool,
}

/// The reschedule form as posted, and as shown again.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RescheduleForm {
    pub date: String,
    pub time: String,
    pub resource_id: String,
    /// Ticked: tell the customer.
    pub notify: String,
}

#[derive(Template)]
#[template(path = "booking_detail.html")]
struct BookingPage {
    shell: Shell,
    tab: &'static str,
    b: Facts,
    history: Vec<HistoryRow>,
    moves: Vec<Move>,
    time_zone: String,
    /// Who may take it instead: the active resources giving its service.
    resources: Vec<Opt>,
    form: RescheduleForm,
    problems: Problems,
    ok: Option<String>,
    error: Option<String>,
}

/// What a page shows besides the booking: the reschedule form as typed,
/// reasons by field, and what the last action did.
#[derive(Default)]
struct Shown {
    typed: Option<RescheduleForm>,
    problems: Problems,
    ok: Option<String>,
    error: Option<String>,
}

fn when(s: &Settings, from: Timestamp, to: Timestamp) -> String {
    let (a, b) = (wall(s, from), wall(s, to));
    format!(
        "{}–{}",
        a.strftime("%A %-d %B %Y, %H:%M"),
        b.strftime("%H:%M")
    )
}

fn at(s: &Settings, t: Timestamp) -> String {
    wall(s, t).strftime("%-d %b %Y %H:%M").to_string()
}

fn payment(method: &str) -> &'static str {
    match method {
        "on_site" => "on site",
        "bank_transfer" => "bank transfer",
        "payment_link" => "payment link",
        _ => "other",
    }
}

/// Who made a change, by the history's actor (`user:<id>`, `system:bot`…).
fn who(actor: &str, names: &HashMap<String, String>) -> String {
    match actor.split_once(':') {
        Some(("user", id)) => names
            .get(id)
            .cloned()
            .unwrap_or_else(|| "a former teammate".to_owned()),
        Some(("api_key", _)) => "an API key".to_owned(),
        Some(("system", "bot")) => "the bot".to_owned(),
        Some(("operator", _)) => "the operator".to_owned(),
        _ => "the system".to_owned(),
    }
}

/// The names of the teammates in a history.
async fn names(
    state: &AppState,
    ctx: &TenantCtx,
    d: &BookingDetail,
) -> AppResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for h in &d.history {
        let Some(id) = h.actor.strip_prefix("user:") else {
            continue;
        };
        if out.contains_key(id) {
            continue;
        }
        let Ok(user) = id.parse::<UserId>() else {
            continue;
        };
        match crate::team::users::get_user(state, ctx, user).await {
            Ok(u) => {
                let name = if u.name.is_empty() { u.email } else { u.name };
                out.insert(id.to_owned(), name);
            }
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: BookingId,
    shown: Shown,
) -> AppResult<Response> {
    let d = rules::get_booking(state, ctx, id).await?;
    let s = local_time::settings_for_reading(state, ctx).await?;
    let names = names(state, ctx, &d).await?;
    let b = &d.booking;
    let status = BookingStatus::parse(&b.status).unwrap_or(BookingStatus::Pending);
    let start = wall(&s, b.starts_at);
    let form = shown.typed.unwrap_or_else(|| RescheduleForm {
        date: start.date().to_string(),
        time: start.strftime("%H:%M").to_string(),
        resource_id: String::new(),
        notify: "1".to_owned(),
    });
    let resources = catalogue::list_resources(state, ctx)
        .await?
        .into_iter()
        .filter(|r| r.active && r.service_ids.contains(&b.service_id))
        .map(|r| Opt {
            selected: r.id.to_string() == form.resource_id,
            name: if r.id == b.resource_id {
                format!("{} (now)", r.name)
            } else {
                r.name
            },
            id: r.id.to_string(),
        })
        .collect();
    let moves = [
        (BookingStatus::Confirmed, "Confirm"),
        (BookingStatus::Completed, "Mark completed"),
        (BookingStatus::NoShow, "Mark a no-show"),
        (BookingStatus::Cancelled, "Cancel booking"),
    ]
    .into_iter()
    .filter(|(to, _)| may_move(status, *to))
    .map(|(to, label)| Move {
        status: to.as_str(),
        label,
        cancel: to == BookingStatus::Cancelled,
    })
    .collect();
    let history = d
        .history
        .iter()
        .map(|h| HistoryRow {
            action: h.action.replace('_', " "),
            status: BookingStatus::parse(&h.status).map_or("", status_label),
            starts: at(&s, h.starts_at),
            who: who(&h.actor, &names),
            note: h.note.clone().unwrap_or_default(),
            at: at(&s, h.at),
        })
        .collect();
    let facts = Facts {
        id: b.id.to_string(),
        reference: b.reference.clone(),
        status: status.as_str(),
        status_label: status_label(status),
        service: b.service_name.clone(),
        resource: b.resource_name.clone(),
        customer: b.customer_name.clone(),
        contact_id: b.contact_id.to_string(),
        phone: phone(&b.contact_phone),
        when: when(&s, b.starts_at, b.ends_at),
        price: crate::crm::deals::money::format(b.price_minor, &b.currency),
        payment: payment(&b.payment_method),
        notes: b.notes.clone().unwrap_or_default(),
        source: b.source.clone(),
        reminder: b.remind_at.map(|t| at(&s, t)).unwrap_or_default(),
        created: at(&s, b.created_at),
        holds_time: status.holds_time(),
    };
    Ok(render(&BookingPage {
        shell: shell.with_tab("bookings"),
        tab: "calendar",
        b: facts,
        history,
        moves,
        time_zone: s.time_zone.clone(),
        resources,
        form,
        problems: shown.problems,
        ok: shown.ok,
        error: shown.error,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookingQuery {
    /// What the last action did: `created`, `rescheduled` or the status.
    done: String,
    /// `yes`, `no` (with `why`) or blank: whether the customer was told.
    told: String,
    why: String,
}

fn flash(q: &BookingQuery) -> Option<String> {
    let did = match q.done.as_str() {
        "created" => "Booked.",
        "rescheduled" => "Moved to the new time.",
        "confirmed" => "Confirmed.",
        "completed" => "Marked completed.",
        "no_show" => "Marked a no-show.",
        "cancelled" => "Cancelled: its time is free again.",
        _ => return None,
    };
    Some(match told_message(&q.told, &q.why) {
        Some(t) => format!("{did} {t}"),
        None => did.to_owned(),
    })
}

pub async fn view_booking(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<BookingId>,
    Query(q): Query<BookingQuery>,
) -> AppResult<Response> {
    let shown = Shown {
        ok: flash(&q),
        ..Shown::default()
    };
    page(&state, shell, &ctx, id, shown).await
}

/// Back to the booking with a note of what was done and whether the
/// customer was told.
fn done(id: BookingId, what: &str, changed: &rules::Changed) -> Response {
    let told = told_query(changed.customer_notified, changed.notify_error.as_deref());
    Redirect::to(&format!("{}/{id}?done={what}{told}", super::HOME)).into_response()
}

/// The form field a refusal of a move is about.
fn reschedule_field(path: &str) -> &'static str {
    match path {
        "date" => "date",
        "time" | "starts_at" => "time",
        "resource_id" | "resource" => "resource_id",
        _ => "",
    }
}

pub async fn reschedule_booking(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<BookingId>,
    Form(f): Form<RescheduleForm>,
) -> AppResult<Response> {
    let notify = !f.notify.is_empty();
    let moved = async {
        let s = local_time::settings_for_reading(&state, &ctx).await?;
        let starts_at = local_time::starts_at(&s, ("date", &f.date), ("time", &f.time))?;
        let resource = form_id("resource_id", &f.resource_id)?;
        rules::reschedule_booking(
            &state,
            &ctx,
            id,
            starts_at,
            resource,
            Via::Dashboard,
            notify,
        )
        .await
    }
    .await;
    match moved {
        Ok(c) => Ok(done(id, "rescheduled", &c)),
        Err(e) => {
            let r = refusal(e, reschedule_field)?;
            let shown = Shown {
                typed: Some(f),
                problems: r.problems,
                ok: None,
                error: Some(r.error),
            };
            let mut res = page(&state, shell, &ctx, id, shown).await?;
            *res.status_mut() = r.status;
            Ok(res)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    /// `confirmed`, `completed`, `no_show` or `cancelled`.
    status: String,
    note: String,
    /// Ticked: tell the customer (of a cancellation).
    notify: String,
}

pub async fn set_booking_status(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<BookingId>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let status = BookingStatus::parse(&f.status).filter(|s| *s != BookingStatus::Pending);
    let result = match status {
        Some(to) => {
            let notify = !f.notify.is_empty();
            rules::set_status(&state, &ctx, id, to, text(&f.note), Via::Dashboard, notify).await
        }
        None => Err(AppError::validation("status", "choose a status")),
    };
    match result {
        Ok(c) => Ok(done(id, &c.booking.status.clone(), &c)),
        Err(e) => {
            let r = refusal(e, |p| {
                if matches!(p, "note" | "notes") {
                    "note"
                } else {
                    ""
                }
            })?;
            let shown = Shown {
                problems: r.problems,
                error: Some(r.error),
                ..Shown::default()
            };
            let mut res = page(&state, shell, &ctx, id, shown).await?;
            *res.status_mut() = r.status;
            Ok(res)
        }
    }
}
