//! What an integrator does over HTTP to send a broadcast, with the
//! tenant's API key: read the template library from Meta (the sandbox),
//! find the approved template, set the number's messaging-limit tier to
//! one that covers the audience (as Meta's WhatsApp Manager shows it),
//! create the campaign for a tag and start it; then watch its figures.

use crate::load::client;
use anyhow::{Context as _, bail};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The template the sandbox holds approved for every account
/// (body `Hello {{1}}`).
pub const TEMPLATE: &str = "bench_promo";
pub const LANGUAGE: &str = "en_US";

/// How long a call may take: starting a campaign reads its whole audience
/// into recipients in one request.
const SLOW: Duration = Duration::from_secs(300);

/// How often a finished number's campaign stats are read: once a second,
/// like a person watching the campaign page. (Every 200 ms, the reads of a
/// 100,000-recipient campaign's figures, each a pass over its recipients
/// and their messages, took most of a core from the loop being measured.)
pub const WATCH: Duration = Duration::from_secs(1);

/// Sends `req`; the JSON answer when its status is `expect`, else an
/// error with what the server said.
async fn call(req: reqwest::RequestBuilder, what: &str, expect: u16) -> anyhow::Result<Value> {
    let r = req
        .timeout(SLOW)
        .send()
        .await
        .with_context(|| what.to_owned())?;
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    if status != expect {
        bail!("{what}: {status} {text}");
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The smallest messaging-limit tier with room for `recipients` different
/// customers in 24 hours; `TIER_UNLIMITED` for a number capped above
/// Meta's default 80 msg/s (Meta upgrades only unlimited numbers to
/// 1,000 msg/s).
pub fn tier_for(recipients: usize, rate: i64) -> &'static str {
    if rate > 80 {
        return "TIER_UNLIMITED";
    }
    [
        (250, "TIER_250"),
        (1_000, "TIER_1K"),
        (2_000, "TIER_2K"),
        (10_000, "TIER_10K"),
        (100_000, "TIER_100K"),
    ]
    .into_iter()
    .find(|(n, _)| recipients <= *n)
    .map_or("TIER_UNLIMITED", |(_, t)| t)
}

/// Makes a draft campaign of [`TEMPLATE`] from `channel_id` to the
/// contacts tagged `tag_id`; answers its id.
pub async fn prepare(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    channel_id: &str,
    tier: &str,
    tag_id: &str,
) -> anyhow::Result<String> {
    let post = |path: &str| http.post(format!("{base}{path}")).bearer_auth(key);
    let synced = call(
        post("/api/v1/templates/sync").json(&json!({ "channel_id": channel_id })),
        "syncing the template library",
        200,
    )
    .await?;
    if synced["failed"].as_array().is_some_and(|f| !f.is_empty()) {
        bail!("syncing the template library: {}", synced["failed"]);
    }
    let library = call(
        http.get(format!(
            "{base}/api/v1/templates?channel_id={channel_id}&status=approved&limit=200"
        ))
        .bearer_auth(key),
        "listing approved templates",
        200,
    )
    .await?;
    let template = library["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"] == TEMPLATE && t["language"] == LANGUAGE)
        .and_then(|t| t["id"].as_str())
        .with_context(|| format!("no approved {TEMPLATE} in the library: {library}"))?
        .to_owned();
    call(
        http.put(format!(
            "{base}/api/v1/channels/{channel_id}/messaging-limit"
        ))
        .bearer_auth(key)
        .json(&json!({ "tier": tier })),
        "setting the messaging-limit tier",
        200,
    )
    .await?;
    let campaign = call(
        post("/api/v1/campaigns").json(&json!({
            "name": "Bench promo",
            "channel_id": channel_id,
            "template_id": template,
            "variables": [
                { "parameter": "1", "text": "{{contact.first_name}}", "fallback": "there" }
            ],
            "audience": { "tag_ids": [tag_id] },
        })),
        "creating the campaign",
        201,
    )
    .await?;
    Ok(campaign["id"]
        .as_str()
        .context("a campaign without an id")?
        .to_owned())
}

/// Starts campaign `id` now; answers its recipient count.
pub async fn start(http: &reqwest::Client, base: &str, key: &str, id: &str) -> anyhow::Result<i64> {
    let c = call(
        http.post(format!("{base}/api/v1/campaigns/{id}/start"))
            .bearer_auth(key)
            .json(&json!({})),
        "starting the campaign",
        200,
    )
    .await?;
    c["recipient_count"]
        .as_i64()
        .context("a started campaign without its recipient count")
}

/// A campaign's figures (`GET /api/v1/campaigns/{id}/stats`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Stats {
    pub status: String,
    pub recipients: i64,
    pub pending: i64,
    pub queued: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub skipped: i64,
    pub cancelled: i64,
}

impl Stats {
    /// Every recipient delivered or beyond, or settled otherwise (failed,
    /// skipped): nothing more will change but reads and replies.
    pub fn settled(&self) -> bool {
        self.recipients > 0 && self.pending + self.queued + self.sent == 0
    }

    /// Recipients not (yet) at least delivered.
    pub fn undelivered(&self) -> i64 {
        self.recipients - self.delivered - self.read
    }
}

pub async fn stats(http: &reqwest::Client, base: &str, key: &str, id: &str) -> Option<Stats> {
    let r = http
        .get(format!("{base}/api/v1/campaigns/{id}/stats"))
        .bearer_auth(key)
        .send()
        .await
        .ok()?;
    if r.status() != 200 {
        return None;
    }
    r.json().await.ok()
}

/// A campaign's status (`GET /api/v1/campaigns/{id}`).
pub async fn status(http: &reqwest::Client, base: &str, key: &str, id: &str) -> Option<String> {
    let c = super::get_json(http, base, &format!("/api/v1/campaigns/{id}"), key).await?;
    c["status"].as_str().map(str::to_owned)
}

/// Recipients the sandbox accepted more than one message for, from
/// number `phone_number_id`.
pub async fn repeated_recipients(
    http: &reqwest::Client,
    sandbox: &str,
    phone_number_id: &str,
) -> anyhow::Result<u64> {
    #[derive(Deserialize)]
    struct Sent {
        to: String,
    }
    #[derive(Deserialize)]
    struct List {
        messages: Vec<Sent>,
    }
    let list: List = http
        .get(format!(
            "{sandbox}/_sandbox/messages?phone_number_id={phone_number_id}"
        ))
        .timeout(SLOW)
        .send()
        .await?
        .json()
        .await?;
    let mut seen = std::collections::HashSet::with_capacity(list.messages.len());
    Ok(list
        .messages
        .into_iter()
        .filter(|m| !seen.insert(m.to.clone()))
        .count() as u64)
}

/// One number's campaign.
#[derive(Clone)]
pub struct Run {
    pub pnid: String,
    pub key: String,
    pub id: String,
}

/// What the counters loop and the stats watcher share, by number.
#[derive(Default)]
pub struct Progress {
    /// When its first send was seen accepted.
    pub first: BTreeMap<String, Instant>,
    /// When its last send was seen accepted.
    pub done: BTreeMap<String, Instant>,
    /// When its campaign's stats first showed every recipient settled.
    pub settled: BTreeMap<String, Instant>,
    /// Its campaign's latest stats.
    pub stats: BTreeMap<String, Stats>,
}

/// Reads the stats (every [`WATCH`]) of every campaign whose number has
/// sent everything, one request at a time, until each is settled or
/// `stop`.
pub fn watcher(
    base: String,
    runs: Vec<Run>,
    p: Arc<Mutex<Progress>>,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(http) = client(2) else { return };
        while !stop.load(Ordering::Relaxed) {
            for r in &runs {
                let due = {
                    let p = p.lock().unwrap_or_else(|e| e.into_inner());
                    p.done.contains_key(&r.pnid) && !p.settled.contains_key(&r.pnid)
                };
                if !due {
                    continue;
                }
                if let Some(s) = stats(&http, &base, &r.key, &r.id).await {
                    let mut p = p.lock().unwrap_or_else(|e| e.into_inner());
                    if s.settled() {
                        p.settled.insert(r.pnid.clone(), Instant::now());
                    }
                    p.stats.insert(r.pnid.clone(), s);
                }
            }
            tokio::time::sleep(WATCH).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tier_covers_the_audience_and_a_fast_number_is_unlimited() {
        assert_eq!(tier_for(250, 80), "TIER_250");
        assert_eq!(tier_for(251, 80), "TIER_1K");
        assert_eq!(tier_for(5_000, 80), "TIER_10K");
        assert_eq!(tier_for(100_000, 80), "TIER_100K");
        assert_eq!(tier_for(100_001, 80), "TIER_UNLIMITED");
        assert_eq!(tier_for(5_000, 1_000), "TIER_UNLIMITED");
    }

    #[test]
    fn a_campaign_is_settled_once_nothing_waits_for_a_status() {
        let mut s = Stats {
            recipients: 10,
            sent: 1,
            delivered: 8,
            failed: 1,
            ..Stats::default()
        };
        assert!(!s.settled());
        assert_eq!(s.undelivered(), 2);
        s.sent = 0;
        s.read = 1;
        assert!(s.settled());
        assert_eq!(s.undelivered(), 1);
    }
}
