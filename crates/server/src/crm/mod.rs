//! CRM: what a team works a customer with. Tags ([`tags`]), quick replies
//! ([`quick_replies`]), private notes and mentions ([`notes`],
//! [`notifications`]), tasks ([`tasks`]), deals in pipelines ([`deals`]),
//! custom contact attributes ([`attributes`]) and teams of agents
//! with auto-assignment ([`teams`]). Contacts themselves live
//! in [`crate::inbox::contacts`]. [`api`] and [`pages`] are thin adapters
//! over these rules.

pub mod api;
pub mod attributes;
pub mod deals;
pub mod export;
pub mod imports;
pub mod jobs;
pub mod notes;
pub mod notifications;
pub mod pages;
pub mod quick_replies;
pub mod saved_searches;
pub mod segments;
pub mod tags;
pub mod tasks;
pub mod teams;

/// A short name (of a tag, a team…): at most `max` characters as sent,
/// not blank, without control characters; kept trimmed.
pub fn short_name(raw: &str, max: usize) -> crate::error::AppResult<String> {
    let name = raw.trim();
    if name.is_empty() || raw.chars().count() > max || name.chars().any(char::is_control) {
        return Err(crate::error::AppError::validation(
            "name",
            format!("1 to {max} characters, no control characters"),
        ));
    }
    Ok(name.to_owned())
}
