//! JSON routes of a drip's subscribers (`/api/v1/drips/{drip_id}/…`):
//! enrolling contacts (a list, a segment, a CSV file), listing them with
//! their state, one with its history, and stopping one. Adapters over
//! [`super::enrol`], [`super::enrol_csv`] and [`super::rules`].

use super::enrol::{self, Outcome};
use super::enrol_csv::{CsvEnrolment, enrol_csv};
use super::rules;
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use domain::{ContactId, DripId, DripSubscriberId, MessageId, SegmentId, Timestamp};
use serde::{Deserialize, Serialize};
use store::drips::{DripSend, DripSubscriber, SubscriberStatus};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_drip_subscribers, create_drip_subscribers))
        .routes(routes!(get_drip_subscriber))
        .routes(routes!(stop_drip_subscriber))
        .routes(routes!(create_drip_segment_enrolment))
        .routes(routes!(create_drip_csv_enrolment))
}

/// A subscriber: one contact's enrolment in a drip.
#[derive(Debug, Serialize, ToSchema)]
pub struct DripSubscriberView {
    pub id: DripSubscriberId,
    pub drip_id: DripId,
    pub contact_id: ContactId,
    /// `active`, `completed` or `exited`.
    pub status: String,
    /// Why it exited: `replied`, `tagged`, `opted_out`, `goal`, `stopped`
    /// or `failed`.
    pub exit_reason: Option<String>,
    /// For `failed`: the refusing rule's `code: reason`.
    pub exit_detail: Option<String>,
    /// The next step to send (0: the first); for an ended one, where it
    /// stopped.
    pub step: i64,
    /// While active: when that step is due (quiet hours applied).
    pub next_at: Option<Timestamp>,
    /// `manual`, `api`, `segment`, `csv` or `workflow`.
    pub via: String,
    pub enrolled_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// Each step it came to (only when one subscriber is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<DripSendView>>,
}

/// What one step of a subscriber did.
#[derive(Debug, Serialize, ToSchema)]
pub struct DripSendView {
    /// The step's index (0: the first).
    pub step: i64,
    /// `sent`, `skipped` (the window was closed and the step has no
    /// template) or `failed` (a sending rule refused it).
    pub outcome: String,
    /// `text` (the window was open) or `template`; empty if nothing went.
    pub kind: String,
    pub message_id: Option<MessageId>,
    /// Why it was skipped or failed.
    pub detail: Option<String>,
    pub at: Timestamp,
}

impl From<DripSend> for DripSendView {
    fn from(s: DripSend) -> Self {
        DripSendView {
            step: s.step,
            outcome: s.outcome,
            kind: s.kind,
            message_id: s.message_id,
            detail: s.detail,
            at: s.created_at,
        }
    }
}

impl DripSubscriberView {
    pub fn of(s: DripSubscriber, history: Option<Vec<DripSend>>) -> Self {
        DripSubscriberView {
            id: s.id,
            drip_id: s.drip_id,
            contact_id: s.contact_id,
            status: s.status.as_str().to_owned(),
            exit_reason: s.exit_reason,
            exit_detail: s.exit_detail,
            step: s.step,
            next_at: s.next_at,
            via: s.via,
            enrolled_at: s.enrolled_at,
            updated_at: s.updated_at,
            finished_at: s.finished_at,
            history: history.map(|h| h.into_iter().map(DripSendView::from).collect()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubscribersQuery {
    /// `active`, `completed` or `exited`.
    #[param(pattern = "^(active|completed|exited)?$")]
    pub status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// `status` as a filter (empty: any).
pub fn subscriber_status(raw: Option<&str>) -> AppResult<Option<SubscriberStatus>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => SubscriberStatus::parse(s)
            .map(Some)
            .ok_or_else(|| AppError::validation("status", "active, completed or exited")),
    }
}

/// A drip's subscribers with their state, newest first.
#[utoipa::path(get, path = "/api/v1/drips/{drip_id}/subscribers", tag = "automations",
    params(("drip_id" = DripId, Path), SubscribersQuery),
    responses((status = 200, body = Paged<DripSubscriberView>), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_drip_subscribers(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    ApiQuery(q): ApiQuery<SubscribersQuery>,
) -> AppResult<Json<Paged<DripSubscriberView>>> {
    let status = subscriber_status(q.status.as_deref())?;
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let found = rules::list_subscribers(&state, &ctx, id, status, page).await?;
    Ok(Json(Paged::from_page(found, |s| {
        DripSubscriberView::of(s, None)
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolContacts {
    /// 1 to 1,000 contacts (more: a segment or a CSV file).
    pub contact_ids: Vec<ContactId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    pub contact_id: ContactId,
    pub outcome: Outcome,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolments {
    /// What came of each contact, in the order given.
    pub items: Vec<Enrolment>,
}

/// Enrol contacts (one or many): each starts at the first step. A
/// contact in the drip already, or opted out, is left as it is.
#[utoipa::path(post, path = "/api/v1/drips/{drip_id}/subscribers", tag = "automations",
    params(("drip_id" = DripId, Path)),
    request_body = EnrolContacts,
    responses((status = 200, body = Enrolments), (status = 404, body = ErrorBody),
              (status = 422, description = "No contacts or more than 1,000, or the drip is disabled (`drip_disabled`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_drip_subscribers(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    ApiJson(body): ApiJson<EnrolContacts>,
) -> AppResult<Json<Enrolments>> {
    let done = enrol::enrol_contacts(&state, &ctx, id, &body.contact_ids).await?;
    Ok(Json(Enrolments {
        items: done
            .into_iter()
            .map(|(contact_id, outcome)| Enrolment {
                contact_id,
                outcome,
            })
            .collect(),
    }))
}

/// One subscriber with its history: each step it came to, what went
/// (a text or the template) or why nothing did.
#[utoipa::path(get, path = "/api/v1/drips/{drip_id}/subscribers/{subscriber_id}", tag = "automations",
    params(("drip_id" = DripId, Path), ("subscriber_id" = DripSubscriberId, Path)),
    responses((status = 200, body = DripSubscriberView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_drip_subscriber(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath((drip, id)): ApiPath<(DripId, DripSubscriberId)>,
) -> AppResult<Json<DripSubscriberView>> {
    let (s, history) = rules::get_subscriber(&state, &ctx, drip, id).await?;
    Ok(Json(DripSubscriberView::of(s, Some(history))))
}

/// Stop a subscriber: it exits (`stopped`) and is sent nothing more.
#[utoipa::path(post, path = "/api/v1/drips/{drip_id}/subscribers/{subscriber_id}/stop", tag = "automations",
    params(("drip_id" = DripId, Path), ("subscriber_id" = DripSubscriberId, Path)),
    responses((status = 200, body = DripSubscriberView), (status = 404, body = ErrorBody),
              (status = 409, description = "Its enrolment has ended (`subscriber_not_active`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn stop_drip_subscriber(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath((drip, id)): ApiPath<(DripId, DripSubscriberId)>,
) -> AppResult<Json<DripSubscriberView>> {
    let s = enrol::stop_subscriber(&state, &ctx, drip, id).await?;
    Ok(Json(DripSubscriberView::of(s, None)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolSegment {
    pub segment_id: SegmentId,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentEnrolment {
    pub segment_id: SegmentId,
    /// `queued`: the segment's contacts are enrolled in batches, shortly.
    pub status: String,
}

/// Enrol every contact of a saved segment (as it is when each batch is
/// read), in batches in the background.
#[utoipa::path(post, path = "/api/v1/drips/{drip_id}/segment-enrolments", tag = "automations",
    params(("drip_id" = DripId, Path)),
    request_body = EnrolSegment,
    responses((status = 202, body = SegmentEnrolment), (status = 404, body = ErrorBody),
              (status = 422, description = "No such segment, or the drip is disabled (`drip_disabled`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_drip_segment_enrolment(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    ApiJson(body): ApiJson<EnrolSegment>,
) -> AppResult<(StatusCode, Json<SegmentEnrolment>)> {
    enrol::enrol_segment(&state, &ctx, id, body.segment_id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SegmentEnrolment {
            segment_id: body.segment_id,
            status: "queued".into(),
        }),
    ))
}

/// Enrol the contacts of a CSV file: its header names a column of phone
/// numbers (`phone`) or of contact ids (`contact_id`); a number no
/// contact has becomes a new contact. Up to 5,000 rows.
#[utoipa::path(post, path = "/api/v1/drips/{drip_id}/csv-enrolments", tag = "automations",
    params(("drip_id" = DripId, Path)),
    request_body(content = String, content_type = "text/csv", description = "The file itself."),
    responses((status = 200, body = CsvEnrolment), (status = 404, body = ErrorBody),
              (status = 400, description = "Not sent as `text/csv` (`unsupported_media_type`).", body = ErrorBody),
              (status = 422, description = "No `phone` or `contact_id` column, no rows, more than 5,000, or the drip is disabled (`drip_disabled`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_drip_csv_enrolment(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<DripId>,
    req: Request,
) -> AppResult<Json<CsvEnrolment>> {
    // Another tenant's drip is a 404 whatever is sent.
    rules::get_drip(&state, &ctx, id).await?;
    let csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "text/csv" | "application/csv" | "text/plain"
            )
        });
    if !csv {
        return Err(AppError::BadRequest(
            "unsupported_media_type",
            "send the file as Content-Type: text/csv".into(),
        ));
    }
    let bytes = Bytes::from_request(req, &state)
        .await
        .map_err(|e| AppError::BadRequest("unreadable_body", e.body_text()))?;
    Ok(Json(enrol_csv(&state, &ctx, id, &bytes).await?))
}
