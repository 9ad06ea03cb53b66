//! A number's and a WABA's edges at Meta: the WABA's phone numbers (only
//! those this tenant connected: a WABA may hold numbers of other tenants
//! or none of Switchboard's) and a number's business profile.

use super::api::{Caller, Sent, check_version};
use super::error::{MetaError, require};
use super::known::{number, waba};
use super::proxy::{Call, forward};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use domain::Permission;
use serde_json::Value;

/// `GET /graph/{version}/{waba_id}/phone_numbers`: Meta's list, less the
/// numbers this tenant has not connected.
pub async fn list_phone_numbers(
    State(state): State<AppState>,
    Path((version, waba_id)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = waba(&state, &ctx, &waba_id, "get").await?;
    require(&ctx, Permission::InboxRead)?;
    let call = Call::new(Method::GET, &version, format!("{waba_id}/phone_numbers")).sent(sent);
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
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = number(&state, &ctx, &pnid, "get").await?;
    require(&ctx, Permission::InboxRead)?;
    let call = Call::new(
        Method::GET,
        &version,
        format!("{pnid}/whatsapp_business_profile"),
    )
    .sent(sent);
    Ok(forward(&state, &ctx, &channel, call).await?.into_response())
}

/// Changing the profile customers see is a setting of the number.
pub async fn update_business_profile(
    State(state): State<AppState>,
    Path((version, pnid)): Path<(String, String)>,
    Caller(ctx): Caller,
    sent: Sent,
) -> Result<Response, MetaError> {
    check_version(&version)?;
    let channel = number(&state, &ctx, &pnid, "post").await?;
    require(&ctx, Permission::SettingsManage)?;
    let call = Call::new(
        Method::POST,
        &version,
        format!("{pnid}/whatsapp_business_profile"),
    )
    .sent(sent);
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
