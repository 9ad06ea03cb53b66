//! The Genesys Cloud bridge, end to end over real HTTP: sandbox customers
//! on WhatsApp, sandbox agents on Genesys, and Switchboard between them.

mod activity;
mod attachments;
mod bridge;
mod handback;
mod handover;
mod isolation;
mod limits;
mod outage;
mod refusals;
mod stats;
mod tokens;
mod validation;

use sandbox::{InboundContent, InboundMessage};
use serde_json::Value;
use testkit::{Auth, GenesysTest, Resp, TestTenant};

pub const PNID: &str = "106540352244001";
pub const WABA: &str = "102290129344001";
/// A second number, for a second tenant.
pub const PNID_B: &str = "106540352244002";
pub const WABA_B: &str = "102290129344002";

/// A tenant with one number linked to Genesys as `link` says; the tenant,
/// its channel id and the link.
pub async fn linked(g: &GenesysTest, slug: &str, link: Value) -> (TestTenant, String, Value) {
    linked_on(g, slug, PNID, WABA, link).await
}

/// Like [`linked`], on number `pnid` of WABA `waba`.
pub async fn linked_on(
    g: &GenesysTest,
    slug: &str,
    pnid: &str,
    waba: &str,
    link: Value,
) -> (TestTenant, String, Value) {
    let t = g.create_tenant(slug).await;
    let channel = g.connect_number(&t, pnid, waba).await;
    let l = g.link(&t, &channel, link).await;
    (t, channel, l)
}

/// Customer `who` writes `text`.
pub fn writes(g: &GenesysTest, who: &str, text: &str) {
    writes_on(g, PNID, who, text);
}

/// Customer `who` writes `text` to number `pnid`.
pub fn writes_on(g: &GenesysTest, pnid: &str, who: &str, text: &str) {
    g.sandbox
        .send_inbound(InboundMessage::new(
            pnid,
            who,
            InboundContent::Text { body: text.into() },
        ))
        .unwrap();
}

/// What Genesys received from customer `who`, in order (texts).
pub fn at_genesys(g: &GenesysTest, who: &str) -> Vec<String> {
    g.genesys
        .inbound()
        .into_iter()
        .filter(|r| r.body.channel.from.id == who)
        .map(|r| r.body.text.unwrap_or_default())
        .collect()
}

/// What integration `integration` received from customer `who`, in order.
pub fn at_integration(g: &GenesysTest, integration: &str, who: &str) -> Vec<String> {
    g.genesys
        .inbound()
        .into_iter()
        .filter(|r| r.integration == integration && r.body.channel.from.id == who)
        .map(|r| r.body.text.unwrap_or_default())
        .collect()
}

/// Moves the server's clock and the WhatsApp sandbox's together.
pub fn advance(g: &GenesysTest, seconds: i64) {
    g.clock.advance_seconds(seconds);
    g.sandbox
        .advance_clock(std::time::Duration::from_secs(seconds.unsigned_abs()));
}

/// The contact with WhatsApp id `who` in `t`, if any.
pub async fn contact_of(g: &GenesysTest, t: &TestTenant, who: &str) -> Option<String> {
    let r = g
        .get(
            &format!("/api/v1/contacts?search={who}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .first()
        .map(|c| c["id"].as_str().unwrap().to_owned())
}

/// The conversation of customer `who` in `t`, if any.
pub async fn conversation_of(g: &GenesysTest, t: &TestTenant, who: &str) -> Option<String> {
    let contact = contact_of(g, t, who).await?;
    let r = g
        .get(
            &format!("/api/v1/contacts/{contact}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["conversations"][0]["id"].as_str().map(str::to_owned)
}

/// How many messages from `who` `t` has stored.
pub async fn stored(g: &GenesysTest, t: &TestTenant, who: &str) -> usize {
    let Some(conversation) = conversation_of(g, t, who).await else {
        return 0;
    };
    let r = g
        .get(
            &format!("/api/v1/conversations/{conversation}/messages?limit=200"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "in")
        .count()
}

/// Customer `who` writes `text` to `pnid`; returns once `t` stored it and
/// every job due has run. The conversation's id.
pub async fn says_on(g: &GenesysTest, t: &TestTenant, pnid: &str, who: &str, text: &str) -> String {
    let before = stored(g, t, who).await;
    writes_on(g, pnid, who, text);
    g.eventually("the message is stored", || async {
        stored(g, t, who).await > before
    })
    .await;
    g.drain().await;
    conversation_of(g, t, who).await.unwrap()
}

/// [`says_on`] on [`PNID`].
pub async fn says(g: &GenesysTest, t: &TestTenant, who: &str, text: &str) -> String {
    says_on(g, t, PNID, who, text).await
}

/// `GET /api/v1/conversations/{conversation}/genesys` as `t`'s API key.
pub async fn handover_of(g: &GenesysTest, t: &TestTenant, conversation: &str) -> Resp {
    g.get(
        &format!("/api/v1/conversations/{conversation}/genesys"),
        Auth::ApiKey(&t.api_key),
    )
    .await
}

/// `GET /api/v1/genesys/mappings{query}` as `t`'s API key: the items.
pub async fn mappings(g: &GenesysTest, t: &TestTenant, query: &str) -> Vec<Value> {
    let r = g
        .get(
            &format!("/api/v1/genesys/mappings{query}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// The rows queued to Genesys for hand-over `handover`, in order.
pub async fn outbox(
    g: &GenesysTest,
    t: &TestTenant,
    handover: &str,
) -> Vec<store::genesys::outbox::OutboxItem> {
    let mut tx = g.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    let rows = tx
        .list_genesys_outbox(handover.parse().unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows
}
