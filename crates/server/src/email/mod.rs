//! Outgoing email (docs/EMAIL.md).
//!
//! Nothing is sent from a request: the transaction that has something to
//! say writes the email ([`outbox::queue`]), sealed, beside its other
//! changes, so an email exists exactly when what it reports happened. A
//! job ([`jobs::SendEmail`]) hands it to the SMTP server ([`Mailer`]) and
//! retries what the server turns away for now. Without SMTP configured
//! the email is kept for the operator to read in the console, so a local
//! install works end to end. What each email says is in [`messages`]; emails about something that
//! happened in a workspace go through [`notices`].

pub mod api;
pub mod jobs;
mod mailer;
pub mod messages;
pub mod notices;
pub mod outbox;
pub mod pages;

pub use mailer::{Mailer, SendError};
