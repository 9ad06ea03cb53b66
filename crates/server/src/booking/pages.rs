//! The booking pages at `/app/bookings` (docs/DASHBOARD.md, "Bookings"):
//! adapters over [`super`]'s rules, like the API.
//!
//! - [`calendar`]: the day and week views, filtered by resource and
//!   status;
//! - [`one`]: a booking with its history, moved to another time or
//!   confirmed, completed, marked a no-show or cancelled;
//! - [`new`]: the team books a customer in, with the free times of a day;
//! - [`settings`] (and [`settings_fields`], its form): the bot's settings;
//! - [`services`] and [`resources`] (what they share in [`catalogue`]):
//!   the catalogue.
//!
//! Reading bookings needs `inbox:read`, changing them `inbox:write`,
//! configuring `campaigns:manage` (the sub-menu hides what the role may not
//! open; the pages refuse it anyway). Times are typed and shown in the
//! booking settings' zone. A refusal comes back on its page (422, 409 for
//! a time that is taken) with each reason beside its field and the form as
//! typed; a change done goes back with a note of what it did, and whether
//! the customer was told on WhatsApp.

mod calendar;
mod catalogue;
mod new;
mod one;
mod resources;
mod services;
mod settings;
mod settings_fields;

use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use store::booking::BookingStatus;

/// The calendar, where the pages start.
pub const HOME: &str = "/app/bookings";

pub fn router() -> Router<AppState> {
    const ONE: &str = "/app/bookings/{id}";
    const SERVICE: &str = "/app/bookings/services/{id}";
    const RESOURCE: &str = "/app/bookings/resources/{id}";
    Router::new()
        .route(HOME, get(calendar::view_calendar))
        .route(
            "/app/bookings/new",
            get(new::view_new_booking).post(new::create_booking),
        )
        .route(
            "/app/bookings/settings",
            get(settings::view_settings).post(settings::update_settings),
        )
        .route(
            "/app/bookings/services",
            get(services::view_services).post(services::create_service),
        )
        .route(&format!("{SERVICE}/update"), post(services::update_service))
        .route(
            &format!("{SERVICE}/active"),
            post(services::set_service_active),
        )
        .route(&format!("{SERVICE}/delete"), post(services::delete_service))
        .route(
            "/app/bookings/resources",
            get(resources::view_resources).post(resources::create_resource),
        )
        .route(
            &format!("{RESOURCE}/update"),
            post(resources::update_resource),
        )
        .route(
            &format!("{RESOURCE}/active"),
            post(resources::set_resource_active),
        )
        .route(
            &format!("{RESOURCE}/delete"),
            post(resources::delete_resource),
        )
        .route(ONE, get(one::view_booking))
        .route(&format!("{ONE}/reschedule"), post(one::reschedule_booking))
        .route(&format!("{ONE}/status"), post(one::set_booking_status))
}

/// An option of a select (or a box to tick).
#[derive(Debug, Clone)]
pub struct Opt {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The reasons a refusal gives, by form field.
#[derive(Debug, Clone, Default)]
pub struct Problems(Vec<(&'static str, String)>);

impl Problems {
    /// The reasons about `field`, if any.
    pub fn get(&self, field: &str) -> Option<String> {
        let all: Vec<&str> = self
            .0
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!all.is_empty()).then(|| all.join("; "))
    }
}

/// A refusal as a page shows it.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// What goes on top of the page.
    pub error: String,
    pub problems: Problems,
    pub status: StatusCode,
}

/// Splits a refusal the page can explain: each reason whose path
/// `field_of` knows goes beside that field, the others on top. Anything
/// else (not found, not allowed, a failure) is the error page.
pub fn refusal(e: AppError, field_of: impl Fn(&str) -> &'static str) -> AppResult<Refusal> {
    let status = e.status();
    match e {
        AppError::Validation(all) => {
            let mut top = Vec::new();
            let mut problems = Vec::new();
            for f in all {
                match field_of(&f.field) {
                    "" => top.push(f),
                    field => problems.push((field, f.message)),
                }
            }
            let error = if top.is_empty() {
                "Not saved: see the reasons beside the fields.".to_owned()
            } else {
                inline(&AppError::Validation(top)).unwrap_or_default()
            };
            Ok(Refusal {
                error,
                problems: Problems(problems),
                status,
            })
        }
        other => match inline(&other) {
            Some(error) => Ok(Refusal {
                error,
                problems: Problems::default(),
                status,
            }),
            None => Err(other),
        },
    }
}

/// The refusals of a form's fields, gathered to answer them all at once.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// `r`'s value, or `None` with its reasons kept (anything but a
    /// refusal of a field is the answer).
    pub fn take<T>(&mut self, r: AppResult<T>) -> AppResult<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(AppError::Validation(v)) => {
                self.0.extend(v);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// A refusal with every reason kept, if any.
    pub fn done(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// A posted form read by hand: boxes ticked repeat their name, which a
/// plain `Form` cannot read.
#[derive(Debug, Clone, Default)]
pub struct Posted(Vec<(String, String)>);

impl Posted {
    pub fn parse(body: &str) -> Posted {
        Posted(
            url::form_urlencoded::parse(body.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `key` ("" when absent).
    pub fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `key`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether a box named `key` was ticked.
    pub fn ticked(&self, key: &str) -> bool {
        self.0.iter().any(|(k, v)| k == key && !v.is_empty())
    }
}

/// An optional id from a form field: blank is `None`.
pub fn form_id<T: std::str::FromStr>(field: &str, raw: &str) -> AppResult<Option<T>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| AppError::validation(field, "choose one of the list"))
}

/// A whole number typed into `field`; blank is `None`.
pub fn number(field: &str, raw: &str) -> AppResult<Option<i64>> {
    match raw.trim() {
        "" => Ok(None),
        n => n
            .parse()
            .map(Some)
            .map_err(|_| AppError::validation(field, "a whole number")),
    }
}

/// An optional text: blank is `None`.
pub fn text(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A WhatsApp number as people read it (`+15550100`).
pub fn phone(raw: &str) -> String {
    match raw.trim() {
        "" => String::new(),
        p if p.starts_with('+') => p.to_owned(),
        p => format!("+{p}"),
    }
}

/// How a status reads.
pub fn status_label(s: BookingStatus) -> &'static str {
    match s {
        BookingStatus::Pending => "pending",
        BookingStatus::Confirmed => "confirmed",
        BookingStatus::Completed => "completed",
        BookingStatus::Cancelled => "cancelled",
        BookingStatus::NoShow => "no-show",
    }
}

/// The statuses as a filter's options (`chosen` selected), "Any" first.
pub fn status_opts(chosen: &str) -> Vec<Opt> {
    let any = Opt {
        id: String::new(),
        name: "Any".to_owned(),
        selected: chosen.is_empty(),
    };
    std::iter::once(any)
        .chain(BookingStatus::ALL.into_iter().map(|s| Opt {
            id: s.as_str().to_owned(),
            name: status_label(s).to_owned(),
            selected: s.as_str() == chosen,
        }))
        .collect()
}

/// The query string saying whether the customer was told of a change
/// (`told=yes`, or `told=no&why=…`; nothing when they were not to be).
pub fn told_query(customer_notified: bool, notify_error: Option<&str>) -> String {
    match (customer_notified, notify_error) {
        (true, _) => "&told=yes".to_owned(),
        (false, None | Some("not_requested")) => String::new(),
        (false, Some(why)) => format!(
            "&told=no&why={}",
            url::form_urlencoded::byte_serialize(why.as_bytes()).collect::<String>()
        ),
    }
}

/// What a page says about telling the customer.
pub fn told_message(told: &str, why: &str) -> Option<String> {
    match told {
        "yes" => Some("The customer was told on WhatsApp.".to_owned()),
        "no" => {
            let reason = match why {
                "outside_customer_service_window" | "outside_window" => {
                    "their 24-hour window is closed (write to them with a template)"
                }
                "contact_opted_out" | "opted_out" => "they opted out of messages",
                "no_number" => "the booking has no WhatsApp number to write from or to",
                "channel_needs_credentials" | "channel_removed" => {
                    "the bot's number cannot send now"
                }
                _ => "the rules of sending refused it",
            };
            Some(format!("The customer was not told: {reason} ({why})."))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_go_beside_their_fields_or_on_top() {
        let e = AppError::Validation(vec![
            crate::error::FieldError {
                field: "name".into(),
                message: "required".into(),
            },
            crate::error::FieldError {
                field: "other".into(),
                message: "odd".into(),
            },
        ]);
        let r = refusal(e, |f| if f == "name" { "name" } else { "" }).unwrap();
        assert_eq!(r.problems.get("name").as_deref(), Some("required"));
        assert_eq!(r.error, "other: odd");
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = refusal(AppError::Conflict("slot_taken", "taken".into()), |_| "").unwrap();
        assert_eq!(
            (r.error.as_str(), r.status),
            ("taken", StatusCode::CONFLICT)
        );
        assert!(refusal(AppError::NotFound, |_| "").is_err());
    }

    #[test]
    fn forms_read_repeated_boxes() {
        let p = Posted::parse("a=1&b=x&a=2&c=");
        assert_eq!(p.all("a"), ["1", "2"]);
        assert_eq!(p.get("b"), "x");
        assert!(p.ticked("a") && !p.ticked("c") && !p.ticked("d"));
        assert_eq!(told_query(false, Some("not_requested")), "");
        assert_eq!(
            told_query(false, Some("outside_window")),
            "&told=no&why=outside_window"
        );
        assert!(
            told_message("no", "contact_opted_out")
                .unwrap()
                .contains("opted out")
        );
        assert!(
            told_message("no", "outside_customer_service_window")
                .unwrap()
                .contains("24-hour window")
        );
    }
}
