//! Never double-booked: twenty customers booking the same start at once
//! get exactly the resource's capacity, on both engines; the rest are told
//! the slot is taken, and nothing fails.

use super::{at, contact, date, mornings, resource, service, settings, times, to_monday};
use serde_json::{Value, json};
use testkit::{Auth, TestApp, each_engine};

const CUSTOMERS: usize = 20;

/// `CUSTOMERS` different contacts of a fresh tenant POST a booking of the
/// only resource (of `capacity`) for the same start concurrently.
async fn race(app: &TestApp, slug: &str, capacity: usize) {
    let t = app.create_tenant(slug).await;
    let body = json!({ "time_zone": "UTC", "weekly": mornings(), "slot_minutes": 30,
        "min_notice_minutes": 0 });
    settings(app, &t, body).await;
    let body = json!({ "name": "Haircut", "currency": "EUR", "price_minor": 2500,
        "duration_minutes": 60 });
    let cut = service(app, &t, body).await["id"].clone();
    let chair = resource(app, &t, json!({ "name": "Chair", "capacity": capacity })).await;
    let mut contacts = Vec::new();
    for i in 0..CUSTOMERS {
        let (phone, name) = (format!("+1555040{i:04}"), format!("Customer {i}"));
        contacts.push(contact(app, &t, &phone, &name).await);
    }
    let monday = to_monday(app);
    let starts = at(monday + 1, 10, 0);

    let bodies = contacts.iter().map(
        |c| json!({ "service_id": cut, "contact_id": c, "starts_at": starts, "notify": false }),
    );
    let requests = bodies.map(|b| app.post("/api/v1/bookings", Auth::ApiKey(&t.api_key), b));
    let answers = futures::future::join_all(requests).await;

    let statuses: Vec<(u16, String)> = answers
        .iter()
        .map(|r| (r.status, r.code().to_owned()))
        .collect();
    assert!(statuses.iter().all(|(s, _)| *s < 500), "{statuses:?}");
    let booked = statuses.iter().filter(|(s, _)| *s == 201).count();
    let taken = statuses
        .iter()
        .filter(|(s, c)| (*s, c.as_str()) == (409, "slot_taken"))
        .count();
    assert_eq!(
        (booked, taken),
        (capacity, CUSTOMERS - capacity),
        "{statuses:?}"
    );
    for r in answers.iter().filter(|r| r.status == 201) {
        assert_eq!(r.body["status"], json!("confirmed"), "{}", r.body);
        assert_eq!(r.body["resource_id"], chair["id"], "{}", r.body);
    }

    // What the list holds at that time is exactly what was answered 201.
    let to = at(monday + 1, 10, 1);
    let r = app
        .get(
            &format!("/api/v1/bookings?from={starts}&to={to}&limit=200"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), capacity, "{}", r.body);
    let mut listed: Vec<&Value> = items.iter().map(|b| &b["id"]).collect();
    let mut answered: Vec<&Value> = answers
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| &r.body["id"])
        .collect();
    listed.sort_by_key(|v| v.to_string());
    answered.sort_by_key(|v| v.to_string());
    assert_eq!(listed, answered);
    let mut who: Vec<String> = items.iter().map(|b| b["contact_id"].to_string()).collect();
    who.sort();
    who.dedup();
    assert_eq!(who.len(), capacity, "one booking per customer");
    let day = times(app, &t, cut.as_str().unwrap(), &date(monday + 1)).await;
    assert_eq!(
        day,
        ["09:00", "11:00"],
        "the full hour is offered to no one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_customers_racing_for_a_chair_of_one_get_one_booking() {
    each_engine(|app| async move {
        race(&app, "booking-race-one", 1).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_customers_racing_for_a_room_of_three_get_three_bookings() {
    each_engine(|app| async move {
        race(&app, "booking-race-three", 3).await;
    })
    .await;
}
