//! One row of a file read into a contact's fields, each checked by the
//! rules contacts are edited under ([`crate::inbox::contacts::fields`]);
//! a row that fails says why in words for the rejected-rows report.

use super::mapping::Field;
use crate::error::AppError;
use crate::inbox::contacts::fields;
use serde_json::{Map, Value};
use store::crm::attributes::{AttributeDef, AttributeKind};

/// A row's values, checked. Empty cells are left out: they change nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowValues {
    /// The WhatsApp id: the number's digits.
    pub wa_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub attributes: Map<String, Value>,
    /// Tag names, trimmed, without repeats (whatever their case).
    pub tags: Vec<String>,
}

/// A phone number as a file may write it: an optional `+`, then 8 to 15
/// digits with the country code (not starting with 0), spaces, dashes,
/// dots and parentheses allowed between them. Answers the digits.
pub fn phone(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let rest = raw.strip_prefix('+').unwrap_or(raw);
    let digits: String = rest
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    fields::phone_wa_id(&format!("+{digits}")).map_err(|_| {
        "phone: not a phone number with its country code (8 to 15 digits, such as +44 7911 123456)"
            .to_owned()
    })
}

/// The first message of a validation error, prefixed with its field.
fn reason(e: AppError) -> String {
    match e {
        AppError::Validation(f) => f
            .into_iter()
            .next()
            .map(|f| format!("{}: {}", f.field, f.message))
            .unwrap_or_else(|| "invalid".to_owned()),
        other => other.to_string(),
    }
}

/// A cell as the JSON value an attribute of `def`'s type takes; what
/// [`fields::merge_attributes`] then checks.
fn attribute_value(def: &AttributeDef, cell: &str) -> Result<Value, String> {
    let wrong = |what: &str| format!("attributes.{}: {what}", def.key);
    Ok(match def.kind {
        AttributeKind::Text | AttributeKind::Date => Value::String(cell.to_owned()),
        AttributeKind::Number => {
            let n: f64 = cell
                .replace([' ', '\u{a0}'], "")
                .parse()
                .map_err(|_| wrong("a number"))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| wrong("a number"))?
        }
        AttributeKind::Boolean => match cell.to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Value::Bool(true),
            "false" | "no" | "n" | "0" => Value::Bool(false),
            _ => return Err(wrong("true or false (yes/no, 1/0)")),
        },
        // The option as defined, matched whatever its case.
        AttributeKind::Choice => Value::String(
            def.options
                .iter()
                .find(|o| o.to_lowercase() == cell.to_lowercase())
                .cloned()
                .unwrap_or_else(|| cell.to_owned()),
        ),
    })
}

/// Tag names in a cell: separated by `,`, `;` or `|`, trimmed; each 1 to
/// 50 characters without control characters.
fn tag_names(cell: &str, into: &mut Vec<String>) -> Result<(), String> {
    for name in cell
        .split([',', ';', '|'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let len = name.chars().count();
        if len > crate::crm::tags::MAX_NAME || name.chars().any(char::is_control) {
            return Err(format!(
                "tags: “{name}” is not a tag name (1 to {} characters)",
                crate::crm::tags::MAX_NAME
            ));
        }
        if !into.iter().any(|t| t.to_lowercase() == name.to_lowercase()) {
            into.push(name.to_owned());
        }
    }
    Ok(())
}

/// Reads `cells` through `mapping` (the field of each column). Cells past
/// the header's columns must be empty.
pub fn read(
    cells: &[String],
    mapping: &[Field],
    defs: &[AttributeDef],
) -> Result<RowValues, String> {
    if cells[mapping.len().min(cells.len())..]
        .iter()
        .any(|c| !c.trim().is_empty())
    {
        return Err(format!(
            "the row has more cells than the header's {} columns",
            mapping.len()
        ));
    }
    let mut out = RowValues::default();
    let mut wa_id = None;
    let mut changes = Map::new();
    for (field, cell) in mapping.iter().zip(cells) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match field {
            Field::Skip => {}
            Field::Phone => wa_id = Some(phone(cell)?),
            Field::Name => out.name = fields::name(Some(cell)).map_err(reason)?,
            Field::Email => out.email = fields::email(Some(cell)).map_err(reason)?,
            Field::Language => out.language = fields::language(Some(cell)).map_err(reason)?,
            Field::Tags => tag_names(cell, &mut out.tags)?,
            Field::Attr(key) => {
                let Some(def) = defs.iter().find(|d| &d.key == key) else {
                    return Err(format!("attributes.{key}: no such contact attribute"));
                };
                changes.insert(key.clone(), attribute_value(def, cell)?);
            }
        }
    }
    out.wa_id = wa_id.ok_or("phone: the phone number is missing")?;
    out.attributes = fields::merge_attributes(defs, &Map::new(), &changes).map_err(reason)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{AttributeId, Timestamp};
    use serde_json::json;

    fn def(key: &str, kind: AttributeKind, options: &[&str]) -> AttributeDef {
        AttributeDef {
            id: AttributeId::new(),
            key: key.into(),
            label: key.into(),
            kind,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        }
    }

    fn cells(c: &[&str]) -> Vec<String> {
        c.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn phone_numbers_are_normalised() {
        for (raw, digits) in [
            ("+44 7911 123456", "447911123456"),
            ("447911123456", "447911123456"),
            ("+1 (415) 555-0123", "14155550123"),
            ("1.415.555.0123", "14155550123"),
        ] {
            assert_eq!(phone(raw).unwrap(), digits, "{raw}");
        }
        for bad in [
            "0044 7911 123456",
            "+1234567",
            "4.47911E+11",
            "+1 415 555 0123 45678",
            "call me",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_row_is_read_through_its_mapping() {
        let defs = [
            def("tier", AttributeKind::Choice, &["Gold", "Silver"]),
            def("vip", AttributeKind::Boolean, &[]),
            def("spend", AttributeKind::Number, &[]),
            def("since", AttributeKind::Date, &[]),
        ];
        let mapping = [
            Field::Phone,
            Field::Name,
            Field::Tags,
            Field::Attr("tier".into()),
            Field::Attr("vip".into()),
            Field::Attr("spend".into()),
            Field::Attr("since".into()),
            Field::Skip,
        ];
        let row = cells(&[
            "+44 7911 123456",
            " Ann ",
            "vip, Lisbon;VIP",
            "gold",
            "yes",
            "12.5",
            "2024-01-31",
            "x",
        ]);
        let v = read(&row, &mapping, &defs).unwrap();
        assert_eq!(v.wa_id, "447911123456");
        assert_eq!(v.name.as_deref(), Some("Ann"));
        assert_eq!(v.tags, vec!["vip", "Lisbon"]);
        assert_eq!(
            Value::Object(v.attributes),
            json!({ "tier": "Gold", "vip": true, "spend": 12.5, "since": "2024-01-31" })
        );
    }

    #[test]
    fn bad_rows_say_why() {
        let defs = [
            def("tier", AttributeKind::Choice, &["Gold"]),
            def("since", AttributeKind::Date, &[]),
        ];
        let mapping = [
            Field::Phone,
            Field::Email,
            Field::Attr("tier".into()),
            Field::Attr("since".into()),
        ];
        let cases = [
            (
                cells(&["", "a@b.co", "", ""]),
                "phone: the phone number is missing",
            ),
            (cells(&["+447911123456", "nope", "", ""]), "email:"),
            (
                cells(&["+447911123456", "", "Bronze", ""]),
                "attributes.tier: one of: Gold",
            ),
            (
                cells(&["+447911123456", "", "", "31/01/2024"]),
                "attributes.since:",
            ),
            (cells(&["+447911123456", "", "", "", "extra"]), "more cells"),
        ];
        for (row, why) in cases {
            let e = read(&row, &mapping, &defs).unwrap_err();
            assert!(e.contains(why), "{row:?}: {e}");
        }
        // Trailing empty cells are fine.
        assert!(read(&cells(&["+447911123456", "", "", "", ""]), &mapping, &defs).is_ok());
    }
}
