//! A number's and a WABA's edges at Meta: the WABA's phone numbers (only
//! those this tenant connected: a WABA may hold numbers of other tenants
//! or none of Switchboard's) and a number's business profile.

use super::api::{Caller, check_version, forwarded_query};
use super::error::{MetaError, require};
use super::known::{number, waba};
use super::objects::content_type;
use super::proxy::{Call, forward};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use domain::Permission;
use serde_json::Value;

/// `GET /graph/{version}/{waba_id}/phone_numbers`: Meta's list, less the
/// numbers this tenant has not connected.
pub async fn list_phone_numbers(
    State(state): State<AppState>,
    Path((version, waba_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    Caller(ctx): Caller,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = waba(&state, &ctx, &waba_id, "get").await?;
    require(&ctx, Permission::InboxRead)?;
    let call = Call::new(Method::GET, &version, format!("{waba_id}/phone_numbers"))
        .query(forwarded_query(query.as_deref()));
    let answer = forward(&state, &ctx, &channel, call).await?;
    let Some(mut list) = answer.json().filter(|_| answer.ok()) else {
        return Ok(answer.into_response());
    };
    let mine: Vec<String> = super::tenant_numbers(&state, &ctx).await?;
    keep_numbers(&mut list, &mine);
    Ok(answer.with_json(&list))
}

/// Drops from a phone-number list's `data` every entry not in `mine`.
fn keep_numbers(list: &mut Value, mine: &[String]) {
    if let Some(data) = list.get_mut("data").and_then(Value::as_array_mut) {
        data.retain(|n| {
            n.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| mine.iter().any(|m| m == id))
        });
    }
}

pub async fn get_business_profile(
    State(state): State<AppState>,
    Path((version, pnid)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    Caller(ctx): Caller,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = number(&state, &ctx, &pnid, "get").await?;
    require(&ctx, Permission::InboxRead)?;
    let call = Call::new(
        Method::GET,
        &version,
        format!("{pnid}/whatsapp_business_profile"),
    )
    .query(forwarded_query(query.as_deref()));
    Ok(forward(&state, &ctx, &channel, call).await?.into_response())
}

/// Changing the profile customers see is a setting of the number.
pub async fn update_business_profile(
    State(state): State<AppState>,
    Path((version, pnid)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    Caller(ctx): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = number(&state, &ctx, &pnid, "post").await?;
    require(&ctx, Permission::SettingsManage)?;
    let body = body.map_err(|e| MetaError::invalid(e.body_text()))?;
    let call = Call::new(
        Method::POST,
        &version,
        format!("{pnid}/whatsapp_business_profile"),
    )
    .query(forwarded_query(query.as_deref()))
    .body(body, content_type(&headers));
    Ok(forward(&state, &ctx, &channel, call).await?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_tenants_numbers_are_listed() {
        let mut list = json!({ "data": [{ "id": "1" }, { "id": "2" }, { "x": 1 }], "paging": {} });
        keep_numbers(&mut list, &["2".to_owned()]);
        assert_eq!(list, json!({ "data": [{ "id": "2" }], "paging": {} }));
    }
}
