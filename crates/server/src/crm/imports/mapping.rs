//! Which contact field each column of a file fills: suggested from the
//! header's names, and checked when the team sends its own.

use crate::error::{AppError, AppResult, FieldError};
use std::collections::BTreeMap;
use store::crm::attributes::AttributeDef;

/// What a column fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Phone,
    Name,
    Email,
    Language,
    /// Tag names, separated by `,`, `;` or `|`.
    Tags,
    /// A custom attribute, by key.
    Attr(String),
    Skip,
}

impl Field {
    /// `phone`, `name`, `email`, `language`, `tags`, `attr.<key>`, `skip`.
    pub fn parse(s: &str) -> Option<Field> {
        Some(match s.trim() {
            "phone" => Field::Phone,
            "name" => Field::Name,
            "email" => Field::Email,
            "language" => Field::Language,
            "tags" => Field::Tags,
            "skip" => Field::Skip,
            other => Field::Attr(other.strip_prefix("attr.")?.to_owned()),
        })
    }

    pub fn as_string(&self) -> String {
        match self {
            Field::Phone => "phone".into(),
            Field::Name => "name".into(),
            Field::Email => "email".into(),
            Field::Language => "language".into(),
            Field::Tags => "tags".into(),
            Field::Attr(key) => format!("attr.{key}"),
            Field::Skip => "skip".into(),
        }
    }
}

/// A header cell in lower case, with everything but letters and digits as
/// single spaces: `"Mobile No."` → `"mobile no"`.
fn words(header: &str) -> String {
    header
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The built-in field a header names, if any.
fn builtin(header: &str) -> Option<Field> {
    let w = words(header);
    let field = match w.as_str() {
        "name" | "full name" | "contact name" | "customer name" | "display name" | "contact"
        | "nome" | "nombre" => Field::Name,
        "email" | "e mail" | "email address" | "mail" => Field::Email,
        "language" | "lang" | "locale" | "idioma" => Field::Language,
        "tag" | "tags" | "label" | "labels" => Field::Tags,
        _ if w.split(' ').any(|t| {
            matches!(
                t,
                "phone"
                    | "number"
                    | "mobile"
                    | "whatsapp"
                    | "msisdn"
                    | "cell"
                    | "cellphone"
                    | "tel"
                    | "telephone"
                    | "telefone"
                    | "telefono"
            )
        }) || w == "wa id" =>
        {
            Field::Phone
        }
        _ => return None,
    };
    Some(field)
}

/// The suggested field of each column: a custom attribute whose key or
/// label the header is (whatever the case and punctuation); else phone
/// (`phone`, `number`, `mobile`, `whatsapp`, … in the header; the first
/// such column), name, email, language or tags by name; else skip. Each of
/// phone, name, email and language goes to one column at most.
pub fn suggest(header: &[String], defs: &[AttributeDef]) -> Vec<Field> {
    let mut taken: Vec<Field> = Vec::new();
    header
        .iter()
        .map(|h| {
            let w = words(h);
            if w.is_empty() {
                return Field::Skip;
            }
            if let Some(d) = defs
                .iter()
                .find(|d| words(&d.key) == w || words(&d.label) == w)
            {
                let f = Field::Attr(d.key.clone());
                if taken.contains(&f) {
                    return Field::Skip;
                }
                taken.push(f.clone());
                return f;
            }
            match builtin(h) {
                Some(Field::Tags) => Field::Tags,
                Some(f) if !taken.contains(&f) => {
                    taken.push(f.clone());
                    f
                }
                _ => Field::Skip,
            }
        })
        .collect()
}

/// A mapping as the API shows it: column index (as text) → field.
pub fn to_object(fields: &[Field]) -> BTreeMap<String, String> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| (i.to_string(), f.as_string()))
        .collect()
}

/// The field of each column from what the team sent: keys are column
/// indexes (`"0"`) or header names (trimmed, any case; the first column of
/// that name); columns left out are skipped. Exactly one column must be
/// the phone number; name, email, language and each attribute fill one
/// column at most; tags may come from several.
pub fn resolve(
    header: &[String],
    given: &BTreeMap<String, String>,
    defs: &[AttributeDef],
) -> AppResult<Vec<Field>> {
    let mut fields = vec![Field::Skip; header.len()];
    let mut errors = Vec::new();
    let mut error = |key: &str, message: String| {
        errors.push(FieldError {
            field: format!("mapping.{key}"),
            message,
        })
    };
    for (key, value) in given {
        let column = match key.trim().parse::<usize>() {
            Ok(i) if i < header.len() => Some(i),
            _ => header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(key.trim())),
        };
        let Some(column) = column else {
            error(
                key,
                "no such column (a column number from 0, or a header)".into(),
            );
            continue;
        };
        let field = match Field::parse(value) {
            Some(Field::Attr(k)) if !defs.iter().any(|d| d.key == k) => {
                error(key, format!("no contact attribute `{k}`"));
                continue;
            }
            Some(f) => f,
            None => {
                error(
                    key,
                    "phone, name, email, language, tags, attr.<key> or skip".into(),
                );
                continue;
            }
        };
        if field != Field::Skip && field != Field::Tags && fields.contains(&field) {
            error(
                key,
                format!("another column is `{}` already", field.as_string()),
            );
            continue;
        }
        fields[column] = field;
    }
    if errors.is_empty() && !fields.contains(&Field::Phone) {
        errors.push(FieldError {
            field: "mapping".into(),
            message: "map one column to `phone`".into(),
        });
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(AppError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{AttributeId, Timestamp};
    use store::crm::attributes::AttributeKind;

    fn def(key: &str, label: &str) -> AttributeDef {
        AttributeDef {
            id: AttributeId::new(),
            key: key.into(),
            label: label.into(),
            kind: AttributeKind::Text,
            options: vec![],
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        }
    }

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn suggestions_follow_the_header() {
        let h = header(&[
            "Mobile No.",
            "Full Name",
            "E-mail",
            "Lang",
            "Tags",
            "Customer Tier",
            "Phone 2",
            "x",
        ]);
        let s = suggest(&h, &[def("tier", "Customer tier")]);
        assert_eq!(
            s,
            vec![
                Field::Phone,
                Field::Name,
                Field::Email,
                Field::Language,
                Field::Tags,
                Field::Attr("tier".into()),
                Field::Skip,
                Field::Skip
            ]
        );
        assert_eq!(to_object(&s)["5"], "attr.tier");
    }

    #[test]
    fn a_mapping_names_columns_by_number_or_header() {
        let h = header(&["Phone", "Name", "Tier"]);
        let given = BTreeMap::from([
            ("phone".to_owned(), "phone".to_owned()),
            ("2".to_owned(), "attr.tier".to_owned()),
        ]);
        let f = resolve(&h, &given, &[def("tier", "Tier")]).unwrap();
        assert_eq!(
            f,
            vec![Field::Phone, Field::Skip, Field::Attr("tier".into())]
        );
    }

    #[test]
    fn bad_mappings_name_the_column_at_fault() {
        let h = header(&["Phone", "Name"]);
        let cases = [
            (vec![("1", "name")], "mapping"),
            (vec![("0", "phone"), ("7", "name")], "mapping.7"),
            (vec![("0", "phone"), ("1", "attr.nope")], "mapping.1"),
            (vec![("0", "phone"), ("1", "colour")], "mapping.1"),
            (vec![("0", "phone"), ("Name", "phone")], "mapping.Name"),
        ];
        for (given, field) in cases {
            let given = given
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            match resolve(&h, &given, &[]) {
                Err(AppError::Validation(f)) => assert_eq!(f[0].field, field),
                other => panic!("{given:?}: {other:?}"),
            }
        }
    }
}
