//! Template messages as the customer received them: a sent template
//! message keeps only its name, language and parameter values; the
//! thread shows its text, rendered from the library with those values.

use super::layout::{Layout, Rendered, values_of_sent};
use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::MessageId;
use serde_json::Value;
use std::collections::HashMap;
use store::inbox::Message;

/// The text of each template message of `messages` whose template the
/// library has (that of account `waba_id` first: a name and language can
/// exist in several accounts).
pub async fn rendered_messages(
    state: &AppState,
    ctx: &TenantCtx,
    waba_id: Option<&str>,
    messages: &[Message],
) -> AppResult<HashMap<MessageId, Rendered>> {
    let sent: Vec<&Message> = messages.iter().filter(|m| m.kind == "template").collect();
    if sent.is_empty() {
        return Ok(HashMap::new());
    }
    let mut library = super::library(state, ctx, None).await?;
    // The number's own account first.
    library.sort_by_key(|t| Some(t.waba_id.as_str()) != waba_id);
    let mut out = HashMap::new();
    for m in sent {
        let Some(template) = m.content.get("template") else {
            continue;
        };
        let name = template.get("name").and_then(Value::as_str);
        let language = template.pointer("/language/code").and_then(Value::as_str);
        let found = library
            .iter()
            .find(|t| Some(t.name.as_str()) == name && Some(t.language.as_str()) == language);
        if let Some(t) = found {
            let layout = Layout::from_components(&t.components);
            out.insert(m.id, layout.render(&values_of_sent(template)));
        }
    }
    Ok(out)
}
