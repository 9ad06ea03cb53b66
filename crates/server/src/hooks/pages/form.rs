//! Turning the webhook pages' form fields and filters into the rules'
//! typed input, and the rules' answers into what a page shows.

use crate::error::{AppError, AppResult};
use domain::Timestamp;
use domain::events::Event;
use std::collections::BTreeMap;

/// A form's fields in order (checkboxes repeat a name).
pub type Fields = Vec<(String, String)>;

/// The first value of `name`, or empty.
pub fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Whether a checkbox `name` was ticked.
pub fn ticked(fields: &Fields, name: &str) -> bool {
    fields.iter().any(|(k, _)| k == name)
}

/// The event patterns of a form: the ticked `event` boxes (`*` and the
/// families) and the `events_other` text (names or patterns separated by
/// commas or spaces). Checked by the rule.
pub fn events(fields: &Fields) -> Vec<String> {
    let mut out: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "event")
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    out.extend(
        field(fields, "events_other")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    );
    out
}

/// Extra headers from `Name: value` lines (blank lines are skipped).
pub fn headers(raw: &str) -> AppResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (n, line) in raw.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(AppError::validation(
                "headers",
                format!("line {} is not `Name: value`", n + 1),
            ));
        };
        out.insert(name.trim().to_owned(), value.trim().to_owned());
    }
    Ok(out)
}

/// The checkboxes offered for events: everything, then each family.
pub fn event_choices() -> Vec<String> {
    let mut families: Vec<String> = Event::NAMES
        .iter()
        .filter_map(|n| n.split_once('.').map(|(f, _)| format!("{f}.*")))
        .collect();
    families.sort();
    families.dedup();
    families.insert(0, "*".to_owned());
    families
}

/// An endpoint's patterns split into the ticked boxes and the rest (for
/// the text field).
pub fn split_events(events: &[String]) -> (Vec<String>, String) {
    let choices = event_choices();
    let (boxes, other): (Vec<_>, Vec<_>) =
        events.iter().cloned().partition(|e| choices.contains(e));
    (boxes, other.join(", "))
}

/// A time filter: RFC 3339, a `datetime-local` value (UTC), or a date
/// meaning its start (or, for `until`, its end).
pub fn time_bound(
    field: &'static str,
    raw: &str,
    end_of_day: bool,
) -> AppResult<Option<Timestamp>> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if let Some(t) = Timestamp::parse_rfc3339(v) {
        return Ok(Some(t));
    }
    if let Some(t) = Some(v)
        .filter(|v| v.len() == 16)
        .and_then(|v| Timestamp::parse_rfc3339(&format!("{v}:00Z")))
    {
        return Ok(Some(t));
    }
    let day = Timestamp::parse_rfc3339(&format!("{v}T00:00:00Z")).ok_or_else(|| {
        AppError::validation(field, "use a date (YYYY-MM-DD) or an RFC 3339 time")
    })?;
    Ok(Some(if end_of_day {
        day.plus_seconds(86_400)
    } else {
        day
    }))
}

/// A share of successes as people read it (`None`: nothing was tried).
pub fn rate(r: Option<f64>) -> String {
    match r {
        None => "no attempts".to_owned(),
        Some(r) if r >= 1.0 => "100%".to_owned(),
        Some(r) => format!("{:.1}%", r * 100.0),
    }
}

/// `rate`'s class: `rate-ok`, `rate-warn` (some failures), `rate-bad`
/// (mostly failures) or `rate-none`.
pub fn rate_level(r: Option<f64>) -> &'static str {
    match r {
        None => "rate-none",
        Some(r) if r >= 0.99 => "rate-ok",
        Some(r) if r >= 0.5 => "rate-warn",
        Some(_) => "rate-bad",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_name_value_lines() {
        let h = headers("Authorization: Bearer a:b\n\n X-Team : ops ").unwrap();
        assert_eq!(h["Authorization"], "Bearer a:b");
        assert_eq!(h["X-Team"], "ops");
        assert!(headers("no colon here").is_err());
    }

    #[test]
    fn events_come_from_boxes_and_text() {
        let f: Fields = vec![
            ("event".into(), "message.*".into()),
            (
                "events_other".into(),
                "contact.opted_out, conversation.read".into(),
            ),
        ];
        assert_eq!(
            events(&f),
            ["message.*", "contact.opted_out", "conversation.read"]
        );
        let (boxes, other) = split_events(&events(&f));
        assert_eq!(boxes, ["message.*"]);
        assert_eq!(other, "contact.opted_out, conversation.read");
    }

    #[test]
    fn dates_bound_whole_days() {
        let since = time_bound("since", "2026-03-01", false).unwrap().unwrap();
        let until = time_bound("until", "2026-03-01", true).unwrap().unwrap();
        assert_eq!(until.as_unix_seconds() - since.as_unix_seconds(), 86_400);
        assert!(time_bound("since", "", false).unwrap().is_none());
        assert!(time_bound("since", "yesterday", false).is_err());
        assert!(
            time_bound("since", "2026-03-01T10:30", false)
                .unwrap()
                .is_some()
        );
    }
}
