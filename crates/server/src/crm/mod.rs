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

/// A catalogue whose names are unique whatever their case (tags, teams):
/// the `409` refusal of a name in use, as a rule and from the store's
/// unique index (a concurrent create).
pub struct UniqueNames {
    /// The stable error code (`tag_name_taken`).
    pub code: &'static str,
    /// What the catalogue holds, in the message (`a tag`).
    pub what: &'static str,
}

impl UniqueNames {
    /// Refuses `name` if one of `others` (every other item's name) has it.
    pub fn check<'a>(
        &self,
        mut others: impl Iterator<Item = &'a str>,
        name: &str,
    ) -> crate::error::AppResult<()> {
        let folded = name.to_lowercase();
        if others.any(|n| n.to_lowercase() == folded) {
            return Err(self.taken(name));
        }
        Ok(())
    }

    pub fn taken(&self, name: &str) -> crate::error::AppError {
        crate::error::AppError::Conflict(
            self.code,
            format!("{} named “{name}” exists already", self.what),
        )
    }

    /// The unique index's refusal as the rule's.
    pub fn from_store(&self, e: store::StoreError, name: &str) -> crate::error::AppError {
        match e {
            store::StoreError::Conflict(_) => self.taken(name),
            other => other.into(),
        }
    }
}
