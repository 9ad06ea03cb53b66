//! In-memory sandbox state: numbers, customers, the 24 h windows, outbound and
//! inbound messages, templates, media, counters and the sandbox clock.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::config::{NumberSpec, digits};
use crate::faults::Faults;
use crate::ratelimit::TokenBucket;
pub use crate::records::{
    Counters, CustomerProfile, InboundRecord, NumberCounters, OutboundMessage, StatusStep,
    Template, UserIdMode, WebhookCounters, WebhookRecord,
};

/// Oldest records are forgotten beyond this many (long benchmarks).
const MAX_MESSAGES: usize = 200_000;
/// Webhook log entries kept.
const MAX_WEBHOOK_LOG: usize = 10_000;

/// A business number plus its throughput bucket.
#[derive(Debug)]
pub(crate) struct Number {
    pub spec: NumberSpec,
    pub digits: String,
    pub rate_limit: u32,
    pub bucket: TokenBucket,
    /// Sandbox-clock Unix seconds when the number was added
    /// (`last_onboarded_time`).
    pub onboarded_at: i64,
    /// Business-profile fields set through `POST whatsapp_business_profile`.
    pub profile: Map<String, Value>,
}

/// Uploaded or customer-sent media.
#[derive(Debug, Clone)]
pub(crate) struct Media {
    pub id: String,
    pub waba_id: String,
    pub bytes: Bytes,
    pub mime_type: String,
    pub sha256: [u8; 32],
    /// Number the business uploaded it on (`None` for customer media);
    /// `?phone_number_id=` on retrieve/delete must match it.
    pub phone_number_id: Option<String>,
}

/// All mutable sandbox state, behind one mutex in [`crate::app::App`].
pub(crate) struct State {
    pub numbers: BTreeMap<String, Number>,
    pub customers: HashMap<String, CustomerProfile>,
    /// BSUID setting per customer wa_id (absent = [`UserIdMode::Derived`]).
    pub user_id_modes: HashMap<String, UserIdMode>,
    /// Derived BSUIDs handed out so far: (waba_id, user_id) -> wa_id, so
    /// that a send to `recipient` finds its customer.
    pub user_id_index: HashMap<(String, String), String>,
    /// Last inbound time per (phone_number_id, wa_id): the service window.
    pub windows: HashMap<(String, String), i64>,
    pub pair_buckets: HashMap<(String, String), TokenBucket>,
    pub outbound: HashMap<String, OutboundMessage>,
    pub outbound_order: VecDeque<String>,
    pub inbound: HashMap<String, InboundRecord>,
    pub inbound_order: VecDeque<String>,
    pub templates: BTreeMap<String, Template>,
    pub media: HashMap<String, Media>,
    /// Open conversation per (phone_number_id, wa_id, category): (id, expiry).
    pub conversations: HashMap<(String, String, String), (String, i64)>,
    pub callback_seen: HashSet<(String, String)>,
    pub counters: Counters,
    pub webhook_log: VecDeque<WebhookRecord>,
    pub webhook_url: Option<String>,
    pub app_secret: String,
    pub faults: Faults,
    pub rng: StdRng,
    pub webhook_rng: StdRng,
    pub clock_offset: i64,
    seq: u64,
    nonce: u64,
}

impl State {
    pub fn new(webhook_url: Option<String>, app_secret: String, seed: u64) -> Self {
        Self {
            numbers: BTreeMap::new(),
            customers: HashMap::new(),
            user_id_modes: HashMap::new(),
            user_id_index: HashMap::new(),
            windows: HashMap::new(),
            pair_buckets: HashMap::new(),
            outbound: HashMap::new(),
            outbound_order: VecDeque::new(),
            inbound: HashMap::new(),
            inbound_order: VecDeque::new(),
            templates: BTreeMap::new(),
            media: HashMap::new(),
            conversations: HashMap::new(),
            callback_seen: HashSet::new(),
            counters: Counters::default(),
            webhook_log: VecDeque::new(),
            webhook_url,
            app_secret,
            faults: Faults::default(),
            rng: StdRng::seed_from_u64(seed),
            webhook_rng: StdRng::seed_from_u64(seed.wrapping_add(1)),
            clock_offset: 0,
            seq: 0,
            nonce: rand::rng().random_range(0..100_000),
        }
    }

    /// Sandbox clock: wall clock plus the advanced offset, Unix seconds.
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        i64::try_from(wall)
            .unwrap_or(i64::MAX)
            .saturating_add(self.clock_offset)
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn current_seq(&self) -> u64 {
        self.seq
    }

    /// A fresh wamid in Meta's style: base64 of a small binary record holding
    /// the customer's wa_id and a unique hex id.
    pub fn new_wamid(&mut self, wa_id: &str, inbound: bool) -> String {
        let seq = self.next_seq();
        let mut raw = vec![0x1c, 0x18, u8::try_from(wa_id.len()).unwrap_or(u8::MAX)];
        raw.extend_from_slice(wa_id.as_bytes());
        raw.extend_from_slice(&[0x15, 0x02, 0x00]);
        let hex = if inbound {
            format!("3A{:08X}{:010X}", self.nonce, seq)
        } else {
            format!("{:08X}{:010X}", self.nonce, seq)
        };
        raw.push(if inbound { 0x12 } else { 0x11 });
        raw.push(0x18);
        raw.push(u8::try_from(hex.len()).unwrap_or(u8::MAX));
        raw.extend_from_slice(hex.as_bytes());
        raw.push(0x00);
        format!("wamid.{}", STANDARD.encode(raw))
    }

    /// A fresh numeric object id (media, template), 16 digits.
    pub fn new_object_id(&mut self) -> String {
        let seq = self.next_seq();
        (1_000_000_000_000_000u64 + self.nonce * 1_000_000_000 + seq).to_string()
    }

    pub fn number_by_token<'a>(&'a self, token: &'a str) -> impl Iterator<Item = &'a Number> + 'a {
        self.numbers
            .values()
            .filter(move |n| n.spec.access_token == token)
    }

    pub fn token_known(&self, token: &str) -> bool {
        self.number_by_token(token).next().is_some()
    }

    /// Whether the token may act on the WABA (it belongs to one of its numbers).
    pub fn token_for_waba(&self, token: &str, waba_id: &str) -> bool {
        self.number_by_token(token)
            .any(|n| n.spec.waba_id == waba_id)
    }

    pub fn waba_exists(&self, waba_id: &str) -> bool {
        self.numbers.values().any(|n| n.spec.waba_id == waba_id)
    }

    pub fn customer(&self, wa_id: &str) -> CustomerProfile {
        self.customers.get(wa_id).cloned().unwrap_or_default()
    }

    /// The customer's BSUID as seen by the business of `phone_number_id`
    /// (`None`: unknown number, or the customer has none). Remembers derived
    /// ids for [`State::resolve_user_id`].
    pub fn user_id(&mut self, phone_number_id: &str, wa_id: &str) -> Option<String> {
        let waba_id = self.numbers.get(phone_number_id)?.spec.waba_id.clone();
        match self.user_id_modes.get(wa_id) {
            Some(UserIdMode::Absent) => None,
            Some(UserIdMode::Fixed(id)) => Some(id.clone()),
            Some(UserIdMode::Derived) | None => {
                let id = derive_user_id(&waba_id, wa_id);
                self.user_id_index
                    .entry((waba_id, id.clone()))
                    .or_insert_with(|| wa_id.to_owned());
                Some(id)
            }
        }
    }

    /// The wa_id of the customer whose BSUID (for the business of
    /// `phone_number_id`) is `user_id`.
    pub fn resolve_user_id(&mut self, phone_number_id: &str, user_id: &str) -> Option<String> {
        let waba_id = self.numbers.get(phone_number_id)?.spec.waba_id.clone();
        let fixed = self
            .user_id_modes
            .iter()
            .find(|(_, m)| matches!(m, UserIdMode::Fixed(id) if id == user_id))
            .map(|(wa_id, _)| wa_id.clone());
        if fixed.is_some() {
            return fixed;
        }
        let current = |st: &mut Self, wa_id: &str| {
            st.user_id(phone_number_id, wa_id).as_deref() == Some(user_id)
        };
        if let Some(wa_id) = self
            .user_id_index
            .get(&(waba_id.clone(), user_id.to_owned()))
            .cloned()
            && current(self, &wa_id)
        {
            return Some(wa_id);
        }
        // Customers known but never shown to the business yet.
        let known: Vec<String> = self
            .customers
            .keys()
            .chain(self.user_id_modes.keys())
            .cloned()
            .chain(
                self.windows
                    .keys()
                    .filter(|(p, _)| p == phone_number_id)
                    .map(|(_, w)| w.clone()),
            )
            .collect();
        known.into_iter().find(|w| current(self, w))
    }

    /// Whether the 24 h customer-service window is open.
    pub fn window_open(&self, phone_number_id: &str, wa_id: &str, window_secs: i64) -> bool {
        self.windows
            .get(&(phone_number_id.to_owned(), wa_id.to_owned()))
            .is_some_and(|last| self.now() < last.saturating_add(window_secs))
    }

    pub fn counters_mut(&mut self, phone_number_id: &str) -> &mut NumberCounters {
        self.counters
            .numbers
            .entry(phone_number_id.to_owned())
            .or_default()
    }

    pub fn insert_outbound(&mut self, msg: OutboundMessage) {
        self.outbound_order.push_back(msg.id.clone());
        self.outbound.insert(msg.id.clone(), msg);
        while self.outbound_order.len() > MAX_MESSAGES {
            if let Some(old) = self.outbound_order.pop_front() {
                self.outbound.remove(&old);
            }
        }
    }

    pub fn insert_inbound(&mut self, rec: InboundRecord) {
        self.inbound_order.push_back(rec.id.clone());
        self.inbound.insert(rec.id.clone(), rec);
        while self.inbound_order.len() > MAX_MESSAGES {
            if let Some(old) = self.inbound_order.pop_front() {
                self.inbound.remove(&old);
            }
        }
    }

    /// Outbound messages in acceptance order, filtered.
    pub fn outbound_for(
        &self,
        phone_number_id: Option<&str>,
        to: Option<&str>,
    ) -> Vec<OutboundMessage> {
        self.outbound_order
            .iter()
            .filter_map(|id| self.outbound.get(id))
            .filter(|m| phone_number_id.is_none_or(|p| m.phone_number_id == p))
            .filter(|m| to.is_none_or(|t| m.to == t))
            .cloned()
            .collect()
    }

    /// Conversation for a status: reuses an open one or starts a new one.
    /// Returns (id, expiration, started_now).
    pub fn conversation(
        &mut self,
        phone_number_id: &str,
        wa_id: &str,
        category: &str,
    ) -> (String, i64) {
        let now = self.now();
        let key = (
            phone_number_id.to_owned(),
            wa_id.to_owned(),
            category.to_owned(),
        );
        if let Some((id, exp)) = self.conversations.get(&key)
            && *exp > now
        {
            return (id.clone(), *exp);
        }
        let id: String = (0..16)
            .map(|_| format!("{:02x}", rand::rng().random::<u8>()))
            .collect();
        let exp = now + 24 * 3600;
        self.conversations.insert(key, (id.clone(), exp));
        (id, exp)
    }

    pub fn push_webhook_record(&mut self, rec: WebhookRecord) {
        self.webhook_log.push_back(rec);
        while self.webhook_log.len() > MAX_WEBHOOK_LOG {
            self.webhook_log.pop_front();
        }
    }

    pub fn webhook_record_mut(&mut self, seq: u64) -> Option<&mut WebhookRecord> {
        self.webhook_log.iter_mut().rev().find(|r| r.seq == seq)
    }

    /// Registers (or replaces) a number.
    pub fn add_number(&mut self, spec: NumberSpec, default_rate: u32) {
        let rate_limit = spec.rate_limit.unwrap_or(default_rate);
        let number = Number {
            digits: digits(&spec.display_phone_number),
            rate_limit,
            bucket: TokenBucket::per_second(rate_limit),
            onboarded_at: self.now(),
            profile: Map::new(),
            spec,
        };
        self.counters
            .numbers
            .entry(number.spec.phone_number_id.clone())
            .or_default();
        self.numbers
            .insert(number.spec.phone_number_id.clone(), number);
    }
}

/// A BSUID like Meta's (`US.13491208655302741918`): the ISO country of the
/// wa_id's calling code, a dot and 20 digits from a hash of (WABA, wa_id).
pub(crate) fn derive_user_id(waba_id: &str, wa_id: &str) -> String {
    let hash = Sha256::digest(format!("sandbox-bsuid:{waba_id}:{wa_id}").as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&hash[..16]);
    let n = u128::from_be_bytes(first) % 90_000_000_000_000_000_000 + 10_000_000_000_000_000_000;
    format!("{}.{n}", country_of(wa_id))
}

/// ISO 3166 alpha-2 code for the calling code a wa_id starts with (a few
/// common ones; `US` otherwise).
fn country_of(wa_id: &str) -> &'static str {
    const CODES: &[(&str, &str)] = &[
        ("1", "US"),
        ("7", "RU"),
        ("20", "EG"),
        ("27", "ZA"),
        ("31", "NL"),
        ("32", "BE"),
        ("33", "FR"),
        ("34", "ES"),
        ("39", "IT"),
        ("41", "CH"),
        ("43", "AT"),
        ("44", "GB"),
        ("49", "DE"),
        ("51", "PE"),
        ("52", "MX"),
        ("54", "AR"),
        ("55", "BR"),
        ("56", "CL"),
        ("57", "CO"),
        ("61", "AU"),
        ("62", "ID"),
        ("63", "PH"),
        ("65", "SG"),
        ("81", "JP"),
        ("82", "KR"),
        ("86", "CN"),
        ("90", "TR"),
        ("91", "IN"),
        ("92", "PK"),
        ("234", "NG"),
        ("254", "KE"),
        ("351", "PT"),
        ("353", "IE"),
        ("966", "SA"),
        ("971", "AE"),
        ("972", "IL"),
    ];
    CODES
        .iter()
        .filter(|(code, _)| wa_id.starts_with(code))
        .max_by_key(|(code, _)| code.len())
        .map_or("US", |(_, iso)| iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wamids_look_like_meta_and_are_unique() {
        let mut s = State::new(None, "x".into(), 1);
        let a = s.new_wamid("16505551234", false);
        let b = s.new_wamid("16505551234", false);
        assert!(a.starts_with("wamid.HBgLMTY1MDU1NTEyMzQVAgAR"), "{a}");
        assert_ne!(a, b);
        let id = s.new_object_id();
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn user_ids_are_stable_business_scoped_and_resolvable() {
        let a = derive_user_id("1", "16505551234");
        assert_eq!(a, derive_user_id("1", "16505551234"));
        assert_ne!(a, derive_user_id("2", "16505551234"));
        assert!(a.starts_with("US."), "{a}");
        assert_eq!(a.len(), 23, "{a}");
        assert!(derive_user_id("1", "4915100000001").starts_with("DE."));
        assert!(derive_user_id("1", "97250000000").starts_with("IL."));

        let mut s = State::new(None, "x".into(), 1);
        s.add_number(NumberSpec::new("10", "1", "t"), 80);
        s.customers
            .insert("16505551234".into(), CustomerProfile::default());
        assert_eq!(s.resolve_user_id("10", &a).as_deref(), Some("16505551234"));
        assert_eq!(s.user_id("10", "16505551234"), Some(a.clone()));
        s.user_id_modes
            .insert("16505551234".into(), UserIdMode::Absent);
        assert_eq!(s.user_id("10", "16505551234"), None);
        assert_eq!(s.resolve_user_id("10", &a), None);
        s.user_id_modes
            .insert("16505551234".into(), UserIdMode::Fixed("US.7".into()));
        assert_eq!(s.user_id("10", "16505551234").as_deref(), Some("US.7"));
        assert_eq!(
            s.resolve_user_id("10", "US.7").as_deref(),
            Some("16505551234")
        );
        assert_eq!(s.user_id("11", "16505551234"), None, "unknown number");
    }

    #[test]
    fn window_follows_sandbox_clock() {
        let mut s = State::new(None, "x".into(), 1);
        assert!(!s.window_open("1", "2", 86_400));
        s.windows.insert(("1".into(), "2".into()), s.now());
        assert!(s.window_open("1", "2", 86_400));
        s.clock_offset += 86_401;
        assert!(!s.window_open("1", "2", 86_400));
    }
}
