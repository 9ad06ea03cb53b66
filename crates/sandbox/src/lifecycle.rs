//! Status progression of accepted messages (sent -> delivered -> read, or
//! failed) and the status webhook objects.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::app::App;
use crate::graph::errors::webhook_error;
use crate::state::{State, StatusStep};
use crate::webhook::{Event, MessagesEvent};

/// What eventually happens to an accepted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Deliver,
    Fail(i64),
}

fn rank(status: &str) -> u8 {
    match status {
        "accepted" => 0,
        "sent" => 1,
        "delivered" => 2,
        "read" => 3,
        _ => 4, // failed: terminal
    }
}

/// Spawns the status progression of one message.
pub(crate) fn spawn(app: Arc<App>, wamid: String, outcome: Outcome) {
    tokio::spawn(async move {
        let delay = app.config.status_delay;
        if !app.sleep(delay).await {
            return;
        }
        if let Outcome::Fail(code) = outcome {
            let mut st = app.lock();
            set_status(&app, &mut st, &wamid, "failed", Some(code));
            return;
        }
        for status in ["sent", "delivered"] {
            {
                let mut st = app.lock();
                set_status(&app, &mut st, &wamid, status, None);
            }
            if !app.sleep(delay).await {
                return;
            }
        }
        let mut st = app.lock();
        let reads = st
            .outbound
            .get(&wamid)
            .is_some_and(|m| app.config.auto_read && st.customer(&m.to).read_receipts);
        if reads {
            set_status(&app, &mut st, &wamid, "read", None);
        }
    });
}

/// Moves a message to `status` (ignored if it already went further) and emits
/// the status webhook. Returns whether the status changed.
pub(crate) fn set_status(
    app: &App,
    st: &mut State,
    wamid: &str,
    status: &str,
    code: Option<i64>,
) -> bool {
    let now = st.now();
    let Some(msg) = st.outbound.get_mut(wamid) else {
        return false;
    };
    if rank(status) <= rank(&msg.status) {
        return false;
    }
    msg.status = status.to_owned();
    msg.statuses.push(StatusStep {
        status: status.to_owned(),
        timestamp: now,
    });
    if let Some(c) = code {
        msg.error_code = Some(c);
    }
    let msg = msg.clone();
    if let Some(c) = code {
        *st.counters_mut(&msg.phone_number_id)
            .failed
            .entry(c.to_string())
            .or_default() += 1;
    }

    let mut obj = json!({
        "id": msg.id,
        "status": status,
        "timestamp": now.to_string(),
        "recipient_id": msg.to,
    });
    let user_id = st.user_id(&msg.phone_number_id, &msg.to);
    if let Some(u) = &user_id {
        obj["recipient_user_id"] = json!(u);
    }
    if let Some(data) = &msg.biz_opaque_callback_data {
        obj["biz_opaque_callback_data"] = json!(data);
    }
    if matches!(status, "sent" | "delivered") {
        let (conv_id, expiration) = st.conversation(&msg.phone_number_id, &msg.to, &msg.category);
        let mut conversation = json!({ "id": conv_id, "origin": { "type": msg.category } });
        if status == "sent" {
            conversation["expiration_timestamp"] = json!(expiration.to_string());
        }
        obj["conversation"] = conversation;
        obj["pricing"] = json!({
            "billable": msg.pricing_type == "regular",
            "pricing_model": "PMP",
            "category": msg.category,
            "type": msg.pricing_type,
        });
    }
    if let Some(c) = code {
        obj["errors"] = json!([webhook_error(c, None, true)]);
    }
    // Newer (BSUID-era) status webhooks name the recipient in `contacts`.
    let contacts = user_id
        .map(|u| vec![json!({ "wa_id": msg.to, "user_id": u })])
        .unwrap_or_default();
    emit_status(app, st, &msg.phone_number_id, contacts, obj);
    true
}

fn emit_status(
    app: &App,
    st: &mut State,
    phone_number_id: &str,
    contacts: Vec<Value>,
    status: Value,
) {
    let Some(n) = st.numbers.get(phone_number_id) else {
        return;
    };
    let ev = MessagesEvent {
        waba_id: n.spec.waba_id.clone(),
        phone_number_id: phone_number_id.to_owned(),
        display_phone_number: n.digits.clone(),
        contacts,
        statuses: vec![status],
        ..Default::default()
    };
    app.emit(st, Event::Messages(ev));
}

/// The customer reads the messages sent to them by a number (all of them, or
/// those up to and including `up_to`). Returns how many became `read`.
pub(crate) fn customer_read(
    app: &App,
    phone_number_id: &str,
    wa_id: &str,
    up_to: Option<&str>,
) -> usize {
    let mut st = app.lock();
    let limit = match up_to {
        Some(id) => match st.outbound.get(id) {
            Some(m) => m.seq,
            None => return 0,
        },
        None => u64::MAX,
    };
    let ids: Vec<String> = st
        .outbound_for(Some(phone_number_id), Some(wa_id))
        .into_iter()
        .filter(|m| m.seq <= limit && matches!(m.status.as_str(), "sent" | "delivered"))
        .map(|m| m.id)
        .collect();
    ids.iter()
        .filter(|id| set_status(app, &mut st, id, "read", None))
        .count()
}
