//! The SMTP connection, built once from the configuration.

use crate::config::EmailConfig;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Sends email through the configured SMTP server, if there is one.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may carry a password.
        f.debug_struct("Mailer")
            .field("smtp", &self.transport.is_some())
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// Why an email did not go.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again: the server was unreachable or said "later" (4xx).
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help: a bad address, a refusal (5xx).
    #[error("{0}")]
    Permanent(String),
}

impl Mailer {
    /// The mailer for `config`; an SMTP URL that cannot be used is an error
    /// at start, not at the first email.
    pub fn new(config: &EmailConfig) -> anyhow::Result<Mailer> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("SWITCHBOARD_EMAIL_FROM: {e}"))?;
        let transport = match &config.smtp_url {
            None => None,
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    // lettre's message names the part at fault, not the URL.
                    .map_err(|e| anyhow::anyhow!("SWITCHBOARD_SMTP_URL: {e}"))?
                    .build(),
            ),
        };
        Ok(Mailer { transport, from })
    }

    /// Whether emails are sent (`false`: kept for the operator).
    pub fn sends(&self) -> bool {
        self.transport.is_some()
    }

    /// Sends one plain-text email.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError> {
        let Some(transport) = &self.transport else {
            return Err(SendError::Permanent("no SMTP server is configured".into()));
        };
        let to: Mailbox = to
            .parse()
            .map_err(|e| SendError::Permanent(format!("the address cannot be used: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
