//! Automations react to bookings: a workflow on `booking_made` or
//! `booking_cancelled` runs for the booking's contact.

use super::{at, contact, resource, service, settings, to_monday};
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn workflows_run_when_a_booking_is_made_or_cancelled() {
    each_engine(|app| async move {
        let t = app.create_tenant("booking-workflows").await;
        let ann = contact(&app, &t, "+15550440001", "Ann").await;
        settings(
            &app,
            &t,
            json!({ "time_zone": "UTC", "min_notice_minutes": 0 }),
        )
        .await;
        let s = service(
            &app,
            &t,
            json!({ "name": "Cut", "currency": "EUR",
            "duration_minutes": 30 }),
        )
        .await;
        resource(&app, &t, json!({ "name": "Chair" })).await;
        let mut workflows = Vec::new();
        for (name, trigger) in [
            ("Booked", "booking_made"),
            ("Cancelled", "booking_cancelled"),
        ] {
            let id = crate::automations::workflow(
                &app,
                &t,
                name,
                json!({ "trigger": {"type": trigger},
                        "steps": [{"type": "add_note", "text": format!("{name} note")}] }),
            )
            .await;
            workflows.push(id);
        }
        let monday = to_monday(&app);
        let r = app
            .post(
                "/api/v1/bookings",
                Auth::ApiKey(&t.api_key),
                json!({ "service_id": s["id"], "contact_id": ann,
                        "starts_at": at(monday + 1, 10, 0), "notify": false }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        app.drain().await;
        let made = crate::automations::runs(&app, &t, &workflows[0]).await;
        assert_eq!(made.len(), 1, "{made:?}");
        assert_eq!(made[0]["contact_id"], json!(ann));
        assert!(
            crate::automations::runs(&app, &t, &workflows[1])
                .await
                .is_empty()
        );

        let id = r.body["id"].as_str().unwrap();
        let r = app
            .post(
                &format!("/api/v1/bookings/{id}/status"),
                Auth::ApiKey(&t.api_key),
                json!({ "status": "cancelled", "notify": false }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        app.drain().await;
        let cancelled = crate::automations::runs(&app, &t, &workflows[1]).await;
        assert_eq!(cancelled.len(), 1, "{cancelled:?}");
        assert_eq!(cancelled[0]["status"], "completed", "{cancelled:?}");
    })
    .await;
}
