//! Bookings in a browser (SQLite only, like browser.rs): the owner opens
//! Bookings → Settings and turns the bot on for the number, adds a
//! service and a member of staff, books a customer in from "New booking"
//! (a free time picked from the day's list), sees the booking on the day
//! view, opens it and cancels it.

use super::browser::sign_in;
use super::http_bookings::{date, to_monday};
use super::webdriver::Browser;
use serde_json::json;
use testkit::{Auth, Engine, TestApp};

#[tokio::test]
async fn browser_bookings_set_up_book_a_customer_and_cancel() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-bookings").await;
    let key = Auth::ApiKey(&t.api_key);
    let ch = crate::automations::hours::number(&app, &t, "9150000000032").await;
    let contact = crate::crm_contacts::contact(
        &app,
        &t,
        json!({ "phone": "+15550702001", "name": "Carla Customer" }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let monday = to_monday(&app);
    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // Bookings → Settings: the bot answers on the number, in UTC.
    b.submit("header nav a[href='/app/bookings']").await;
    b.submit("nav.subnav a[href='/app/bookings/settings']")
        .await;
    assert_eq!(b.count("#no-booking-settings").await, 1);
    b.click(&format!("#bot-numbers input[value='{ch}']")).await;
    b.fill("#booking-settings-form input[name=time_zone]", "UTC")
        .await;
    b.fill("#booking-settings-form input[name=min_notice_minutes]", "0")
        .await;
    b.submit("#save-booking-settings").await;
    assert_eq!(
        b.count("#booking-settings-ok").await,
        1,
        "{}",
        b.source().await
    );
    b.screenshot("booking-settings").await;
    let api = app.get("/api/v1/booking/settings", key).await.body;
    assert_eq!(api["channel_ids"], json!([ch]));

    // A service, and staff who gives it.
    b.submit("nav.subnav a[href='/app/bookings/services']")
        .await;
    b.fill("#create-service input[name=name]", "Massage").await;
    b.fill("#create-service input[name=price]", "40").await;
    b.fill("#create-service input[name=currency]", "EUR").await;
    b.fill("#create-service input[name=duration_minutes]", "60")
        .await;
    b.submit("#create-service button[type=submit]").await;
    assert_eq!(b.count("#services tr[data-service]").await, 1);
    assert_eq!(b.count("#services-ok").await, 1);
    b.submit("nav.subnav a[href='/app/bookings/resources']")
        .await;
    b.fill("#create-resource input[name=name]", "Marta").await;
    assert_eq!(
        b.eval("return document.querySelector('#create-resource input[name=service_ids]').checked")
            .await,
        json!(true),
        "a new one gives every service"
    );
    b.submit("#create-resource button[type=submit]").await;
    assert_eq!(b.count("#resources tr[data-resource]").await, 1);
    assert_eq!(b.text("#resources td.gives").await, "Massage");

    // New booking: the day's free times, one picked, the customer chosen.
    b.submit("#new-booking-link").await;
    let day = date(monday);
    b.eval(&format!(
        "document.querySelector('#free-times input[name=date]').value = '{day}'; return true;"
    ))
    .await;
    b.submit("#free-times button[type=submit]").await;
    assert!(
        b.count("#slots a[data-time]").await >= 4,
        "{}",
        b.source().await
    );
    b.submit("#slots a[data-time='10:00']").await;
    assert_eq!(
        b.eval("return document.querySelector('#create-booking input[name=time]').value")
            .await,
        json!("10:00")
    );
    b.click(&format!(
        "#create-booking select[name=contact_id] option[value='{contact}']"
    ))
    .await;
    b.fill("#create-booking textarea[name=notes]", "First visit")
        .await;
    b.screenshot("booking-new").await;
    b.submit("#book").await;
    assert_eq!(b.count("#booking-ok").await, 1, "{}", b.source().await);
    assert_eq!(b.text("#booking-status").await, "confirmed");
    let reference = b.text("#booking-reference").await;

    // The day view lists it.
    b.submit("nav.subnav a[href='/app/bookings']").await;
    assert!(b.text("#calendar-title").await.starts_with("Monday"));
    assert_eq!(b.count("#calendar tr[data-booking]").await, 1);
    let row = b.text("#calendar tr[data-booking]").await;
    assert!(row.contains("10:00–11:00"), "{row}");
    assert!(row.contains("Massage") && row.contains("Marta"), "{row}");
    assert!(
        row.contains("Carla Customer") && row.contains(&reference),
        "{row}"
    );
    b.screenshot("booking-calendar").await;

    // Opened and cancelled.
    b.submit("#calendar a.booking-link").await;
    b.eval("window.confirm = () => true; return true;").await;
    b.fill("#cancel-booking input[name=note]", "Customer called")
        .await;
    b.submit("#cancel-booking button[type=submit]").await;
    assert_eq!(b.text("#booking-status").await, "cancelled");
    assert!(
        b.text("#booking-ok").await.starts_with("Cancelled"),
        "{}",
        b.source().await
    );
    assert_eq!(b.count("#reschedule-booking").await, 0);
    b.screenshot("booking-cancelled").await;
    let list = app.get("/api/v1/bookings", key).await.body;
    assert_eq!(list["items"][0]["status"], json!("cancelled"));
    b.quit().await;
    app.stop().await;
}
