//! `/app/bookings/services`: the services, a form to add one, an edit
//! form per row, Activate / Deactivate and Delete (see [`super::catalogue`]).

use super::catalogue::SERVICES;
use super::catalogue::{ActiveForm, Again, DoneQuery, back, flash};
use super::{Checks, Problems, number, refusal, text};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::booking::catalogue::{self as rules, ServiceInput};
use crate::crm::deals::money;
use crate::dashboard::page::{Shell, render};
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::ServiceId;
use serde::Deserialize;
use store::booking::Service;

/// The service form as posted, and as shown again.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    pub name: String,
    pub description: String,
    /// In major units (`25.50`).
    pub price: String,
    pub currency: String,
    pub duration_minutes: String,
    pub category: String,
    pub icon: String,
    pub position: String,
}

impl ServiceForm {
    fn of(s: &Service) -> ServiceForm {
        ServiceForm {
            name: s.name.clone(),
            description: s.description.clone().unwrap_or_default(),
            price: money::major(s.price_minor, &s.currency),
            currency: s.currency.clone(),
            duration_minutes: s.duration_minutes.to_string(),
            category: s.category.clone().unwrap_or_default(),
            icon: s.icon.clone().unwrap_or_default(),
            position: s.position.to_string(),
        }
    }

    fn input(&self) -> AppResult<ServiceInput> {
        let currency = self.currency.trim().to_ascii_uppercase();
        let mut c = Checks::default();
        let price = c.take(money::parse_major(&self.price, &currency))?;
        let duration = c.take(
            number("duration_minutes", &self.duration_minutes).and_then(|d| {
                d.ok_or_else(|| AppError::validation("duration_minutes", "required"))
            }),
        )?;
        let position = c.take(number("position", &self.position))?.flatten();
        c.done()?;
        Ok(ServiceInput {
            name: Some(self.name.clone()),
            description: Some(text(&self.description)),
            price_minor: price,
            currency: Some(currency),
            duration_minutes: duration,
            category: Some(text(&self.category)),
            icon: Some(text(&self.icon)),
            active: None,
            position,
        })
    }
}

fn service_field(path: &str) -> &'static str {
    match path {
        "name" => "name",
        "description" => "description",
        "price_minor" | "value" => "price",
        "currency" => "currency",
        "duration_minutes" => "duration_minutes",
        "category" => "category",
        "icon" => "icon",
        "position" => "position",
        _ => "",
    }
}

/// A service as its row shows it, with its edit form.
#[derive(Debug, Clone)]
pub struct ServiceRow {
    pub id: String,
    pub name: String,
    pub icon: String,
    pub description: String,
    pub category: String,
    pub price: String,
    pub duration: i64,
    pub active: bool,
    pub form: ServiceForm,
    /// The edit form is open (a refusal of it is shown).
    pub open: bool,
    pub problems: Problems,
}

#[derive(Template)]
#[template(path = "booking_services.html")]
struct ServicesPage {
    shell: Shell,
    tab: &'static str,
    services: Vec<ServiceRow>,
    /// The add form.
    form: ServiceForm,
    problems: Problems,
    currencies: Vec<&'static str>,
    ok: Option<String>,
    error: Option<String>,
}

async fn services_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    again: Option<Again<ServiceId, ServiceForm>>,
    ok: Option<String>,
) -> AppResult<Response> {
    let all = rules::list_services(state, ctx).await?;
    let currency = all.last().map_or("USD".to_owned(), |s| s.currency.clone());
    let mut form = ServiceForm {
        currency,
        duration_minutes: "30".to_owned(),
        ..ServiceForm::default()
    };
    let mut problems = Problems::default();
    let mut error = None;
    let mut rows: Vec<ServiceRow> = all
        .iter()
        .map(|s| ServiceRow {
            id: s.id.to_string(),
            name: s.name.clone(),
            icon: s.icon.clone().unwrap_or_default(),
            description: s.description.clone().unwrap_or_default(),
            category: s.category.clone().unwrap_or_default(),
            price: crate::crm::deals::money::format(s.price_minor, &s.currency),
            duration: s.duration_minutes,
            active: s.active,
            form: ServiceForm::of(s),
            open: false,
            problems: Problems::default(),
        })
        .collect();
    if let Some(a) = again {
        error = Some(a.error);
        let row =
            a.on.and_then(|id| rows.iter_mut().find(|r| r.id == id.to_string()));
        match (a.form, row) {
            (Some(f), Some(row)) => {
                row.form = f;
                row.open = true;
                row.problems = a.problems;
            }
            (Some(f), None) => {
                form = f;
                problems = a.problems;
            }
            (None, _) => {}
        }
    }
    Ok(render(&ServicesPage {
        shell: shell.with_tab("bookings"),
        tab: "services",
        services: rows,
        form,
        problems,
        currencies: money::codes().collect(),
        ok,
        error,
    }))
}

pub async fn view_services(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    services_page(&state, shell, &ctx, None, flash(&q.done)).await
}

/// The page again with a refusal of `form` (on service `on`, or the add
/// form), or the error page.
async fn services_refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    on: Option<ServiceId>,
    form: Option<ServiceForm>,
    e: AppError,
) -> AppResult<Response> {
    let r = refusal(e, service_field)?;
    let again = Again {
        on,
        form,
        problems: r.problems,
        error: r.error,
    };
    let mut res = services_page(state, shell, ctx, Some(again), None).await?;
    *res.status_mut() = r.status;
    Ok(res)
}

pub async fn create_service(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Form(f): Form<ServiceForm>,
) -> AppResult<Response> {
    let made = match f.input() {
        Ok(input) => rules::create_service(&state, &ctx, input).await.map(drop),
        Err(e) => Err(e),
    };
    match made {
        Ok(()) => Ok(back(SERVICES, "added")),
        Err(e) => services_refused(&state, shell, &ctx, None, Some(f), e).await,
    }
}

pub async fn update_service(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ServiceId>,
    Form(f): Form<ServiceForm>,
) -> AppResult<Response> {
    let changed = match f.input() {
        Ok(input) => rules::update_service(&state, &ctx, id, input)
            .await
            .map(drop),
        Err(e) => Err(e),
    };
    match changed {
        Ok(()) => Ok(back(SERVICES, "saved")),
        Err(e) => services_refused(&state, shell, &ctx, Some(id), Some(f), e).await,
    }
}

pub async fn set_service_active(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ServiceId>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    let active = f.active == "true";
    let input = ServiceInput {
        active: Some(active),
        ..ServiceInput::default()
    };
    match rules::update_service(&state, &ctx, id, input).await {
        Ok(_) => Ok(back(
            SERVICES,
            if active { "activated" } else { "deactivated" },
        )),
        Err(e) => services_refused(&state, shell, &ctx, None, None, e).await,
    }
}

pub async fn delete_service(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ServiceId>,
) -> AppResult<Response> {
    match rules::delete_service(&state, &ctx, id).await {
        Ok(()) => Ok(back(SERVICES, "deleted")),
        Err(e) => services_refused(&state, shell, &ctx, None, None, e).await,
    }
}
