//! What every page shares: rendering, the frame around a signed-in page
//! ([`Shell`]), and turning the API's JSON errors into HTML pages.

use super::csrf::CsrfToken;
use crate::auth::TenantCtx;
use crate::billing::usage::LimitUsage;
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::usage::{UsageLevel, next_period_start, period_start};
use domain::{Permission, Timestamp};

/// The policy for `/app` pages: our own script and styles only.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";

/// Renders a template, or a 500 that the logging middleware reports.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::internal(anyhow::anyhow!("rendering a page: {e}")).into_response(),
    }
}

/// The frame of a signed-in tenant page: who is signed in, where, and
/// which parts of the dashboard their role may open.
#[derive(Debug, Clone)]
pub struct Shell {
    pub tenant_name: String,
    pub tenant_status: String,
    pub user_name: String,
    pub role: String,
    pub csrf: String,
    /// Settings is everyone's (their own security, the workspace's health
    /// and activity); these say which of its pages their role may open.
    pub can_manage_numbers: bool,
    pub can_team: bool,
    pub can_keys: bool,
    pub can_audit: bool,
    pub can_write: bool,
    /// Whether Settings → Webhooks is theirs (`webhooks:manage`).
    pub can_webhooks: bool,
    /// Whether Automations is theirs (`campaigns:manage`).
    pub can_automations: bool,
    /// Which tab is lit: `inbox`, `contacts`, `settings`.
    pub tab: &'static str,
    /// The signed-in user's unread notifications (0 for an API key).
    pub unread_notifications: i64,
    /// The month's messages at 80 % of the plan or more, said as a banner.
    pub usage_warning: Option<String>,
    /// Whether that banner says the limit is reached (sending is paused).
    pub usage_reached: bool,
}

impl Shell {
    pub fn with_tab(mut self, tab: &'static str) -> Self {
        self.tab = tab;
        self
    }
}

impl FromRequestParts<AppState> for Shell {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ctx = TenantCtx::from_request_parts(parts, state).await?;
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let tenant = tx.find_tenant().await?;
        let (user_name, role) = match ctx.user_id() {
            Some(id) => {
                let u = tx.find_user(id).await?;
                let name = if u.name.is_empty() { u.email } else { u.name };
                (name, u.role.as_str().to_owned())
            }
            None => ("API key".to_owned(), "api key".to_owned()),
        };
        let unread_notifications = match ctx.user_id() {
            Some(id) => tx.count_unread_notifications(id).await?,
            None => 0,
        };
        let now = state.now();
        let warning = crate::billing::usage::messages_warning(&mut tx, now).await?;
        tx.commit().await?;
        Ok(Shell {
            tenant_name: tenant.name,
            tenant_status: tenant.status.as_str().to_owned(),
            user_name,
            role,
            csrf,
            can_manage_numbers: ctx.allows(Permission::SettingsManage),
            can_team: ctx.allows(Permission::UsersRead),
            can_keys: ctx.allows(Permission::ApiKeysManage),
            can_audit: ctx.allows(Permission::AuditRead),
            can_write: ctx.allows(Permission::InboxWrite),
            can_webhooks: ctx.allows(Permission::WebhooksManage),
            can_automations: ctx.allows(Permission::CampaignsManage),
            tab: "",
            unread_notifications,
            usage_reached: warning
                .as_ref()
                .is_some_and(|w| w.level == UsageLevel::Reached),
            usage_warning: warning.map(|w| usage_banner(&w, now)),
        })
    }
}

/// What the banner says about the month's messages: how many of the
/// plan's are used, or that sending waits for the next period.
fn usage_banner(w: &LimitUsage, now: Timestamp) -> String {
    let allowed = w.allowed.unwrap_or_default();
    if w.level == UsageLevel::Reached {
        let until = day(next_period_start(period_start(now)));
        return format!(
            "You have used all {} messages of your plan this month; sending is paused \
             until {until} — ask the operator for a bigger plan.",
            thousands(allowed)
        );
    }
    let percent = if allowed > 0 {
        w.used * 100 / allowed
    } else {
        100
    };
    format!(
        "You have used {} of {} messages this month ({percent} %)",
        thousands(w.used),
        thousands(allowed)
    )
}

/// A date as people read it: `1 August 2026` (UTC).
pub fn day(t: Timestamp) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t.as_unix_seconds()) {
        Ok(d) => format!("{} {} {}", d.day(), d.month(), d.year()),
        Err(_) => t.to_rfc3339(),
    }
}

/// A count with thousands separated: `12,500`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
    home: &'static str,
}

#[derive(Template)]
#[template(path = "suspended.html")]
struct SuspendedPage {
    message: String,
}

/// The message of an API error body, if the response is one.
async fn error_message(res: Response) -> (StatusCode, String) {
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let message = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("something went wrong")
                .to_owned()
        });
    (status, message)
}

/// Dashboard responses: the strict CSP, no caching of pages, and the API's
/// JSON errors shown as pages (401 goes to the sign-in page, 423 explains
/// the suspension).
pub async fn html_errors(req: Request, next: Next) -> Response {
    let operator = req.uri().path().starts_with("/app/operator");
    let res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let failed = res.status().is_client_error() || res.status().is_server_error();
    // Pages that answer with an error status themselves (a refused login)
    // already say why; everything else (the API's JSON errors) becomes a page.
    let mut res = if failed && !html {
        let (status, message) = error_message(res).await;
        let home = if operator {
            "/app/operator"
        } else {
            "/app/inbox"
        };
        let page = match status {
            StatusCode::UNAUTHORIZED if operator => {
                Redirect::to("/app/operator/login").into_response()
            }
            StatusCode::UNAUTHORIZED => Redirect::to("/app/login").into_response(),
            StatusCode::LOCKED => render(&SuspendedPage {
                message: message
                    .strip_prefix("this tenant is suspended: ")
                    .map_or(message.clone(), |r| format!("Reason: {r}")),
            }),
            _ => render(&ErrorPage {
                status: status.as_u16(),
                title: match status {
                    StatusCode::FORBIDDEN => "Not allowed",
                    StatusCode::NOT_FOUND => "Not found",
                    StatusCode::TOO_MANY_REQUESTS => "Slow down",
                    s if s.is_server_error() => "Something went wrong",
                    _ => "That did not work",
                },
                message,
                home,
            }),
        };
        let mut page = page;
        if page.status().is_success() {
            *page.status_mut() = status;
        }
        page
    } else {
        res
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_days_read_as_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(812), "812");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        let t = Timestamp::parse_rfc3339("2026-08-01T00:00:00Z").unwrap();
        assert_eq!(day(t), "1 August 2026");
    }

    #[test]
    fn the_banner_says_how_much_is_used_or_until_when_sending_waits() {
        let now = Timestamp::parse_rfc3339("2026-07-15T10:00:00Z").unwrap();
        let near = LimitUsage {
            limit: "messages_per_month",
            used: 812,
            allowed: Some(1_000),
            level: UsageLevel::Near,
        };
        assert_eq!(
            usage_banner(&near, now),
            "You have used 812 of 1,000 messages this month (81 %)"
        );
        let reached = LimitUsage {
            used: 1_000,
            level: UsageLevel::Reached,
            ..near
        };
        assert_eq!(
            usage_banner(&reached, now),
            "You have used all 1,000 messages of your plan this month; sending is paused \
             until 1 August 2026 — ask the operator for a bigger plan."
        );
    }
}
