//! Scripted conversations: a customer sends messages, waits for replies and
//! reads them, step by step.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::app::{App, OpError};
use crate::customer::{self, InboundContent, InboundMessage};
use crate::lifecycle;
use crate::state::OutboundMessage;

/// A conversation script for one customer and one business number.
///
/// ```json
/// {"phone_number_id":"106540352242922","from":"16505551234","profile_name":"Sheena",
///  "steps":[{"send":{"type":"text","body":"Hi"}},
///           {"expect_reply":{"timeout_ms":5000}},
///           {"send":{"type":"button_reply","id":"yes","title":"Yes"}},
///           {"wait_ms":100},
///           {"read":{}}]}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Script {
    pub phone_number_id: String,
    pub from: String,
    #[serde(default)]
    pub profile_name: Option<String>,
    pub steps: Vec<ScriptStep>,
}

/// One step of a [`Script`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptStep {
    /// The customer sends a message.
    Send(ScriptSend),
    /// Wait until the business sends something to the customer (after the
    /// previous send/reply); the script stops if it times out.
    ExpectReply {
        #[serde(default = "default_timeout_ms")]
        timeout_ms: u64,
    },
    /// Pause.
    WaitMs(u64),
    /// The customer reads everything received so far.
    Read {},
}

fn default_timeout_ms() -> u64 {
    5_000
}

/// Message content of a `send` step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptSend {
    #[serde(default)]
    pub context: Option<String>,
    #[serde(flatten)]
    pub content: InboundContent,
}

/// What each step produced.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StepResult {
    pub index: usize,
    /// wamid of the inbound message of a `send` step.
    pub inbound_id: Option<String>,
    /// The business reply an `expect_reply` step saw.
    pub reply: Option<OutboundMessage>,
    /// Messages marked read by a `read` step.
    pub read: Option<usize>,
    pub timed_out: bool,
}

/// Result of a script run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScriptResult {
    /// All steps ran (no reply timed out).
    pub completed: bool,
    pub steps: Vec<StepResult>,
}

/// Waits for an outbound message to the customer with `seq > after_seq`.
pub(crate) async fn wait_for_reply(
    app: &App,
    phone_number_id: &str,
    wa_id: &str,
    after_seq: u64,
    timeout: Duration,
) -> Option<OutboundMessage> {
    let deadline = Instant::now() + timeout;
    loop {
        let notified = app.outbound_notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let found = app
            .lock()
            .outbound_for(Some(phone_number_id), Some(wa_id))
            .into_iter()
            .find(|m| m.seq > after_seq);
        if found.is_some() {
            return found;
        }
        let mut shutdown = app.shutdown.clone();
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => return None,
            _ = shutdown.changed() => return None,
        }
    }
}

pub(crate) async fn run(app: &Arc<App>, script: Script) -> Result<ScriptResult, OpError> {
    if !app.lock().numbers.contains_key(&script.phone_number_id) {
        return Err(OpError::not_found(format!(
            "unknown phone_number_id {}",
            script.phone_number_id
        )));
    }
    let wa_id = crate::config::digits(&script.from);
    let mut mark = app.lock().current_seq();
    let mut result = ScriptResult::default();
    for (index, step) in script.steps.into_iter().enumerate() {
        let mut out = StepResult {
            index,
            ..StepResult::default()
        };
        match step {
            ScriptStep::Send(send) => {
                mark = app.lock().current_seq();
                let mut msg =
                    InboundMessage::new(&script.phone_number_id, &script.from, send.content);
                msg.profile_name = script.profile_name.clone();
                msg.context = send.context;
                out.inbound_id = Some(customer::receive(app, msg)?.id);
            }
            ScriptStep::ExpectReply { timeout_ms } => {
                let timeout = Duration::from_millis(timeout_ms);
                match wait_for_reply(app, &script.phone_number_id, &wa_id, mark, timeout).await {
                    Some(reply) => {
                        mark = reply.seq;
                        out.reply = Some(reply);
                    }
                    None => {
                        out.timed_out = true;
                        result.steps.push(out);
                        return Ok(result);
                    }
                }
            }
            ScriptStep::WaitMs(ms) => {
                app.sleep(Duration::from_millis(ms)).await;
            }
            ScriptStep::Read {} => {
                out.read = Some(lifecycle::customer_read(
                    app,
                    &script.phone_number_id,
                    &wa_id,
                    None,
                ));
            }
        }
        result.steps.push(out);
    }
    result.completed = true;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn script_json() {
        let s: Script = serde_json::from_value(json!({
            "phone_number_id": "1", "from": "2",
            "steps": [{"send": {"type": "text", "body": "Hi"}}, {"expect_reply": {}},
                      {"wait_ms": 5}, {"read": {}},
                      {"send": {"type": "button_reply", "id": "y", "title": "Y", "context": "wamid.x"}}]
        }))
        .unwrap();
        assert_eq!(s.steps.len(), 5);
        assert_eq!(s.steps[1], ScriptStep::ExpectReply { timeout_ms: 5000 });
        assert!(
            matches!(&s.steps[4], ScriptStep::Send(ScriptSend { context: Some(c), .. }) if c == "wamid.x")
        );
    }
}
