//! What a team may write on a contact, checked once here: the phone number
//! a contact is created with, name, email, language, custom attribute
//! values (against the tenant's definitions) and the attribute filters of
//! the contact list.

use crate::error::{AppError, AppResult};
use serde_json::{Map, Value};
use store::crm::attributes::{AttributeDef, AttributeKind};
use store::inbox::{AttributeCondition, AttributeFilter, Comparison};

/// The longest name, and the longest text attribute value, in characters.
pub const MAX_NAME: usize = 200;
pub const MAX_TEXT_VALUE: usize = 1000;

/// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not
/// 0 (spaces and hyphens between them are allowed and dropped). Answers
/// the WhatsApp id: the digits.
pub fn phone_wa_id(raw: &str) -> AppResult<String> {
    let invalid = || {
        AppError::validation(
            "phone",
            "an international number in E.164 form: + and 8 to 15 digits (+14155550123)",
        )
    };
    let rest = raw.trim().strip_prefix('+').ok_or_else(invalid)?;
    let digits: String = rest.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok { Ok(digits) } else { Err(invalid()) }
}

/// A name as kept: trimmed, at most [`MAX_NAME`] characters; empty is none.
pub fn name(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(n) = raw.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if n.chars().count() > MAX_NAME || n.chars().any(char::is_control) {
        return Err(AppError::validation(
            "name",
            format!("at most {MAX_NAME} characters, on one line"),
        ));
    }
    Ok(Some(n.to_owned()))
}

/// An email address as kept (trimmed; empty is none): one `@`, something
/// before it, a domain with a dot after it, no spaces, at most 254
/// characters.
pub fn email(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(e) = raw.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let valid = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && domain.split('.').all(|part| !part.is_empty())
            }
            None => false,
        };
    if !valid {
        return Err(AppError::validation(
            "email",
            "an email address (name@example.com)",
        ));
    }
    Ok(Some(e.to_owned()))
}

/// A language tag as kept (trimmed; empty is none): a 2- or 3-letter
/// language, then optional parts of 2 to 8 letters or digits each after
/// `_` or `-` (`en`, `pt_BR`, `es-419`, `zh-Hant-TW`), at most 35
/// characters. Kept as written (WhatsApp's templates use `pt_BR`).
pub fn language(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(tag) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let mut parts = tag.split(['_', '-']);
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if tag.len() > 35 || !first_ok || !rest_ok {
        return Err(AppError::validation(
            "language",
            "a language tag such as en, pt_BR or es-419",
        ));
    }
    Ok(Some(tag.to_owned()))
}

/// Whether `s` is a calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

/// `attributes.<key>`, the field a value error names.
fn field(key: &str) -> String {
    format!("attributes.{key}")
}

/// One attribute value checked against its definition; `None` removes the
/// value (`null`, or an empty text).
fn value(def: &AttributeDef, v: &Value) -> AppResult<Option<Value>> {
    let wrong = |what: &str| AppError::validation(field(&def.key), what.to_owned());
    match (def.kind, v) {
        (_, Value::Null) => Ok(None),
        (AttributeKind::Text, Value::String(s)) => {
            let s = s.trim();
            if s.chars().count() > MAX_TEXT_VALUE {
                return Err(wrong(&format!(
                    "a text of at most {MAX_TEXT_VALUE} characters"
                )));
            }
            Ok((!s.is_empty()).then(|| Value::String(s.to_owned())))
        }
        (AttributeKind::Text, _) => Err(wrong("a text (a JSON string)")),
        (AttributeKind::Number, Value::Number(n)) if n.as_f64().is_some_and(f64::is_finite) => {
            Ok(Some(v.clone()))
        }
        (AttributeKind::Number, _) => Err(wrong("a number (a JSON number)")),
        (AttributeKind::Date, Value::String(s)) if is_date(s.trim()) => {
            Ok(Some(Value::String(s.trim().to_owned())))
        }
        (AttributeKind::Date, _) => Err(wrong("a date written YYYY-MM-DD")),
        (AttributeKind::Boolean, Value::Bool(_)) => Ok(Some(v.clone())),
        (AttributeKind::Boolean, _) => Err(wrong("true or false")),
        (AttributeKind::Choice, Value::String(s)) if def.options.iter().any(|o| o == s) => {
            Ok(Some(v.clone()))
        }
        (AttributeKind::Choice, _) => Err(wrong(&format!("one of: {}", def.options.join(", ")))),
    }
}

/// `current` with `changes` merged in: each value checked against its
/// definition; a key set to `null` (or an empty text) is removed. Unknown
/// keys are refused, each named. Values already there are kept as they
/// are, even if their definition changed since.
pub fn merge_attributes(
    defs: &[AttributeDef],
    current: &Map<String, Value>,
    changes: &Map<String, Value>,
) -> AppResult<Map<String, Value>> {
    let mut out = current.clone();
    let mut errors = Vec::new();
    for (key, v) in changes {
        // A value given back unchanged (a form sends every field) stays as
        // it is, even if its definition changed since.
        if current.get(key) == Some(v) {
            continue;
        }
        let Some(def) = defs.iter().find(|d| &d.key == key) else {
            errors.push(crate::error::FieldError {
                field: field(key),
                message: "no such contact attribute (define it in Settings → Contact fields)"
                    .to_owned(),
            });
            continue;
        };
        match value(def, v) {
            Ok(Some(v)) => {
                out.insert(key.clone(), v);
            }
            Ok(None) => {
                out.remove(key);
            }
            Err(AppError::Validation(mut f)) => errors.append(&mut f),
            Err(e) => return Err(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The list's attribute filters from query parameters `attr.<key>=<value>`
/// (equality), `attr.<key>.gte=` and `attr.<key>.lte=` (numbers and dates).
/// Other parameters are ignored.
pub fn attribute_filters(
    defs: &[AttributeDef],
    params: &[(String, String)],
) -> AppResult<Vec<AttributeFilter>> {
    let mut out = Vec::new();
    for (name, raw) in params {
        let Some(spec) = name.strip_prefix("attr.") else {
            continue;
        };
        let (key, op) = match spec.rsplit_once('.') {
            Some((k, "gte")) => (k, Comparison::Gte),
            Some((k, "lte")) => (k, Comparison::Lte),
            _ => (spec, Comparison::Eq),
        };
        let Some(def) = defs.iter().find(|d| d.key == key) else {
            return Err(AppError::validation(
                name.clone(),
                "no such contact attribute",
            ));
        };
        let bad = |what: &str| AppError::validation(name.clone(), what.to_owned());
        let raw = raw.trim();
        let condition = match (def.kind, op) {
            (AttributeKind::Text | AttributeKind::Choice, Comparison::Eq) => {
                AttributeCondition::Text(raw.to_owned())
            }
            (AttributeKind::Boolean, Comparison::Eq) => match raw {
                "true" => AttributeCondition::Boolean(true),
                "false" => AttributeCondition::Boolean(false),
                _ => return Err(bad("true or false")),
            },
            (AttributeKind::Number, op) => match raw.parse::<f64>() {
                Ok(n) if n.is_finite() => AttributeCondition::Number(op, n),
                _ => return Err(bad("a number")),
            },
            (AttributeKind::Date, op) if is_date(raw) => {
                AttributeCondition::Date(op, raw.to_owned())
            }
            (AttributeKind::Date, _) => return Err(bad("a date written YYYY-MM-DD")),
            (_, _) => return Err(bad("`.gte` and `.lte` apply to numbers and dates only")),
        };
        out.push(AttributeFilter {
            key: def.key.clone(),
            condition,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_must_be_e164() {
        assert_eq!(phone_wa_id("+14155550123").unwrap(), "14155550123");
        assert_eq!(phone_wa_id(" +44 7700-900123 ").unwrap(), "447700900123");
        for bad in [
            "14155550123",
            "+1234567",
            "+1234567890123456",
            "+0123456789",
            "+1415555O123",
        ] {
            assert!(phone_wa_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_languages_and_dates() {
        assert!(email(Some("ana@example.com")).unwrap().is_some());
        assert!(email(Some("  ")).unwrap().is_none());
        for bad in [
            "ana",
            "ana@",
            "@x.com",
            "ana@example",
            "a b@x.com",
            "a@x..com",
        ] {
            assert!(email(Some(bad)).is_err(), "{bad}");
        }
        for good in ["en", "pt_BR", "es-419", "zh-Hant-TW"] {
            assert!(language(Some(good)).unwrap().is_some(), "{good}");
        }
        for bad in ["e", "english", "en_", "pt_B", "en--US"] {
            assert!(language(Some(bad)).is_err(), "{bad}");
        }
        assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2024-13-01"));
        assert!(!is_date("2024-1-01") && !is_date("20240101"));
    }
}
