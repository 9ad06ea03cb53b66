//! Small values validated once at the edge.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed and lower-cased. Only the shape is checked
/// (one `@`, a non-empty local part, a dotted domain); delivery proves the rest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        let s = s.trim().to_lowercase();
        let bad = || InvalidValue::new("email", "not a valid email address");
        if s.len() > 254 || s.chars().any(char::is_whitespace) {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(bad());
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.io",
            "ana@localhost",
            "a b@x.io",
            "a@b@c.io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}

/// A name people read (a tenant's, a person's, an API key's): trimmed, 1
/// to `max` characters, and no control characters (NUL, newlines, escape
/// sequences), which would corrupt lists, logs and exports.
pub fn display_name(raw: &str, max: usize) -> Result<String, crate::InvalidValue> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > max {
        return Err(crate::InvalidValue::new(
            "name",
            format!("must be 1 to {max} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(crate::InvalidValue::new(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod name_tests {
    use super::display_name;

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        assert_eq!(display_name("  Ana Lima ", 20).unwrap(), "Ana Lima");
        assert!(display_name("", 20).is_err());
        assert!(display_name(&"x".repeat(21), 20).is_err());
        for bad in ["a\0b", "a\nb", "a\u{1b}[31mb", "a\u{7f}"] {
            assert!(display_name(bad, 20).is_err(), "{bad:?}");
        }
    }
}
