//! The booking API on both engines: settings (defaults, round trip, each
//! refusal naming its field and changing nothing), the catalogue (kept
//! while it has bookings), the exact free slots of a day, bookings
//! (capacity, reschedule, status moves, the list's filters and pages),
//! their events and audit, scopes, and telling the customer.

use super::{at, contact, date, mornings, resource, service, settings, times, to_monday};
use serde_json::{Value, json};
use testkit::{Auth, Resp, TestApp, TestTenant, each_engine};

/// `t`'s API calls on `app`, with its owner's key.
struct Api<'a>(&'a TestApp, &'a TestTenant);

impl Api<'_> {
    fn key(&self) -> Auth<'_> {
        Auth::ApiKey(&self.1.api_key)
    }
    async fn get(&self, path: &str) -> Resp {
        self.0.get(path, self.key()).await
    }
    async fn post(&self, path: &str, body: Value) -> Resp {
        self.0.post(path, self.key(), body).await
    }
    async fn put(&self, path: &str, body: Value) -> Resp {
        self.0.put(path, self.key(), body).await
    }
    async fn patch(&self, path: &str, body: Value) -> Resp {
        self.0.patch(path, self.key(), body).await
    }
    async fn delete(&self, path: &str) -> Resp {
        self.0.delete(path, self.key()).await
    }
    /// POST /api/v1/bookings without telling the customer.
    async fn book(&self, service: &str, contact: &str, starts: &str) -> Resp {
        let body = json!({ "service_id": service, "contact_id": contact, "starts_at": starts,
            "notify": false });
        self.post("/api/v1/bookings", body).await
    }
    async fn reschedule(&self, booking: &Value, starts: &str) -> Resp {
        let path = format!("/api/v1/bookings/{}/reschedule", id(booking));
        self.post(&path, json!({ "starts_at": starts, "notify": false }))
            .await
    }
    async fn status(&self, booking: &Value, status: &str) -> Resp {
        let path = format!("/api/v1/bookings/{}/status", id(booking));
        self.post(&path, json!({ "status": status, "notify": false }))
            .await
    }
    /// The references of one page of GET /api/v1/bookings?`query`, and
    /// its next cursor.
    async fn listed(&self, query: &str) -> (Vec<String>, Value) {
        let page = ok(self.get(&format!("/api/v1/bookings?{query}")).await, 200);
        let refs = page["items"].as_array().unwrap().iter().map(reference);
        (refs.collect(), page["next_cursor"].clone())
    }
    async fn times(&self, service: &str, day: i64) -> Vec<String> {
        times(self.0, self.1, service, &date(day)).await
    }
}

/// The body of an answer that must have `status`.
fn ok(r: Resp, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", r.body);
    r.body
}

/// An error answer: (status, code, first field).
fn err(r: &Resp) -> (u16, &str, &str) {
    let field = r.body["error"]["fields"][0]["field"].as_str();
    (r.status, r.code(), field.unwrap_or(""))
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn reference(v: &Value) -> String {
    v["reference"].as_str().unwrap().to_owned()
}

/// UTC weekday mornings, 30-minute slots, no notice; a 60-minute
/// haircut at €25.00 and one chair of `capacity`: (service, resource).
async fn shop(app: &TestApp, t: &TestTenant, capacity: i64) -> (String, String) {
    let body = json!({ "time_zone": "UTC", "weekly": mornings(), "slot_minutes": 30,
        "min_notice_minutes": 0 });
    settings(app, t, body).await;
    let body = json!({ "name": "Haircut", "currency": "EUR", "price_minor": 2500,
        "duration_minutes": 60 });
    let s = service(app, t, body).await;
    let r = resource(app, t, json!({ "name": "Chair", "capacity": capacity })).await;
    (id(&s), id(&r))
}

const INVALID: &str = "validation_failed";

#[tokio::test]
async fn settings_default_round_trip_and_refuse_bad_input_naming_the_field() {
    each_engine(|app| async move {
        let t = app.create_tenant("booking-settings").await;
        let api = Api(&app, &t);
        let path = "/api/v1/booking/settings";
        // Never set: the bot answers nowhere.
        let d = ok(api.get(path).await, 200);
        let defaults = json!({ "channel_ids": [], "language": "en", "updated_at": null,
            "slot_minutes": 30, "min_notice_minutes": 60, "reminder_minutes": [1440],
            "payment": { "on_site": true, "bank_transfer": null, "payment_link": null } });
        for (k, v) in defaults.as_object().unwrap() {
            assert_eq!(&d[k], v, "{k}: {d}");
        }
        assert_eq!(
            d["weekly"]["monday"],
            json!([{ "start": "09:00", "end": "17:00" }])
        );
        assert_eq!(d["weekly"]["saturday"], json!([]));

        let body = json!({
            "greeting": "Olá! Marque aqui.", "language": "pt", "time_zone": "Europe/Lisbon",
            "weekly": mornings(), "holidays": ["2030-12-25"],
            "closures": [{ "start": "2030-08-01", "end": "2030-08-15", "reason": "Férias" }],
            "min_notice_minutes": 120, "max_days_ahead": 14, "buffer_minutes": 10,
            "slot_minutes": 15, "idle_minutes": 20, "reminder_minutes": [60, 1440],
            "reminder_template": { "name": "booking_reminder", "language": "pt_PT" },
            "payment": { "on_site": false, "bank_transfer": "IBAN PT50 0002 0123",
                         "payment_link": "https://pay.example.com/shop" },
            "responses": [{ "keywords": ["preço"], "reply": "25 €" }],
        });
        let saved = settings(&app, &t, body.clone()).await;
        let mut expected = body;
        expected["channel_ids"] = json!([]);
        expected["weekly"]["saturday"] = json!([]);
        expected["weekly"]["sunday"] = json!([]);
        expected["reminder_minutes"] = json!([1440, 60]);
        expected["updated_at"] = json!(app.state.now());
        assert_eq!(saved, expected);
        assert_eq!(api.get(path).await.body, saved, "GET answers what PUT did");

        let stranger = domain::ChannelId::new().to_string();
        let overlapping = json!({ "monday": [{ "start": "09:00", "end": "12:00" },
                                             { "start": "11:00", "end": "13:00" }] });
        let http = json!({ "payment_link": "http://pay.example.com/x" });
        for (bad, field) in [
            (json!({ "time_zone": "Mars/Olympus" }), "time_zone"),
            (json!({ "weekly": overlapping }), "weekly.monday[1]"),
            (json!({ "slot_minutes": 1 }), "slot_minutes"),
            (json!({ "payment": { "on_site": false } }), "payment"),
            (json!({ "payment": http }), "payment.payment_link"),
            (json!({ "channel_ids": [stranger] }), "channel_ids[0]"),
        ] {
            let r = api.put(path, bad.clone()).await;
            assert_eq!(err(&r), (422, INVALID, field), "{bad}: {}", r.body);
        }
        assert_eq!(api.get(path).await.body, saved, "nothing changed");
    })
    .await;
}

#[tokio::test]
async fn services_and_resources_are_kept_while_they_have_bookings() {
    each_engine(|app| async move {
        let t = app.create_tenant("booking-catalogue").await;
        let api = Api(&app, &t);
        let (services, resources) = ("/api/v1/booking/services", "/api/v1/booking/resources");
        let body = json!({ "name": "Haircut", "currency": "EUR", "price_minor": 2500,
            "duration_minutes": 60, "category": "Hair" });
        let cut = service(&app, &t, body).await;
        assert_eq!(cut["price_label"], json!("€25.00"));
        assert_eq!(cut["active"], json!(true));
        assert_eq!(cut["position"], json!(0));
        let body = json!({ "name": "Beard trim", "currency": "EUR", "duration_minutes": 30 });
        let trim = service(&app, &t, body).await;
        assert_eq!(trim["price_minor"], json!(0));
        assert_eq!(trim["position"], json!(1));
        let (cut_id, trim_id) = (id(&cut), id(&trim));
        let names = |r: Resp| -> Vec<String> {
            let items = r.body["items"].as_array().unwrap().iter();
            items
                .map(|i| i["name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(names(api.get(services).await), ["Haircut", "Beard trim"]);
        let cut_path = format!("{services}/{cut_id}");
        assert_eq!(api.get(&cut_path).await.body, cut);
        let body = json!({ "price_minor": 3000, "description": "Wash" });
        assert_eq!(
            ok(api.patch(&cut_path, body).await, 200)["description"],
            json!("Wash")
        );
        let cleared = ok(
            api.patch(&cut_path, json!({ "description": null })).await,
            200,
        );
        assert_eq!(cleared["description"], Value::Null);
        assert_eq!(cleared["price_minor"], json!(3000), "left out: unchanged");
        let no_currency = json!({ "name": "Shave", "duration_minutes": 30 });
        let r = api.post(services, no_currency).await;
        assert_eq!((r.status, r.code()), (422, INVALID), "{}", r.body);
        assert!(r.text.contains("currency"), "{}", r.body);
        for (bad, field) in [
            (
                json!({ "name": "Shave", "currency": "euro", "duration_minutes": 30 }),
                "currency",
            ),
            (
                json!({ "name": "Shave", "currency": "EUR", "duration_minutes": 1 }),
                "duration_minutes",
            ),
        ] {
            assert_eq!(err(&api.post(services, bad).await), (422, INVALID, field));
        }
        let r = api.patch(&cut_path, json!({ "duration_minutes": 1 })).await;
        assert_eq!(err(&r), (422, INVALID, "duration_minutes"));

        // Staff by default, capacity 1, every current service.
        let ana = resource(&app, &t, json!({ "name": "Ana" })).await;
        assert_eq!(ana["kind"], json!("staff"));
        assert_eq!(ana["capacity"], json!(1));
        let mut both = vec![cut_id.clone(), trim_id.clone()];
        both.sort();
        assert_eq!(ana["service_ids"], json!(both));
        let body = json!({ "name": "Back room", "kind": "resource", "capacity": 2,
            "service_ids": [cut_id] });
        let room = resource(&app, &t, body).await;
        assert_eq!(room["service_ids"], json!([cut_id]));
        assert_eq!(names(api.get(resources).await), ["Ana", "Back room"]);
        let room_path = format!("{resources}/{}", id(&room));
        let body = json!({ "capacity": 3, "service_ids": [trim_id] });
        ok(api.patch(&room_path, body).await, 200);
        let got = api.get(&room_path).await.body;
        assert_eq!(got["capacity"], json!(3));
        assert_eq!(got["service_ids"], json!([trim_id]));
        let r = api.patch(&room_path, json!({ "capacity": 0 })).await;
        assert_eq!(err(&r), (422, INVALID, "capacity"));

        // Another tenant's service is no service here.
        let u = app.create_tenant("booking-catalogue-u").await;
        let body = json!({ "name": "Theirs", "currency": "EUR", "duration_minutes": 30 });
        let theirs = id(&service(&app, &u, body).await);
        let spy = json!({ "name": "Spy", "service_ids": [theirs] });
        let r = api.post(resources, spy).await;
        assert_eq!(err(&r), (422, INVALID, "service_ids[0]"), "{}", r.body);
        let spy = json!({ "service_ids": [theirs] });
        let r = api.patch(&room_path, spy).await;
        assert_eq!(err(&r), (422, INVALID, "service_ids[0]"), "{}", r.body);

        // Without bookings: deleted (and no longer given).
        let trim_path = format!("{services}/{trim_id}");
        assert_eq!(api.delete(&trim_path).await.status, 204);
        assert_eq!(api.get(&trim_path).await.status, 404);
        let ana_path = format!("{resources}/{}", id(&ana));
        let given = api.get(&ana_path).await.body["service_ids"].clone();
        assert_eq!(given, json!([cut_id]));
        assert_eq!(api.delete(&room_path).await.status, 204);
        assert_eq!(api.get(&room_path).await.status, 404);

        // With a booking: kept, made inactive instead.
        let c = contact(&app, &t, "+15550300001", "Ana Lima").await;
        let monday = to_monday(&app);
        ok(api.book(&cut_id, &c, &at(monday + 1, 10, 0)).await, 201);
        let r = api.delete(&cut_path).await;
        assert_eq!(err(&r), (409, "service_in_use", ""));
        let r = api.delete(&ana_path).await;
        assert_eq!(err(&r), (409, "resource_in_use", ""));
        for path in [&cut_path, &ana_path] {
            ok(api.patch(path, json!({ "active": false })).await, 200);
            assert_eq!(api.get(path).await.body["active"], json!(false), "{path}");
        }
        assert_eq!(names(api.get(services).await), ["Haircut"]);
        let r = api.book(&cut_id, &c, &at(monday + 2, 10, 0)).await;
        assert_eq!(err(&r), (422, INVALID, "service_id"), "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn availability_gives_the_exact_free_slots_of_a_day() {
    each_engine(|app| async move {
        let t = app.create_tenant("booking-slots").await;
        let api = Api(&app, &t);
        let (cut, chair) = shop(&app, &t, 1).await;
        let c = contact(&app, &t, "+15550310001", "Ana Lima").await;
        let monday = to_monday(&app);
        let tue = monday + 1;
        let all = ["09:00", "09:30", "10:00", "10:30", "11:00"];
        assert_eq!(api.times(&cut, tue).await, all);
        let path = format!("/api/v1/availability?service={cut}&date={}", date(tue));
        let day = ok(api.get(&path).await, 200);
        assert_eq!(day["date"], json!(date(tue)));
        assert_eq!(day["time_zone"], json!("UTC"));
        let first = &day["slots"][0];
        assert_eq!(first["starts_at"], json!(at(tue, 9, 0)));
        assert_eq!(first["ends_at"], json!(at(tue, 10, 0)));
        assert_eq!(first["resource_ids"], json!([chair]));

        ok(api.book(&cut, &c, &at(tue, 10, 0)).await, 201);
        assert_eq!(api.times(&cut, tue).await, ["09:00", "11:00"]);
        // Monday from 09:40: only what is still ahead.
        app.advance(9 * 3_600 + 40 * 60);
        assert_eq!(api.times(&cut, monday).await, ["10:00", "10:30", "11:00"]);
        assert!(api.times(&cut, monday + 5).await.is_empty(), "Saturday");
        let on =
            |service: &str, day: &str| format!("/api/v1/availability?service={service}&date={day}");
        for bad in ["2030-13-45", "tomorrow"] {
            let r = api.get(&on(&cut, bad)).await;
            assert_eq!(err(&r), (422, INVALID, "date"), "{bad}: {}", r.body);
        }
        let r = api.get(&on(&chair, &date(tue))).await;
        assert_eq!(err(&r), (422, INVALID, "service"), "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn bookings_keep_capacity_move_change_status_and_list() {
    each_engine(|app| async move {
        let t = app.create_tenant("booking-life").await;
        let api = Api(&app, &t);
        let (cut, chair) = shop(&app, &t, 1).await;
        let ana = contact(&app, &t, "+15550320001", "Ana Lima").await;
        let bob = contact(&app, &t, "+15550320002", "Bob Stone").await;
        let carl = contact(&app, &t, "+15550320003", "Carl Diaz").await;
        let dan = contact(&app, &t, "+15550320004", "Dan Eze").await;
        // Owners' tokens expire as the clock moves: the key works on.
        let monday = to_monday(&app);
        let (tue, wed) = (monday + 1, monday + 2);

        let a = ok(api.book(&cut, &ana, &at(tue, 10, 0)).await, 201);
        let a_ref = reference(&a);
        let code = a_ref.strip_prefix("BK-").unwrap_or_default();
        let readable = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
        assert!(code.len() == 6 && code.chars().all(readable), "{a_ref}");
        let expected = json!({ "status": "confirmed", "price_minor": 2500, "currency": "EUR",
            "service_name": "Haircut", "resource_id": chair, "customer_name": "Ana Lima",
            "starts_at": at(tue, 10, 0), "ends_at": at(tue, 11, 0), "source": "api",
            "payment_method": "on_site", "customer_notified": false,
            "notify_error": "not_requested" });
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&a[k], v, "{k}: {a}");
        }
        let a_path = format!("/api/v1/bookings/{}", id(&a));
        // The price was copied: a new price is for new bookings.
        let (cut_path, price) = (
            format!("/api/v1/booking/services/{cut}"),
            json!({ "price_minor": 9900 }),
        );
        ok(api.patch(&cut_path, price).await, 200);
        assert_eq!(api.get(&a_path).await.body["price_minor"], json!(2500));

        let r = api.book(&cut, &bob, &at(tue, 10, 30)).await;
        assert_eq!(err(&r), (409, "slot_taken", ""), "{}", r.body);
        let b = ok(api.book(&cut, &bob, &at(tue, 11, 0)).await, 201);
        let b_ref = reference(&b);
        assert_eq!(api.times(&cut, tue).await, ["09:00"]);
        let r = api.book(&cut, &bob, &at(monday - 1, 10, 0)).await;
        assert_eq!(err(&r), (422, INVALID, "starts_at"), "{}", r.body);

        let r = api.reschedule(&b, &at(tue, 10, 30)).await;
        assert_eq!(err(&r), (409, "slot_taken", ""), "{}", r.body);
        let moved = ok(api.reschedule(&a, &at(wed, 9, 0)).await, 200);
        assert_eq!(moved["starts_at"], json!(at(wed, 9, 0)));
        assert_eq!(moved["ends_at"], json!(at(wed, 10, 0)));
        let history = api.get(&a_path).await.body["history"].clone();
        assert_eq!(history[0]["action"], json!("created"));
        assert_eq!(history[1]["action"], json!("rescheduled"));
        assert_eq!(history.as_array().unwrap().len(), 2);
        let actor = history[0]["actor"].as_str().unwrap();
        assert!(actor.starts_with("api_key:"), "{actor}");
        assert_eq!(api.times(&cut, tue).await, ["09:00", "09:30", "10:00"]);

        // Cancelled frees its time, and is final.
        let cancelled = ok(api.status(&b, "cancelled").await, 200);
        assert_eq!(cancelled["status"], json!("cancelled"));
        let all = ["09:00", "09:30", "10:00", "10:30", "11:00"];
        assert_eq!(api.times(&cut, tue).await, all, "its time is free again");
        for to in ["confirmed", "completed", "no_show"] {
            let r = api.status(&b, to).await;
            assert_eq!(err(&r), (409, "invalid_transition", ""), "{to}");
        }
        let r = api.reschedule(&b, &at(tue, 9, 0)).await;
        assert_eq!(err(&r), (409, "booking_closed", ""));
        for to in ["completed", "no_show"] {
            assert_eq!(ok(api.status(&a, to).await, 200)["status"], json!(to));
        }
        let r = api.status(&a, "pending").await;
        assert_eq!(err(&r), (422, INVALID, "status"), "{}", r.body);

        // Capacity 2: two at once, not three.
        let (chair_path, two) = (
            format!("/api/v1/booking/resources/{chair}"),
            json!({ "capacity": 2 }),
        );
        ok(api.patch(&chair_path, two).await, 200);
        let c_ref = reference(&ok(api.book(&cut, &carl, &at(tue, 10, 0)).await, 201));
        let d_ref = reference(&ok(api.book(&cut, &dan, &at(tue, 10, 0)).await, 201));
        let r = api.book(&cut, &ana, &at(tue, 10, 0)).await;
        assert_eq!(err(&r), (409, "slot_taken", ""));

        // The list: by start time, filtered, in pages.
        let (ra, rb) = (a_ref.as_str(), b_ref.as_str());
        let (rc, rd) = (c_ref.as_str(), d_ref.as_str());
        assert_eq!(api.listed("").await.0, [rc, rd, rb, ra]);
        assert_eq!(api.listed("status=confirmed").await.0, [rc, rd]);
        assert_eq!(api.listed("status=cancelled").await.0, [rb]);
        assert_eq!(api.listed(&format!("contact_id={ana}")).await.0, [ra]);
        let q = format!("from={}&to={}", at(tue, 10, 30), at(wed, 0, 0));
        assert_eq!(api.listed(&q).await.0, [rb]);
        let q = format!("from={}&contact_id={bob}", at(tue, 10, 0));
        assert_eq!(api.listed(&q).await.0, [rb]);
        assert_eq!(api.listed(&format!("from={}", at(wed, 0, 0))).await.0, [ra]);
        let (first, next) = api.listed("limit=2").await;
        assert_eq!(first, [rc, rd]);
        let cursor = next.as_str().expect("a next page");
        let (second, last) = api.listed(&format!("limit=2&cursor={cursor}")).await;
        assert_eq!(second, [rb, ra]);
        assert_eq!(last, Value::Null);

        // Events and audit.
        let ev = crate::crm_contacts::events(&app, &t).await;
        let named = |name: &str| -> Vec<Value> {
            let of = ev.iter().filter(|(n, _)| n == name);
            of.map(|(_, p)| p.clone()).collect()
        };
        let refs_of = |name: &str| -> Vec<String> { named(name).iter().map(reference).collect() };
        let created = &named("booking_service.created")[0];
        assert_eq!(created["service_id"], json!(cut));
        assert_eq!(refs_of("booking.created"), [ra, rb, rc, rd]);
        assert_eq!(refs_of("booking.rescheduled"), [ra]);
        assert_eq!(refs_of("booking.status_changed"), [ra, ra]);
        assert_eq!(refs_of("booking.cancelled"), [rb]);
        let moved = &named("booking.rescheduled")[0];
        assert_eq!(moved["previous_starts_at"], json!(at(tue, 10, 0)));
        assert_eq!(moved["starts_at"], json!(at(wed, 9, 0)));
        let moves: Vec<Value> = named("booking.status_changed")
            .iter()
            .map(|p| json!([p["previous_status"], p["status"]]))
            .collect();
        let expected = [
            json!(["confirmed", "completed"]),
            json!(["completed", "no_show"]),
        ];
        assert_eq!(moves, expected);
        assert_eq!(named("booking.cancelled")[0]["status"], json!("cancelled"));
        let audit = ok(api.get("/api/v1/audit-log?limit=200").await, 200);
        let items = audit["items"].as_array().unwrap();
        let audit: Vec<&Value> = items.iter().map(|e| &e["action"]).collect();
        let count = |a: &str| audit.iter().filter(|x| **x == a).count();
        assert_eq!(count("booking.create"), 4, "{audit:?}");
        assert_eq!(count("booking.reschedule"), 1, "{audit:?}");
        assert_eq!(count("booking.cancel"), 1, "{audit:?}");
    })
    .await;
}

#[tokio::test]
async fn a_read_only_key_reads_bookings_but_changes_nothing() {
    each_engine(|app| async move {
        let t = app.create_tenant("booking-scopes").await;
        let (cut, _) = shop(&app, &t, 1).await;
        let c = contact(&app, &t, "+15550330001", "Ana Lima").await;
        let body = json!({ "name": "reader", "scopes": ["inbox:read"] });
        let owner = Auth::Bearer(&t.owner.token);
        let made = ok(app.post("/api/v1/api-keys", owner, body).await, 201);
        let monday = to_monday(&app);
        let reader = Auth::ApiKey(made["secret"].as_str().unwrap());
        for path in ["/api/v1/bookings", "/api/v1/booking/services"] {
            assert_eq!(app.get(path, reader).await.status, 200, "{path}");
        }
        let body = json!({ "service_id": cut, "contact_id": c,
            "starts_at": at(monday + 1, 10, 0), "notify": false });
        let r = app.post("/api/v1/bookings", reader, body).await;
        assert_eq!(err(&r), (403, "permission_denied", ""), "{}", r.body);
        let r = app.put("/api/v1/booking/settings", reader, json!({})).await;
        assert_eq!(err(&r), (403, "permission_denied", ""), "{}", r.body);
        let (booked, _) = Api(&app, &t).listed("").await;
        assert!(booked.is_empty(), "nothing was booked: {booked:?}");
    })
    .await;
}

#[tokio::test]
async fn a_customer_who_cannot_be_told_is_still_booked() {
    each_engine(|app| async move {
        let t = app.create_tenant("booking-notify").await;
        let api = Api(&app, &t);
        let (cut, _) = shop(&app, &t, 1).await;
        let c = contact(&app, &t, "+15550340001", "Ana Lima").await;
        let monday = to_monday(&app);
        // `notify` left out (true); no number for the bot, and the customer
        // never wrote.
        let body =
            json!({ "service_id": cut, "contact_id": c, "starts_at": at(monday + 1, 10, 0) });
        let made = ok(api.post("/api/v1/bookings", body).await, 201);
        assert_eq!(made["customer_notified"], json!(false));
        assert_eq!(made["notify_error"], json!("no_number"));
        let path = format!("/api/v1/bookings/{}", id(&made));
        let got = ok(api.get(&path).await, 200);
        assert_eq!(got["status"], json!("confirmed"));
    })
    .await;
}
