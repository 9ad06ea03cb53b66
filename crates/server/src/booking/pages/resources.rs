//! `/app/bookings/resources`: staff and resources (each with the
//! services it gives as boxes to tick and how many bookings it takes at
//! once), a form to add one, an edit form per row, Activate / Deactivate
//! and Delete (see [`super::catalogue`]).

use super::catalogue::RESOURCES;
use super::catalogue::{ActiveForm, Again, DoneQuery, back, flash};
use super::{Checks, Opt, Posted, Problems, form_id, number, refusal};
use crate::auth::{Authorized, TenantCtx, perm};
use crate::booking::catalogue::{self as rules, ResourceInput, ResourceKind};
use crate::dashboard::page::{Shell, render};
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::{ResourceId, ServiceId};
use store::booking::Resource;

/// The resource form as posted, and as shown again.
#[derive(Debug, Clone, Default)]
pub struct ResourceForm {
    pub name: String,
    /// `staff` or `resource`.
    pub kind: String,
    pub capacity: String,
    /// The services ticked.
    pub service_ids: Vec<String>,
}

impl ResourceForm {
    fn of(r: &Resource) -> ResourceForm {
        ResourceForm {
            name: r.name.clone(),
            kind: r.kind.clone(),
            capacity: r.capacity.to_string(),
            service_ids: r.service_ids.iter().map(ToString::to_string).collect(),
        }
    }

    fn read(body: &str) -> ResourceForm {
        let p = Posted::parse(body);
        ResourceForm {
            name: p.get("name"),
            kind: p.get("kind"),
            capacity: p.get("capacity"),
            service_ids: p.all("service_ids"),
        }
    }

    /// Whether it gives service `id`.
    pub fn gives(&self, id: &str) -> bool {
        self.service_ids.iter().any(|s| s == id)
    }

    fn input(&self) -> AppResult<ResourceInput> {
        let mut c = Checks::default();
        let kind = c.take(match self.kind.as_str() {
            "staff" | "" => Ok(ResourceKind::Staff),
            "resource" => Ok(ResourceKind::Resource),
            _ => Err(AppError::validation("kind", "staff or a resource")),
        })?;
        let capacity = c.take(number("capacity", &self.capacity))?.flatten();
        let mut ids = Vec::new();
        for raw in &self.service_ids {
            if let Some(Some(id)) = c.take(form_id::<ServiceId>("service_ids", raw))? {
                ids.push(id);
            }
        }
        c.done()?;
        Ok(ResourceInput {
            name: Some(self.name.clone()),
            kind,
            capacity,
            active: None,
            service_ids: Some(ids),
        })
    }
}

fn resource_field(path: &str) -> &'static str {
    match path.split('[').next().unwrap_or_default() {
        "name" => "name",
        "kind" => "kind",
        "capacity" => "capacity",
        "service_ids" => "service_ids",
        _ => "",
    }
}

/// Staff or a resource as its row shows it, with its edit form.
#[derive(Debug, Clone)]
pub struct ResourceRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub capacity: i64,
    pub active: bool,
    /// The services it gives, by name.
    pub gives: String,
    pub form: ResourceForm,
    pub open: bool,
    pub problems: Problems,
}

#[derive(Template)]
#[template(path = "booking_resources.html")]
struct ResourcesPage {
    shell: Shell,
    tab: &'static str,
    resources: Vec<ResourceRow>,
    /// Every service, for the boxes to tick.
    services: Vec<Opt>,
    form: ResourceForm,
    problems: Problems,
    ok: Option<String>,
    error: Option<String>,
}

async fn resources_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    again: Option<Again<ResourceId, ResourceForm>>,
    ok: Option<String>,
) -> AppResult<Response> {
    let services = rules::list_services(state, ctx).await?;
    let all = rules::list_resources(state, ctx).await?;
    let name_of = |id: &ServiceId| {
        services
            .iter()
            .find(|s| s.id == *id)
            .map(|s| s.name.clone())
    };
    let mut rows: Vec<ResourceRow> = all
        .iter()
        .map(|r| ResourceRow {
            id: r.id.to_string(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            capacity: r.capacity,
            active: r.active,
            gives: r
                .service_ids
                .iter()
                .filter_map(name_of)
                .collect::<Vec<_>>()
                .join(", "),
            form: ResourceForm::of(r),
            open: false,
            problems: Problems::default(),
        })
        .collect();
    // A new one gives every service unless unticked.
    let mut form = ResourceForm {
        kind: "staff".to_owned(),
        capacity: "1".to_owned(),
        service_ids: services.iter().map(|s| s.id.to_string()).collect(),
        ..ResourceForm::default()
    };
    let mut problems = Problems::default();
    let mut error = None;
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
    Ok(render(&ResourcesPage {
        shell: shell.with_tab("bookings"),
        tab: "resources",
        resources: rows,
        services: services
            .iter()
            .map(|s| Opt {
                id: s.id.to_string(),
                name: if s.active {
                    s.name.clone()
                } else {
                    format!("{} (inactive)", s.name)
                },
                selected: false,
            })
            .collect(),
        form,
        problems,
        ok,
        error,
    }))
}

pub async fn view_resources(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    resources_page(&state, shell, &ctx, None, flash(&q.done)).await
}

async fn resources_refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    on: Option<ResourceId>,
    form: Option<ResourceForm>,
    e: AppError,
) -> AppResult<Response> {
    let r = refusal(e, resource_field)?;
    let again = Again {
        on,
        form,
        problems: r.problems,
        error: r.error,
    };
    let mut res = resources_page(state, shell, ctx, Some(again), None).await?;
    *res.status_mut() = r.status;
    Ok(res)
}

pub async fn create_resource(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    body: String,
) -> AppResult<Response> {
    let f = ResourceForm::read(&body);
    let made = match f.input() {
        Ok(input) => rules::create_resource(&state, &ctx, input).await.map(drop),
        Err(e) => Err(e),
    };
    match made {
        Ok(()) => Ok(back(RESOURCES, "added")),
        Err(e) => resources_refused(&state, shell, &ctx, None, Some(f), e).await,
    }
}

pub async fn update_resource(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ResourceId>,
    body: String,
) -> AppResult<Response> {
    let f = ResourceForm::read(&body);
    let changed = match f.input() {
        Ok(input) => rules::update_resource(&state, &ctx, id, input)
            .await
            .map(drop),
        Err(e) => Err(e),
    };
    match changed {
        Ok(()) => Ok(back(RESOURCES, "saved")),
        Err(e) => resources_refused(&state, shell, &ctx, Some(id), Some(f), e).await,
    }
}

pub async fn set_resource_active(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ResourceId>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    let active = f.active == "true";
    let input = ResourceInput {
        active: Some(active),
        ..ResourceInput::default()
    };
    match rules::update_resource(&state, &ctx, id, input).await {
        Ok(_) => Ok(back(
            RESOURCES,
            if active { "activated" } else { "deactivated" },
        )),
        Err(e) => resources_refused(&state, shell, &ctx, None, None, e).await,
    }
}

pub async fn delete_resource(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<ResourceId>,
) -> AppResult<Response> {
    match rules::delete_resource(&state, &ctx, id).await {
        Ok(()) => Ok(back(RESOURCES, "deleted")),
        Err(e) => resources_refused(&state, shell, &ctx, None, None, e).await,
    }
}
