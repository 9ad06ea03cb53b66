use super::*;

fn at(rfc3339: &str) -> Timestamp {
    Timestamp::parse_rfc3339(rfc3339).unwrap()
}

fn range(start: &str, end: &str) -> TimeRange {
    TimeRange {
        start: start.into(),
        end: end.into(),
    }
}

/// Weekdays 09:00–17:00 in `zone`, Sundays as given, and `holidays`.
fn office(zone: &str, sunday: Vec<TimeRange>, holidays: &[&str]) -> Hours {
    let day = vec![range("09:00", "17:00")];
    let weekly = WeeklyHours {
        monday: day.clone(),
        tuesday: day.clone(),
        wednesday: day.clone(),
        thursday: day.clone(),
        friday: day,
        saturday: vec![],
        sunday,
    };
    let input = HoursInput {
        enabled: true,
        time_zone: Some(zone.into()),
        weekly,
        holidays: holidays.iter().map(|h| (*h).to_owned()).collect(),
        welcome_message: None,
        away_message: None,
    };
    Hours::parse(&input, "UTC").unwrap()
}

fn open_at(h: &Hours, instants: &[&str]) -> Vec<bool> {
    instants.iter().map(|t| is_open(h, at(t))).collect()
}

#[test]
fn lisbon_hours_follow_the_wall_clock_across_the_spring_change() {
    // Lisbon goes from 01:00 WET (UTC) to 02:00 WEST (UTC+1) on Sunday
    // 30 March 2025.
    let h = office("Europe/Lisbon", vec![range("00:00", "03:00")], &[]);
    // Friday before: 09:00–17:00 is 09:00Z–17:00Z.
    let fri = [
        "2025-03-28T08:59:00Z",
        "2025-03-28T09:00:00Z",
        "2025-03-28T16:59:00Z",
        "2025-03-28T17:00:00Z",
    ];
    assert_eq!(open_at(&h, &fri), [false, true, true, false]);
    // Monday after: 09:00–17:00 is 08:00Z–16:00Z.
    let mon = [
        "2025-03-31T07:59:00Z",
        "2025-03-31T08:00:00Z",
        "2025-03-31T15:59:00Z",
        "2025-03-31T16:00:00Z",
    ];
    assert_eq!(open_at(&h, &mon), [false, true, true, false]);
    // The change night: 00:00–03:00 on the wall lasts two hours.
    let sun = [
        "2025-03-30T00:30:00Z",
        "2025-03-30T01:00:00Z",
        "2025-03-30T01:59:00Z",
        "2025-03-30T02:00:00Z",
    ];
    assert_eq!(open_at(&h, &sun), [true, true, true, false]);
    assert_eq!(
        closed_since(&h, at("2025-03-30T05:00:00Z")),
        at("2025-03-30T02:00:00Z")
    );
}

#[test]
fn lisbon_hours_follow_the_wall_clock_across_the_autumn_change() {
    // 02:00 WEST goes back to 01:00 WET on Sunday 26 October 2025: the
    // hour from 01:00 happens twice, and 00:00–03:00 lasts four hours.
    let h = office("Europe/Lisbon", vec![range("00:00", "03:00")], &[]);
    let sun = [
        "2025-10-25T22:59:00Z",
        "2025-10-25T23:00:00Z",
        "2025-10-26T00:30:00Z",
        "2025-10-26T01:30:00Z",
        "2025-10-26T02:59:00Z",
        "2025-10-26T03:00:00Z",
    ];
    assert_eq!(open_at(&h, &sun), [false, true, true, true, true, false]);
    assert_eq!(
        closed_since(&h, at("2025-10-26T10:00:00Z")),
        at("2025-10-26T03:00:00Z")
    );
    // Monday after: 09:00 WET is 09:00Z.
    assert_eq!(
        open_at(&h, &["2025-10-27T08:59:00Z", "2025-10-27T09:00:00Z"]),
        [false, true]
    );
}

#[test]
fn new_york_hours_skip_the_missing_hour_and_repeat_the_doubled_one() {
    // Spring forward at 02:00 EST on Sunday 9 March 2025 (to 03:00 EDT).
    let h = office("America/New_York", vec![range("01:00", "04:00")], &[]);
    let spring = [
        "2025-03-09T05:59:00Z",
        "2025-03-09T06:00:00Z",
        "2025-03-09T06:59:00Z",
        "2025-03-09T07:00:00Z",
        "2025-03-09T07:59:00Z",
        "2025-03-09T08:00:00Z",
    ];
    assert_eq!(open_at(&h, &spring), [false, true, true, true, true, false]);
    assert_eq!(
        closed_since(&h, at("2025-03-09T12:00:00Z")),
        at("2025-03-09T08:00:00Z")
    );
    // Monday: 09:00 EDT is 13:00Z.
    assert_eq!(
        open_at(&h, &["2025-03-10T12:59:00Z", "2025-03-10T13:00:00Z"]),
        [false, true]
    );
    // Fall back at 02:00 EDT on Sunday 2 November 2025: 01:00–02:00 on
    // the wall happens twice and is open both times.
    let h = office("America/New_York", vec![range("01:00", "02:00")], &[]);
    let fall = [
        "2025-11-02T04:59:00Z",
        "2025-11-02T05:00:00Z",
        "2025-11-02T05:59:00Z",
        "2025-11-02T06:00:00Z",
        "2025-11-02T06:59:00Z",
        "2025-11-02T07:00:00Z",
    ];
    assert_eq!(open_at(&h, &fall), [false, true, true, true, true, false]);
    assert_eq!(
        closed_since(&h, at("2025-11-02T12:00:00Z")),
        at("2025-11-02T07:00:00Z")
    );
}

#[test]
fn a_holiday_is_closed_all_day_in_the_schedules_zone() {
    let h = office("Europe/Lisbon", vec![], &["2025-12-25"]);
    // Wednesday 24th open, Christmas (a Thursday) closed.
    assert!(is_open(&h, at("2025-12-24T10:00:00Z")));
    assert!(!is_open(&h, at("2025-12-25T10:00:00Z")));
    assert!(is_open(&h, at("2025-12-26T10:00:00Z")));
    // One closed period from Wednesday 17:00 to Friday 09:00.
    let period = at("2025-12-24T17:00:00Z");
    assert_eq!(closed_since(&h, at("2025-12-25T12:00:00Z")), period);
    assert_eq!(closed_since(&h, at("2025-12-26T08:59:00Z")), period);
    // The date is New York's: 22:00 on the 24th there is not a holiday,
    // 23:00 on the 25th is.
    let all_day = vec![range("00:00", "24:00")];
    let mut h = office("America/New_York", all_day.clone(), &["2025-12-25"]);
    h.days = std::array::from_fn(|_| vec![(0, MIDNIGHT)]);
    assert!(is_open(&h, at("2025-12-25T03:00:00Z")));
    assert!(!is_open(&h, at("2025-12-26T04:00:00Z")));
    assert!(is_open(&h, at("2025-12-26T05:00:00Z")));
}

#[test]
fn a_closed_period_is_named_by_its_start_whatever_the_moment_in_it() {
    let h = office("UTC", vec![], &[]);
    // Friday evening to Monday morning is one period; Monday night the next.
    let weekend = at("2025-06-06T17:00:00Z");
    for t in [
        "2025-06-06T17:00:00Z",
        "2025-06-07T12:00:00Z",
        "2025-06-09T08:59:00Z",
    ] {
        assert_eq!(closed_since(&h, at(t)), weekend, "{t}");
    }
    assert_eq!(
        closed_since(&h, at("2025-06-09T20:00:00Z")),
        at("2025-06-09T17:00:00Z")
    );
    // Ranges that meet at midnight are one stretch.
    let mut late = office("UTC", vec![range("00:00", "02:00")], &[]);
    late.days[5] = vec![(22 * 60, MIDNIGHT)];
    assert!(is_open(&late, at("2025-06-07T23:30:00Z")));
    assert!(is_open(&late, at("2025-06-08T01:30:00Z")));
    assert_eq!(
        closed_since(&late, at("2025-06-08T03:00:00Z")),
        at("2025-06-08T02:00:00Z")
    );
    // Never open: closed since the epoch; disabled: always open.
    let never = Hours::parse(
        &HoursInput {
            enabled: true,
            ..HoursInput::default()
        },
        "UTC",
    )
    .unwrap();
    assert!(!is_open(&never, at("2025-06-09T10:00:00Z")));
    assert_eq!(
        closed_since(&never, at("2025-06-09T10:00:00Z")),
        Timestamp::from_millis(0)
    );
    let off = Hours {
        enabled: false,
        ..never
    };
    assert!(is_open(&off, at("2025-06-09T10:00:00Z")));
}

#[test]
fn schedules_are_checked_field_by_field() {
    let input = HoursInput {
        enabled: true,
        time_zone: Some("Mars/Olympus".into()),
        weekly: WeeklyHours {
            monday: vec![range("09:00", "12:00"), range("11:00", "13:00")],
            tuesday: vec![range("17:00", "09:00")],
            wednesday: vec![range("24:00", "24:00"), range("9:00", "10:00")],
            thursday: vec![range("08:00", "24:00")],
            ..WeeklyHours::default()
        },
        holidays: vec!["2025-02-30".into(), "2025-12-25".into()],
        welcome_message: Some("x".repeat(MAX_MESSAGE_CHARS + 1)),
        away_message: Some("   ".into()),
    };
    let Err(AppError::Validation(fields)) = Hours::parse(&input, "UTC") else {
        panic!("refused");
    };
    let mut names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "holidays[0]",
            "time_zone",
            "weekly.monday[1]",
            "weekly.tuesday[0].end",
            "weekly.wednesday[0].start",
            "weekly.wednesday[1].start",
            "welcome_message",
        ]
    );
    // Valid: sorted, blank messages dropped, the zone spelled canonically
    // and taken from the workspace when not given.
    let input = HoursInput {
        enabled: true,
        time_zone: None,
        weekly: WeeklyHours {
            friday: vec![range("14:00", "24:00"), range("08:30", "12:00")],
            ..WeeklyHours::default()
        },
        holidays: vec![
            "2026-01-01".into(),
            "2025-12-25".into(),
            "2025-12-25".into(),
        ],
        welcome_message: Some("  Hello!  ".into()),
        away_message: Some(String::new()),
    };
    let h = Hours::parse(&input, "europe/lisbon").unwrap();
    assert_eq!(h.time_zone, "Europe/Lisbon");
    assert_eq!(
        h.weekly().friday,
        [range("08:30", "12:00"), range("14:00", "24:00")]
    );
    assert_eq!(h.holidays(), ["2025-12-25", "2026-01-01"]);
    assert_eq!(
        (h.welcome_message.as_deref(), h.away_message.as_deref()),
        (Some("Hello!"), None)
    );
    assert_eq!(
        Hours::parse(&h.input(), "UTC").unwrap(),
        h,
        "reads back as itself"
    );
}
