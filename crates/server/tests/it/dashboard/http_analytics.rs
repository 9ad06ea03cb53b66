//! The Analytics pages over plain HTTP, on both engines: customers write
//! in through the sandbox, and the owner's pages show it (figures, bar
//! charts and the heatmap as SVG with their figures in tables, per number
//! and kind, conversations waiting past the target linking to their
//! threads), the CSV link downloads the same days with the session
//! cookie; a span that does not read is said on the page (422) with the
//! form as typed; the targets form refuses nonsense beside its fields and
//! saves; viewers read but may not set targets, agents may not open
//! Analytics at all.

use super::client::{Browser, attrs};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, WhatsAppTest, each_engine, each_engine_with_sandbox};

pub(crate) const PNID: &str = "106540352242933";
pub(crate) const WABA: &str = "102290129340433";
const CUSTOMERS: [&str; 2] = ["16505558001", "16505558002"];

/// The workspace's messages report, by API key.
async fn report(app: &TestApp, key: &str) -> Value {
    let r = app
        .get("/api/v1/analytics/messages", Auth::ApiKey(key))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Customers write three messages in and the counts reach them. The
/// consumer meets the workspace first, as its poller does long before a
/// customer writes (the first meeting rebuilds from history, which holds
/// no conversations followed yet).
pub(crate) async fn seed_messages(wa: &WhatsAppTest, key: &str) {
    wa.drain().await;
    for (from, text) in [
        (CUSTOMERS[0], "Hello, do you open on Sunday?"),
        (CUSTOMERS[0], "And on holidays?"),
        (CUSTOMERS[1], "I would like to book a table"),
    ] {
        wa.sandbox.send_text(PNID, from, text).unwrap();
    }
    wa.eventually("the counts reach three messages in", || async {
        report(wa, key).await["totals"]["messages_in"] == json!(3)
    })
    .await;
}

/// The link to the last `days` days on a page.
pub(crate) fn quick_link(html: &str, days: u32) -> String {
    let before = &html[..html.find(&format!("data-days=\"{days}\"")).unwrap()];
    let start = before.rfind("href=\"").unwrap() + 6;
    before[start..start + before[start..].find('"').unwrap()].replace("&amp;", "&")
}

#[tokio::test]
async fn dashboard_analytics_show_seeded_activity_and_download_it() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("dash-analytics").await;
        wa.connect_number(&t, PNID, WABA).await;
        seed_messages(&wa, &t.api_key).await;
        let api = report(&wa, &t.api_key).await;
        let today = api["span"]["to"].as_str().unwrap().to_owned();
        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;

        // Messages: the main menu's tab, the figures, the charts and their tables.
        let r = b.get("/app/analytics").await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(
            r.html
                .contains("href=\"/app/analytics\" aria-current=\"page\">Analytics"),
            "the main menu's tab"
        );
        assert!(r.html.contains("id=\"messages-in\" data-value=\"3\""));
        assert!(
            r.html
                .contains("id=\"conversations-opened\" data-value=\"2\"")
        );
        assert!(
            r.html.contains("class=\"small change up\">new "),
            "nothing the week before"
        );
        assert_eq!(
            r.html.matches("class=\"chart chart-bars\"").count(),
            2,
            "messages and conversations per day"
        );
        assert!(r.html.contains("class=\"chart chart-heatmap\""));
        assert!(r.html.contains("<title>"), "charts name themselves");
        let row = format!("<tr data-day=\"{today}\"><th scope=\"row\">{today}</th><td>3</td>");
        assert!(r.html.contains(&row), "today's figures: {}", r.html);
        assert!(r.html.contains("data-kind=\"text\""), "per kind");
        assert!(r.html.contains("id=\"numbers\""), "per number: {}", r.html);
        let quick = attrs(&r.html, "data-days");
        assert_eq!(quick, ["7", "30", "90"]);
        assert!(
            r.html.contains("data-days=\"7\" aria-current=\"true\""),
            "the default span is the last 7 days"
        );

        // The CSV link works with the dashboard's session cookie.
        let csv = attrs(&r.html, "href")
            .into_iter()
            .find(|h| h.starts_with("/api/v1/analytics/messages.csv?"))
            .expect("a CSV link");
        let d = b.get(&csv.replace("&amp;", "&")).await;
        assert_eq!(d.status, 200, "{}", d.html);
        assert!(
            d.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(d.html.starts_with("day,messages_in,messages_out"));
        assert!(d.html.contains(&format!("{today},3,")), "{}", d.html);

        // Another span: the last 30 days, then days with nothing in them.
        let r = b.get(&quick_link(&r.html, 30)).await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(r.html.contains("data-days=\"30\" aria-current=\"true\""));
        assert!(r.html.contains("(30 days)"));
        assert!(r.html.contains("id=\"messages-in\" data-value=\"3\""));
        let r = b.get("/app/analytics?from=2020-01-01&to=2020-01-31").await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("id=\"messages-in\" data-value=\"0\""));
        assert!(
            r.html.contains("value=\"2020-01-01\""),
            "the form shows the span"
        );

        // Response times: two conversations waiting past the default
        // target of an hour, each linking to its thread.
        wa.advance(2 * 3600);
        let r = b.get("/app/analytics/response-times").await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(r.html.contains("id=\"first-response-target\">1h<"));
        assert!(r.html.contains("id=\"resolution-target\">1d<"));
        assert!(r.html.contains("id=\"conversations-count\">2<"));
        let conversations = wa
            .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
            .await
            .body;
        for c in conversations["items"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            assert!(
                r.html.contains(&format!("href=\"/app/inbox/{id}\"")),
                "the breach links to its thread: {}",
                r.html
            );
        }
        assert_eq!(
            r.html
                .matches("<span class=\"pill pending\">still waiting")
                .count(),
            2
        );
        let csv = attrs(&r.html, "href")
            .into_iter()
            .find(|h| h.starts_with("/api/v1/analytics/response-times.csv?"))
            .unwrap();
        let d = b.get(&csv.replace("&amp;", "&")).await;
        assert_eq!(d.status, 200);
        assert!(d.html.starts_with("group,id,name,"), "{}", d.html);

        // The other reports render, empty.
        for (path, chart, empty) in [
            ("/app/analytics/campaigns", "chart-lines", "no-campaigns"),
            ("/app/analytics/automations", "chart-bars", "no-workflows"),
            ("/app/analytics/bookings", "", "no-services"),
        ] {
            let r = b.get(path).await;
            assert_eq!(r.status, 200, "{path}: {}", r.html);
            assert!(r.html.contains(chart), "{path}");
            assert!(r.html.contains(&format!("id=\"{empty}\"")), "{path}");
            assert!(
                r.html.contains(&format!("href=\"{path}?from=")),
                "{path}: the sub-menu keeps the span"
            );
        }
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn dashboard_analytics_refuse_bad_spans_and_set_targets_by_role() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-analytics-targets").await;
        let viewer = app.add_user(&t, Role::Viewer, "vera").await;
        let agent = app.add_user(&t, Role::Agent, "andy").await;
        let key = Auth::ApiKey(&t.api_key);
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;

        // Spans that do not read: said on the page, the form as typed.
        for (query, typed) in [
            ("from=2026-13-01", "2026-13-01"),
            ("from=2026-03-10&to=2026-03-01", "2026-03-10"),
            ("from=2024-01-01&to=2026-01-01", "2024-01-01"),
        ] {
            for page in ["/app/analytics", "/app/analytics/response-times"] {
                let r = b.get(&format!("{page}?{query}")).await;
                assert_eq!(r.status, 422, "{page}?{query}: {}", r.html);
                assert!(r.html.contains("id=\"span-error\""), "{query}");
                assert!(r.html.contains(&format!("value=\"{typed}\"")), "{query}");
                assert!(!r.html.contains("chart-bars"), "no figures for it");
                assert!(r.html.contains("data-days=\"30\""), "the quick links stay");
            }
        }

        // Targets: nonsense refused beside its field, kept as typed, nothing saved.
        let r = b.get("/app/analytics/response-times").await;
        assert!(r.html.contains("id=\"targets-form\""));
        let csrf = r.csrf();
        // What does not read is refused by the page, what is out of range
        // by the rules: each beside its field.
        for (first, resolution, field) in [
            ("soon", "240", "first_response_minutes"),
            ("30", "0", "resolution_minutes"),
        ] {
            let r = b
                .post(
                    "/app/analytics/targets",
                    &[
                        ("csrf", &csrf),
                        ("first_response_minutes", first),
                        ("resolution_minutes", resolution),
                    ],
                )
                .await;
            assert_eq!(r.status, 422, "{}", r.html);
            assert!(
                r.html
                    .contains(&format!("class=\"field-error\" data-field=\"{field}\"")),
                "{field}: {}",
                r.html
            );
            assert_eq!(r.html.matches("class=\"field-error\"").count(), 1);
            assert!(r.html.contains("id=\"targets-error\""));
            assert!(
                r.html.contains(&format!("value=\"{first}\"")),
                "kept as typed"
            );
        }
        let saved = app.get("/api/v1/analytics/targets", key).await.body;
        assert_eq!(saved["first_response_minutes"], json!(60), "{saved}");

        // Saved, back on the span it was set from.
        let r = b
            .post(
                "/app/analytics/targets",
                &[
                    ("csrf", &csrf),
                    ("first_response_minutes", "30"),
                    ("resolution_minutes", "240"),
                    ("from", "2026-03-01"),
                    ("to", "2026-03-07"),
                ],
            )
            .await;
        let to = "/app/analytics/response-times?from=2026-03-01&to=2026-03-07&done=targets";
        assert_eq!(r.location.as_deref(), Some(to), "{}", r.html);
        let r = b.get(to).await;
        assert!(r.html.contains("id=\"targets-ok\""));
        assert!(r.html.contains("id=\"first-response-target\">30m<"));
        assert!(r.html.contains("id=\"resolution-target\">4h<"));
        assert!(
            r.html
                .contains("name=\"first_response_minutes\" value=\"30\"")
        );
        let saved = app.get("/api/v1/analytics/targets", key).await.body;
        assert_eq!(
            (
                &saved["first_response_minutes"],
                &saved["resolution_minutes"]
            ),
            (&json!(30), &json!(240))
        );

        // A viewer reads, without the form, and may not post it.
        let mut v = Browser::sign_in(&app, &t.slug, &viewer.email, &viewer.password).await;
        let r = v.get("/app/analytics/response-times").await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(
            r.html.contains("href=\"/app/analytics\""),
            "in the main menu"
        );
        assert!(!r.html.contains("id=\"targets-form\""));
        let csrf = r.csrf();
        let r = v
            .post(
                "/app/analytics/targets",
                &[
                    ("csrf", &csrf),
                    ("first_response_minutes", "1"),
                    ("resolution_minutes", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 403);
        let saved = app.get("/api/v1/analytics/targets", key).await.body;
        assert_eq!(saved["first_response_minutes"], json!(30));

        // An agent sees no Analytics in the menu, and is refused the pages.
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        let r = a.get("/app/inbox").await;
        assert_eq!(r.status, 200);
        assert!(!r.html.contains("href=\"/app/analytics\""));
        for page in [
            "/app/analytics",
            "/app/analytics/response-times",
            "/app/analytics/campaigns",
            "/app/analytics/automations",
            "/app/analytics/bookings",
        ] {
            let r = a.get(page).await;
            assert_eq!(r.status, 403, "{page}");
            assert!(r.html.contains("Not allowed"), "{page}: {}", r.html);
        }
        let r = a.get("/api/v1/analytics/messages.csv").await;
        assert_eq!(r.status, 403, "nor the CSV");
        app.stop().await;
    })
    .await;
}
