//! Which events an endpoint subscribes to: an event name
//! (`message.received`), a family (`message.*`) or `*`, checked against
//! the names the code can record (`domain::events::Event::NAMES`) so a typo
//! is refused rather than silently matching nothing.

use crate::error::{AppError, AppResult};
use domain::events::Event;

/// At most this many patterns per endpoint.
pub const MAX_PATTERNS: usize = 100;

/// Checks `patterns` and returns them trimmed, sorted and without repeats.
pub fn validate(patterns: &[String]) -> AppResult<Vec<String>> {
    if patterns.is_empty() {
        return Err(AppError::validation("events", "name at least one event"));
    }
    if patterns.len() > MAX_PATTERNS {
        return Err(AppError::validation(
            "events",
            format!("at most {MAX_PATTERNS} patterns"),
        ));
    }
    let mut out = Vec::with_capacity(patterns.len());
    for p in patterns {
        let p = p.trim();
        if !is_known(p) {
            return Err(AppError::validation(
                "events",
                format!("`{p}` is not an event name, a family (`message.*`) or `*`"),
            ));
        }
        out.push(p.to_owned());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Whether `pattern` names at least one event.
fn is_known(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(family) = pattern.strip_suffix(".*") {
        return Event::NAMES
            .iter()
            .any(|n| n.split_once('.').is_some_and(|(f, _)| f == family));
    }
    Event::NAMES.contains(&pattern)
}

/// Whether event `name` matches `pattern`.
pub fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        None => pattern == name,
        Some("") => true,
        Some(prefix) => prefix.ends_with('.') && name.starts_with(prefix),
    }
}

/// Whether event `name` matches any of `patterns`.
pub fn any_matches(patterns: &[String], name: &str) -> bool {
    patterns.iter().any(|p| matches(p, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn names_families_and_star_are_accepted_and_normalised() {
        let ok = validate(&v(&["message.*", " message.received", "*", "message.*"])).unwrap();
        assert_eq!(ok, v(&["*", "message.*", "message.received"]));
        assert!(validate(&v(&["contact.opted_out", "webhook_endpoint.*"])).is_ok());
    }

    #[test]
    fn unknown_names_and_families_are_refused() {
        for bad in [
            "message.recieved",
            "mesage.*",
            "message*",
            "message.",
            "",
            "**",
            "message.*.*",
        ] {
            let err = validate(&v(&[bad])).unwrap_err();
            assert_eq!(err.code(), "validation_failed", "{bad}");
        }
        assert!(validate(&[]).is_err());
    }

    #[test]
    fn matching() {
        assert!(matches("*", "message.received"));
        assert!(matches("message.*", "message.received"));
        assert!(!matches("message.*", "messages.received"));
        assert!(!matches("message.*", "conversation.opened"));
        assert!(matches("message.received", "message.received"));
        assert!(!matches("message.received", "message.read"));
        assert!(any_matches(
            &v(&["contact.*", "message.read"]),
            "message.read"
        ));
        assert!(!any_matches(&v(&["contact.*"]), "message.read"));
    }
}
