//! Outgoing email (`SWITCHBOARD_SMTP_URL`, `SWITCHBOARD_EMAIL_FROM`): read
//! by [`super::Config::load`]; used by `email::Mailer`.

use super::{ConfigError, FileConfig, Secret};

/// Where email goes, and from whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailConfig {
    /// The SMTP server, as a URL: `smtps://user:password@smtp.example.com`
    /// (TLS from the start, port 465), `smtp://user:password@host:587?tls=required`
    /// (STARTTLS), or `smtp://127.0.0.1:2525` (plain, for a relay on this
    /// machine or tests). `None`: emails are kept for the operator to read
    /// in the console instead of sent.
    pub smtp_url: Option<Secret>,
    /// The `From` of every email.
    pub from: String,
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            smtp_url: None,
            from: "Switchboard <no-reply@switchboard.local>".into(),
        }
    }
}

impl EmailConfig {
    pub(super) fn read(
        f: &FileConfig,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut c = EmailConfig::default();
        if let Some(url) = env("SMTP_URL").or_else(|| f.smtp_url.clone()) {
            let scheme_ok = url.starts_with("smtp://") || url.starts_with("smtps://");
            if !scheme_ok {
                // Never echo the URL: it may hold a password.
                return Err(ConfigError::Invalid(
                    "SWITCHBOARD_SMTP_URL",
                    "must start with smtp:// or smtps://".into(),
                ));
            }
            c.smtp_url = Some(Secret::new(url));
        }
        if let Some(from) = env("EMAIL_FROM").or_else(|| f.email_from.clone()) {
            if !from.contains('@') {
                return Err(ConfigError::Invalid("SWITCHBOARD_EMAIL_FROM", from));
            }
            c.from = from;
        }
        Ok(c)
    }
}
