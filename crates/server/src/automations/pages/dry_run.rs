//! The dry run on a saved workflow's page
//! (`/app/automations/{id}/dry-run?contact_id=…`, or `paste=` a contact's
//! id): whether the conditions hold for the contact now, and the steps the
//! saved version would take, in words, without doing any of them.

use super::choices::Choices;
use super::form::{DryView, Extras, Saved, WorkflowFields, editor};
use crate::auth::{Authorized, perm};
use crate::automations::workflows as rules;
use crate::dashboard::page::Shell;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::{ContactId, WorkflowId};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct DryQuery {
    /// The contact chosen in the select.
    #[serde(default)]
    contact_id: String,
    /// A contact id pasted instead (wins when given).
    #[serde(default)]
    paste: String,
}

/// The workflow's page with what it would do for a contact now.
pub async fn view_dry_run(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
    Query(q): Query<DryQuery>,
) -> AppResult<Response> {
    let shown = rules::get_workflow(&state, &ctx, id).await?;
    let raw = match q.paste.trim() {
        "" => q.contact_id.trim(),
        pasted => pasted,
    };
    let result = match raw.parse::<ContactId>() {
        Ok(contact) => crate::automations::dry_run::dry_run(&state, &ctx, id, contact)
            .await
            .map(|r| (contact, r)),
        Err(_) => Err(AppError::validation(
            "contact",
            "choose a contact, or paste a contact's id",
        )),
    };
    let mut extras = Extras::default();
    let mut status = StatusCode::OK;
    match result {
        Ok((contact, (conditions_hold, steps))) => {
            let choices = Choices::load(&state, &ctx).await?;
            extras.dry = Some(DryView {
                contact_id: contact.to_string(),
                conditions_hold,
                steps: steps
                    .into_iter()
                    .map(|s| (s.path, s.kind, choices.name_ids(&s.would)))
                    .collect(),
            });
        }
        Err(e) => match inline(&e) {
            Some(msg) => {
                status = e.status();
                extras.dry_error = Some(msg);
            }
            None => return Err(e),
        },
    }
    let saved = Some(Saved::of(&shown));
    let mut res = editor(
        &state,
        shell,
        &ctx,
        saved,
        WorkflowFields::of(&shown),
        extras,
    )
    .await?;
    *res.status_mut() = status;
    Ok(res)
}
