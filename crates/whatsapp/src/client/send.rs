//! `POST /{phone_number_id}/messages`: sends and mark-as-read.

use reqwest::Method;

use super::GraphClient;
use crate::error::GraphError;
use crate::outgoing::{
    Interactive, MarkReadRequest, MediaBody, MediaKind, OutgoingMessage, Recipient, SendOptions,
    SendResponse, SuccessResponse, Template,
};
use crate::shared::{ContactCard, Location};

/// Meta's limit for `biz_opaque_callback_data`.
pub const MAX_CALLBACK_DATA_LEN: usize = 512;

impl GraphClient {
    /// Sends any message. A 200 means *accepted*; delivery (or failures such
    /// as 131047) arrives later as status webhooks.
    pub async fn send(
        &self,
        phone_number_id: &str,
        token: &str,
        message: &OutgoingMessage,
    ) -> Result<SendResponse, GraphError> {
        if message.to.as_deref().is_none_or(str::is_empty)
            && message.recipient.as_deref().is_none_or(str::is_empty)
        {
            return Err(GraphError::InvalidInput(
                "message has neither `to` nor `recipient`".into(),
            ));
        }
        if message
            .biz_opaque_callback_data
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_CALLBACK_DATA_LEN)
        {
            return Err(GraphError::InvalidInput(format!(
                "biz_opaque_callback_data longer than {MAX_CALLBACK_DATA_LEN} characters"
            )));
        }
        let url = self.url(&[phone_number_id, "messages"])?;
        let request = self.request(Method::POST, url, token)?.json(message);
        self.execute(request, "messages.send").await
    }

    /// Free-form text (only inside the 24 h customer service window).
    pub async fn send_text(
        &self,
        phone_number_id: &str,
        token: &str,
        to: impl Into<Recipient>,
        body: &str,
        preview_url: bool,
        options: &SendOptions,
    ) -> Result<SendResponse, GraphError> {
        let message = OutgoingMessage::text(to, body)
            .with_preview_url(preview_url)
            .with_options(options);
        self.send(phone_number_id, token, &message).await
    }

    /// Image, video, audio, document (set `filename`) or sticker, by
    /// uploaded media id or public link.
    pub async fn send_media(
        &self,
        phone_number_id: &str,
        token: &str,
        to: impl Into<Recipient>,
        kind: MediaKind,
        media: MediaBody,
        options: &SendOptions,
    ) -> Result<SendResponse, GraphError> {
        if media.id.is_some() == media.link.is_some() {
            return Err(GraphError::InvalidInput(
                "media needs exactly one of `id` or `link`".into(),
            ));
        }
        let message = OutgoingMessage::media(to, kind, media).with_options(options);
        self.send(phone_number_id, token, &message).await
    }

    /// An approved template with its parameters.
    pub async fn send_template(
        &self,
        phone_number_id: &str,
        token: &str,
        to: impl Into<Recipient>,
        template: Template,
        options: &SendOptions,
    ) -> Result<SendResponse, GraphError> {
        let message = OutgoingMessage::template(to, template).with_options(options);
        self.send(phone_number_id, token, &message).await
    }

    /// Reply buttons, a list, or another interactive message.
    pub async fn send_interactive(
        &self,
        phone_number_id: &str,
        token: &str,
        to: impl Into<Recipient>,
        interactive: Interactive,
        options: &SendOptions,
    ) -> Result<SendResponse, GraphError> {
        let message = OutgoingMessage::interactive(to, interactive).with_options(options);
        self.send(phone_number_id, token, &message).await
    }

    /// Reacts to `message_id` with `emoji` (empty removes the reaction).
    pub async fn send_reaction(
        &self,
        phone_number_id: &str,
        token: &str,
        to: impl Into<Recipient>,
        message_id: &str,
        emoji: &str,
        options: &SendOptions,
    ) -> Result<SendResponse, GraphError> {
        let message = OutgoingMessage::reaction(to, message_id, emoji).with_options(options);
        self.send(phone_number_id, token, &message).await
    }

    pub async fn send_location(
        &self,
        phone_number_id: &str,
        token: &str,
        to: impl Into<Recipient>,
        location: Location,
        options: &SendOptions,
    ) -> Result<SendResponse, GraphError> {
        let message = OutgoingMessage::location(to, location).with_options(options);
        self.send(phone_number_id, token, &message).await
    }

    pub async fn send_contacts(
        &self,
        phone_number_id: &str,
        token: &str,
        to: impl Into<Recipient>,
        contacts: Vec<ContactCard>,
        options: &SendOptions,
    ) -> Result<SendResponse, GraphError> {
        let message = OutgoingMessage::contacts(to, contacts).with_options(options);
        self.send(phone_number_id, token, &message).await
    }

    /// Marks an inbound message (and all earlier ones in the chat) as read,
    /// optionally showing a typing indicator for up to 25 s.
    pub async fn mark_as_read(
        &self,
        phone_number_id: &str,
        token: &str,
        message_id: &str,
        typing_indicator: bool,
    ) -> Result<(), GraphError> {
        let url = self.url(&[phone_number_id, "messages"])?;
        let body = MarkReadRequest::new(message_id, typing_indicator);
        let request = self.request(Method::POST, url, token)?.json(&body);
        let response: SuccessResponse = self.execute(request, "messages.mark_read").await?;
        require_success(response)
    }
}

/// Turns `{"success": false}` into an error.
pub(crate) fn require_success(response: SuccessResponse) -> Result<(), GraphError> {
    if response.success {
        Ok(())
    } else {
        Err(GraphError::Decode {
            status: 200,
            message: "response has `success: false`".into(),
        })
    }
}
