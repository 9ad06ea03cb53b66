//! `/app/bookings/new`: the team books a customer in. The contact is
//! chosen from the newest contacts or those a search by name or phone
//! finds (`?q=`; `?contact_id=` picks one, as a contact's page would);
//! then a service, optionally who gives it, a day and a time in the
//! settings' zone, the customer's name as booked, how they pay, notes, and
//! whether to tell them on WhatsApp. "Free times" lists a day's free
//! slots of a service (what the bot would offer), each a link that fills
//! the form in; the team may still book any future time, never beyond a
//! resource's capacity.

use super::{Checks, Opt, Problems, form_id, refusal, text, told_query};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::booking::availability;
use crate::booking::bookings::{self as rules, NewBooking, Via};
use crate::booking::catalogue;
use crate::booking::local_time;
use crate::dashboard::page::{Shell, render};
use crate::dashboard::paging::query;
use crate::dashboard::render::contact_name;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::pagination::PageQuery;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ContactId, ResourceId, ServiceId};
use serde::Deserialize;
use store::booking::BookingStatus;
use store::inbox::Contact;

/// Contacts the select offers at most.
const CONTACTS: u32 = 50;

/// The form as posted, and as shown again; the page's query fills it in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewFields {
    pub contact_id: String,
    pub service_id: String,
    pub resource_id: String,
    pub date: String,
    pub time: String,
    pub customer_name: String,
    pub payment_method: String,
    pub notes: String,
    /// Ticked: tell the customer.
    pub notify: String,
    /// The contact search the page was on.
    pub q: String,
}

/// A free time, as a link that fills the form in.
#[derive(Debug, Clone)]
pub struct SlotLink {
    pub time: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "booking_new.html")]
struct NewPage {
    shell: Shell,
    tab: &'static str,
    time_zone: String,
    contacts: Vec<Opt>,
    services: Vec<Opt>,
    resources: Vec<Opt>,
    payments: Vec<Opt>,
    form: NewFields,
    /// The free times of the service and day chosen, if asked.
    slots: Option<Vec<SlotLink>>,
    problems: Problems,
    error: Option<String>,
}

fn opt(id: String, name: String, chosen: &str) -> Opt {
    Opt {
        selected: id == chosen,
        id,
        name,
    }
}

fn contact_label(c: &Contact) -> String {
    let name = contact_name(c);
    match c.wa_id.as_deref().or(c.phone.as_deref()) {
        Some(p) if !name.contains(p) => format!("{name} ({})", super::phone(p)),
        _ => name,
    }
}

/// The contacts to choose from: those the search finds (the newest
/// without one), and the chosen one first if it is not among them.
async fn contacts(state: &AppState, ctx: &TenantCtx, f: &NewFields) -> AppResult<Vec<Opt>> {
    let page = PageQuery {
        limit: Some(CONTACTS),
        cursor: None,
    }
    .request()?;
    let search = text(&f.q);
    let found = crate::inbox::contacts::list_contacts(state, ctx, search.as_deref(), page)
        .await?
        .items;
    let mut out: Vec<Opt> = found
        .iter()
        .map(|c| opt(c.id.to_string(), contact_label(c), &f.contact_id))
        .collect();
    if let Ok(Some(id)) = form_id::<ContactId>("contact_id", &f.contact_id)
        && !found.iter().any(|c| c.id == id)
    {
        match crate::inbox::contacts::get_contact(state, ctx, id).await {
            Ok(d) => out.insert(0, opt(id.to_string(), contact_label(&d.contact), "")),
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
        if let Some(first) = out.first_mut() {
            first.selected = first.id == f.contact_id;
        }
    }
    Ok(out)
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    form: NewFields,
    problems: Problems,
    mut error: Option<String>,
    show_slots: bool,
) -> AppResult<Response> {
    let settings = local_time::settings_for_reading(state, ctx).await?;
    let all_services = catalogue::list_services(state, ctx).await?;
    let services = all_services
        .iter()
        .filter(|s| s.active)
        .map(|s| {
            let name = format!("{} ({} min)", s.name, s.duration_minutes);
            opt(s.id.to_string(), name, &form.service_id)
        })
        .collect();
    let resources = catalogue::list_resources(state, ctx)
        .await?
        .into_iter()
        .filter(|r| r.active)
        .map(|r| opt(r.id.to_string(), r.name, &form.resource_id))
        .collect();
    let payments = settings
        .payment_methods()
        .into_iter()
        .map(|m| {
            let name = match m {
                "on_site" => "On site",
                "bank_transfer" => "Bank transfer",
                _ => "Payment link",
            };
            opt(m.to_owned(), name.to_owned(), &form.payment_method)
        })
        .collect();
    let slots = if show_slots {
        let asked = async {
            let service = form_id::<ServiceId>("service_id", &form.service_id)?
                .ok_or_else(|| AppError::validation("service_id", "choose a service"))?;
            let resource = form_id::<ResourceId>("resource_id", &form.resource_id)?;
            availability::availability(state, ctx, service, &form.date, resource).await
        }
        .await;
        match asked {
            Ok(day) => Some(
                day.slots
                    .iter()
                    .map(|s| SlotLink {
                        time: s.time.clone(),
                        href: format!(
                            "{}/new?{}",
                            super::HOME,
                            query(&[
                                ("contact_id", &form.contact_id),
                                ("q", &form.q),
                                ("service_id", &form.service_id),
                                ("resource_id", &form.resource_id),
                                ("date", &form.date),
                                ("time", &s.time),
                            ])
                        ),
                    })
                    .collect(),
            ),
            Err(e) => {
                error = Some(inline(&e).ok_or(e)?);
                None
            }
        }
    } else {
        None
    };
    Ok(render(&NewPage {
        shell: shell.with_tab("bookings"),
        tab: "new",
        time_zone: settings.time_zone.clone(),
        contacts: contacts(state, ctx, &form).await?,
        services,
        resources,
        payments,
        form,
        slots,
        problems,
        error,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    #[serde(flatten)]
    fields: NewFields,
    /// Set by the "Free times" form: list the day's free times.
    slots: String,
}

pub async fn view_new_booking(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let mut form = q.fields;
    if form.date.is_empty() {
        let s = local_time::settings_for_reading(&state, &ctx).await?;
        let today = local_time::today(&s, state.now());
        form.date = today.tomorrow().unwrap_or(today).to_string();
    }
    if form.time.is_empty() {
        form.time = "09:00".to_owned();
    }
    form.notify = "1".to_owned();
    let slots = !q.slots.is_empty();
    page(&state, shell, &ctx, form, Problems::default(), None, slots).await
}

/// The form field a refusal is about.
fn field_of(path: &str) -> &'static str {
    match path {
        "contact_id" => "contact_id",
        "service_id" => "service_id",
        "resource_id" => "resource_id",
        "date" => "date",
        "time" | "starts_at" => "time",
        "customer_name" => "customer_name",
        "payment_method" => "payment_method",
        "notes" => "notes",
        _ => "",
    }
}

pub async fn create_booking(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    Form(f): Form<NewFields>,
) -> AppResult<Response> {
    let notify = !f.notify.is_empty();
    let made =
        async {
            let s = local_time::settings_for_reading(&state, &ctx).await?;
            let mut c = Checks::default();
            let contact = c.take(form_id::<ContactId>("contact_id", &f.contact_id).and_then(
                |c| c.ok_or_else(|| AppError::validation("contact_id", "choose a contact")),
            ))?;
            let service = c.take(form_id::<ServiceId>("service_id", &f.service_id).and_then(
                |s| s.ok_or_else(|| AppError::validation("service_id", "choose a service")),
            ))?;
            let resource = c.take(form_id::<ResourceId>("resource_id", &f.resource_id))?;
            let starts_at = c.take(local_time::starts_at(
                &s,
                ("date", &f.date),
                ("time", &f.time),
            ))?;
            c.done()?;
            let (Some(contact_id), Some(service_id), Some(resource_id), Some(starts_at)) =
                (contact, service, resource, starts_at)
            else {
                return Err(AppError::internal(anyhow::anyhow!("a checked form")));
            };
            let input = NewBooking {
                service_id,
                resource_id,
                contact_id,
                channel_id: None,
                starts_at,
                customer_name: text(&f.customer_name),
                payment_method: text(&f.payment_method),
                notes: text(&f.notes),
                status: BookingStatus::Confirmed,
            };
            rules::create_booking(&state, &ctx, input, Via::Dashboard, notify).await
        }
        .await;
    match made {
        Ok(c) => {
            let told = told_query(c.customer_notified, c.notify_error.as_deref());
            let to = format!("{}/{}?done=created{told}", super::HOME, c.booking.id);
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let r = refusal(e, field_of)?;
            let mut res = page(&state, shell, &ctx, f, r.problems, Some(r.error), false).await?;
            *res.status_mut() = r.status;
            Ok(res)
        }
    }
}
