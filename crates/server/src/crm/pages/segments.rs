//! Segments in the dashboard: the list with each segment's count
//! (`/app/segments`), and the editor (`/app/segments/new`,
//! `/app/segments/{id}`): rows of field / operator / value, "add rule",
//! "add group" and "remove" buttons and an any/all switch per group, all
//! answered by the server re-rendering the form, so it works without
//! JavaScript; a "Count" button shows the count and newest contacts of
//! what is on screen (the script presses it as you type).

mod form;
mod rows;

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::segments::editor::{Draft, Editor, save_segment, segment_editor};
use crate::crm::segments::{NewSegment, delete_segment as remove, segments_with_counts};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::contact_name;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::SegmentId;
use form::{Fields, FormGroup};
use rows::{Opt, Row};
use store::crm::rules::Field;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/segments", get(view_segments))
        .route(
            "/app/segments/new",
            get(view_new_segment).post(edit_new_segment),
        )
        .route("/app/segments/{id}", get(view_segment).post(edit_segment))
        .route("/app/segments/{id}/delete", post(delete_segment))
}

#[derive(Debug, Clone)]
struct ListRow {
    id: String,
    name: String,
    description: String,
    count: i64,
}

#[derive(Template)]
#[template(path = "segments.html")]
struct SegmentsPage {
    shell: Shell,
    segments: Vec<ListRow>,
}

pub async fn view_segments(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Response> {
    let segments = segments_with_counts(&state, &ctx)
        .await?
        .into_iter()
        .map(|(s, count)| ListRow {
            id: s.id.to_string(),
            name: s.name,
            description: s.description.unwrap_or_default(),
            count,
        })
        .collect();
    Ok(render(&SegmentsPage {
        shell: shell.with_tab("segments"),
        segments,
    }))
}

#[derive(Debug, Clone)]
struct SampleRow {
    id: String,
    name: String,
    wa_id: String,
}

#[derive(Template)]
#[template(path = "segment.html")]
struct SegmentPage {
    shell: Shell,
    /// The saved segment's id (none: a new one).
    id: Option<String>,
    action: String,
    name: String,
    description: String,
    rows: Vec<Row>,
    fields: Vec<Opt>,
    tags: Vec<Opt>,
    stages: Vec<Opt>,
    numbers: Vec<Opt>,
    attributes: Vec<Opt>,
    count: Option<i64>,
    sample: Vec<SampleRow>,
    /// Why the tree cannot be counted yet (its row says where).
    hint: Option<String>,
    /// Why saving failed (name, conflict), shown at the top.
    error: Option<String>,
}

/// What the form sent besides the tree.
struct Sent {
    name: String,
    description: String,
    action: String,
    tree: FormGroup,
}

fn sent(fields: &Fields) -> Sent {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut tree = form::read(fields);
    tree.normalise();
    Sent {
        name: get("name"),
        description: get("description"),
        action: get("action"),
        tree,
    }
}

/// Renders the editor: `tree` as rows, `editor`'s choices and preview,
/// `error` (a field and message) on its row or at the top.
fn page(
    shell: Shell,
    id: Option<SegmentId>,
    name: String,
    description: String,
    tree: &FormGroup,
    editor: Editor,
    error: Option<AppError>,
) -> Response {
    let c = &editor.choices;
    let field_error = |e: &AppError| match e {
        AppError::Validation(f) => f.first().map(|f| (f.field.clone(), f.message.clone())),
        _ => None,
    };
    let mut top = None;
    let mut at_row = None;
    if let Some(e) = &error {
        match field_error(e) {
            Some((field, msg)) if field.starts_with("rules") || field == "any" => {
                at_row = Some((form::node_of(&field), msg))
            }
            Some((field, msg)) => top = Some(format!("{field}: {msg}")),
            None => top = Some(e.to_string()),
        }
    }
    let (count, sample, hint) = match editor.preview {
        Ok(p) => (
            Some(p.count),
            p.sample
                .iter()
                .map(|c| SampleRow {
                    id: c.id.to_string(),
                    name: contact_name(c),
                    wa_id: c.wa_id.clone().unwrap_or_default(),
                })
                .collect(),
            None,
        ),
        Err(e) => {
            if at_row.is_none()
                && let Some((field, msg)) = field_error(&e)
            {
                at_row = Some((form::node_of(&field), msg.clone()));
            }
            (
                None,
                Vec::new(),
                Some("Complete the rules to see the count.".to_owned()),
            )
        }
    };
    let rows = rows::rows(tree, c, at_row.as_ref());
    let action = match id {
        Some(id) => format!("/app/segments/{id}"),
        None => "/app/segments/new".to_owned(),
    };
    render(&SegmentPage {
        shell: shell.with_tab("segments"),
        id: id.map(|i| i.to_string()),
        action,
        name,
        description,
        rows,
        fields: Field::ALL
            .iter()
            .map(|f| Opt::new(f.as_str(), rows::field_label(*f)))
            .collect(),
        tags: c
            .tags
            .iter()
            .map(|(i, n)| Opt::new(i.to_string(), n))
            .collect(),
        stages: c
            .stages
            .iter()
            .map(|(i, n)| Opt::new(i.to_string(), n))
            .collect(),
        numbers: c
            .numbers
            .iter()
            .map(|(i, n)| Opt::new(i.to_string(), n))
            .collect(),
        attributes: c
            .attributes
            .iter()
            .map(|a| Opt::new(&a.key, &a.label))
            .collect(),
        count,
        sample,
        hint,
        error: top,
    })
}

pub async fn view_new_segment(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
) -> AppResult<Response> {
    let editor = segment_editor(&state, &ctx, None, None).await?;
    let tree = FormGroup {
        any: false,
        items: Vec::new(),
    };
    Ok(page(
        shell,
        None,
        String::new(),
        String::new(),
        &tree,
        editor,
        None,
    ))
}

pub async fn view_segment(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = id.parse::<SegmentId>().map_err(|_| AppError::NotFound)?;
    let editor = segment_editor(&state, &ctx, Some(id), None).await?;
    let s = editor.segment.clone().ok_or(AppError::NotFound)?;
    let tree = form::from_json(s.any, &s.rules);
    let description = s.description.unwrap_or_default();
    Ok(page(
        shell,
        Some(id),
        s.name,
        description,
        &tree,
        editor,
        None,
    ))
}

pub async fn edit_new_segment(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    edit(&state, shell, &ctx, None, &fields).await
}

pub async fn edit_segment(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let id = id.parse::<SegmentId>().map_err(|_| AppError::NotFound)?;
    edit(&state, shell, &ctx, Some(id), &fields).await
}

/// A press of one of the editor's buttons: `save`, or one that changes the
/// rows (or only counts) and shows the editor again.
async fn edit(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: Option<SegmentId>,
    fields: &Fields,
) -> AppResult<Response> {
    let Sent {
        name,
        description,
        action,
        mut tree,
    } = sent(fields);
    let mut error = None;
    if action == "save" {
        let input = NewSegment {
            name: name.clone(),
            description: Some(description.clone()),
            any: tree.any,
            rules: tree.to_json(),
        };
        match save_segment(state, ctx, id, input).await {
            Ok(s) => return Ok(Redirect::to(&format!("/app/segments/{}", s.id)).into_response()),
            Err(e @ (AppError::Validation(_) | AppError::Conflict(..) | AppError::Rule(..))) => {
                error = Some(e)
            }
            Err(e) => return Err(e),
        }
    } else {
        tree.apply(&action);
    }
    let draft = Draft {
        any: tree.any,
        rules: tree.to_json(),
    };
    let editor = segment_editor(state, ctx, id, Some(draft)).await?;
    Ok(page(shell, id, name, description, &tree, editor, error))
}

pub async fn delete_segment(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = id.parse::<SegmentId>().map_err(|_| AppError::NotFound)?;
    remove(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/segments").into_response())
}
