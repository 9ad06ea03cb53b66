//! What the catalogue's pages share ([`super::services`],
//! [`super::resources`]): each lists what there is, with a form to add
//! one, an edit form per row (in a `<details>`), Activate / Deactivate and
//! Delete (refused, with the reason, for one that has bookings: deactivate
//! it instead). Adapters over [`crate::booking::catalogue`].

use super::Problems;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub(super) const SERVICES: &str = "/app/bookings/services";
pub(super) const RESOURCES: &str = "/app/bookings/resources";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    pub done: String,
}

pub(super) fn flash(done: &str) -> Option<String> {
    let m = match done {
        "added" => "Added.",
        "saved" => "Saved.",
        "activated" => "Active: it can be booked again.",
        "deactivated" => "Inactive: it takes no new bookings; those made stay.",
        "deleted" => "Deleted.",
        _ => return None,
    };
    Some(m.to_owned())
}

pub(super) fn back(page: &str, done: &str) -> Response {
    Redirect::to(&format!("{page}?done={done}")).into_response()
}

/// What a refused form shows again: on the add form (`None`) or on a
/// service's row.
pub(super) struct Again<Id, F> {
    pub on: Option<Id>,
    /// `None`: a refusal of a button, only the reason is shown.
    pub form: Option<F>,
    pub problems: Problems,
    pub error: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActiveForm {
    /// `true` or `false`.
    pub active: String,
}
