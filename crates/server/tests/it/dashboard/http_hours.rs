//! The business hours tab of Automations over plain HTTP, on both
//! engines: the workspace's form (refused and kept as typed, then saved),
//! a number's own hours set and removed, and agents refused.

use super::client::{Browser, attrs};
use domain::Role;
use serde_json::json;
use testkit::{Auth, TestApp, engines};

const PAGE: &str = "/app/automations/business-hours";

#[tokio::test]
async fn dashboard_business_hours_refuse_save_and_override_per_number() {
    for engine in engines() {
        eprintln!("--- engine: {engine:?}");
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("dash-hours").await;
        let key = Auth::ApiKey(&t.api_key);
        let ch = crate::automations::hours::number(&app, &t, "9150000000002").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get(PAGE).await;
        assert_eq!(r.status, 200);
        assert!(
            r.html
                .contains(&format!("href=\"{PAGE}\" aria-current=\"page\"")),
            "the tab"
        );
        assert!(r.html.contains("id=\"no-business-hours\""));
        assert!(
            r.html.contains("name=\"monday\" value=\"09:00-17:00\""),
            "a suggestion"
        );
        assert_eq!(attrs(&r.html, "data-number"), [ch.as_str()]);
        assert_eq!(attrs(&r.html, "data-own"), ["false"]);
        let csrf = r.csrf();

        // Refused: overlapping ranges, a date that is not one, an unknown
        // zone; each reason beside its field, the form as typed.
        let r = b
            .post(
                PAGE,
                &[
                    ("csrf", &csrf),
                    ("enabled", "true"),
                    ("time_zone", "Mars/Base"),
                    ("monday", "09:00-12:00, 11:00-13:00"),
                    ("tuesday", "9-5"),
                    ("holidays", "2025-02-30"),
                    ("away_message", "Back at nine"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.html);
        for field in ["time_zone", "monday", "tuesday", "holidays"] {
            assert!(
                r.html
                    .contains(&format!("class=\"field-error\" data-field=\"{field}\"")),
                "{field}: {}",
                r.html
            );
        }
        assert!(r.html.contains("value=\"09:00-12:00, 11:00-13:00\""));
        assert!(r.html.contains(">Back at nine</textarea>"));
        assert!(r.html.contains("id=\"business-hours-error\""));
        assert_eq!(
            app.get("/api/v1/business-hours", key).await.status,
            404,
            "nothing saved"
        );

        // Saved.
        let r = b
            .post(
                PAGE,
                &[
                    ("csrf", &csrf),
                    ("enabled", "true"),
                    ("time_zone", "europe/lisbon"),
                    ("monday", "13:00-17:00, 09:00-12:00"),
                    ("friday", "09:00 - 24:00"),
                    ("holidays", "2025-12-25\n2026-01-01"),
                    ("welcome_message", "Hello!"),
                    ("away_message", "Back at nine"),
                ],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations/business-hours?done=saved"),
            "{}",
            r.html
        );
        let r = b.get("/app/automations/business-hours?done=saved").await;
        assert!(r.html.contains("id=\"business-hours-ok\""));
        assert!(
            r.html
                .contains("name=\"monday\" value=\"09:00-12:00, 13:00-17:00\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("value=\"Europe/Lisbon\""));
        let api = app.get("/api/v1/business-hours", key).await.body;
        assert_eq!(
            api["weekly"]["friday"],
            json!([{"start": "09:00", "end": "24:00"}])
        );
        assert_eq!(api["holidays"], json!(["2025-12-25", "2026-01-01"]));
        assert_eq!(
            (&api["welcome_message"], &api["enabled"]),
            (&json!("Hello!"), &json!(true))
        );

        // The number's own hours.
        let own_page = format!("{PAGE}/{ch}");
        let r = b.get(&own_page).await;
        assert_eq!(r.status, 200);
        assert!(
            r.html.contains("Business hours of Front desk"),
            "{}",
            r.html
        );
        assert!(
            !r.html.contains("id=\"remove-number-hours\""),
            "nothing to remove yet"
        );
        let r = b
            .post(
                &own_page,
                &[
                    ("csrf", &csrf),
                    ("enabled", "true"),
                    ("time_zone", "America/New_York"),
                    ("sunday", "10:00-14:00"),
                ],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some(format!("{own_page}?done=saved").as_str()),
            "{}",
            r.html
        );
        let own_api = format!("/api/v1/channels/{ch}/business-hours");
        let api = app.get(&own_api, key).await.body;
        assert_eq!(api["sunday"], serde_json::Value::Null);
        assert_eq!(
            api["weekly"]["sunday"],
            json!([{"start": "10:00", "end": "14:00"}])
        );
        assert_eq!(api["time_zone"], json!("America/New_York"));
        assert_eq!(attrs(&b.get(PAGE).await.html, "data-own"), ["true"]);
        assert!(
            b.get(&own_page)
                .await
                .html
                .contains("id=\"remove-number-hours\"")
        );
        let r = b
            .post(&format!("{own_page}/delete"), &[("csrf", &csrf)])
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/automations/business-hours?done=removed")
        );
        assert_eq!(app.get(&own_api, key).await.status, 404);
        assert_eq!(attrs(&b.get(PAGE).await.html, "data-own"), ["false"]);
        let unknown = uuid::Uuid::now_v7();
        assert_eq!(b.get(&format!("{PAGE}/{unknown}")).await.status, 404);

        // Agents may not manage them.
        let agent = app.add_user(&t, Role::Agent, "alex").await;
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        let r = a.get(PAGE).await;
        assert_eq!(r.status, 403);
        assert!(r.html.contains("campaigns:manage"), "{}", r.html);
        let csrf = a.get("/app/inbox").await.csrf();
        let r = a.post(PAGE, &[("csrf", &csrf), ("enabled", "false")]).await;
        assert_eq!(r.status, 403);
        assert_eq!(
            app.get("/api/v1/business-hours", key).await.body["enabled"],
            json!(true)
        );
    }
}
