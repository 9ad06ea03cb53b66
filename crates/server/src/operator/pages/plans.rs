//! The operator's plans: every plan with its prices, limits and features,
//! a form to add one, and a page to edit each, retire it or offer it
//! again. The forms are parsed here; the rules are `operator::plans`'.

use crate::auth::OperatorCtx;
use crate::crm::deals::money;
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::{day, render, thousands};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::operator::plans::{self, NewPlan, PlanChange};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{PlanFeatures, PlanLimits, PlanPrices};
use serde::Deserialize;
use store::tenancy::Plan;

/// A form's fields in order (checkboxes repeat a name).
type Fields = Vec<(String, String)>;

/// Every limit of a plan with what the pages call it, in `named()` order.
const LIMIT_LABELS: [(&str, &str); 9] = [
    ("messages_per_month", "Messages a month"),
    ("agents", "Team members"),
    ("numbers", "WhatsApp numbers"),
    ("contacts", "Contacts"),
    ("workflow_runs_per_month", "Workflow runs a month"),
    ("genesys_per_minute", "Genesys messages a minute"),
    ("api_requests_per_minute", "API requests a minute"),
    ("workflows", "Workflows"),
    ("webhook_endpoints", "Webhook endpoints"),
];

/// Every feature switch with what the pages call it.
const FEATURE_LABELS: [(&str, &str); 4] = [
    ("campaigns", "Campaigns"),
    ("bot", "Booking bot"),
    ("genesys", "Genesys bridge"),
    ("api", "API keys"),
];

fn label(labels: &[(&'static str, &'static str)], name: &str) -> &'static str {
    labels
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, l)| l)
}

/// A limit or a switch, named, with what a page shows of it.
#[derive(Debug, Clone)]
pub struct Setting {
    pub name: &'static str,
    pub label: &'static str,
    /// A limit: `1,000` or `unlimited` in the list, the typed text in a form.
    pub value: String,
    /// A switch: on or off.
    pub on: bool,
}

fn features_of(f: &PlanFeatures) -> Vec<Setting> {
    [f.campaigns, f.bot, f.genesys, f.api]
        .into_iter()
        .zip(FEATURE_LABELS)
        .map(|(on, (name, label))| Setting {
            name,
            label,
            value: String::new(),
            on,
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct PlanRow {
    pub code: String,
    pub name: String,
    pub monthly: String,
    pub yearly: String,
    pub limits: Vec<Setting>,
    pub features: Vec<Setting>,
    /// `1 August 2026` when retired.
    pub retired: Option<String>,
}

impl PlanRow {
    fn new(p: &Plan) -> Self {
        let currency = p.prices.currency.to_uppercase();
        PlanRow {
            code: p.code.clone(),
            name: p.name.clone(),
            monthly: money::format(p.prices.monthly, &currency),
            yearly: money::format(p.prices.yearly, &currency),
            limits: p
                .limits
                .named()
                .into_iter()
                .map(|(name, v)| Setting {
                    name,
                    label: label(&LIMIT_LABELS, name),
                    value: v.map_or_else(|| "unlimited".to_owned(), thousands),
                    on: false,
                })
                .collect(),
            features: features_of(&p.features),
            retired: p.retired_at.map(day),
        }
    }
}

/// A plan form as typed, to show again after a refusal.
#[derive(Debug, Clone)]
pub struct PlanDraft {
    pub code: String,
    pub name: String,
    /// Prices in the currency's major units (`29.00`).
    pub monthly: String,
    pub yearly: String,
    /// Lowercase ISO 4217 (`usd`).
    pub currency: String,
    /// Empty: unlimited.
    pub limits: Vec<Setting>,
    pub features: Vec<Setting>,
}

impl PlanDraft {
    /// A new plan's form: US dollars, every limit unlimited, every feature on.
    fn blank() -> Self {
        PlanDraft {
            code: String::new(),
            name: String::new(),
            monthly: String::new(),
            yearly: String::new(),
            currency: "usd".to_owned(),
            limits: LIMIT_LABELS
                .into_iter()
                .map(|(name, label)| Setting {
                    name,
                    label,
                    value: String::new(),
                    on: false,
                })
                .collect(),
            features: features_of(&PlanFeatures::ALL),
        }
    }

    fn of(p: &Plan) -> Self {
        let currency = p.prices.currency.to_uppercase();
        PlanDraft {
            code: p.code.clone(),
            name: p.name.clone(),
            monthly: money::major(p.prices.monthly, &currency),
            yearly: money::major(p.prices.yearly, &currency),
            currency: p.prices.currency.clone(),
            limits: p
                .limits
                .named()
                .into_iter()
                .map(|(name, v)| Setting {
                    name,
                    label: label(&LIMIT_LABELS, name),
                    value: v.map(|v| v.to_string()).unwrap_or_default(),
                    on: false,
                })
                .collect(),
            features: features_of(&p.features),
        }
    }

    fn from_fields(fields: &Fields) -> Self {
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map_or(String::new(), |(_, v)| v.trim().to_owned())
        };
        let mut draft = PlanDraft::blank();
        draft.code = field("code");
        draft.name = field("name");
        draft.monthly = field("monthly");
        draft.yearly = field("yearly");
        draft.currency = field("currency").to_lowercase();
        for l in &mut draft.limits {
            l.value = field(&format!("limit_{}", l.name));
        }
        for f in &mut draft.features {
            f.on = fields.iter().any(|(k, v)| k == "feature" && v == f.name);
        }
        draft
    }

    /// The limits typed: empty is unlimited, a whole number (`1,000` too)
    /// is the limit; the rule checks the rest.
    fn limits(&self) -> AppResult<PlanLimits> {
        let get = |name: &str| -> AppResult<Option<i64>> {
            let raw: String = self
                .limits
                .iter()
                .find(|l| l.name == name)
                .map_or("", |l| l.value.as_str())
                .chars()
                .filter(|c| !matches!(c, ',' | '_' | ' '))
                .collect();
            if raw.is_empty() {
                return Ok(None);
            }
            raw.parse().map(Some).map_err(|_| {
                AppError::validation(
                    format!("limits.{name}"),
                    "a whole number, or empty for unlimited",
                )
            })
        };
        Ok(PlanLimits {
            messages_per_month: get("messages_per_month")?,
            agents: get("agents")?,
            numbers: get("numbers")?,
            contacts: get("contacts")?,
            workflow_runs_per_month: get("workflow_runs_per_month")?,
            genesys_per_minute: get("genesys_per_minute")?,
            api_requests_per_minute: get("api_requests_per_minute")?,
            workflows: get("workflows")?,
            webhook_endpoints: get("webhook_endpoints")?,
        })
    }

    /// The prices typed in major units, in minor units. A minus sign is
    /// kept for the rule to refuse.
    fn prices(&self) -> AppResult<PlanPrices> {
        let code = self.currency.to_uppercase();
        let amount = |field: &str, raw: &str| -> AppResult<i64> {
            let (sign, digits) = match raw.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, raw),
            };
            money::parse_major(digits, &code)
                .map(|v| sign * v)
                .map_err(|e| match e {
                    AppError::Validation(mut f) if !f.is_empty() => {
                        AppError::validation(format!("prices.{field}"), f.remove(0).message)
                    }
                    other => other,
                })
        };
        Ok(PlanPrices {
            monthly: amount("monthly", &self.monthly)?,
            yearly: amount("yearly", &self.yearly)?,
            currency: self.currency.clone(),
        })
    }

    fn features(&self) -> PlanFeatures {
        let on = |name: &str| self.features.iter().any(|f| f.name == name && f.on);
        PlanFeatures {
            campaigns: on("campaigns"),
            bot: on("bot"),
            genesys: on("genesys"),
            api: on("api"),
        }
    }
}

#[derive(Template)]
#[template(path = "operator_plans.html")]
struct PlansPage {
    csrf: String,
    tab: &'static str,
    plans: Vec<PlanRow>,
    draft: PlanDraft,
    error: Option<String>,
}

async fn plans_page(
    state: &AppState,
    ctx: &OperatorCtx,
    csrf: String,
    draft: Option<PlanDraft>,
    error: Option<String>,
) -> AppResult<Response> {
    let plans = plans::list_plans(state, ctx).await?;
    Ok(render(&PlansPage {
        csrf,
        tab: "plans",
        plans: plans.iter().map(PlanRow::new).collect(),
        draft: draft.unwrap_or_else(PlanDraft::blank),
        error,
    }))
}

pub async fn view_plans(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    plans_page(&state, &ctx, csrf, None, None).await
}

pub async fn create_plan(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let draft = PlanDraft::from_fields(&fields);
    let result = async {
        let input = NewPlan {
            code: draft.code.clone(),
            name: draft.name.clone(),
            limits: draft.limits()?,
            prices: draft.prices()?,
            features: draft.features(),
        };
        plans::create_plan(&state, &ctx, input).await
    }
    .await;
    match result {
        Ok(plan) => Ok(
            Redirect::to(&format!("/app/operator/plans/{}?done=created", plan.code))
                .into_response(),
        ),
        Err(e) => {
            let Some(msg) = inline(&e) else {
                return Err(e);
            };
            let mut res = plans_page(&state, &ctx, csrf, Some(draft), Some(msg)).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

#[derive(Template)]
#[template(path = "operator_plan.html")]
struct PlanPage {
    csrf: String,
    tab: &'static str,
    draft: PlanDraft,
    /// `1 August 2026` when retired.
    retired: Option<String>,
    done: Option<&'static str>,
    error: Option<String>,
}

/// What the page says after a change went through.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn plan_page(
    state: &AppState,
    ctx: &OperatorCtx,
    csrf: String,
    code: &str,
    draft: Option<PlanDraft>,
    done: Option<&'static str>,
    error: Option<String>,
) -> AppResult<Response> {
    let plan = plans::list_plans(state, ctx)
        .await?
        .into_iter()
        .find(|p| p.code == code)
        .ok_or(AppError::NotFound)?;
    Ok(render(&PlanPage {
        csrf,
        tab: "plans",
        draft: draft.unwrap_or_else(|| PlanDraft::of(&plan)),
        retired: plan.retired_at.map(day),
        done,
        error,
    }))
}

pub async fn view_plan(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    ApiPath(code): ApiPath<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let done = match q.done.as_str() {
        "created" => Some("The plan is added."),
        "saved" => Some("Saved."),
        "retired" => {
            Some("The plan is retired: its tenants keep it, no other tenant can be put on it.")
        }
        "offered" => Some("The plan is offered again."),
        _ => None,
    };
    plan_page(&state, &ctx, csrf, &code, None, done, None).await
}

/// A refusal shown on the plan's page, or the error page for the rest.
async fn refused(
    state: &AppState,
    ctx: &OperatorCtx,
    csrf: String,
    code: &str,
    draft: Option<PlanDraft>,
    e: AppError,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = plan_page(state, ctx, csrf, code, draft, None, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

pub async fn update_plan(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    ApiPath(code): ApiPath<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let mut draft = PlanDraft::from_fields(&fields);
    draft.code = code.clone();
    let result = async {
        let change = PlanChange {
            name: Some(draft.name.clone()),
            limits: Some(draft.limits()?),
            prices: Some(draft.prices()?),
            features: Some(draft.features()),
            retired: None,
        };
        plans::update_plan(&state, &ctx, &code, change).await
    }
    .await;
    match result {
        Ok(_) => Ok(done(&code, "saved")),
        Err(e) => refused(&state, &ctx, csrf, &code, Some(draft), e).await,
    }
}

pub async fn retire_plan(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Response> {
    set_retired(&state, &ctx, csrf, &code, true).await
}

pub async fn offer_plan(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Response> {
    set_retired(&state, &ctx, csrf, &code, false).await
}

async fn set_retired(
    state: &AppState,
    ctx: &OperatorCtx,
    csrf: String,
    code: &str,
    retired: bool,
) -> AppResult<Response> {
    let change = PlanChange {
        retired: Some(retired),
        ..PlanChange::default()
    };
    match plans::update_plan(state, ctx, code, change).await {
        Ok(_) => Ok(done(code, if retired { "retired" } else { "offered" })),
        Err(e) => refused(state, ctx, csrf, code, None, e).await,
    }
}

fn done(code: &str, what: &str) -> Response {
    Redirect::to(&format!("/app/operator/plans/{code}?done={what}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_form_reads_limits_prices_and_switches() {
        let d = PlanDraft::from_fields(&fields(&[
            ("code", " growth "),
            ("name", "Growth"),
            ("monthly", "49.50"),
            ("yearly", "-1"),
            ("currency", "EUR"),
            ("limit_messages_per_month", "20,000"),
            ("limit_agents", ""),
            ("feature", "bot"),
            ("feature", "api"),
        ]));
        assert_eq!(d.code, "growth");
        let limits = d.limits().unwrap();
        assert_eq!(limits.messages_per_month, Some(20_000));
        assert_eq!(limits.agents, None, "empty is unlimited");
        let prices = d.prices().unwrap();
        assert_eq!(
            (prices.monthly, prices.yearly),
            (4_950, -100),
            "the rule refuses -1"
        );
        assert_eq!(prices.currency, "eur");
        let f = d.features();
        assert!(f.bot && f.api && !f.campaigns && !f.genesys);

        let bad = PlanDraft::from_fields(&fields(&[("limit_contacts", "lots")]));
        match bad.limits() {
            Err(AppError::Validation(f)) => assert_eq!(f[0].field, "limits.contacts"),
            other => panic!("{other:?}"),
        }
        let bad = PlanDraft::from_fields(&fields(&[("monthly", "abc"), ("currency", "usd")]));
        match bad.prices() {
            Err(AppError::Validation(f)) => assert_eq!(f[0].field, "prices.monthly"),
            other => panic!("{other:?}"),
        }
    }
}
