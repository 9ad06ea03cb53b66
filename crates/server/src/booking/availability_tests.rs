use super::*;
use crate::automations::hours::{TimeRange, WeeklyHours};
use crate::booking::settings::{Closure, SettingsInput};
use jiff::civil::date;

const ZONE: &str = "Europe/Lisbon";

fn at(rfc3339: &str) -> Timestamp {
    Timestamp::parse_rfc3339(rfc3339).unwrap()
}

/// Sunday 1 March 2026, 00:00 in Lisbon (WET, UTC+0): well before the
/// days tested.
fn now() -> Timestamp {
    at("2026-03-01T00:00:00Z")
}

fn range(start: &str, end: &str) -> Vec<TimeRange> {
    vec![TimeRange {
        start: start.into(),
        end: end.into(),
    }]
}

fn weekdays(start: &str, end: &str) -> WeeklyHours {
    let day = range(start, end);
    WeeklyHours {
        monday: day.clone(),
        tuesday: day.clone(),
        wednesday: day.clone(),
        thursday: day.clone(),
        friday: day,
        ..WeeklyHours::default()
    }
}

/// Lisbon settings: `weekly`, slots every 30 minutes, no notice, no
/// buffer, a year ahead; then `tweak`.
fn settings(weekly: WeeklyHours, tweak: impl FnOnce(&mut SettingsInput)) -> Settings {
    let mut input = SettingsInput {
        time_zone: Some(ZONE.into()),
        weekly: Some(weekly),
        min_notice_minutes: Some(0),
        max_days_ahead: Some(365),
        buffer_minutes: Some(0),
        slot_minutes: Some(30),
        ..SettingsInput::default()
    };
    tweak(&mut input);
    Settings::parse(input, "UTC", None).unwrap()
}

fn service(duration_minutes: i64) -> Service {
    Service {
        id: ServiceId::new(),
        name: "Haircut".into(),
        description: None,
        price_minor: 2000,
        currency: "EUR".into(),
        duration_minutes,
        category: None,
        icon: None,
        active: true,
        position: 0,
        created_at: now(),
        updated_at: now(),
    }
}

fn resource(name: &str, capacity: i64, service: &Service) -> Resource {
    Resource {
        id: ResourceId::new(),
        name: name.into(),
        kind: "staff".into(),
        capacity,
        active: true,
        service_ids: vec![service.id],
        created_at: now(),
        updated_at: now(),
    }
}

fn times(slots: &[Slot]) -> Vec<&str> {
    slots.iter().map(|s| s.time.as_str()).collect()
}

/// `resource` held `from`..`until` (`HH:MM` UTC) on 15 June 2026.
fn held(resource: ResourceId, from: &str, until: &str) -> Held {
    let on = |t: &str| at(&format!("2026-06-15T{t}:00Z"));
    Held {
        resource,
        from: on(from),
        until: on(until),
    }
}

#[test]
fn fits_counts_what_is_held_at_once() {
    let r = ResourceId::new();
    let (from, until) = (at("2026-06-15T10:00:00Z"), at("2026-06-15T11:00:00Z"));
    let overlapping = [held(r, "10:30", "11:30")];
    assert!(!fits(1, from, until, &overlapping));
    assert!(fits(2, from, until, &overlapping));
    assert!(fits(1, from, until, &[]));
    // Back to back, on either side.
    let before = [held(r, "09:00", "10:00")];
    let after = [held(r, "11:00", "12:00")];
    assert!(fits(1, from, until, &before));
    assert!(fits(1, from, until, &after));
    // Two holds that each overlap the new one but not each other.
    let apart = [held(r, "09:00", "10:15"), held(r, "10:45", "12:00")];
    assert!(fits(2, from, until, &apart));
    assert!(!fits(1, from, until, &apart));
    // Two holds overlapping each other within the new one.
    let together = [held(r, "09:30", "10:45"), held(r, "10:15", "11:30")];
    assert!(!fits(2, from, until, &together));
    assert!(fits(3, from, until, &together));
}

#[test]
fn givers_are_the_active_resources_giving_the_service() {
    let s = service(60);
    let a = resource("Ana", 1, &s);
    let mut off = resource("Bea", 1, &s);
    off.active = false;
    let mut other = resource("Caio", 1, &s);
    other.service_ids = vec![ServiceId::new()];
    let all = [a.clone(), off, other];
    let ids: Vec<ResourceId> = givers(&s, &all).iter().map(|r| r.id).collect();
    assert_eq!(ids, [a.id]);
}

#[test]
fn a_weekday_has_the_slots_the_service_fits_in() {
    let set = settings(weekdays("09:00", "12:00"), |_| {});
    let s = service(60);
    let r = resource("Ana", 1, &s);
    let monday = date(2026, 6, 15);
    let slots = slots_on(&set, &s, &[&r], &[], monday, now());
    assert_eq!(times(&slots), ["09:00", "09:30", "10:00", "10:30", "11:00"]);
    // Lisbon is UTC+1 in June.
    assert_eq!(slots[0].starts_at, at("2026-06-15T08:00:00Z"));
    assert_eq!(slots[0].ends_at, at("2026-06-15T09:00:00Z"));
    assert_eq!(slots[4].ends_at, at("2026-06-15T11:00:00Z"));
    assert!(slots.iter().all(|x| x.resource_ids == [r.id]));
    // Saturday is closed.
    assert!(slots_on(&set, &s, &[&r], &[], date(2026, 6, 20), now()).is_empty());
    // An inactive service, or one nobody gives, has none.
    let off = Service {
        active: false,
        ..s.clone()
    };
    assert!(slots_on(&set, &off, &[&r], &[], monday, now()).is_empty());
    assert!(slots_on(&set, &s, &[], &[], monday, now()).is_empty());
}

#[test]
fn holidays_and_closures_have_no_slots() {
    let set = settings(weekdays("09:00", "12:00"), |i| {
        i.holidays = Some(vec!["2026-06-16".into()]);
        i.closures = Some(vec![Closure {
            start: "2026-06-17".into(),
            end: "2026-06-18".into(),
            reason: None,
        }]);
    });
    let s = service(60);
    let r = resource("Ana", 1, &s);
    let count = |d: Date| slots_on(&set, &s, &[&r], &[], d, now()).len();
    let days = [15, 16, 17, 18, 19].map(|d| count(date(2026, 6, d)));
    assert_eq!(days, [5, 0, 0, 0, 5]);
}

#[test]
fn the_booking_window_bounds_the_slots() {
    let s = service(60);
    let r = resource("Ana", 1, &s);
    // Minimum notice: at 09:10 in Lisbon, an hour's notice leaves 10:30.
    let set = settings(weekdays("09:00", "12:00"), |i| {
        i.min_notice_minutes = Some(60)
    });
    let monday = date(2026, 6, 15);
    let slots = slots_on(&set, &s, &[&r], &[], monday, at("2026-06-15T08:10:00Z"));
    assert_eq!(times(&slots), ["10:30", "11:00"]);
    // Exactly the notice away is still bookable.
    let slots = slots_on(&set, &s, &[&r], &[], monday, at("2026-06-15T08:30:00Z"));
    assert_eq!(times(&slots), ["10:30", "11:00"]);
    // Thirty days ahead of 1 March: up to 31 March, not 1 April.
    let set = settings(weekdays("09:00", "12:00"), |i| i.max_days_ahead = Some(30));
    assert_eq!(window(&set, now()), (date(2026, 3, 1), date(2026, 3, 31)));
    let on = |d: Date| slots_on(&set, &s, &[&r], &[], d, now()).len();
    assert_eq!(on(date(2026, 3, 31)), 5);
    assert_eq!(on(date(2026, 4, 1)), 0);
    // Nor a day gone by.
    assert_eq!(on(date(2026, 2, 27)), 0);
}

#[test]
fn held_time_and_buffers_keep_a_resource_busy() {
    let s = service(60);
    let a = resource("Ana", 1, &s);
    let b = resource("Bea", 1, &s);
    // A booking 10:00–11:00 in Lisbon with 15 minutes' buffer: held
    // until 11:15 (UTC+1).
    let hold = [held(a.id, "09:00", "10:15")];
    let monday = date(2026, 6, 15);
    let set = settings(weekdays("08:00", "14:00"), |i| i.buffer_minutes = Some(15));
    // A new booking keeps its own buffer too: 09:00 would hold Ana to
    // 10:15, 11:00 starts before 11:15.
    let only_a = slots_on(&set, &s, &[&a], &hold, monday, now());
    let free = ["08:00", "08:30", "11:30", "12:00", "12:30", "13:00"];
    assert_eq!(times(&only_a), free);
    let both = slots_on(&set, &s, &[&a, &b], &hold, monday, now());
    assert_eq!(both.len(), 11);
    for slot in &both {
        let expected = if free.contains(&slot.time.as_str()) {
            vec![a.id, b.id]
        } else {
            vec![b.id]
        };
        assert_eq!(slot.resource_ids, expected, "at {}", slot.time);
    }
    // Without a buffer, 09:00–10:00 fits before the booking.
    let set = settings(weekdays("08:00", "14:00"), |i| i.buffer_minutes = Some(0));
    let only_a = slots_on(&set, &s, &[&a], &hold, monday, now());
    let free = [
        "08:00", "08:30", "09:00", "11:30", "12:00", "12:30", "13:00",
    ];
    assert_eq!(times(&only_a), free);
    // A capacity of 2 takes one more booking.
    let two = resource("Sala", 2, &s);
    let hold = [held(two.id, "09:00", "10:15")];
    assert_eq!(slots_on(&set, &s, &[&two], &hold, monday, now()).len(), 11);
}

/// Each slot's `time` is its start on Lisbon's wall clock.
fn assert_times_match(slots: &[Slot]) {
    let tz = jiff::tz::TimeZone::get(ZONE).unwrap();
    for s in slots {
        let ts = jiff::Timestamp::from_millisecond(s.starts_at.as_millis()).unwrap();
        let wall = tz.to_datetime(ts);
        assert_eq!(format!("{:02}:{:02}", wall.hour(), wall.minute()), s.time);
    }
}

/// A 30-minute service's slots on Sunday `day`, open 00:00–04:00.
fn night_slots(day: Date) -> Vec<Slot> {
    let weekly = WeeklyHours {
        sunday: range("00:00", "04:00"),
        ..WeeklyHours::default()
    };
    let set = settings(weekly, |_| {});
    let s = service(30);
    let r = resource("Ana", 1, &s);
    slots_on(&set, &s, &[&r], &[], day, now())
}

#[test]
fn the_spring_night_skips_the_missing_hour() {
    // 29 March 2026: 01:00 WET (UTC) jumps to 02:00 WEST (UTC+1).
    let slots = night_slots(date(2026, 3, 29));
    let wall = ["00:00", "00:30", "02:00", "02:30", "03:00", "03:30"];
    assert_eq!(times(&slots), wall);
    let starts: Vec<Timestamp> = slots.iter().map(|x| x.starts_at).collect();
    let first = at("2026-03-29T00:00:00Z");
    let expected = [0, 30, 60, 90, 120, 150].map(|m| first.plus_seconds(m * 60));
    assert_eq!(starts, expected);
    assert_times_match(&slots);
    for x in &slots {
        assert_eq!(x.ends_at, x.starts_at.plus_seconds(30 * 60));
    }
}

#[test]
fn the_autumn_night_offers_the_repeated_hour_once() {
    // 25 October 2026: 02:00 WEST (UTC+1) goes back to 01:00 WET (UTC);
    // 01:00–01:59 happens twice and is offered at its first passing.
    let slots = night_slots(date(2026, 10, 25));
    let wall = [
        "00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30",
    ];
    assert_eq!(times(&slots), wall);
    let starts: Vec<Timestamp> = slots.iter().map(|x| x.starts_at).collect();
    // Minutes after 00:00 WEST (23:00 UTC the day before).
    let first = at("2026-10-24T23:00:00Z");
    let expected = [0, 30, 60, 90, 180, 210, 240, 270].map(|m| first.plus_seconds(m * 60));
    assert_eq!(starts, expected);
    assert!(starts.windows(2).all(|w| w[0] < w[1]));
    assert_times_match(&slots);
}

#[test]
fn window_and_day_bounds_follow_the_zone() {
    let set = settings(weekdays("09:00", "12:00"), |i| i.max_days_ahead = Some(1));
    // 23:30 UTC on 1 July is 00:30 on 2 July in Lisbon (UTC+1).
    let late = at("2026-07-01T23:30:00Z");
    assert_eq!(window(&set, late), (date(2026, 7, 2), date(2026, 7, 3)));
    let earlier = at("2026-07-01T22:30:00Z");
    assert_eq!(window(&set, earlier), (date(2026, 7, 1), date(2026, 7, 2)));
    // So Friday 3 July is bookable at `late` but not at `earlier`.
    let s = service(60);
    let r = resource("Ana", 1, &s);
    let friday = date(2026, 7, 3);
    assert_eq!(slots_on(&set, &s, &[&r], &[], friday, late).len(), 5);
    assert!(slots_on(&set, &s, &[&r], &[], friday, earlier).is_empty());
    let bounds = |d: Date| day_bounds(&set, d);
    assert_eq!(
        bounds(date(2026, 7, 2)),
        (at("2026-07-01T23:00:00Z"), at("2026-07-02T23:00:00Z"))
    );
    // The spring day lasts 23 hours, the autumn one 25.
    assert_eq!(
        bounds(date(2026, 3, 29)),
        (at("2026-03-29T00:00:00Z"), at("2026-03-29T23:00:00Z"))
    );
    assert_eq!(
        bounds(date(2026, 10, 25)),
        (at("2026-10-24T23:00:00Z"), at("2026-10-26T00:00:00Z"))
    );
}
