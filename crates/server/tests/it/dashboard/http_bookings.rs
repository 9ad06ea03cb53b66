//! The Bookings pages over plain HTTP, on both engines: the settings
//! form (a refusal kept as typed and nothing saved, then saved with the
//! bot on a number), a service and staff added (a bad one refused beside
//! its field), a contact booked in through "New booking" (its free
//! times; a taken time and a bad time refused and nothing booked), the
//! booking on the day and week views and their filters, moved (a bad time
//! refused), cancelled; agents may read the calendar but not configure.

use super::client::{Browser, attrs};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, engines};

const DAY: i64 = 86_400;

/// Moves the clock to the next Monday at least a day away, 00:00 UTC;
/// that Monday's day number.
pub(crate) fn to_monday(app: &TestApp) -> i64 {
    let now = app.state.now().as_millis() / 1000;
    let mut day = now / DAY + 2;
    // Day 0 (1 January 1970) was a Thursday.
    while (day + 3) % 7 != 0 {
        day += 1;
    }
    app.advance(day * DAY - now);
    day
}

pub(crate) fn date(day: i64) -> String {
    jiff::Timestamp::from_second(day * DAY)
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string()
}

fn at(day: i64, hour: i64, minute: i64) -> String {
    jiff::Timestamp::from_second(day * DAY + hour * 3600 + minute * 60)
        .unwrap()
        .to_string()
}

fn same_instant(api: &Value, want: &str) -> bool {
    let got: jiff::Timestamp = api.as_str().unwrap().parse().unwrap();
    got == want.parse::<jiff::Timestamp>().unwrap()
}

#[tokio::test]
async fn dashboard_bookings_configure_book_move_and_cancel() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("dash-bookings").await;
        let key = Auth::ApiKey(&t.api_key);
        let ch = crate::automations::hours::number(&app, &t, "9150000000031").await;
        let contact = crate::crm_contacts::contact(
            &app,
            &t,
            json!({ "phone": "+15550701001", "name": "Bea Booker" }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Before the clock moves (the owner's token signs the invitation).
        let agent = app.add_user(&t, Role::Agent, "alex").await;
        let monday = to_monday(&app);
        let day = date(monday);
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;

        // The calendar, from the main menu.
        let r = b.get("/app/bookings").await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(
            r.html
                .contains("href=\"/app/bookings\" aria-current=\"page\">Bookings"),
            "the main menu's tab"
        );
        assert!(r.html.contains("href=\"/app/bookings/settings\""));
        let csrf = r.csrf();

        // Settings: refused (a zone that is not one, a slot length that is
        // not a number, overlapping hours), kept as typed, nothing saved.
        let r = b.get("/app/bookings/settings").await;
        assert!(r.html.contains("id=\"no-booking-settings\""));
        assert!(r.html.contains(&format!("value=\"{ch}\"")), "the number");
        let bad = [
            ("csrf", csrf.as_str()),
            ("channel_ids", ch.as_str()),
            ("greeting", "Welcome to Salon Bea"),
            ("language", "es"),
            ("time_zone", "Mars/Base"),
            ("monday", "09:00-12:00, 11:00-13:00"),
            ("slot_minutes", "half an hour"),
            ("on_site", "1"),
        ];
        let r = b.post("/app/bookings/settings", &bad).await;
        assert_eq!(r.status, 422, "{}", r.html);
        for field in ["time_zone", "monday", "slot_minutes"] {
            assert!(
                r.html
                    .contains(&format!("class=\"field-error\" data-field=\"{field}\"")),
                "{field}: {}",
                r.html
            );
        }
        assert!(r.html.contains("id=\"booking-settings-error\""));
        assert!(r.html.contains(">Welcome to Salon Bea</textarea>"));
        assert!(r.html.contains("value=\"half an hour\""));
        let api = app.get("/api/v1/booking/settings", key).await.body;
        assert_eq!(api["updated_at"], Value::Null, "nothing saved: {api}");

        // Saved: the bot answers on the number.
        let good = [
            ("csrf", csrf.as_str()),
            ("channel_ids", ch.as_str()),
            ("greeting", "Welcome to Salon Bea"),
            ("language", "es"),
            ("time_zone", "UTC"),
            ("monday", "09:00-12:00"),
            ("tuesday", "09:00-12:00"),
            ("holidays", "2099-12-25"),
            ("closures", "2099-08-01 to 2099-08-15 | Summer"),
            ("min_notice_minutes", "0"),
            ("max_days_ahead", "30"),
            ("buffer_minutes", "0"),
            ("slot_minutes", "30"),
            ("idle_minutes", "30"),
            ("reminder_minutes", "1440, 120"),
            ("on_site", "1"),
            ("responses", "price, cost | From €20\\nAsk us"),
        ];
        let r = b.post("/app/bookings/settings", &good).await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/bookings/settings?done=saved"),
            "{}",
            r.html
        );
        let r = b.get("/app/bookings/settings?done=saved").await;
        assert!(r.html.contains("id=\"booking-settings-ok\""));
        assert!(r.html.contains("2099-08-01 to 2099-08-15 | Summer"));
        assert!(r.html.contains("price, cost | From €20\\nAsk us"));
        let api = app.get("/api/v1/booking/settings", key).await.body;
        assert_eq!(api["channel_ids"], json!([ch]));
        assert_eq!(api["language"], json!("es"));
        assert_eq!(
            api["weekly"]["monday"],
            json!([{"start": "09:00", "end": "12:00"}])
        );
        assert_eq!(api["reminder_minutes"], json!([1440, 120]));
        assert_eq!(
            api["responses"],
            json!([{"keywords": ["price", "cost"], "reply": "From €20\nAsk us"}])
        );
        assert_eq!(api["closures"][0]["reason"], json!("Summer"));

        // A service: a bad duration refused beside its field, then added.
        let r = b
            .post(
                "/app/bookings/services",
                &[
                    ("csrf", &csrf),
                    ("name", "Haircut"),
                    ("price", "25.50"),
                    ("currency", "EUR"),
                    ("duration_minutes", "an hour"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(
            r.html
                .contains("class=\"field-error\" data-field=\"duration_minutes\"")
        );
        assert!(r.html.contains("value=\"Haircut\""), "kept as typed");
        let r = b
            .post(
                "/app/bookings/services",
                &[
                    ("csrf", &csrf),
                    ("name", "Haircut"),
                    ("price", "25.50"),
                    ("currency", "eur"),
                    ("duration_minutes", "30"),
                    ("icon", "✂️"),
                ],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/bookings/services?done=added"),
            "{}",
            r.html
        );
        let services = app.get("/api/v1/booking/services", key).await.body;
        assert_eq!(services["items"].as_array().unwrap().len(), 1);
        let service = services["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            (
                &services["items"][0]["price_minor"],
                &services["items"][0]["currency"]
            ),
            (&json!(2550), &json!("EUR"))
        );
        let r = b.get("/app/bookings/services").await;
        assert_eq!(attrs(&r.html, "data-service"), [service.as_str()]);
        assert!(r.html.contains("€25.50"));

        // Staff who gives it.
        let r = b
            .post(
                "/app/bookings/resources",
                &[
                    ("csrf", &csrf),
                    ("name", "Ana"),
                    ("kind", "staff"),
                    ("capacity", "1"),
                    ("service_ids", &service),
                ],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/bookings/resources?done=added"),
            "{}",
            r.html
        );
        let resources = app.get("/api/v1/booking/resources", key).await.body;
        let ana = resources["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(resources["items"][0]["service_ids"], json!([service]));

        // New booking: the contact, the service and the day's free times.
        let r = b.get("/app/bookings/new").await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(r.html.contains(&format!("<option value=\"{contact}\"")));
        assert!(r.html.contains("Bea Booker"));
        let r = b
            .get(&format!(
                "/app/bookings/new?slots=1&service_id={service}&date={day}&contact_id={contact}"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.html);
        let times = attrs(&r.html, "data-time");
        assert_eq!(
            times.first().map(String::as_str),
            Some("09:00"),
            "{times:?}"
        );
        assert_eq!(times.len(), 6, "09:00 to 11:30: {times:?}");
        let r = b.get("/app/bookings/new?q=Booker").await;
        assert!(r.html.contains("Bea Booker"), "found by name");
        let r = b.get("/app/bookings/new?q=nobody-here").await;
        assert!(r.html.contains("id=\"no-contacts\""));

        let book = |time: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("contact_id", contact.clone()),
                ("service_id", service.clone()),
                ("resource_id", String::new()),
                ("date", day.clone()),
                ("time", time.to_owned()),
                ("notes", "Short on the sides".to_owned()),
                ("notify", "1".to_owned()),
            ]
        };
        let form = book("10:00");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b.post("/app/bookings/new", &pairs).await;
        assert_eq!(r.status, 303, "{}", r.html);
        let to = r.location.unwrap();
        assert!(
            to.starts_with("/app/bookings/") && to.contains("?done=created"),
            "{to}"
        );
        let booking = to["/app/bookings/".len()..to.find('?').unwrap()].to_owned();
        let r = b.get(&to).await;
        assert!(r.html.contains("id=\"booking-ok\""), "{}", r.html);
        assert!(r.html.contains("Booked."));
        assert!(r.html.contains("data-status=\"confirmed\""));
        assert!(r.html.contains("Short on the sides"));
        let api = app
            .get(&format!("/api/v1/bookings/{booking}"), key)
            .await
            .body;
        assert!(same_instant(&api["starts_at"], &at(monday, 10, 0)), "{api}");
        assert_eq!(
            (&api["source"], &api["resource_id"]),
            (&json!("dashboard"), &json!(ana))
        );

        // The same time again: Ana takes one booking at once; a time that
        // is not one. Refused on the form, as typed; nothing booked.
        let r = b.post("/app/bookings/new", &pairs).await;
        assert_eq!(r.status, 409, "{}", r.html);
        assert!(r.html.contains("id=\"booking-error\""));
        assert!(r.html.contains("no longer free"), "{}", r.html);
        assert!(r.html.contains(">Short on the sides</textarea>"));
        let form = book("25:00");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b.post("/app/bookings/new", &pairs).await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(r.html.contains("class=\"field-error\" data-field=\"time\""));
        let list = app.get("/api/v1/bookings", key).await.body;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");

        // The day view: the booking by its time, with a link to it.
        let r = b.get(&format!("/app/bookings?date={day}")).await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert_eq!(attrs(&r.html, "data-booking"), [booking.as_str()]);
        assert!(r.html.contains("10:00–10:30"));
        assert!(r.html.contains("Haircut") && r.html.contains("Ana"));
        assert!(
            r.html
                .contains(&format!("href=\"/app/bookings/{booking}\""))
        );
        let r = b.get(&format!("/app/bookings?date={day}&view=week")).await;
        assert_eq!(attrs(&r.html, "data-booking"), [booking.as_str()]);
        assert_eq!(attrs(&r.html, "data-date").len(), 7, "a week of days");
        let r = b
            .get(&format!("/app/bookings?date={day}&status=cancelled"))
            .await;
        assert!(attrs(&r.html, "data-booking").is_empty(), "filtered out");
        let r = b
            .get(&format!("/app/bookings?date={day}&resource={ana}"))
            .await;
        assert_eq!(attrs(&r.html, "data-booking"), [booking.as_str()]);
        let r = b
            .get(&format!("/app/bookings?date={}", date(monday + 1)))
            .await;
        assert!(attrs(&r.html, "data-booking").is_empty(), "the next day");
        assert!(
            r.html
                .contains(&format!("href=\"/app/bookings?date={day}\"")),
            "back a day"
        );
        let r = b.get("/app/bookings?date=not-a-day").await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("id=\"calendar-error\""));

        // Moved: a bad time refused beside its field, then 11:00.
        let page = format!("/app/bookings/{booking}");
        let r = b
            .post(
                &format!("{page}/reschedule"),
                &[("csrf", &csrf), ("date", &day), ("time", "")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(r.html.contains("class=\"field-error\" data-field=\"time\""));
        let r = b
            .post(
                &format!("{page}/reschedule"),
                &[("csrf", &csrf), ("date", &day), ("time", "11:00")],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some(format!("{page}?done=rescheduled").as_str()),
            "not told: the box was not ticked: {}",
            r.html
        );
        let api = app
            .get(&format!("/api/v1/bookings/{booking}"), key)
            .await
            .body;
        assert!(same_instant(&api["starts_at"], &at(monday, 11, 0)), "{api}");
        let r = b.get(&format!("/app/bookings?date={day}")).await;
        assert!(r.html.contains("11:00–11:30"));

        // Cancelled, telling the customer: the note says whether they were.
        let r = b
            .post(
                &format!("{page}/status"),
                &[
                    ("csrf", &csrf),
                    ("status", "cancelled"),
                    ("note", "Asked by phone"),
                    ("notify", "1"),
                ],
            )
            .await;
        let to = r.location.expect("back to the booking");
        assert!(
            to.starts_with(&format!("{page}?done=cancelled&told=")),
            "{to}"
        );
        let r = b.get(&to).await;
        assert!(r.html.contains("Cancelled: its time is free again."));
        assert!(r.html.contains("The customer was"), "{}", r.html);
        assert!(r.html.contains("data-status=\"cancelled\""));
        assert!(!r.html.contains("id=\"reschedule-booking\""), "final");
        assert!(!r.html.contains("id=\"booking-moves\""));
        assert_eq!(
            attrs(&r.html, "data-action"),
            ["created", "rescheduled", "cancelled"]
        );
        assert!(r.html.contains("Asked by phone"));
        let api = app
            .get(&format!("/api/v1/bookings/{booking}"), key)
            .await
            .body;
        assert_eq!(api["status"], json!("cancelled"));
        let r = b
            .post(
                &format!("{page}/status"),
                &[("csrf", &csrf), ("status", "confirmed")],
            )
            .await;
        assert_eq!(r.status, 409, "cancelled is final");
        assert!(r.html.contains("id=\"booking-error\""));

        // A service with bookings cannot be deleted: said on the page.
        let r = b
            .post(
                &format!("/app/bookings/services/{service}/delete"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.html);
        assert!(r.html.contains("make it inactive"), "{}", r.html);
        let r = b
            .post(
                &format!("/app/bookings/services/{service}/active"),
                &[("csrf", &csrf), ("active", "false")],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/bookings/services?done=deactivated")
        );
        let r = b.get("/app/bookings/services").await;
        assert_eq!(attrs(&r.html, "data-active"), ["false"]);

        // Agents read the calendar and bookings, but do not configure.
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        let r = a.get(&format!("/app/bookings?date={day}")).await;
        assert_eq!(r.status, 200);
        assert_eq!(attrs(&r.html, "data-booking"), [booking.as_str()]);
        assert!(!r.html.contains("href=\"/app/bookings/settings\""));
        assert!(!r.html.contains("href=\"/app/bookings/services\""));
        assert_eq!(a.get(&page).await.status, 200);
        let r = a.get("/app/bookings/settings").await;
        assert_eq!(r.status, 403);
        assert!(r.html.contains("campaigns:manage"), "{}", r.html);
        assert_eq!(a.get("/app/bookings/services").await.status, 403);
        let csrf = a.get("/app/inbox").await.csrf();
        let r = a
            .post(
                "/app/bookings/settings",
                &[("csrf", &csrf), ("greeting", "Hijacked")],
            )
            .await;
        assert_eq!(r.status, 403);
        let api = app.get("/api/v1/booking/settings", key).await.body;
        assert_eq!(api["greeting"], json!("Welcome to Salon Bea"));
        let unknown = uuid::Uuid::now_v7();
        assert_eq!(b.get(&format!("/app/bookings/{unknown}")).await.status, 404);
        app.stop().await;
    }
}
