//! "Message this contact": a message to the contact's WhatsApp number from
//! a chosen number of the tenant, through the one sending path every
//! sender uses ([`crate::channels::send::send_message`]), which starts the
//! conversation on that number if there is none yet (or reuses it) and
//! enforces the rules: free-form text only while the customer-service
//! window is open, a template otherwise; opt-outs; the quota.

use crate::auth::TenantCtx;
use crate::channels::send::{Lane, Outgoing, send_message};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::messaging::WaId;
use domain::{ChannelId, ContactId, Permission};
use store::inbox::Message;
use whatsapp::outgoing::{
    OutgoingContent, Template, TemplateComponent, TemplateParameter, TextBody,
};

/// What to send: a text, or a template with its body's values.
#[derive(Debug, Clone, Default)]
pub struct ContactMessage {
    pub text: Option<String>,
    pub template: Option<TemplateChoice>,
}

/// An approved template by name and language, with the values of its
/// body's variables: positional (`{{1}}`…) or named.
#[derive(Debug, Clone, Default)]
pub struct TemplateChoice {
    pub name: String,
    pub language: String,
    pub parameters: Vec<String>,
    pub named_parameters: Vec<(String, String)>,
}

impl ContactMessage {
    /// Meta's content for it: exactly one of a non-empty text or a
    /// template with a name and a language.
    fn content(self) -> AppResult<OutgoingContent> {
        match (self.text.filter(|t| !t.trim().is_empty()), self.template) {
            (Some(text), None) => Ok(OutgoingContent::Text {
                text: TextBody {
                    preview_url: false,
                    body: text.trim().to_owned(),
                },
            }),
            (None, Some(t)) if !t.name.trim().is_empty() && !t.language.trim().is_empty() => {
                let params: Vec<TemplateParameter> = t
                    .parameters
                    .iter()
                    .map(|v| TemplateParameter::text(v.trim()))
                    .chain(
                        t.named_parameters
                            .iter()
                            .map(|(k, v)| TemplateParameter::named(k.as_str(), v.trim())),
                    )
                    .collect();
                let template = Template::new(t.name.trim(), t.language.trim());
                Ok(OutgoingContent::Template {
                    template: if params.is_empty() {
                        template
                    } else {
                        template.with_component(TemplateComponent::body(params))
                    },
                })
            }
            _ => Err(AppError::validation(
                "text",
                "write a text, or choose a template (name and language), not both",
            )),
        }
    }
}

/// Sends `content` to contact `id` from number `channel` (optional when
/// the tenant has one number). A contact known only by a business-scoped
/// user id (no phone number) cannot be written to first:
/// `422 contact_has_no_number`.
pub async fn message_contact(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactId,
    channel: Option<ChannelId>,
    message: ContactMessage,
) -> AppResult<Message> {
    ctx.require(Permission::InboxWrite)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let contact = tx.find_contact(id).await?;
    tx.commit().await?;
    let Some(wa_id) = contact.wa_id.as_deref() else {
        return Err(AppError::Rule(
            "contact_has_no_number",
            "this contact has no WhatsApp number to write to; reply once they write".into(),
        ));
    };
    let content = message.content()?;
    let to = WaId::parse(wa_id)?;
    let out = Outgoing {
        conversation_id: None,
        channel_id: channel,
        to: Some(to),
        reply_to: None,
        content,
        lane: Lane::Conversational,
    };
    send_message(state, ctx, out).await
}

/// The tenant's numbers a message can be sent from, for the "Message"
/// form (all of them: a number that cannot send says why when tried).
pub async fn sending_numbers(
    state: &AppState,
    ctx: &TenantCtx,
) -> AppResult<Vec<store::channels::Channel>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let all = tx.list_channels().await?;
    tx.commit().await?;
    Ok(all)
}
