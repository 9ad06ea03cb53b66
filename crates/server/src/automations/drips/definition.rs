//! What a drip is: its steps (a delay, a free-form text for an open
//! 24-hour window and a template for a closed one), its exit rules and its
//! quiet hours; their checks; and when a step falls due, quiet hours
//! applied in the contact's time zone (or the tenant's).

use crate::error::{AppError, AppResult};
use crate::scheduled::{MAX_TEXT, TemplateContent};
use domain::{TagId, Timestamp};
use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Steps in a drip, at most.
pub const MAX_STEPS: usize = 50;
/// The longest delay of a step (a year).
pub const MAX_DELAY_SECONDS: i64 = 366 * 86_400;
/// The contact attribute whose value (an IANA name) is the contact's time
/// zone for quiet hours.
pub const ZONE_ATTRIBUTE: &str = "time_zone";

/// A drip's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// In the order they are sent (1 to 50).
    pub steps: Vec<DripStep>,
    #[serde(default)]
    pub exit: ExitRules,
    /// No step is sent in them: one falling due then waits for their end.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

/// One message of a drip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DripStep {
    /// How long after the previous step was sent (the enrolment, for the
    /// first) this one falls due, in `unit`s.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub delay: i64,
    #[serde(default)]
    pub unit: DelayUnit,
    /// Sent while the contact's 24-hour window is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4096)]
    pub text: Option<String>,
    /// Sent when the window is closed (or always, for a step without a
    /// text). A step with a text and no template is skipped while the
    /// window is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateContent>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DelayUnit {
    Seconds,
    #[default]
    Minutes,
    Hours,
    Days,
}

impl DelayUnit {
    pub const ALL: [DelayUnit; 4] = [
        DelayUnit::Seconds,
        DelayUnit::Minutes,
        DelayUnit::Hours,
        DelayUnit::Days,
    ];

    pub fn seconds(self) -> i64 {
        match self {
            DelayUnit::Seconds => 1,
            DelayUnit::Minutes => 60,
            DelayUnit::Hours => 3_600,
            DelayUnit::Days => 86_400,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DelayUnit::Seconds => "seconds",
            DelayUnit::Minutes => "minutes",
            DelayUnit::Hours => "hours",
            DelayUnit::Days => "days",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

impl DripStep {
    /// The delay in seconds.
    pub fn delay_seconds(&self) -> i64 {
        self.delay.saturating_mul(self.unit.seconds())
    }
}

/// What ends an enrolment before its last step. An opt-out always does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExitRules {
    /// Any message from the contact after the enrolment ends it
    /// (`replied`). Default: yes.
    #[serde(default = "yes")]
    pub on_reply: bool,
    /// This tag put on the contact ends it (`tagged`).
    #[serde(default)]
    pub tag_id: Option<TagId>,
    /// This tag put on the contact ends it as converted (`goal`).
    #[serde(default)]
    pub goal_tag_id: Option<TagId>,
}

fn yes() -> bool {
    true
}

impl Default for ExitRules {
    fn default() -> Self {
        ExitRules {
            on_reply: true,
            tag_id: None,
            goal_tag_id: None,
        }
    }
}

/// Wall-clock hours (`HH:MM`, 24-hour) in which nothing is sent; `start`
/// after `end` spans midnight (`21:00`–`08:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: String,
}

/// `HH:MM` as a time of day.
pub fn hhmm(raw: &str) -> Option<Time> {
    let (h, m) = raw.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    Time::new(h, m, 0, 0).ok()
}

/// Checks `d`; the first fault, by path. Texts and template names are
/// trimmed.
pub fn check(d: &mut Definition) -> AppResult<()> {
    if d.steps.is_empty() || d.steps.len() > MAX_STEPS {
        return Err(AppError::validation(
            "steps",
            format!("1 to {MAX_STEPS} steps"),
        ));
    }
    for (i, s) in d.steps.iter_mut().enumerate() {
        let at = |field: &str| format!("steps[{i}].{field}");
        if s.delay < 0 || s.delay_seconds() > MAX_DELAY_SECONDS {
            return Err(AppError::validation(at("delay"), "from 0 up to a year"));
        }
        s.text = s
            .text
            .take()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if s.text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TEXT)
        {
            return Err(AppError::validation(
                at("text"),
                format!("at most {MAX_TEXT} characters"),
            ));
        }
        if let Some(t) = &mut s.template {
            t.name = t.name.trim().to_owned();
            t.language = t.language.trim().to_owned();
            if t.name.is_empty() || t.language.is_empty() {
                return Err(AppError::validation(
                    at("template"),
                    "a template needs its name and language",
                ));
            }
        }
        if s.text.is_none() && s.template.is_none() {
            return Err(AppError::validation(
                at("text"),
                "write a text, choose a template for a closed window, or both",
            ));
        }
    }
    if let Some(q) = &d.quiet_hours {
        let start = hhmm(&q.start)
            .ok_or_else(|| AppError::validation("quiet_hours.start", "a time as HH:MM"))?;
        let end = hhmm(&q.end)
            .ok_or_else(|| AppError::validation("quiet_hours.end", "a time as HH:MM"))?;
        if start == end {
            return Err(AppError::validation(
                "quiet_hours.end",
                "the quiet hours end at another time than they start",
            ));
        }
    }
    Ok(())
}

/// The zone named `name`, if the server knows it.
pub fn zone_named(name: &str) -> Option<TimeZone> {
    TimeZone::get(name.trim())
        .ok()
        .filter(|tz| !tz.is_unknown())
}

/// When a step falling due at `at` is sent: `at`, or the end of the quiet
/// hours `at` falls in, read as wall time in `tz` (a day's end that a
/// daylight-saving jump skips is read after the jump).
pub fn after_quiet(at: Timestamp, quiet: Option<&QuietHours>, tz: &TimeZone) -> Timestamp {
    let Some((start, end)) = quiet.and_then(|q| Some((hhmm(&q.start)?, hhmm(&q.end)?))) else {
        return at;
    };
    let Ok(ts) = jiff::Timestamp::from_millisecond(at.as_millis()) else {
        return at;
    };
    let local = tz.to_datetime(ts);
    let (day, t) = (local.date(), local.time());
    let ends_on = if start < end {
        (t >= start && t < end).then_some(day)
    } else if t >= start {
        day.tomorrow().ok()
    } else {
        (t < end).then_some(day)
    };
    let Some(day) = ends_on else {
        return at;
    };
    match tz.to_timestamp(day.to_datetime(end)) {
        Ok(out) => Timestamp::from_millis(out.as_millisecond()).max(at),
        Err(_) => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn quiet(start: &str, end: &str) -> QuietHours {
        QuietHours {
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn a_time_in_quiet_hours_moves_to_their_end_in_the_zone() {
        let ny = zone_named("America/New_York").unwrap();
        let q = quiet("22:00", "08:00");
        // 15:00 in New York (EST, UTC-5): not quiet.
        assert_eq!(
            after_quiet(at("2027-01-10T20:00:00Z"), Some(&q), &ny),
            at("2027-01-10T20:00:00Z")
        );
        // 23:30 EST: to 08:00 the next morning.
        assert_eq!(
            after_quiet(at("2027-01-11T04:30:00Z"), Some(&q), &ny),
            at("2027-01-11T13:00:00Z")
        );
        // 06:00 EST: to 08:00 the same morning.
        assert_eq!(
            after_quiet(at("2027-01-11T11:00:00Z"), Some(&q), &ny),
            at("2027-01-11T13:00:00Z")
        );
        // Quiet hours within a day.
        let lunch = quiet("12:00", "13:30");
        assert_eq!(
            after_quiet(at("2027-01-11T17:15:00Z"), Some(&lunch), &ny),
            at("2027-01-11T18:30:00Z")
        );
        assert_eq!(
            after_quiet(at("2027-01-11T17:15:00Z"), None, &ny),
            at("2027-01-11T17:15:00Z")
        );
    }

    #[test]
    fn the_end_of_quiet_hours_follows_daylight_saving_changes() {
        let ny = zone_named("America/New_York").unwrap();
        let q = quiet("22:00", "08:00");
        // 23:30 EST on 13 March 2027; clocks spring forward that night:
        // 08:00 is EDT (UTC-4), 12:00 UTC, not 13:00.
        assert_eq!(
            after_quiet(at("2027-03-14T04:30:00Z"), Some(&q), &ny),
            at("2027-03-14T12:00:00Z")
        );
        // 23:30 EDT on 6 November 2027; clocks fall back that night: 08:00
        // is EST, 13:00 UTC.
        assert_eq!(
            after_quiet(at("2027-11-07T03:30:00Z"), Some(&q), &ny),
            at("2027-11-07T13:00:00Z")
        );
        // Quiet hours ending in the skipped hour (02:30 does not exist on
        // the spring-forward night): read after the jump, 03:30 EDT.
        let q = quiet("01:00", "02:30");
        assert_eq!(
            after_quiet(at("2027-03-14T06:15:00Z"), Some(&q), &ny),
            at("2027-03-14T07:30:00Z")
        );
    }

    #[test]
    fn steps_are_checked_by_path() {
        let mut d: Definition = serde_json::from_value(serde_json::json!({
            "steps": [{"delay": 1, "unit": "days", "text": "  hi  "},
                      {"delay": 2, "unit": "hours"}]
        }))
        .unwrap();
        let e = check(&mut d).unwrap_err();
        assert!(format!("{e:?}").contains("steps[1].text"), "{e:?}");
        d.steps[1].template = Some(TemplateContent {
            name: "follow_up".into(),
            language: "en".into(),
            parameters: vec![],
            named_parameters: Default::default(),
        });
        check(&mut d).unwrap();
        assert_eq!(d.steps[0].text.as_deref(), Some("hi"));
        assert_eq!(d.steps[0].delay_seconds(), 86_400);
        d.quiet_hours = Some(quiet("08:00", "08:00"));
        assert!(check(&mut d).is_err());
        d.quiet_hours = Some(quiet("8am", "09:00"));
        assert!(format!("{:?}", check(&mut d).unwrap_err()).contains("quiet_hours.start"));
    }
}
