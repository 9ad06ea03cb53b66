//! The Genesys Cloud bridge, end to end over real HTTP: sandbox customers
//! on WhatsApp, sandbox agents on Genesys, and Switchboard between them.

mod bridge;

use sandbox::{InboundContent, InboundMessage};
use serde_json::Value;
use testkit::{GenesysTest, TestTenant};

pub const PNID: &str = "106540352244001";
pub const WABA: &str = "102290129344001";

/// A tenant with one number linked to Genesys as `link` says; the tenant,
/// its channel id and the link.
pub async fn linked(g: &GenesysTest, slug: &str, link: Value) -> (TestTenant, String, Value) {
    let t = g.create_tenant(slug).await;
    let channel = g.connect_number(&t, PNID, WABA).await;
    let l = g.link(&t, &channel, link).await;
    (t, channel, l)
}

/// Customer `who` writes `text`.
pub fn writes(g: &GenesysTest, who: &str, text: &str) {
    g.sandbox
        .send_inbound(InboundMessage::new(
            PNID,
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
