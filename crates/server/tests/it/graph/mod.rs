//! The Cloud-API-compatible endpoint (`/graph/…`): a client written for
//! Meta's Cloud API, pointed at Switchboard with a tenant API key.

mod forward;
mod proxy;
mod pywa;
pub(crate) mod sends;

use serde_json::Value;
use testkit::WhatsAppTest;

pub(crate) const PNID: &str = "106540352242922";
pub(crate) const WABA: &str = "102290129340398";
pub(crate) const CUSTOMER: &str = "16505551234";

/// A request under `{server}/graph/`; the status and the JSON answer.
pub(crate) async fn call(
    wa: &WhatsAppTest,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = wa
        .client
        .request(method, format!("{}/graph/{path}", wa.url))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// Meta's typed client, with Switchboard's `/graph` as its base URL.
pub(crate) fn meta_client(wa: &WhatsAppTest) -> whatsapp::GraphClient {
    whatsapp::GraphClient::builder()
        .base_url(format!("{}/graph", wa.url))
        .build()
        .unwrap()
}

/// `(status, code, subcode)` of an answer.
pub(crate) fn code_of(status: u16, body: &Value) -> (u16, Option<i64>, Option<i64>) {
    (
        status,
        body["error"]["code"].as_i64(),
        body["error"]["error_subcode"].as_i64(),
    )
}
